/**
 * `npm run bench:rbac`: RbacPolicy against a real Neo4j (started by scripts/neo4j-test-server.ts,
 * or the one NEO4J_TEST_URI names). Applies 500 users from nothing, re-applies them unchanged, and
 * compares with the same CREATE USER statements sent as one raw batch (one transaction, pipelined)
 * through the driver. "Queries" counts the Bolt RUN requests sent; each policy run also opens one
 * connection-check query (CALL dbms.components()).
 */
import neo4j from "neo4j-driver";
import { passwordHash, syncPolicy } from "../components/rbac/engine";
import { rbacToCypher } from "../components/rbac/planner";
import { checkRbacSpec } from "../components/rbac/spec";
import { neo4jTestTarget } from "../tests/helpers/neo4j-target";

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

async function main() {
  const rounds = 3;
  const rows: string[] = [];
  // Round 0 warms the JVM (query planning caches, JIT) and is not reported.
  for (let round = 0; round <= rounds; round++) {
    await dropBenchUsers();
    const raw = await rawBatch();
    await dropBenchUsers();
    const full = await policy(new Map());
    const hashes = new Map(users.map((u) => [u.name, passwordHash(u.name, u.password)]));
    const noop = await policy(hashes);
    if (round === 0) continue;
    rows.push(
      `round ${round}: raw batch ${raw.ms.toFixed(0)} ms (${raw.queries} queries, 1 transaction) | ` +
        `policy full apply ${full.ms.toFixed(0)} ms (${full.reads} reads, ${full.writes} writes, ${full.transactions} transaction) = ${(full.ms / raw.ms).toFixed(2)}x raw | ` +
        `policy no-op re-apply ${noop.ms.toFixed(0)} ms (${noop.reads} reads, ${noop.writes} writes)`,
    );
    console.log(rows[rows.length - 1]);
  }
  await dropBenchUsers();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
