import * as net from "net";
import { connectWhenReady, passwordHash, syncPolicy } from "../../components/rbac/engine";
import {
  RbacProviderInputs,
  RbacProviderOutputs,
  SHORT_WAIT_SECONDS,
  diffRbac,
  rbacProvider,
  shortWaitSeconds,
} from "../../components/rbac/provider";
import { passwordProblem } from "../../components/rbac/cypher";
import { checkRbacSpec } from "../../components/rbac/spec";
import { freePort, startNeo4jTestServer } from "../helpers/neo4j-test-server";
import { admin, canLogIn, inputs, target, userNames } from "../helpers/rbac-server";
import { startSilentServer } from "../helpers/tcp";
import { throughEngineStruct } from "../helpers/engine-struct";

/** Resolves as soon as something accepts TCP connections at `uri`, polling every 5 ms. */
async function portOpen(uri: string): Promise<void> {
  const { hostname, port } = new URL(uri);
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  while (!(await accepts())) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Waits for `uri` with a password nothing accepts, giving up after `seconds`. */
const waitBriefly = (uri: string, seconds: number) =>
  connectWhenReady(
    { uri, username: "neo4j", password: "x" },
    { timeoutSeconds: seconds, initialDelayMs: 200 },
  );

/** The message of a wait that gave up, as a pattern; `then` is matched after "within <seconds>s". */
const gaveUp = (uri: string, seconds: number, then = "") =>
  new RegExp(
    `Neo4j at ${uri.replace(/[.]/g, "\\.")} did not accept administration commands within ${seconds}s${then}`,
  );

describe("RbacPolicy's provider against a real Neo4j Community server", () => {
  // Outputs pass through the protobuf Struct the real engine's provider host builds, as in `pulumi up`.
  const create = async (news: RbacProviderInputs) => {
    const result = await rbacProvider.create!(news);
    return { ...result, outs: throughEngineStruct(result.outs) };
  };
  const update = async (id: string, olds: RbacProviderOutputs, news: RbacProviderInputs) => {
    const result = await rbacProvider.update!(id, olds, news);
    return { ...result, outs: throughEngineStruct(result.outs) };
  };
  const read = async (id: string, props: RbacProviderOutputs) => {
    const result = await rbacProvider.read!(id, props);
    return { ...result, props: throughEngineStruct(result.props) };
  };
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
    // The late server opens Bolt only with its password already set (as the official image does),
    // so the only failures seen while waiting are "not there yet". Its start takes 10 s idle and
    // over a minute on loaded cores: the limits leave room for that, not for a race.
    const late = await startNeo4jTestServer({ delaySeconds: 4 });
    try {
      const messages: string[] = [];
      // Beside the policy's wait, a client that logs in the moment the port opens: it must get in.
      const firstLogin = portOpen(late.uri).then(() => canLogIn(late.username, late.password, late.uri));
      const { driver, edition } = await connectWhenReady(
        { uri: late.uri, username: late.username, password: late.password },
        { timeoutSeconds: 170, initialDelayMs: 250, log: (m) => messages.push(m) },
      );
      await driver.close();
      expect(await firstLogin).toBe(true);
      expect(edition).toBe("community");
      expect(messages.length).toBeGreaterThan(0);
      expect(messages[0]).toContain(`waiting for Neo4j at ${late.uri}`);
    } finally {
      await late.stop();
    }
    await expect(waitBriefly(late.uri, 2)).rejects.toThrow(gaveUp(late.uri, 2));
  }, 200_000);

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

  it("honours the wait limit against a port that accepts connections and never answers", async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      await expect(waitBriefly(silent.uri, 3)).rejects.toThrow(
        gaveUp(
          silent.uri,
          3,
          " \\(\\d+ attempts; last error: RbacPolicy\\.NoAnswer: no Bolt answer within \\d+s: something accepts connections there but does not speak Bolt",
        ),
      );
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(silent.accepted()).toBeGreaterThan(0);

      // create, refresh and destroy alike: bounded, and saying what is left and how to go on.
      const spec = {
        ...inputs("silent", [{ name: "sam", password: "sam-secret-password" }]),
        uri: silent.uri,
      };
      const state: RbacProviderOutputs = { ...spec, passwordHashes: [], waitTimeoutSeconds: 2 };
      const bounded = async (run: () => Promise<unknown>, message: RegExp) => {
        const begun = Date.now();
        const failure = run();
        await expect(failure).rejects.toThrow(message);
        await expect(failure).rejects.not.toThrow(/secret/);
        expect(Date.now() - begun).toBeLessThan(5_000);
      };
      await bounded(
        () => create({ ...spec, waitTimeoutSeconds: 2 }),
        /did not accept administration commands within 2s/,
      );
      await bounded(
        () => read("rbac-silent", state),
        /^RbacPolicy "silent": could not read users "sam" on Neo4j at .*did not accept administration commands within 2s.*If that DBMS is reachable again, run the command again\. If it is gone for good, remove the policy from the program and drop it from the stack with `pulumi state delete <urn>`/,
      );
      await bounded(
        () => remove("rbac-silent", state),
        /^RbacPolicy "silent": could not remove users "sam" from Neo4j at .*within 2s.*`pulumi state delete <urn>`/,
      );
    } finally {
      await silent.close();
    }
  });

  it("names the statement Neo4j refused, not another of the pipeline, and changes nothing", async () => {
    const before = await userNames();
    const spec = inputs("pipeline", [
      { name: "pipe-a", password: "pipe-a-password" },
      { name: "pipe-b", password: "short" },
      { name: "pipe-c", password: "pipe-c-password" },
    ]);
    await expect(create(spec)).rejects.toThrow(
      'Neo4j refused "CREATE USER `pipe-b` SET PASSWORD $password2 CHANGE NOT REQUIRED": Neo.ClientError.Statement.ArgumentError: A password must be at least 8 characters.',
    );
    expect(await userNames()).toEqual(before);
  });

  it("never drops or suspends neo4j, even when it connects as another user and manages neo4j", async () => {
    await admin("CREATE USER $name SET PASSWORD $password CHANGE NOT REQUIRED", {
      name: "ops",
      password: "ops-admin-password",
    });
    try {
      const asOps = (spec: ReturnType<typeof inputs>) => ({
        ...spec,
        username: "ops",
        adminPassword: "ops-admin-password",
      });
      // Declaring neo4j with the password it has: adopted (set again through a temporary one).
      const withNeo4j = asOps(inputs("ops", [{ name: "neo4j", password: target.password }]));
      const outs = (await create(withNeo4j)).outs as RbacProviderOutputs;
      expect(await canLogIn("neo4j", target.password)).toBe(true);

      const suspended = { ...withNeo4j, users: [{ ...withNeo4j.users[0], suspended: true }] };
      expect((await rbacProvider.check!(outs, suspended)).failures).toEqual([
        {
          property: "users",
          reason:
            'RbacPolicy "ops": users[0].suspended must not be true for "neo4j": RbacPolicy never suspends or drops the built-in user',
        },
      ]);

      const without = asOps(inputs("ops", []));
      expect(diffRbac(outs, without).summary).toEqual([
        'user "neo4j" is no longer managed; it is left as it is (RbacPolicy never drops the built-in user)',
      ]);
      await update("rbac-ops", outs, without);
      expect(await userNames()).toEqual(["neo4j", "ops"]);
      await remove("rbac-ops", outs);
      expect(await userNames()).toEqual(["neo4j", "ops"]);
      expect(await canLogIn("neo4j", target.password)).toBe(true);
    } finally {
      await admin("DROP USER $name", { name: "ops" });
    }
  });

  it("refuses a password exactly where Neo4j stops accepting it for login", async () => {
    // The check's limit against the server's: the longest accepted password logs in, one more byte does not.
    const name = "edge-user";
    const longest = Number(/use at most (\d+) bytes/.exec(passwordProblem(name, "x".repeat(9000))!)![1]);
    for (const [password, accepted] of [
      ["a".repeat(longest), true],
      ["a".repeat(longest + 1), false],
      ["é".repeat(Math.floor(longest / 2)) + "a".repeat(longest % 2), true],
      ["é".repeat(Math.floor(longest / 2) + 1), false],
    ] as const) {
      expect({
        bytes: Buffer.byteLength(password),
        problem: passwordProblem(name, password) === undefined,
      }).toEqual({
        bytes: Buffer.byteLength(password),
        problem: accepted,
      });
      await admin("CREATE OR REPLACE USER $name SET PASSWORD $password CHANGE NOT REQUIRED", {
        name,
        password,
      });
      expect(await canLogIn(name, password)).toBe(accepted);
    }
    await admin("DROP USER $name", { name });
    // Past the component (which refuses it too), the provider refuses it before connecting.
    const tooLong = { ...inputs("edge", []), users: inputs("edge", [{ name, password: "x" }]).users };
    await expect(
      create({ ...tooLong, passwords: [{ name, password: "a".repeat(longest + 1) }] }),
    ).rejects.toThrow('RbacPolicy "edge": users[0].password is too long to log in with');
  });
});
