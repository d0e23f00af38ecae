import { ScaleInInputs, scaleInProvider } from "../../components/lifecycle/scale-in";
import { FakeApiServer, TOKEN, fakeApiServer, fakeKubeconfig } from "../helpers/fake-kube-api";
import { FakeClusterDbms, FakeServer, fakeClusterDbms, fakeDriverModule } from "../helpers/fake-cluster-dbms";

/**
 * kubernetes.Neo4jCluster's scale-in resource: the servers of removed members leave the cluster
 * (DEALLOCATE, then DROP SERVER) through the API server's port-forward, before the StatefulSets
 * shrink; nothing else connects. Enterprise's server commands are answered by a fake cluster DBMS
 * behind a fake API server, reached by a stand-in driver that sends each statement through the tunnel.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.mock's factory runs before imports
jest.mock("neo4j-driver", () => require("../helpers/fake-cluster-dbms").fakeDriverModule());
const driverModule = jest.requireMock<ReturnType<typeof fakeDriverModule>>("neo4j-driver");

jest.setTimeout(120_000);

const PASSWORD = "in-effect-password-0123";
const address = (i: number) => `graph-${i}.graph.svc.cluster.local:7687`;
const primaries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `graph-${i + 1}`,
    mode: "PRIMARY" as const,
    boltAddress: address(i + 1),
  }));
const servers = (): FakeServer[] =>
  [1, 2, 3].map((i) => ({
    serverId: `server-${i}`,
    name: `server-${i}`,
    address: address(i),
    state: "Enabled",
    health: "Available",
    hosting: ["neo4j", "system"],
    requestedHosting: ["neo4j", "system"],
  }));

let dbms: FakeClusterDbms;
let fake: FakeApiServer;
let inputs: (members: number, password?: string) => ScaleInInputs;
let logged: string[];

beforeAll(async () => {
  dbms = await fakeClusterDbms(servers(), PASSWORD);
  fake = await fakeApiServer(() => ({ host: "127.0.0.1", port: dbms.port }));
  fake.pods = [1, 2, 3].map((i) => ({ name: `graph-${i}`, ready: true }));
  inputs = (members, password = PASSWORD) => ({
    resourceName: "graph",
    target: { scheme: "neo4j", addresses: primaries(3).map((m) => m.boltAddress), username: "neo4j" },
    adminPassword: password,
    members: primaries(members),
    waitTimeoutSeconds: 30,
    portForward: {
      namespace: "graph",
      podSelector: "neo4j-estate.cluster=graph",
      port: 7687,
      kubeconfig: fakeKubeconfig(fake),
    },
  });
});
afterAll(async () => {
  await fake.close();
  await dbms.close();
});
beforeEach(() => {
  dbms.servers = servers();
  dbms.statements.splice(0);
  dbms.refuseDeallocation = undefined;
  fake.seen.splice(0);
  driverModule.uris.splice(0);
  logged = [];
  jest.spyOn(console, "log").mockImplementation((line: string) => void logged.push(line));
});
afterEach(() => jest.restoreAllMocks());

describe("the scale-in resource's provider", () => {
  it("takes graph-3's server out when primaries go from 3 to 2: DEALLOCATE, then DROP, through the port-forward", async () => {
    const { outs } = await scaleInProvider.update!("id", inputs(3), inputs(2));
    expect(outs.members).toEqual(primaries(2));
    expect(dbms.statements).toEqual([
      { query: "DEALLOCATE DATABASES FROM SERVER $server", parameters: { server: "server-3" } },
      { query: "DROP SERVER $server", parameters: { server: "server-3" } },
    ]);
    expect(dbms.servers.map((s) => s.state)).toEqual(["Enabled", "Enabled", "Dropped"]);
    // Every connection went to the tunnel's local end, and the tunnel to the members' pods.
    expect(driverModule.uris.length).toBeGreaterThan(0);
    for (const uri of driverModule.uris) expect(uri).toMatch(/^bolt:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.seen.length).toBeGreaterThan(0);
    expect(fake.seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(new Set(fake.seen.map((s) => s.path.split("/")[6]))).toEqual(new Set(["graph-1"]));
  });

  it("fails with Neo4j's refusal and what to do, removing nothing, so that no StatefulSet shrinks", async () => {
    dbms.refuseDeallocation = {
      code: "Neo.ClientError.Cluster.CannotDeallocate",
      message: "Could not deallocate server(s) 'server-3': not enough servers for database 'neo4j'",
    };
    const error = await scaleInProvider.update!("id", inputs(3), inputs(2)).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /Neo4jCluster "graph": Neo4j refused to take graph-3 out of the cluster: Neo\.ClientError\.Cluster\.CannotDeallocate: Could not deallocate/,
    );
    expect(String(error)).toMatch(/ALTER DATABASE <name> SET TOPOLOGY, or keep the member/);
    expect(String(error)).toMatch(/No StatefulSet was shrunk: graph-3 keeps running/);
    for (const secret of [PASSWORD, TOKEN]) expect(String(error)).not.toContain(secret);
    expect(dbms.statements.map((s) => s.query)).toEqual(["DEALLOCATE DATABASES FROM SERVER $server"]);
    expect(dbms.servers.map((s) => s.state)).toEqual(["Enabled", "Enabled", "Enabled"]);
  });

  it("connects to nothing on create, on a scale-out, or when no member goes", async () => {
    await scaleInProvider.create!(inputs(3));
    await scaleInProvider.update!("id", inputs(3), inputs(5));
    await scaleInProvider.update!("id", inputs(3), inputs(3, "rotated-password-4567"));
    expect(driverModule.uris).toEqual([]);
    expect(fake.seen).toEqual([]);
    expect(dbms.statements).toEqual([]);
  });

  it("plans an update for a changed member list only, never for a new password alone, and says who leaves", async () => {
    expect(await scaleInProvider.diff!("id", inputs(3), inputs(3, "rotated-password-4567"))).toEqual({
      changes: false,
    });
    expect(await scaleInProvider.diff!("id", inputs(3), inputs(4))).toEqual({ changes: true });
    expect(logged).toEqual([]);
    expect(await scaleInProvider.diff!("id", inputs(3), inputs(2))).toEqual({ changes: true });
    expect(logged).toEqual([
      'Neo4jCluster "graph": graph-3 is taken out of the cluster (DEALLOCATE DATABASES FROM SERVER, then DROP SERVER) before the StatefulSet removes its pod',
    ]);
    expect(driverModule.uris).toEqual([]);
  });
});
