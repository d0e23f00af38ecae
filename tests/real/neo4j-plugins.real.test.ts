import * as pulumi from "@pulumi/pulumi";
import { Neo4jCluster } from "../../components/neo4j-cluster";
import { fetchMavenJar } from "../../components/common/maven";
import { MAVEN_CENTRAL } from "../../components/neo4j/plugins";
import { DockerApi } from "./support/docker-api";
import { CapturedResource, DOCKER, Replay, capture } from "./support/replay";
import { NEO4J_IMAGE, freePort, query, runId } from "./support/env";

/**
 * APOC Core as Neo4jCluster installs it, on the real Docker engine: the jar fetched from Maven
 * Central by the machine running Pulumi (and checked against the SHA-1 Maven Central publishes),
 * uploaded into /plugins of a Community member, its procedures allow-listed; the member answers
 * `RETURN apoc.version()`, and downloads nothing itself (container egress is refused here anyway).
 */
const docker = new DockerApi();
const id = runId();
const replay = new Replay(id, docker);
const adminPassword = `admin-${id}-Secret1`;
const APOC_VERSION = "5.26.5";
let bolt: number;
let resources: CapturedResource[];

beforeAll(async () => {
  // Fetched (or found in the cache) first: capture() waits for registrations to stop arriving, and a
  // member whose jar is still downloading would register after it has stopped waiting.
  await fetchMavenJar(MAVEN_CENTRAL, {
    group: "org.neo4j.procedure",
    artifact: "apoc-core",
    version: APOC_VERSION,
    classifier: "core",
  });
  bolt = await freePort();
  const http = await freePort();
  resources = await capture(() => {
    new Neo4jCluster(id, {
      image: NEO4J_IMAGE,
      adminPassword: pulumi.secret(adminPassword),
      hostPorts: { http, bolt },
      healthyTimeoutSeconds: 300,
      settings: { "dbms.usage_report.enabled": "false" },
      plugins: [{ name: "apoc", version: APOC_VERSION }],
    });
  }, docker);
  await replay.apply(resources);
});
afterAll(() => replay.cleanup());

describe("a Community member with APOC Core, on the real Docker engine", () => {
  it("answers RETURN apoc.version() with the version installed", async () => {
    const rows = await query(
      `bolt://localhost:${bolt}`,
      "neo4j",
      adminPassword,
      "RETURN apoc.version() AS version",
    );
    expect(rows).toEqual([{ version: APOC_VERSION }]);
  });

  it("loads only what the allow list names, from the uploaded jar", async () => {
    const rows = await query(
      `bolt://localhost:${bolt}`,
      "neo4j",
      adminPassword,
      "SHOW SETTINGS YIELD name, value WHERE name STARTS WITH 'dbms.security.procedures' OR name = 'server.directories.plugins' RETURN name, value ORDER BY name",
    );
    expect(rows).toEqual([
      { name: "dbms.security.procedures.allowlist", value: "apoc.*" },
      { name: "dbms.security.procedures.unrestricted", value: "apoc.*" },
      { name: "server.directories.plugins", value: "/plugins" },
    ]);
    const member = resources.find((r) => r.type === DOCKER.container)!;
    const listing = await docker.exec(String(member.inputs.name), [
      "stat",
      "-c",
      "%a %u:%g %n",
      "/plugins/apoc-core-5.26.5-core.jar",
    ]);
    expect(listing).toEqual({
      exitCode: 0,
      output: expect.stringContaining("444 7474:7474 /plugins/apoc-core-5.26.5-core.jar"),
    });
  });
});
