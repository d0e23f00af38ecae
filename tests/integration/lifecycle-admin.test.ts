import neo4j from "neo4j-driver";
import { randomBytes } from "crypto";
import { AdminInputs, adminProvider } from "../../components/lifecycle/admin";
import { RbacProviderInputs, rbacProvider } from "../../components/rbac/provider";
import { checkRbacSpec } from "../../components/rbac/spec";
import { canLogIn as canLogInAt, neo4jTestTarget } from "../helpers/neo4j-target";
import { freePort } from "../helpers/neo4j-test-server";

/**
 * Admin password rotation, through the provider Neo4jCluster registers, on the real Neo4j the test
 * run started. Every test rotates a user of its own (in Community every user administers the
 * DBMS), so the server's `neo4j` password that other test files use never changes.
 */
const target = neo4jTestTarget();
const address = target.uri.replace(/^bolt:\/\//, "");

const canLogIn = (user: string, password: string) => canLogInAt(target.uri, user, password);

async function asAdmin(statement: string, parameters: Record<string, unknown> = {}): Promise<void> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
  try {
    await driver.executeQuery(statement, parameters, { database: "system" });
  } finally {
    await driver.close();
  }
}

/** A fresh administrator with a known password, and the admin resource's state for it. */
async function administrator(): Promise<{ user: string; state: AdminInputs }> {
  const user = `rotation_${randomBytes(4).toString("hex")}`;
  const password = `first-${randomBytes(8).toString("hex")}`;
  await asAdmin(`CREATE USER ${user} SET PASSWORD $password CHANGE NOT REQUIRED`, { password });
  const created = await adminProvider.create!({
    resourceName: "core",
    target: { scheme: "bolt", addresses: [address], username: user },
    adminPassword: password,
    initialPassword: password,
    waitTimeoutSeconds: 30,
  });
  return { user, state: created.outs as AdminInputs };
}

const rotated = (state: AdminInputs, adminPassword: string): AdminInputs => ({ ...state, adminPassword });

describe("rotating the admin password on a real Neo4j", () => {
  beforeEach(() => jest.spyOn(console, "log").mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it("changes the password in the running DBMS: the old one is refused, the new one works, and RbacPolicy applies with it", async () => {
    const { user, state } = await administrator();
    const second = `second-${randomBytes(8).toString("hex")}`;
    const { outs } = await adminProvider.update!("id", state, rotated(state, second));
    expect(outs).toMatchObject({ adminPassword: second, initialPassword: state.initialPassword });
    expect(await canLogIn(user, state.adminPassword)).toBe(false);
    expect(await canLogIn(user, second)).toBe(true);

    // RbacPolicy connects with the cluster's adminPassword output, which is now the new one.
    const alicePassword = `alice-${randomBytes(8).toString("hex")}`;
    const alice = `alice_${randomBytes(3).toString("hex")}`;
    const desired = checkRbacSpec("access", { users: [{ name: alice, password: alicePassword }] });
    const inputs: RbacProviderInputs = {
      resourceName: "access",
      uri: target.uri,
      username: user,
      adminPassword: second,
      users: desired.users,
      roles: desired.roles,
      passwords: [{ name: alice, password: alicePassword }],
      waitTimeoutSeconds: 30,
    };
    const policy = await rbacProvider.create!(inputs);
    expect(await canLogIn(alice, alicePassword)).toBe(true);
    await rbacProvider.delete!(policy.id, policy.outs);
  });

  it("finishes a rotation an interrupted run already made: Neo4j has the new password, state still the old", async () => {
    const { user, state } = await administrator();
    const second = `second-${randomBytes(8).toString("hex")}`;
    await adminProvider.update!("id", state, rotated(state, second));
    // The same update again, as after a crash before Pulumi saved its state.
    await expect(adminProvider.update!("id", state, rotated(state, second))).resolves.toBeDefined();
    expect(await canLogIn(user, second)).toBe(true);
  });

  it("leaves the old password working when Neo4j refuses the new one, and says so without quoting either", async () => {
    const { user, state } = await administrator();
    // Neo4j refuses a password shorter than its minimum length (8).
    const error = await adminProvider.update!("id", state, rotated(state, "short")).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/could not rotate the admin password of "rotation_\w+"/);
    expect((error as Error).message).toMatch(/Nothing changed: the previous password still works/);
    expect((error as Error).message).not.toContain(state.adminPassword);
    expect(await canLogIn(user, state.adminPassword)).toBe(true);
  });

  it("says the password was changed outside Pulumi when Neo4j takes neither the old nor the new one", async () => {
    const { state } = await administrator();
    const stale = rotated(state, "neither-this-one");
    const error = await adminProvider.update!("id", { ...state, adminPassword: "nor-this-one" }, stale).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toMatch(/refuses both the password Pulumi last set and the new one/);
    expect((error as Error).message).not.toMatch(/neither-this-one|nor-this-one/);
  });

  it("gives up on a DBMS that does not answer within the wait, with the old password untouched", async () => {
    const { state } = await administrator();
    const gone = {
      ...state,
      target: { ...state.target, addresses: [`127.0.0.1:${await freePort()}`] },
      waitTimeoutSeconds: 2,
    };
    const error = await adminProvider.update!("id", gone, rotated(gone, "another-password")).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toMatch(
      /gave up waiting for Neo4j at 127\.0\.0\.1:\d+ to accept administration commands after 2 s/,
    );
    expect((error as Error).message).toMatch(/Nothing changed: the previous password still works/);
  });
});
