import { randomBytes } from "crypto";
import * as path from "path";
import { Neo4jTestServer, startNeo4jTestServer } from "../helpers/neo4j-test-server";
import { PulumiStack } from "./support/pulumi";
import { query, runId } from "./support/env";

/**
 * RbacPolicy through the real Pulumi engine (the CLI and Node.js host built from Go modules, the
 * dynamic-provider shim of @pulumi/pulumi), against two real Neo4j Community 5.26 servers: the
 * stack's whole life, as a user lives it, with the file backend and passphrase secrets.
 * tests/real/programs/rbac is the program; its config picks the target and the users.
 */

/** The id Pulumi's Node SDK gives an unknown value; a preview must never show it. */
const UNKNOWN_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROGRAM = path.join(__dirname, "programs", "rbac");

const id = runId();
const secret = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;
const passwords = { alice: secret("alice"), bob: secret("bob") };
const aliceRotated = secret("alice-rotated");
const stack = new PulumiStack({ programDir: PROGRAM, stack: id });
let first: Neo4jTestServer;
let second: Neo4jTestServer;

/** Every password the test knows, by a name that is safe to print. */
const allPasswords = (): Record<string, string> => ({
  alice: passwords.alice,
  bob: passwords.bob,
  "alice, rotated": aliceRotated,
  "admin of the first server": first.password,
  "admin of the second server": second.password,
});

const loginAs = (server: Neo4jTestServer, user: string, password: string) =>
  query(server.uri, user, password, "SHOW CURRENT USER YIELD user RETURN user", {}, "system");

async function userNames(server: Neo4jTestServer): Promise<string[]> {
  const rows = await query(
    server.uri,
    server.username,
    server.password,
    "SHOW USERS YIELD user",
    {},
    "system",
  );
  return rows.map((r) => String(r.user)).sort();
}

const portOf = (server: Neo4jTestServer) => new URL(server.uri).port;
const started = Date.now();
let cycleStarted = 0;

beforeAll(async () => {
  [first, second] = await Promise.all([startNeo4jTestServer(), startNeo4jTestServer()]);
  // The second server is needed only when the policy moves; it finishes starting meanwhile.
  await first.ready;
  cycleStarted = Date.now();
  console.log(`first Neo4j server ready in ${((cycleStarted - started) / 1000).toFixed(1)} s`);
  await stack.init();
  await stack.config("users", JSON.stringify(["alice", "bob"]));
  await stack.secret("passwords", JSON.stringify(passwords));
  await stack.secret("adminPassword", first.password);
  await stack.config("uri", first.uri);
});

afterAll(async () => {
  const took = (command: RegExp) =>
    stack.transcript
      .filter((r) => command.test(r.command))
      .map((r) => `${(r.ms / 1000).toFixed(1)} (CPU ${(r.cpuMs / 1000).toFixed(1)})`)
      .join(", ");
  console.log(
    `stack cycle: ${stack.transcript.length} commands in ${((Date.now() - cycleStarted) / 1000).toFixed(0)} s; seconds: ` +
      `up ${took(/^pulumi up/)}; preview ${took(/^pulumi preview/)}; refresh ${took(/^pulumi refresh/)}; destroy ${took(/^pulumi destroy/)}`,
  );
  await stack.remove();
  await Promise.all([first?.stop(), second?.stop()]);
});

describe("RbacPolicy through the real Pulumi engine", () => {
  const exports: string[] = [];

  it("creates the users from nothing with pulumi up", async () => {
    const up = await stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
    expect(up.output).toMatch(/\+ 3 created/);
    expect(up.output).toMatch(/RbacPolicy: CREATE USER `alice` SET PASSWORD \$\w+/);
    expect(await loginAs(first, "alice", passwords.alice)).toEqual([{ user: "alice" }]);
    expect(await loginAs(first, "bob", passwords.bob)).toEqual([{ user: "bob" }]);
    exports.push(await stack.exportState());
  });

  it("previews no change after up, and refresh finds none", async () => {
    const preview = await stack.stackCommand(["preview", "--expect-no-changes"]);
    expect(preview.code).toBe(0);
    expect(preview.output).not.toMatch(/RbacPolicy: "access" changes/);
    const refresh = await stack.stackCommand(["refresh", "--expect-no-changes", "--yes"]);
    expect(refresh.code).toBe(0);
  });

  it("reports a user dropped by hand on refresh, and pulumi up restores it", async () => {
    await query(first.uri, first.username, first.password, "DROP USER alice", {}, "system");
    const refresh = await stack.stackCommand(["refresh", "--expect-no-changes", "--diff", "--yes"]);
    expect(refresh.code).not.toBe(0);
    expect(refresh.output).toMatch(/no changes were expected/);
    expect(refresh.output).toMatch(/~ users\s*:/);
    // The refreshed state lacks alice, so up (its own preview first) creates her again.
    const up = await stack.expectStackCommand(["up", "--yes"]);
    expect(up.output).toContain('RbacPolicy: "access" changes: user "alice" is created');
    expect(up.output).toMatch(/RbacPolicy: CREATE USER `alice` SET PASSWORD \$\w+/);
    expect(await loginAs(first, "alice", passwords.alice)).toEqual([{ user: "alice" }]);
    expect(await userNames(first)).toEqual(["alice", "bob", "neo4j"]);
  });

  it("previews a password change by the user's name, and up rotates it", async () => {
    await stack.secret("passwords", JSON.stringify({ ...passwords, alice: aliceRotated }));
    const preview = await stack.expectStackCommand(["preview", "--diff"]);
    expect(preview.output).toContain('RbacPolicy: "access" changes: user "alice": the password changes');
    expect(preview.output).not.toMatch(/user "bob"/);
    expect(preview.output).toMatch(/~ 1 to update/);
    await stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
    expect(await loginAs(first, "alice", aliceRotated)).toEqual([{ user: "alice" }]);
    await expect(loginAs(first, "alice", passwords.alice)).rejects.toThrow(/unauthorized|authentication/i);
    exports.push(await stack.exportState());
  });

  it("previews a target not known yet as recomputed, never as a placeholder, and moves there on up", async () => {
    // The policy now targets the address of a resource created in this update, as it targets a
    // new or replaced Neo4jCluster's boltUri: the preview cannot know it.
    await second.ready;
    await stack.removeConfig("uri");
    await stack.config("targetPort", portOf(second));
    await stack.secret("adminPassword", second.password);
    const preview = await stack.expectStackCommand(["preview", "--diff"]);
    expect(preview.output).not.toContain(UNKNOWN_PLACEHOLDER);
    expect(preview.output).toMatch(/RbacPolicy: "access" changes: .*uri.*recomputed/i);
    expect(preview.output).toMatch(/~ uri\s*: "bolt:\/\/127\.0\.0\.1:\d+" => \[unknown\]/);

    await stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
    expect(await loginAs(second, "alice", aliceRotated)).toEqual([{ user: "alice" }]);
    expect(await loginAs(second, "bob", passwords.bob)).toEqual([{ user: "bob" }]);
    // The old DBMS is left as it is.
    expect(await userNames(first)).toEqual(["alice", "bob", "neo4j"]);
    exports.push(await stack.exportState());
    const again = await stack.stackCommand(["preview", "--expect-no-changes"]);
    expect(again.code).toBe(0);
  });

  it("drops only the policy's users on destroy", async () => {
    const destroy = await stack.expectStackCommand(["destroy", "--yes", "--skip-preview"]);
    expect(destroy.output).toMatch(/- 4 deleted/);
    expect(await userNames(second)).toEqual(["neo4j"]);
    const state = JSON.parse(await stack.exportState()) as { deployment: { resources?: unknown[] } };
    expect(state.deployment.resources ?? []).toEqual([]);
  });

  it("never shows a password: not in any command's output, the exported state or any file Pulumi wrote", () => {
    const everything: [string, string][] = [
      ...stack.transcript.map((r): [string, string] => [r.command, r.output]),
      ...exports.map((text, i): [string, string] => [`pulumi stack export #${i + 1}`, text]),
      ...Object.entries(stack.writtenFiles()),
    ];
    // Passwords did pass through: the state holds them encrypted.
    expect(exports.join("\n")).toMatch(/"ciphertext"/);
    const leaks = Object.entries(allPasswords()).flatMap(([whose, password]) =>
      everything.filter(([, text]) => text.includes(password)).map(([where]) => `${whose} in ${where}`),
    );
    expect(leaks).toEqual([]);
  });
});
