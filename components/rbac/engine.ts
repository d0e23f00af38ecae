import type { Driver } from "neo4j-driver";
import { boltTarget } from "../neo4j/connection";
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
  /** The authority to trust for a `+s` URI (PEM), when the DBMS's certificates are the estate's own. */
  caCertificate?: string;
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

/** The code of the error an attempt fails with when the server accepts the connection but never answers. */
const NO_ANSWER = "RbacPolicy.NoAnswer";

/** Errors that mean "not ready yet": connection refused or unanswered, no leader, system database still starting. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  return (
    code === "ServiceUnavailable" ||
    code === "SessionExpired" ||
    code === NO_ANSWER ||
    code.startsWith("Neo.TransientError.") ||
    code === "Neo.ClientError.Database.DatabaseNotFound" ||
    code === "Neo.ClientError.Cluster.NotALeader"
  );
}

/** Longest single attempt, in milliseconds: a hung connection is given up and tried afresh. */
const ATTEMPT_LIMIT_MS = 30_000;

/** Rejects with `error()` if `promise` has not settled after `ms`; the timer never keeps Node alive. */
function withinMs<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Closes a driver without waiting long for a server that does not answer. */
async function closeQuietly(driver: Driver): Promise<void> {
  await withinMs(driver.close(), 2000, () => new Error("driver close timed out")).catch(() => undefined);
}

/**
 * Opens a driver once the DBMS accepts administration commands on `system` (a fresh cluster
 * elects a leader first): retries with backoff, logs progress, and fails with a clear message once
 * `timeoutSeconds` have passed, whatever the failure: refused connections, a port that accepts and
 * says nothing, a server still starting. Each attempt is cut short at the deadline.
 * Authentication failures are not retried: a wrong password will not become right, and retrying it
 * would lock the account (`dbms.security.auth_max_failed_attempts`).
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
    const attemptMs = Math.max(1, Math.min(deadline - Date.now(), ATTEMPT_LIMIT_MS));
    const target = boltTarget(connection.uri, connection.caCertificate);
    const driver = neo4j.driver(target.uri, neo4j.auth.basic(connection.username, connection.password), {
      ...target.config,
      // The attempt's own deadline (below) decides; the driver's timers only back it up, later.
      connectionTimeout: Math.min(attemptMs, 5000) + 1000,
      connectionAcquisitionTimeout: attemptMs + 5000,
      maxTransactionRetryTime: 0,
      disableLosslessIntegers: true,
    });
    try {
      const probe = (async () => {
        const session = driver.session({ database: "system", defaultAccessMode: neo4j.session.WRITE });
        try {
          const result = await session.run("CALL dbms.components() YIELD edition RETURN edition");
          return result.records[0]?.get("edition") === "enterprise" ? "enterprise" : "community";
        } finally {
          await session.close();
        }
      })();
      const edition: Edition = await withinMs(probe, attemptMs, () =>
        Object.assign(
          new Error(
            `no Bolt answer within ${Math.ceil(attemptMs / 1000)}s: something accepts connections there but does not speak Bolt (a wrong port, or one that expects TLS: neo4j+s://)`,
          ),
          { code: NO_ANSWER },
        ),
      );
      return { driver, edition };
    } catch (error) {
      await closeQuietly(driver);
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

/** Driver errors that mean the connection broke: after COMMIT was sent, its outcome is unknown. */
function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  return code === "ServiceUnavailable" || code === "SessionExpired";
}

/**
 * Runs a plan as one transaction on `system`, statements pipelined: all of it happens or none.
 * When Neo4j refuses a statement, every later one in the pipeline fails with the same error; the
 * first refused statement is the one named, by its `display` text, which never holds a password.
 * Temporary passwords (see `planRbac`) are made up here, fresh for each run.
 */
export async function applyPlan(
  driver: Driver,
  plan: RbacStatement[],
  passwords: Map<string, string>,
  counter: BoltCounter = newCounter(),
): Promise<void> {
  if (plan.length === 0) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: the provider is serialized as a closure
  const crypto = require("crypto") as typeof import("crypto");
  const session = driver.session({ database: "system" });
  try {
    const tx = await session.beginTransaction();
    counter.transactions++;
    try {
      const settled = await Promise.allSettled(
        plan.map((statement) => {
          counter.writes++;
          const parameters: Record<string, string> = { ...statement.parameters };
          for (const { parameter, user, temporary } of statement.passwords) {
            parameters[parameter] = temporary
              ? crypto.randomBytes(32).toString("base64url")
              : (passwords.get(user) ?? "");
          }
          return tx.run(statement.text, parameters);
        }),
      );
      const refused = settled.findIndex((result) => result.status === "rejected");
      if (refused >= 0) {
        const reason = (settled[refused] as PromiseRejectedResult).reason;
        throw new Error(`Neo4j refused "${plan[refused].display}": ${messageOf(reason)}`);
      }
      try {
        await tx.commit();
      } catch (error) {
        if (!isConnectionLoss(error))
          throw new Error(`Neo4j refused to commit the changes: ${messageOf(error)}`);
        throw new Error(
          `the connection to Neo4j was lost while committing (${messageOf(error)}): the ${plan.length} changes may or may not have been applied. ` +
            "Run the same command again: RbacPolicy reads what the DBMS has and finishes the job either way.",
        );
      }
    } catch (error) {
      if (tx.isOpen()) await tx.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    await session.close().catch(() => undefined);
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
  if (typeof hash !== "string" || hash === "") return false;
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
  /** Desired password per user name. Maps, not objects: a user may be called `__proto__`. */
  passwords: Map<string, string>;
  /** Stored hashes from the last run; existing users without a matching hash get their password set. */
  passwordHashes: Map<string, string>;
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
          !passwordMatches(u.name, request.passwords.get(u.name) ?? "", request.passwordHashes.get(u.name)),
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
    await closeQuietly(driver);
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
    await closeQuietly(driver);
  }
}
