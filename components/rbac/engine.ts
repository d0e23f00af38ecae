import type { Driver } from "neo4j-driver";
import {
  ActualState,
  Edition,
  RbacStatement,
  managedState,
  planRbac,
  rolesFromRows,
  userFromRow,
} from "./planner";
import { RbacState } from "./spec";

/**
 * The few things RbacPolicy does with a live DBMS: wait for it, read its users and roles, run a
 * plan. Everything is sent to the `system` database; passwords only as parameters. Node modules are
 * required inside the functions because Pulumi serializes the dynamic provider as a closure.
 */

export interface Connection {
  uri: string;
  username: string;
  password: string;
}

export interface WaitOptions {
  /** Give up after this long, in seconds. */
  timeoutSeconds: number;
  /** First pause between attempts, in milliseconds; doubles up to 10 s. Default 500. */
  initialDelayMs?: number;
  log?: (message: string) => void;
}

/** Counts what is sent to Neo4j, for the benchmark and the "no write on a no-op" tests. */
export interface BoltCounter {
  reads: number;
  writes: number;
  transactions: number;
}

export const newCounter = (): BoltCounter => ({ reads: 0, writes: 0, transactions: 0 });

/** Errors that mean "not ready yet": connection refused, no leader, system database still starting. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  return (
    code === "ServiceUnavailable" ||
    code === "SessionExpired" ||
    code.startsWith("Neo.TransientError.") ||
    code === "Neo.ClientError.Database.DatabaseNotFound" ||
    code === "Neo.ClientError.Cluster.NotALeader"
  );
}

/**
 * Opens a driver once the DBMS accepts administration commands on `system` (a fresh cluster
 * elects a leader first): retries with backoff, logs progress, and fails with a clear timeout.
 * Authentication failures are not retried: a wrong password will not become right.
 */
export async function connectWhenReady(
  connection: Connection,
  wait: WaitOptions,
): Promise<{ driver: Driver; edition: Edition }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: the provider is serialized as a closure
  const neo4j = require("neo4j-driver") as typeof import("neo4j-driver");
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  let delay = wait.initialDelayMs ?? 500;
  let attempt = 0;
  for (;;) {
    attempt++;
    const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.username, connection.password), {
      connectionTimeout: 5000,
      maxTransactionRetryTime: 0,
      disableLosslessIntegers: true,
    });
    try {
      const session = driver.session({ database: "system", defaultAccessMode: neo4j.session.WRITE });
      try {
        const result = await session.run("CALL dbms.components() YIELD edition RETURN edition");
        const edition: Edition =
          result.records[0]?.get("edition") === "enterprise" ? "enterprise" : "community";
        return { driver, edition };
      } finally {
        await session.close();
      }
    } catch (error) {
      await driver.close();
      if (!isTransient(error)) throw describeFailure(error, connection.uri);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Neo4j at ${connection.uri} did not accept administration commands within ${wait.timeoutSeconds}s (${attempt} attempts; last error: ${messageOf(error)})`,
        );
      }
      wait.log?.(`waiting for Neo4j at ${connection.uri} (attempt ${attempt}: ${messageOf(error)})`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

function messageOf(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return [e?.code, e?.message?.split("\n")[0]].filter(Boolean).join(": ");
}

function describeFailure(error: unknown, uri: string): Error {
  return new Error(`Neo4j at ${uri} refused the RbacPolicy connection: ${messageOf(error)}`);
}

/** Reads users, and on Enterprise roles and privileges, in a constant number of queries. */
export async function readActual(
  driver: Driver,
  edition: Edition,
  counter: BoltCounter = newCounter(),
): Promise<ActualState> {
  const session = driver.session({ database: "system" });
  try {
    const run = async (query: string) => {
      counter.reads++;
      return (await session.run(query)).records.map((r) => r.toObject());
    };
    const users = (await run("SHOW USERS YIELD user, roles, passwordChangeRequired, suspended")).map((row) =>
      userFromRow(row as Parameters<typeof userFromRow>[0]),
    );
    if (edition !== "enterprise") return { edition, users, roles: [] };
    const roleNames = (await run("SHOW ROLES YIELD role")).map((row) => row.role as string);
    const rows = (await run("SHOW PRIVILEGES AS COMMANDS")).map((row) => ({
      command: row.command as string,
      role: roleOfCommand(row.command as string),
    }));
    return { edition, users, roles: rolesFromRows(roleNames, rows) };
  } finally {
    await session.close();
  }
}

/** The grantee at the end of `GRANT … TO \`role\``. */
export function roleOfCommand(command: string): string {
  const match = /\sTO\s+(`(?:[^`]|``)*`|\S+)\s*$/.exec(command);
  if (!match) return "";
  const name = match[1];
  return name.startsWith("`") ? name.slice(1, -1).replace(/``/g, "`") : name;
}

/**
 * Runs a plan as one transaction on `system`, statements pipelined: all of it happens or none.
 * Neo4j's error is passed on with the statement's text, which never holds a password.
 */
export async function applyPlan(
  driver: Driver,
  plan: RbacStatement[],
  passwords: Record<string, string>,
  counter: BoltCounter = newCounter(),
): Promise<void> {
  if (plan.length === 0) return;
  const session = driver.session({ database: "system" });
  try {
    const tx = await session.beginTransaction();
    counter.transactions++;
    try {
      const results = plan.map((statement) => {
        counter.writes++;
        const parameters =
          statement.passwordParameter && statement.passwordOf
            ? { [statement.passwordParameter]: passwords[statement.passwordOf] }
            : {};
        return tx.run(statement.text, parameters).then(
          () => undefined,
          (error: unknown) => {
            throw new Error(`Neo4j refused "${statement.text}": ${messageOf(error)}`);
          },
        );
      });
      await Promise.all(results);
      await tx.commit();
    } catch (error) {
      if (tx.isOpen()) await tx.rollback();
      throw error;
    }
  } finally {
    await session.close();
  }
}

/** A salted HMAC of a user's password: enough to notice that the desired password changed, nothing to log in with. */
export function passwordHash(user: string, password: string, salt?: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: the provider is serialized as a closure
  const crypto = require("crypto") as typeof import("crypto");
  const useSalt = salt ?? crypto.randomBytes(16).toString("hex");
  const digest = crypto.createHmac("sha256", useSalt).update(`${user}\0${password}`).digest("hex");
  return `${useSalt}:${digest}`;
}

export function passwordMatches(user: string, password: string, hash: string | undefined): boolean {
  if (!hash) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: the provider is serialized as a closure
  const crypto = require("crypto") as typeof import("crypto");
  const expected = Buffer.from(passwordHash(user, password, hash.split(":")[0]));
  const stored = Buffer.from(hash);
  return expected.length === stored.length && crypto.timingSafeEqual(expected, stored);
}

/** What one policy run did: the plan's statements and how much was sent. */
export interface SyncResult {
  state: RbacState;
  plan: RbacStatement[];
  counter: BoltCounter;
}

export interface SyncRequest {
  resourceName: string;
  connection: Connection;
  wait: WaitOptions;
  desired: RbacState;
  passwords: Record<string, string>;
  /** Stored hashes from the last run; users without a matching hash get their password set. */
  passwordHashes: Record<string, string>;
  managed: { users: string[]; roles: string[] };
}

/** Makes the DBMS match `desired`: wait, read, plan, apply. Used by create, update and delete. */
export async function syncPolicy(request: SyncRequest): Promise<SyncResult> {
  const counter = newCounter();
  const { driver, edition } = await connectWhenReady(request.connection, request.wait);
  counter.reads++;
  try {
    const actual = await readActual(driver, edition, counter);
    const existing = new Set(actual.users.map((u) => u.name));
    const passwordChanges = request.desired.users
      .filter(
        (u) =>
          existing.has(u.name) &&
          !passwordMatches(u.name, request.passwords[u.name] ?? "", request.passwordHashes[u.name]),
      )
      .map((u) => u.name);
    const plan = planRbac({
      resourceName: request.resourceName,
      desired: request.desired,
      actual,
      managed: request.managed,
      passwordChanges,
      connectingUser: request.connection.username,
    });
    await applyPlan(driver, plan, request.passwords, counter);
    return { state: request.desired, plan, counter };
  } finally {
    await driver.close();
  }
}

/** Reads what a policy manages as it is now, for `pulumi refresh`. */
export async function readPolicy(
  connection: Connection,
  wait: WaitOptions,
  managed: { users: string[]; roles: string[] },
): Promise<RbacState> {
  const { driver, edition } = await connectWhenReady(connection, wait);
  try {
    return managedState(await readActual(driver, edition), managed);
  } finally {
    await driver.close();
  }
}
