import neo4j from "neo4j-driver";
import { randomBytes } from "crypto";
import { AdminInputs, adminProvider } from "../../components/lifecycle/admin";
import { RbacProviderInputs, rbacProvider } from "../../components/rbac/provider";
import { checkRbacSpec } from "../../components/rbac/spec";
import { PortForwardAccess } from "../../components/lifecycle/tunnel";
import { FakeApiServer, TOKEN, fakeApiServer, fakeKubeconfig } from "../helpers/fake-kube-api";
import { canLogIn as canLogInAt, createUser, neo4jTestTarget } from "../helpers/neo4j-target";

/**
 * The providers' way into a Kubernetes cluster whose Services are not reachable from where
 * `pulumi up` runs: RbacPolicy and the admin password's rotation through a port-forward, against
 * a fake API server whose "pods" are the real Neo4j the test run started. The cluster's own URI
 * (an in-cluster DNS name) resolves nowhere here, so whatever reaches Neo4j went through the tunnel.
 */
const target = neo4jTestTarget();
const [host, port] = target.uri.replace(/^bolt:\/\//, "").split(":");
const canLogIn = (user: string, password: string) => canLogInAt(target.uri, user, password);
const IN_CLUSTER_URI = "neo4j://graph.graph.svc.cluster.local:7687";

let fake: FakeApiServer;
let access: PortForwardAccess;
/** The first label of the host the system database's writer advertises: a pod of that name is "the writer". */
let writerPod: string;

beforeAll(async () => {
  fake = await fakeApiServer(() => ({ host, port: Number(port) }));
  access = {
    namespace: "graph",
    podSelector: "neo4j-estate.cluster=graph",
    port: 7687,
    kubeconfig: fakeKubeconfig(fake),
  };
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
  try {
    const { records } = await driver.executeQuery(
      "SHOW DATABASE system YIELD address, writer WHERE writer RETURN address",
      {},
      { database: "system" },
    );
    writerPod = String(records[0].get("address")).split(":")[0].split(".")[0];
  } finally {
    await driver.close();
  }
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.seen.splice(0);
  jest.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const forwardedPods = () => fake.seen.map((s) => s.path.split("/")[6]);

function policyInputs(user: string, password: string, waitTimeoutSeconds = 60): RbacProviderInputs {
  const desired = checkRbacSpec("access", { users: [{ name: user, password }] });
  return {
    resourceName: "access",
    uri: IN_CLUSTER_URI,
    username: target.username,
    adminPassword: target.password,
    users: desired.users,
    roles: desired.roles,
    passwords: [{ name: user, password }],
    waitTimeoutSeconds,
    portForward: access,
  };
}

describe("through a port-forward of the Kubernetes API server", () => {
  it("RbacPolicy provisions and removes a user, its connections forwarded to the writer member", async () => {
    fake.pods = [
      { name: "a-follower", ready: true },
      { name: writerPod, ready: true },
      { name: "b-starting", ready: false },
    ];
    const alice = `alice_${randomBytes(3).toString("hex")}`;
    const password = `alice-${randomBytes(8).toString("hex")}`;
    const created = await rbacProvider.create!(policyInputs(alice, password));
    expect(await canLogIn(alice, password)).toBe(true);
    // One Ready member was asked which member is the writer; every connection since went there.
    const pods = forwardedPods();
    expect(pods[0]).toBe("a-follower");
    expect(pods.slice(1).length).toBeGreaterThan(0);
    expect(new Set(pods.slice(1))).toEqual(new Set([writerPod]));
    expect(fake.seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // The state names the DBMS by its own URI; the tunnel's local port is nowhere in it.
    expect(created.outs.uri).toBe(IN_CLUSTER_URI);

    await rbacProvider.delete!(created.id, created.outs);
    expect(await canLogIn(alice, password)).toBe(false);
  });

  it("rotates an admin password in the running DBMS: the old one refused, the new one working", async () => {
    fake.pods = [{ name: writerPod, ready: true }];
    const user = `rotation_${randomBytes(4).toString("hex")}`;
    const first = `first-${randomBytes(8).toString("hex")}`;
    await createUser(user, first);
    const state: AdminInputs = {
      resourceName: "graph",
      target: { scheme: "neo4j", addresses: ["graph-1.graph.svc.cluster.local:7687"], username: user },
      adminPassword: first,
      initialPassword: first,
      waitTimeoutSeconds: 60,
      portForward: access,
    };
    const second = `second-${randomBytes(8).toString("hex")}`;
    const { outs } = await adminProvider.update!("id", state, { ...state, adminPassword: second });
    expect(outs).toMatchObject({ adminPassword: second, initialPassword: first });
    expect(forwardedPods().length).toBeGreaterThan(0);
    expect(await canLogIn(user, first)).toBe(false);
    expect(await canLogIn(user, second)).toBe(true);
  });

  it("gives up naming the pods when none is Ready, quoting no password and no token", async () => {
    fake.pods = [{ name: "graph-1", ready: false }];
    const password = `bob-${randomBytes(8).toString("hex")}`;
    const error = await rbacProvider.create!(policyInputs("bob", password, 3)).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /port-forward: no member pod \(neo4j-estate.cluster=graph\) in namespace graph is Ready/,
    );
    for (const secret of [password, target.password, TOKEN]) expect(String(error)).not.toContain(secret);
    expect(forwardedPods()).toEqual([]);
  });
});
