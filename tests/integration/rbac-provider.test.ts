import neo4j from "neo4j-driver";
import {
  applyPlan,
  connectWhenReady,
  passwordHash,
  readActual,
  syncPolicy,
} from "../../components/rbac/engine";
import {
  RbacProviderInputs,
  RbacProviderOutputs,
  SHORT_WAIT_SECONDS,
  diffRbac,
  rbacProvider,
  shortWaitSeconds,
} from "../../components/rbac/provider";
import { checkRbacSpec } from "../../components/rbac/spec";
import { neo4jTestTarget } from "../helpers/neo4j-target";
import { freePort, startNeo4jTestServer } from "../helpers/neo4j-test-server";

const target = neo4jTestTarget();

/** Provider inputs for a users-only spec (Community has no roles). */
function inputs(
  resourceName: string,
  users: { name: string; password: string; passwordChangeRequired?: boolean; suspended?: boolean }[],
): RbacProviderInputs {
  const desired = checkRbacSpec(resourceName, { users });
  return {
    resourceName,
    uri: target.uri,
    username: target.username,
    adminPassword: target.password,
    users: desired.users,
    roles: desired.roles,
    passwords: users.map((u) => ({ name: u.name, password: u.password })),
    waitTimeoutSeconds: 30,
  };
}

async function canLogIn(user: string, password: string): Promise<boolean> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(user, password));
  try {
    return await driver.verifyAuthentication();
  } catch {
    return false;
  } finally {
    await driver.close();
  }
}

async function userNames(): Promise<string[]> {
  const { driver, edition } = await connectWhenReady({ ...target }, { timeoutSeconds: 10 });
  try {
    return (await readActual(driver, edition)).users.map((u) => u.name).sort();
  } finally {
    await driver.close();
  }
}

async function admin(statement: string): Promise<void> {
  const { driver } = await connectWhenReady({ ...target }, { timeoutSeconds: 10 });
  try {
    await applyPlan(
      driver,
      [{ text: statement, display: statement, parameters: {}, passwords: [] }],
      new Map(),
    );
  } finally {
    await driver.close();
  }
}

describe("RbacPolicy's provider against a real Neo4j Community server", () => {
  const create = rbacProvider.create!.bind(rbacProvider);
  const update = rbacProvider.update!.bind(rbacProvider);
  const read = rbacProvider.read!.bind(rbacProvider);
  const remove = rbacProvider.delete!.bind(rbacProvider);

  it("creates users, rotates a password, reports a hand change, and removes only its own users", async () => {
    const first = inputs("logins", [
      { name: "alice", password: "alice-first-password" },
      { name: "bob", password: "bob-first-password", passwordChangeRequired: true },
    ]);
    const created = await create(first);
    const outs = created.outs as RbacProviderOutputs;
    expect(await userNames()).toEqual(["alice", "bob", "neo4j"]);
    expect(await canLogIn("alice", "alice-first-password")).toBe(true);
    expect(outs.users.map((u) => [u.name, u.passwordChangeRequired])).toEqual([
      ["alice", false],
      ["bob", true],
    ]);
    expect(JSON.stringify(outs)).not.toContain("first-password");
    expect(diffRbac(outs, first).changes).toBe(false);

    const rotated = inputs("logins", [
      { name: "alice", password: "alice-second-password" },
      { name: "bob", password: "bob-first-password", passwordChangeRequired: true },
    ]);
    expect(diffRbac(outs, rotated).changes).toBe(true);
    const afterRotation = (await update(created.id, outs, rotated)).outs as RbacProviderOutputs;
    expect(await canLogIn("alice", "alice-second-password")).toBe(true);
    expect(await canLogIn("alice", "alice-first-password")).toBe(false);
    const hashOf = (o: RbacProviderOutputs, user: string) =>
      o.passwordHashes.find((h) => h.name === user)?.hash;
    expect(hashOf(afterRotation, "bob")).toBe(hashOf(outs, "bob"));

    await admin("ALTER USER `bob` SET PASSWORD CHANGE NOT REQUIRED");
    const refreshed = await read(created.id, afterRotation);
    expect(
      (refreshed.props as RbacProviderOutputs).users.find((u) => u.name === "bob")?.passwordChangeRequired,
    ).toBe(false);
    expect(diffRbac(refreshed.props as RbacProviderOutputs, rotated).changes).toBe(true);
    await update(created.id, refreshed.props as RbacProviderOutputs, rotated);
    const repaired = await read(created.id, afterRotation);
    expect((repaired.props as RbacProviderOutputs).users).toEqual(rotated.users);

    await admin("CREATE USER `mallory` SET PASSWORD 'mallory-password' CHANGE NOT REQUIRED");
    const shrunk = inputs("logins", [{ name: "alice", password: "alice-second-password" }]);
    await update(created.id, repaired.props as RbacProviderOutputs, shrunk);
    expect(await userNames()).toEqual(["alice", "mallory", "neo4j"]);

    await remove(created.id, { ...afterRotation, users: shrunk.users });
    expect(await userNames()).toEqual(["mallory", "neo4j"]);
    await admin("DROP USER `mallory`");
  });

  it("re-applying an unchanged spec sends no write and a constant number of reads", async () => {
    const users = Array.from({ length: 20 }, (_, i) => ({ name: `reapply${i}`, password: `password-${i}` }));
    const spec = inputs("reapply", users);
    const sync = (hashes: RbacProviderOutputs["passwordHashes"], managed: string[]) =>
      syncPolicy({
        resourceName: "reapply",
        connection: { uri: spec.uri, username: spec.username, password: spec.adminPassword },
        wait: { timeoutSeconds: 10 },
        desired: { users: spec.users, roles: [] },
        passwords: new Map(spec.passwords.map((p) => [p.name, p.password])),
        passwordHashes: new Map(hashes.map((h) => [h.name, h.hash])),
        managed: { users: managed, roles: [] },
      });
    const created = await rbacProvider.create!(spec);
    const outs = created.outs as RbacProviderOutputs;
    const again = await sync(
      outs.passwordHashes,
      users.map((u) => u.name),
    );
    expect(again.plan).toEqual([]);
    expect(again.counter).toEqual({ reads: 2, writes: 0, transactions: 0 });
    await rbacProvider.delete!(created.id, outs);
    expect(await userNames()).toEqual(["neo4j"]);
  });

  it("fails clearly on Community, before changing anything, for suspended users and for roles", async () => {
    const before = await userNames();
    await expect(
      create(inputs("status", [{ name: "dave", password: "dave-password", suspended: true }])),
    ).rejects.toThrow('RbacPolicy "status": users[0].suspended needs Neo4j Enterprise Edition (SET STATUS)');
    const withRoles = inputs("roles", [{ name: "erin", password: "erin-password" }]);
    const desired = checkRbacSpec("roles", {
      roles: [{ name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j"] }],
    });
    await expect(create({ ...withRoles, roles: desired.roles })).rejects.toThrow(
      'RbacPolicy "roles": roles need Neo4j Enterprise Edition',
    );
    expect(await userNames()).toEqual(before);
  });

  it("refuses to manage the user it connects as, naming the user and no password", async () => {
    const spec = inputs("weak", [{ name: "frank", password: "short-but-secret-password" }]);
    // The connecting user is refused before anything runs; the message names it and nothing else.
    const bad = {
      ...spec,
      users: [...spec.users, { name: "neo4j", roles: [], passwordChangeRequired: false, suspended: false }],
      passwords: [...spec.passwords, { name: "neo4j", password: "other-secret" }],
    };
    const failure = create(bad);
    await expect(failure).rejects.toThrow('"neo4j" is the user RbacPolicy connects as');
    await expect(failure).rejects.not.toThrow(/secret/);
    expect(await userNames()).toEqual(["neo4j"]);
  });

  it("moves to a new uri in place: no replacement, the new DBMS synced as on create, nothing carried over", async () => {
    // State left by a run against a DBMS that is gone: nothing listens on its port any more.
    const goneUri = `bolt://127.0.0.1:${await freePort()}`;
    const moved = inputs("moved", [{ name: "grace", password: "grace-moved-password" }]);
    const olds: RbacProviderOutputs = {
      ...moved,
      uri: goneUri,
      users: [...moved.users, { name: "heidi", roles: [], passwordChangeRequired: false, suspended: false }],
      // The hash says grace's password is already set; true there, not on the new DBMS.
      passwordHashes: [{ name: "grace", hash: passwordHash("grace", "grace-moved-password") }],
      waitTimeoutSeconds: 300,
    };
    // On the new DBMS, grace exists with another password and heidi is someone else's user.
    await admin("CREATE USER `grace` SET PASSWORD 'grace-stale-password' CHANGE NOT REQUIRED");
    await admin("CREATE USER `heidi` SET PASSWORD 'heidi-own-password' CHANGE NOT REQUIRED");

    const diff = diffRbac(olds, moved);
    expect(diff.replaces).toBeUndefined();
    expect(diff.detailedDiff.uri).toEqual({ kind: "UPDATE", inputDiff: true });

    const outs = (await update("rbac-moved", olds, moved)).outs as RbacProviderOutputs;
    expect(outs.uri).toBe(target.uri);
    expect(await canLogIn("grace", "grace-moved-password")).toBe(true);
    expect(await userNames()).toEqual(["grace", "heidi", "neo4j"]);

    await remove("rbac-moved", outs);
    expect(await userNames()).toEqual(["heidi", "neo4j"]);
    await admin("DROP USER `heidi`");
  });

  it("gives up deleting from an unreachable DBMS quickly, saying what is left and how to proceed", async () => {
    expect(shortWaitSeconds(300)).toBe(SHORT_WAIT_SECONDS);
    expect(SHORT_WAIT_SECONDS).toBeLessThanOrEqual(30);
    const goneUri = `bolt://127.0.0.1:${await freePort()}`;
    const spec = inputs("orphan", [
      { name: "ivan", password: "ivan-secret-password" },
      { name: "judy", password: "judy-secret-password" },
    ]);
    const orphan: RbacProviderOutputs = {
      resourceName: "orphan",
      uri: goneUri,
      username: target.username,
      adminPassword: target.password,
      users: spec.users,
      roles: [],
      passwordHashes: [],
      waitTimeoutSeconds: 2,
    };
    const started = Date.now();
    const failure = remove("rbac-orphan", orphan);
    await expect(failure).rejects.toThrow(
      `RbacPolicy "orphan": could not remove users "ivan", "judy" from Neo4j at ${goneUri}: Neo4j at ${goneUri} did not accept administration commands within 2s`,
    );
    await expect(failure).rejects.toThrow(/pulumi state delete <urn>.*"orphan-policy"/);
    await expect(failure).rejects.not.toThrow(/secret/);
    expect(Date.now() - started).toBeLessThan(15_000);

    // A policy that manages nothing has nothing to remove and does not connect.
    await expect(remove("rbac-empty", { ...orphan, users: [] })).resolves.toBeUndefined();
  });

  it("waits for a server that comes up late, and times out clearly when none does", async () => {
    const late = await startNeo4jTestServer({ delaySeconds: 4 });
    try {
      const messages: string[] = [];
      const { driver, edition } = await connectWhenReady(
        { uri: late.uri, username: late.username, password: late.password },
        { timeoutSeconds: 90, initialDelayMs: 250, log: (m) => messages.push(m) },
      );
      await driver.close();
      expect(edition).toBe("community");
      expect(messages.length).toBeGreaterThan(0);
      expect(messages[0]).toContain(`waiting for Neo4j at ${late.uri}`);
    } finally {
      await late.stop();
    }
    await expect(
      connectWhenReady(
        { uri: late.uri, username: "neo4j", password: "x" },
        { timeoutSeconds: 2, initialDelayMs: 200 },
      ),
    ).rejects.toThrow(
      new RegExp(
        `Neo4j at ${late.uri.replace(/[.]/g, "\\.")} did not accept administration commands within 2s`,
      ),
    );
  }, 120_000);

  it("does not retry a wrong password", async () => {
    const started = Date.now();
    await expect(
      connectWhenReady(
        { uri: target.uri, username: target.username, password: "wrong" },
        { timeoutSeconds: 30 },
      ),
    ).rejects.toThrow(/refused the RbacPolicy connection: Neo\.ClientError\.Security\.Unauthorized/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
