import * as pulumi from "@pulumi/pulumi";
import { recordResources, settle } from "./support/pulumi-mocks";
import { refusalsRegisteredNothing, refusedBeforeRegistering } from "./support/bad-input";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BackupVolume, Neo4jCluster } = require("../../components") as typeof import("../../components");

const E = 'BackupVolume "backups": ';
const SIZE =
  "must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g";
const DIRECTORY =
  "use a directory of its own such as /srv/neo4j-backups, since the directory is handed to the container's user";

let cluster: InstanceType<typeof Neo4jCluster>;
let baseline: number;
beforeAll(async () => {
  cluster = new Neo4jCluster("graph", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
  await settle();
  baseline = recorded.length;
});

describe("BackupVolume refuses bad input before registering anything", () => {
  afterAll(() => refusalsRegisteredNothing(recorded, baseline));

  const table: [string, (c: unknown) => unknown, string][] = [
    // Missing or wrong things where the arguments or the cluster belong.
    ["no arguments", () => undefined, "takes an object of arguments such as { cluster } (got undefined)"],
    ["no cluster", () => ({}), "cluster is required: pass the Neo4jCluster to back up (got undefined)"],
    [
      "a cluster's name instead of the cluster",
      () => ({ cluster: "graph" }),
      'cluster is required: pass the Neo4jCluster to back up (got "graph")',
    ],
    // Wrong type.
    [
      "a schedule as a number",
      (c) => ({ cluster: c, schedule: 3600 }),
      'schedule must be a non-empty string such as "1h" or "0 3 * * *" (got 3600)',
    ],
    [
      "chainLength as a string",
      (c) => ({ cluster: c, chainLength: "24" }),
      'chainLength must be a whole number from 1 to 1000 (got "24")',
    ],
    [
      "retention as a number",
      (c) => ({ cluster: c, retention: 7 }),
      "retention must be an object such as { chains: 7 } or { days: 30 } (got 7)",
    ],
    [
      "retention.days as a string",
      (c) => ({ cluster: c, retention: { days: "30" } }),
      'retention.days must be a whole number from 1 to 10000 (got "30")',
    ],
    [
      "databases as a string",
      (c) => ({ cluster: c, databases: "neo4j" }),
      'databases must be a list of database names, such as ["neo4j"] (got "neo4j")',
    ],
    [
      "a database that is not a string",
      (c) => ({ cluster: c, databases: [7] }),
      "databases entry 7 is not a Neo4j database name (3-63 lowercase letters, digits, dots or dashes, starting with a letter); globs are not accepted because each database gets its own folder",
    ],
    [
      "backupAtStart as a string",
      (c) => ({ cluster: c, backupAtStart: "false" }),
      'backupAtStart must be true or false (got "false")',
    ],
    [
      "hostPath as a number",
      (c) => ({ cluster: c, hostPath: 1 }),
      'hostPath must be an absolute host directory such as /srv/neo4j-backups, without "..", commas or colons (got 1)',
    ],
    ["heapSize as a number", (c) => ({ cluster: c, heapSize: 1 }), `heapSize ${SIZE} (got 1)`],
    [
      "pushgatewayUrl as a number",
      (c) => ({ cluster: c, pushgatewayUrl: 9091 }),
      "pushgatewayUrl must be a URL such as http://monitoring-pushgateway:9091 (got 9091)",
    ],
    [
      "stopGracePeriodSeconds as a string",
      (c) => ({ cluster: c, stopGracePeriodSeconds: "600" }),
      'stopGracePeriodSeconds must be a whole number from 10 to 86400 (got "600")',
    ],
    [
      "restart misspelled",
      (c) => ({ cluster: c, restart: "allways" }),
      'restart must be one of "no", "on-failure", "always", "unless-stopped"; did you mean "always"? (got "allways")',
    ],
    [
      "a label value that is not a string",
      (c) => ({ cluster: c, labels: { team: false } }),
      'labels["team"] must be a string (got false)',
    ],
    // Out of range.
    [
      "a zero interval",
      (c) => ({ cluster: c, schedule: "0m" }),
      'schedule must be an interval of at least 60 seconds, since every run starts a JVM for neo4j-admin (got "0m")',
    ],
    [
      "a negative interval",
      (c) => ({ cluster: c, schedule: "-1h" }),
      'schedule must be an interval like "30m", "6h" or "1d", or a cron expression like "0 3 * * *" (got "-1h")',
    ],
    [
      "an interval under a minute",
      (c) => ({ cluster: c, schedule: "30s" }),
      'schedule must be an interval of at least 60 seconds, since every run starts a JVM for neo4j-admin (got "30s")',
    ],
    [
      "a chain of none",
      (c) => ({ cluster: c, chainLength: 0 }),
      "chainLength must be a whole number from 1 to 1000 (got 0)",
    ],
    [
      "zero retention",
      (c) => ({ cluster: c, retention: { chains: 0 } }),
      "retention.chains must be a whole number from 1 to 10000 (got 0)",
    ],
    [
      "negative retention",
      (c) => ({ cluster: c, retention: { days: -7 } }),
      "retention.days must be a whole number from 1 to 10000 (got -7)",
    ],
    [
      "a page cache larger than any host",
      (c) => ({ cluster: c, pageCacheSize: "100000g" }),
      `pageCacheSize ${SIZE} (got "100000g")`,
    ],
    [
      "a short grace period",
      (c) => ({ cluster: c, stopGracePeriodSeconds: 1 }),
      "stopGracePeriodSeconds must be a whole number from 10 to 86400 (got 1)",
    ],
    // Meaning.
    [
      "the root directory",
      (c) => ({ cluster: c, hostPath: "/" }),
      `hostPath is the root directory: ${DIRECTORY} (got "/")`,
    ],
    [
      "a system directory",
      (c) => ({ cluster: c, hostPath: "/etc/neo4j" }),
      `hostPath is inside the system directory /etc: ${DIRECTORY} (got "/etc/neo4j")`,
    ],
    [
      "Docker's own directory",
      (c) => ({ cluster: c, hostPath: "/var/lib/docker/backups" }),
      `hostPath is inside the system directory /var/lib/docker: ${DIRECTORY} (got "/var/lib/docker/backups")`,
    ],
    [
      "a shared directory itself",
      (c) => ({ cluster: c, hostPath: "/home/" }),
      `hostPath is the shared directory /home itself: ${DIRECTORY} (got "/home/")`,
    ],
    [
      "a relative path",
      (c) => ({ cluster: c, hostPath: "backups" }),
      'hostPath must be an absolute host directory such as /srv/neo4j-backups, without "..", commas or colons (got "backups")',
    ],
    [
      "a path that climbs out",
      (c) => ({ cluster: c, hostPath: "/srv/../etc" }),
      'hostPath must be an absolute host directory such as /srv/neo4j-backups, without "..", commas or colons (got "/srv/../etc")',
    ],
    [
      "a host path and a volume",
      (c) => ({ cluster: c, hostPath: "/srv/b", volumeName: "v" }),
      "volumeName cannot be set together with hostPath: choose one",
    ],
    [
      "an impossible cron day",
      (c) => ({ cluster: c, schedule: "0 3 31 2 *" }),
      'schedule "0 3 31 2 *" fires less than once in eight years',
    ],
    [
      "a cron hour out of range",
      (c) => ({ cluster: c, schedule: "0 24 * * *" }),
      "schedule hour field: 24 is outside 0-23",
    ],
    [
      "a database named twice",
      (c) => ({ cluster: c, databases: ["neo4j", "neo4j"] }),
      "databases names a database twice (neo4j, neo4j)",
    ],
    [
      "a database glob",
      (c) => ({ cluster: c, databases: ["sales*"] }),
      'databases entry "sales*" is not a Neo4j database name (3-63 lowercase letters, digits, dots or dashes, starting with a letter); globs are not accepted because each database gets its own folder',
    ],
    [
      "an https Pushgateway",
      (c) => ({ cluster: c, pushgatewayUrl: "https://pg:9091" }),
      'pushgatewayUrl must be plain http: the runner pushes with bash alone, which speaks no TLS (got "https://pg:9091")',
    ],
    [
      "a label in the components' namespace",
      (c) => ({ cluster: c, labels: { "neo4j-estate.backup": "x" } }),
      'labels["neo4j-estate.backup"] is in the neo4j-estate. namespace, which the components use for their own labels; choose another name',
    ],
    // Unknown keys and values that must be known at preview.
    [
      "a misspelled argument",
      (c) => ({ cluster: c, shedule: "1h" }),
      "shedule is not an argument of BackupVolume; did you mean schedule?",
    ],
    [
      "a misspelled retention field",
      (c) => ({ cluster: c, retention: { chain: 3 } }),
      "retention.chain is not a field of retention; did you mean chains?",
    ],
    [
      "an Output where the plan depends on the value",
      (c) => ({ cluster: c, schedule: pulumi.output("1h") }),
      "schedule must be a plain value, not a Pulumi Output or Promise: it decides which resources are created, so it must be known at preview",
    ],
  ];
  it.each(table)("%s", async (_case, args, problem) => {
    const message = await refusedBeforeRegistering(
      recorded,
      () => new BackupVolume("backups", args(cluster) as never),
    );
    expect(message).toBe(E + problem);
  });

  it("refuses a Community cluster, which has no online backup", async () => {
    const community = new Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
    });
    await settle();
    baseline = recorded.length;
    expect(
      await refusedBeforeRegistering(recorded, () => new BackupVolume("backups", { cluster: community })),
    ).toBe(
      E +
        "cluster runs the Community image neo4j:5.26-community: online backup is an Enterprise feature. Back up a Community server offline with neo4j-admin database dump/load (see docs/backup.md)",
    );
  });
});

describe("BackupVolume warns about values that are legal but likely mistakes", () => {
  it("warns when retention keeps fewer days than there are between backups", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    try {
      new BackupVolume("weekly", { cluster, schedule: "@weekly", retention: { days: 3 } });
      await settle();
      expect(warn.mock.calls.map((c) => c[0])).toEqual([
        'BackupVolume "weekly": retention.days is 3, shorter than the 1w between backups, so only the newest chain is ever kept; keep at least one period\'s worth of days',
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
