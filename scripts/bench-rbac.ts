/**
 * `npm run bench:rbac`: RbacPolicy against a real Neo4j (started by scripts/neo4j-test-server.ts,
 * or the one NEO4J_TEST_URI names). Applies 500 users from nothing, re-applies them unchanged, and
 * compares with the same CREATE USER statements sent as one raw batch (one transaction, pipelined)
 * through the driver. "Queries" counts the Bolt RUN requests sent; each policy run also opens one
 * connection-check query (CALL dbms.components()).
 *
 * The same 500 users then go through the whole engine path: `pulumi up --yes` of an RbacPolicy
 * stack from nothing (tests/real/programs/rbac, file backend, passphrase secrets) and the same
 * command again with nothing to change, with the Pulumi CLI and Node.js host that
 * scripts/provision/pulumi-engine.sh builds (from Go modules when its cache has none).
 */
import * as path from "path";
import neo4j from "neo4j-driver";
import { passwordHash, syncPolicy } from "../components/rbac/engine";
import { rbacToCypher } from "../components/rbac/planner";
import { checkRbacSpec } from "../components/rbac/spec";
import { neo4jTestTarget } from "../tests/helpers/neo4j-target";
import { PulumiStack } from "../tests/real/support/pulumi";

const USERS = 500;
const target = neo4jTestTarget();
const connection = { uri: target.uri, username: target.username, password: target.password };
const users = Array.from({ length: USERS }, (_, i) => ({
  name: `bench${i}`,
  password: `bench-password-${i}`,
}));
const passwords = new Map(users.map((u) => [u.name, u.password]));
const desired = checkRbacSpec("bench", { users });
const managed = { users: users.map((u) => u.name), roles: [] };

async function dropBenchUsers(): Promise<void> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
  const session = driver.session({ database: "system" });
  const tx = session.beginTransaction();
  await Promise.all(users.map((u) => tx.run("DROP USER $name IF EXISTS", { name: u.name })));
  await tx.commit();
  await session.close();
  await driver.close();
}

async function rawBatch(): Promise<{ ms: number; queries: number }> {
  const statements = rbacToCypher({ users });
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
  await driver.verifyConnectivity();
  const started = performance.now();
  const session = driver.session({ database: "system" });
  const tx = session.beginTransaction();
  await Promise.all(
    statements.map((s) =>
      tx.run(s.text, {
        ...s.parameters,
        ...Object.fromEntries(s.passwords.map((p) => [p.parameter, passwords.get(p.user)])),
      }),
    ),
  );
  await tx.commit();
  await session.close();
  const ms = performance.now() - started;
  await driver.close();
  return { ms, queries: statements.length };
}

async function policy(hashes: Map<string, string>) {
  const started = performance.now();
  const result = await syncPolicy({
    resourceName: "bench",
    connection,
    wait: { timeoutSeconds: 30 },
    desired,
    passwords,
    passwordHashes: hashes,
    managed,
  });
  return { ms: performance.now() - started, ...result.counter, statements: result.plan.length };
}

/** A stack of the test program holding the bench users, created once for all rounds. */
async function engineStack(): Promise<PulumiStack> {
  const stack = new PulumiStack({
    programDir: path.join(__dirname, "..", "tests", "real", "programs", "rbac"),
    stack: `bench${process.pid}`,
  });
  await stack.init();
  await stack.config("users", JSON.stringify(users.map((u) => u.name)));
  await stack.secret("passwords", JSON.stringify(Object.fromEntries(passwords)));
  await stack.secret("adminPassword", target.password);
  await stack.config("uri", target.uri);
  return stack;
}

/** `pulumi up --yes [flags]`; fails the bench if it fails. */
async function engineUp(stack: PulumiStack, ...flags: string[]) {
  const result = await stack.expectStackCommand(["up", "--yes", ...flags]);
  return { ms: result.ms, cpuMs: result.cpuMs };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const rounds = 3;
  const stack = await engineStack();
  const overheads: { full: number; ratio: number; noop: number }[] = [];
  try {
    // Round 0 warms the JVM (query planning caches, JIT) and is not reported.
    for (let round = 0; round <= rounds; round++) {
      await dropBenchUsers();
      const raw = await rawBatch();
      await dropBenchUsers();
      const full = await policy(new Map());
      const hashes = new Map(users.map((u) => [u.name, passwordHash(u.name, u.password)]));
      const noop = await policy(hashes);
      if (round === 0) continue;
      await dropBenchUsers();
      const engineFull = await engineUp(stack);
      const engineNoop = await engineUp(stack, "--expect-no-changes");
      // Automation (the Automation API, CI after a reviewed preview) runs the update alone.
      const engineNoopAlone = await engineUp(stack, "--expect-no-changes", "--skip-preview");
      await stack.expectStackCommand(["destroy", "--yes", "--skip-preview"]);
      overheads.push({
        full: engineFull.ms - raw.ms,
        ratio: engineFull.ms / raw.ms,
        noop: engineNoop.ms - noop.ms,
      });
      console.log(
        `round ${round}: raw batch ${raw.ms.toFixed(0)} ms (${raw.queries} queries, 1 transaction) | ` +
          `policy full apply ${full.ms.toFixed(0)} ms (${full.reads} reads, ${full.writes} writes, ${full.transactions} transaction) = ${(full.ms / raw.ms).toFixed(2)}x raw | ` +
          `policy no-op re-apply ${noop.ms.toFixed(0)} ms (${noop.reads} reads, ${noop.writes} writes)`,
      );
      console.log(
        `round ${round}, engine: pulumi up from nothing ${seconds(engineFull.ms)} (CPU ${seconds(engineFull.cpuMs)}) = ` +
          `${(engineFull.ms / raw.ms).toFixed(1)}x raw, +${seconds(engineFull.ms - raw.ms)} | ` +
          `pulumi up, nothing to change ${seconds(engineNoop.ms)} (CPU ${seconds(engineNoop.cpuMs)}), ` +
          `+${seconds(engineNoop.ms - noop.ms)} over the policy's no-op | ` +
          `with --skip-preview ${seconds(engineNoopAlone.ms)} (CPU ${seconds(engineNoopAlone.cpuMs)})`,
      );
    }
    console.log(
      `engine overhead, median of ${rounds} rounds: pulumi up from nothing ` +
        `${median(overheads.map((o) => o.ratio)).toFixed(1)}x the raw batch, +${seconds(median(overheads.map((o) => o.full)))}; ` +
        `pulumi up with nothing to change +${seconds(median(overheads.map((o) => o.noop)))} over the policy's no-op`,
    );
  } finally {
    await stack.stackCommand(["destroy", "--yes", "--skip-preview"]);
    await stack.remove();
    await dropBenchUsers();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
