import * as pulumi from "@pulumi/pulumi";
import { Neo4jCluster } from "../../components/neo4j-cluster";
import { RbacPolicy } from "../../components/rbac-policy";
import { DockerApi } from "./support/docker-api";
import { CapturedResource, DOCKER, Replay, capture } from "./support/replay";
import { NEO4J_IMAGES, freePort, query, runId } from "./support/env";

/**
 * A Community member as Neo4jCluster renders it, on the real Docker engine: Neo4j's own strict
 * validation judges our settings, our health check decides when it is ready, the uploaded file
 * sets the admin password, RbacPolicy's serialized provider provisions it, and a replacement
 * with a changed setting keeps the data.
 */
const docker = new DockerApi();
const id = runId();
const replay = new Replay(id, docker);
const adminPassword = `admin-${id}-Secret1`;
const alicePassword = `alice-${id}-Secret2`;
let bolt: number;
let http: number;

/** The older patch first, so the replacement below is also a patch upgrade (5.26.29 to 5.26.30). */
function program(settings: Record<string, string> = {}, image = NEO4J_IMAGES[0]) {
  return () => {
    const cluster = new Neo4jCluster(id, {
      image,
      adminPassword: pulumi.secret(adminPassword),
      hostPorts: { http, bolt },
      healthyTimeoutSeconds: 300,
      settings: { "dbms.usage_report.enabled": "false", ...settings },
    });
    new RbacPolicy(`${id}-access`, {
      uri: cluster.boltUri,
      adminUsername: cluster.adminUsername,
      adminPassword: cluster.adminPassword,
      users: [{ name: "alice", password: pulumi.secret(alicePassword), passwordChangeRequired: false }],
    });
  };
}

const memberOf = (resources: CapturedResource[]) => resources.filter((r) => r.type === DOCKER.container);

beforeAll(async () => {
  bolt = await freePort();
  http = await freePort();
});
afterAll(() => replay.cleanup());

describe("a Community member replayed on the real Docker engine", () => {
  let resources: CapturedResource[];

  it("starts on our settings and turns healthy with our health check", async () => {
    resources = await capture(program(), docker);
    const started = Date.now();
    await replay.apply(resources, (r) => r.type !== DOCKER.dynamic);
    const members = memberOf(resources);
    expect(members).toHaveLength(1);
    const info = await replay.inspect(String(members[0].inputs.name));
    expect((info.State as { Health: { Status: string } }).Health.Status).toBe("healthy");
    console.log(`member created to healthy in ${Date.now() - started} ms`);
  });

  it("accepts the admin password from the uploaded file, refuses any other, and reports no usage", async () => {
    const uri = `bolt://127.0.0.1:${bolt}`;
    const rows = await query(
      uri,
      "neo4j",
      adminPassword,
      "SHOW SETTINGS YIELD name, value WHERE name = 'dbms.usage_report.enabled' RETURN value",
    );
    expect(rows).toEqual([{ value: "false" }]);
    await expect(query(uri, "neo4j", "not-the-password", "RETURN 1")).rejects.toThrow(
      /unauthorized|authentication/i,
    );
  });

  it("serves routing clients on the host through neo4j://", async () => {
    const rows = await query(`neo4j://localhost:${bolt}`, "neo4j", adminPassword, "RETURN 1 AS one");
    expect(rows[0].one).toEqual(expect.anything());
  });

  it("is provisioned by RbacPolicy's serialized provider", async () => {
    const policy = resources.find((r) => r.type === DOCKER.dynamic && r.name === `${id}-access-policy`)!;
    expect(policy).toBeDefined();
    await replay.dynamic(policy);
    const rows = await query(
      `bolt://127.0.0.1:${bolt}`,
      "alice",
      alicePassword,
      "SHOW CURRENT USER YIELD user RETURN user",
    );
    expect(rows).toEqual([{ user: "alice" }]);
  });

  it("keeps its data when replaced with a changed setting and a patch upgrade, after a clean shutdown", async () => {
    const uri = `bolt://127.0.0.1:${bolt}`;
    await query(uri, "neo4j", adminPassword, "CREATE (:Marker {run: $id})", { id });
    const [member] = memberOf(resources);
    const name = String(member.inputs.name);
    const stopLog = await replay.destroyContainer(name);
    // Neo4j's own orderly shutdown, not a kill: the grace period let it finish.
    expect(stopLog).toMatch(/Stopped\.?\s*$/m);

    const newer = NEO4J_IMAGES[NEO4J_IMAGES.length - 1];
    const changed = await capture(program({ "db.transaction.timeout": "45s" }, newer), docker);
    const [next] = memberOf(changed);
    expect(next.inputs.envs).not.toEqual(member.inputs.envs);
    await replay.container(next.inputs);

    const rows = await query(
      uri,
      "neo4j",
      adminPassword,
      "MATCH (m:Marker {run: $id}) RETURN count(m) AS n",
      { id },
    );
    expect(Number(rows[0].n)).toBe(1);
    const setting = await query(
      uri,
      "neo4j",
      adminPassword,
      "SHOW SETTINGS YIELD name, value WHERE name = 'db.transaction.timeout' RETURN value",
    );
    expect(setting).toEqual([{ value: "45s" }]);
    const [kernel] = await query(
      uri,
      "neo4j",
      adminPassword,
      "CALL dbms.components() YIELD versions RETURN versions[0] AS version",
    );
    expect(newer).toContain(`:${kernel.version}-`);
  });
});
