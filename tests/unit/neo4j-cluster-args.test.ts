import * as pulumi from "@pulumi/pulumi";
import { recordResources, settle } from "./support/pulumi-mocks";
import { refusalsRegisteredNothing, refusedBeforeRegistering } from "./support/bad-input";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jCluster } = require("../../components") as typeof import("../../components");

const ok = { acceptLicenseAgreement: "eval", adminPassword: "password123" };
const digest = `neo4j@sha256:${"a".repeat(64)}`;
const E = 'Neo4jCluster "graph": ';

describe("Neo4jCluster refuses bad input before registering anything", () => {
  afterAll(() => refusalsRegisteredNothing(recorded));

  it.each<[string, unknown, string]>([
    // No arguments, or not an object.
    [
      "no arguments",
      undefined,
      'takes an object of arguments such as { acceptLicenseAgreement: "eval" } (got undefined)',
    ],
    [
      "a string for the arguments",
      "neo4j:5.26",
      'takes an object of arguments such as { acceptLicenseAgreement: "eval" } (got "neo4j:5.26")',
    ],
    // Wrong type.
    [
      "primaries as a string",
      { ...ok, primaries: "3" },
      'primaries must be a whole number from 1 to 11 (got "3")',
    ],
    [
      "onlineBackup as a string",
      { ...ok, onlineBackup: "false" },
      'onlineBackup must be true or false (got "false")',
    ],
    [
      "prometheusMetrics as a number",
      { ...ok, prometheusMetrics: 0 },
      "prometheusMetrics must be true or false (got 0)",
    ],
    [
      "image as a number",
      { ...ok, image: 526 },
      "image must be a non-empty string such as neo4j:5.26-enterprise (got 526)",
    ],
    [
      "an empty image",
      { ...ok, image: " " },
      'image must be a non-empty string such as neo4j:5.26-enterprise (got " ")',
    ],
    [
      "neo4jVersion as a number",
      { ...ok, neo4jVersion: 5.26 },
      "neo4jVersion must look like 5.23, 5.26.3 or 2025.01 (got 5.26)",
    ],
    [
      "hostPorts as a number",
      { ...ok, hostPorts: 7688 },
      "hostPorts must be an object such as { bolt: 7688, http: 7475 } (got 7688)",
    ],
    [
      "a host port as a string",
      { ...ok, hostPorts: { bolt: "7688" } },
      'hostPorts.bolt must be a whole number from 1 to 65535 (got "7688")',
    ],
    [
      "heapSize as a number",
      { ...ok, heapSize: 1024 },
      "heapSize must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g (got 1024)",
    ],
    [
      "acceptLicenseAgreement as true",
      { ...ok, acceptLicenseAgreement: true },
      'acceptLicenseAgreement must be one of "yes", "eval" (got true)',
    ],
    [
      "discovery as a number",
      { ...ok, discovery: 2 },
      'discovery must be one of "v1", "v1-over-v2", "v2-over-v1", "v2" (got 2)',
    ],
    [
      "hostAddress as a number",
      { ...ok, hostAddress: 127 },
      "hostAddress must be an IPv4 address to bind published ports to, such as 127.0.0.1 or 0.0.0.0 (got 127)",
    ],
    [
      "defaultDatabase as a number",
      { ...ok, defaultDatabase: 7 },
      "defaultDatabase must be 3-63 lowercase letters, digits, dots or dashes, starting with a letter and ending with a letter or digit (got 7)",
    ],
    [
      "restart misspelled",
      { ...ok, restart: "unless-stoped" },
      'restart must be one of "no", "on-failure", "always", "unless-stopped"; did you mean "unless-stopped"? (got "unless-stoped")',
    ],
    [
      "waitForHealthy as a string",
      { ...ok, waitForHealthy: "yes" },
      'waitForHealthy must be true or false (got "yes")',
    ],
    [
      "healthyTimeoutSeconds as a string",
      { ...ok, healthyTimeoutSeconds: "600" },
      'healthyTimeoutSeconds must be a whole number from 10 to 86400 (got "600")',
    ],
    [
      "a label value that is not a string",
      { ...ok, labels: { team: 7 } },
      'labels["team"] must be a string (got 7)',
    ],
    [
      "labels as a list",
      { ...ok, labels: ["team"] },
      'labels must be an object of label names and string values (got ["team"])',
    ],
    [
      "a setting value that is not a string",
      { ...ok, settings: { "db.logs.query.enabled": true } },
      'settings["db.logs.query.enabled"] must be a string on one line, as neo4j.conf has it, such as "true" or "512m" (got true)',
    ],
    [
      "a setting value over two lines",
      { ...ok, settings: { "db.logs.query.enabled": "INFO\nx=y" } },
      'settings["db.logs.query.enabled"] must be a string on one line, as neo4j.conf has it, such as "true" or "512m" (got "INFO\\nx=y")',
    ],
    [
      "adminPassword as a number",
      { ...ok, adminPassword: 12345678 },
      "adminPassword must be a string (got a number)",
    ],
    [
      "a network name with a space",
      { ...ok, networkName: "my net" },
      'networkName must be a Docker object name: a letter or digit, then letters, digits, _ . - (got "my net")',
    ],
    // Out of range.
    ["no primaries", { ...ok, primaries: 0 }, "primaries must be a whole number from 1 to 11 (got 0)"],
    ["twelve primaries", { ...ok, primaries: 12 }, "primaries must be a whole number from 1 to 11 (got 12)"],
    [
      "negative secondaries",
      { ...ok, secondaries: -1 },
      "secondaries must be a whole number from 0 to 20 (got -1)",
    ],
    [
      "a host port above 65535",
      { ...ok, hostPorts: { http: 70000 } },
      "hostPorts.http must be a whole number from 1 to 65535 (got 70000)",
    ],
    [
      "a heap of zero",
      { ...ok, heapSize: "0g" },
      'heapSize must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g (got "0g")',
    ],
    [
      "a heap larger than any host",
      { ...ok, heapSize: "100000g" },
      'heapSize must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g (got "100000g")',
    ],
    [
      "a page cache without a unit",
      { ...ok, pageCacheSize: "512" },
      'pageCacheSize must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g (got "512")',
    ],
    [
      "a fractional page cache",
      { ...ok, pageCacheSize: "1.5g" },
      'pageCacheSize must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g (got "1.5g")',
    ],
    [
      "a zero health wait",
      { ...ok, healthyTimeoutSeconds: 0 },
      "healthyTimeoutSeconds must be a whole number from 10 to 86400 (got 0)",
    ],
    [
      "a short admin password",
      { ...ok, adminPassword: "short" },
      "adminPassword must be at least 8 characters (Neo4j's minimum password length)",
    ],
    // Meaning.
    [
      "a misspelled edition",
      { ...ok, image: "neo4j:5.26-enterpise" },
      'image tag "5.26-enterpise" has "enterpise", which is neither an edition (enterprise, community) nor a base-image variant (bullseye, bookworm, trixie, ubi8, ubi9, ubi10); did you mean enterprise?. For an image of your own with another tag scheme, set neo4jVersion and edition',
    ],
    [
      "a misspelled variant",
      { ...ok, image: "neo4j:5.26-enterprise-bulseye" },
      'image tag "5.26-enterprise-bulseye" has "bulseye", which is neither an edition (enterprise, community) nor a base-image variant (bullseye, bookworm, trixie, ubi8, ubi9, ubi10); did you mean bullseye?. For an image of your own with another tag scheme, set neo4jVersion and edition',
    ],
    [
      "a private tag without version and edition",
      { ...ok, image: "registry.example.com/neo4j:prod" },
      'image tag "prod" has "prod", which is neither an edition (enterprise, community) nor a base-image variant (bullseye, bookworm, trixie, ubi8, ubi9, ubi10). For an image of your own with another tag scheme, set neo4jVersion and edition',
    ],
    [
      "not an image reference",
      { ...ok, image: "Neo4j 5.26" },
      'image must be an image reference such as neo4j:5.26-enterprise or registry.example.com:5000/neo4j:5.26-enterprise (got "Neo4j 5.26")',
    ],
    [
      "an image by digest without an edition",
      { ...ok, image: digest, neo4jVersion: "5.26" },
      `edition must be "enterprise" or "community" for an image without a tag (${JSON.stringify(digest)}): only the tag says which edition it is`,
    ],
    [
      "an edition the tag contradicts",
      { ...ok, image: "neo4j:5.26-enterprise", edition: "community" },
      'edition says "community" but the image tag says "enterprise"; leave edition out or make them agree',
    ],
    [
      "a version the tag contradicts",
      { ...ok, image: "neo4j:5.23-enterprise", neo4jVersion: "5.26" },
      "neo4jVersion says 5.26 but the image tag says 5.23; leave neo4jVersion out or make them agree",
    ],
    [
      "the system database as default",
      { ...ok, defaultDatabase: "system" },
      'defaultDatabase must not be "system": that is Neo4j\'s own database of users, roles and databases; choose a name such as "neo4j" or "graph"',
    ],
    [
      "a reserved database prefix",
      { ...ok, defaultDatabase: "systemdb" },
      'defaultDatabase must not start with "system", which Neo4j reserves for its own databases (got "systemdb")',
    ],
    [
      "a database name starting with a digit",
      { ...ok, defaultDatabase: "1graph" },
      'defaultDatabase must be 3-63 lowercase letters, digits, dots or dashes, starting with a letter and ending with a letter or digit (got "1graph")',
    ],
    [
      "a host name as hostAddress",
      { ...ok, hostAddress: "localhost" },
      'hostAddress must be an IPv4 address to bind published ports to, such as 127.0.0.1 or 0.0.0.0 (got "localhost")',
    ],
    [
      "a label in the components' namespace",
      { ...ok, labels: { "neo4j-estate.cluster": "x" } },
      'labels["neo4j-estate.cluster"] is in the neo4j-estate. namespace, which the components use for their own labels; choose another name',
    ],
    [
      "clustering on Community",
      { image: "neo4j:5.26-community", primaries: 3 },
      "primaries must be 1 for a Community image: clustering is an Enterprise feature (got 3)",
    ],
    // Unknown keys and values that must be known at preview.
    [
      "a misspelled argument",
      { ...ok, primary: 3 },
      "primary is not an argument of Neo4jCluster; did you mean primaries?",
    ],
    [
      "a misspelled host port",
      { ...ok, hostPorts: { blot: 7700 } },
      "hostPorts.blot is not a field of hostPorts; did you mean bolt?",
    ],
    [
      "an Output where the graph depends on the value",
      { ...ok, primaries: pulumi.output(3) },
      "primaries must be a plain value, not a Pulumi Output or Promise: it decides which resources are created, so it must be known at preview",
    ],
  ])("%s", async (_case, args, problem) => {
    const message = await refusedBeforeRegistering(recorded, () => new Neo4jCluster("graph", args as never));
    expect(message).toBe(E + problem);
  });

  it("refuses a resource name Docker cannot use", async () => {
    expect(await refusedBeforeRegistering(recorded, () => new Neo4jCluster("Graph", ok as never))).toBe(
      'Neo4jCluster "Graph": name must be 1-41 lowercase letters, digits or dashes, starting with a letter or digit, since it prefixes Docker container, network and volume names (got "Graph")',
    );
  });
});

describe("Neo4jCluster warns about values that are legal but likely mistakes", () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  it.each<[string, Record<string, unknown>, string]>([
    [
      "an even number of primaries",
      { primaries: 4 },
      'Neo4jCluster "warned": primaries is 4: 4 primaries tolerate no more failures than 3; an odd number is usually what you want',
    ],
    [
      "a heap larger than the page cache",
      { heapSize: "4g", pageCacheSize: "1g" },
      'Neo4jCluster "warned": heapSize (4g) is larger than pageCacheSize (1g): Neo4j reads the graph through the page cache, so memory usually serves it better there; check the two are not swapped',
    ],
    [
      "a heap above 31g",
      { heapSize: "64g", pageCacheSize: "128g" },
      'Neo4jCluster "warned": heapSize is 64g: above 31g the JVM loses compressed object pointers, so the heap holds fewer objects than at 31g; Neo4j advises at most 31g and the rest as page cache',
    ],
    [
      "a short health wait",
      { healthyTimeoutSeconds: 20 },
      'Neo4jCluster "warned": healthyTimeoutSeconds is 20: a Neo4j member usually needs 30 to 120 s to start, and a cluster longer, so pulumi up may fail on members that are fine',
    ],
  ])("%s", async (_case, args, warning) => {
    new Neo4jCluster("warned", { ...(ok as object), ...args } as never);
    await settle();
    expect(warn.mock.calls.map((c) => c[0])).toContain(warning);
  });

  it("does not warn about the defaults", async () => {
    new Neo4jCluster("quiet", ok as never);
    await settle();
    expect(warn).not.toHaveBeenCalled();
  });
});
