import type { Driver } from "neo4j-driver";
import { boltTarget } from "../neo4j/connection";

/**
 * The lifecycle providers' way to Neo4j: open a driver on the `system` database once the DBMS
 * answers, run a statement, poll until a condition holds. Node modules are required inside the
 * functions, since Pulumi serializes the providers as closures; no password is ever logged or put
 * in a message.
 */

export interface BoltTarget {
  /**
   * `neo4j` routes writes to the system database's leader (a cluster); `bolt` talks to one server;
   * `+s` when Bolt requires TLS.
   */
  scheme: "neo4j" | "bolt" | "neo4j+s" | "bolt+s";
  /** The authority the members' certificates are signed by (PEM), with TLS on the estate's own certificates. */
  caCertificate?: string;
  /** `host:port` Bolt addresses as seen from where Pulumi runs; a routing driver starts from any that answers. */
  addresses: string[];
  username: string;
  password: string;
}

export interface Patience {
  /** Give up after this long, in seconds. */
  timeoutSeconds: number;
  log?: (message: string) => void;
  /** First pause between attempts, in milliseconds; doubles up to 10 s. Default 1000. */
  initialDelayMs?: number;
}

/** Longest single attempt: a connection that is accepted but never answered is dropped and retried. */
const ATTEMPT_MS = 15_000;

export const AUTH_FAILURE = "Neo.ClientError.Security.Unauthorized";

export function errorCode(error: unknown): string {
  return (error as { code?: string })?.code ?? "";
}

/** The first line of an error, with Neo4j's code: what a message may quote. Never a parameter. */
export function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return [e?.code, e?.message?.split("\n")[0]].filter(Boolean).join(": ");
}

/** Failures that may pass: nothing listening yet, no leader yet, the system database still starting. */
export function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  return (
    code === "ServiceUnavailable" ||
    code === "SessionExpired" ||
    code === "Lifecycle.AttemptTimedOut" ||
    code.startsWith("Neo.TransientError.") ||
    code === "Neo.ClientError.Database.DatabaseNotFound" ||
    code === "Neo.ClientError.Cluster.NotALeader"
  );
}

function withinAttempt<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`no answer within ${ATTEMPT_MS / 1000} s`), {
            code: "Lifecycle.AttemptTimedOut",
          }),
        ),
      ATTEMPT_MS,
    );
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function newDriver(target: BoltTarget): Driver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: the providers are serialized as closures
  const neo4j = require("neo4j-driver") as typeof import("neo4j-driver");
  const first = target.addresses[0];
  const { uri, config } = boltTarget(`${target.scheme}://${first}`, target.caCertificate);
  return neo4j.driver(uri, neo4j.auth.basic(target.username, target.password), {
    ...config,
    connectionTimeout: 5000,
    maxTransactionRetryTime: 0,
    disableLosslessIntegers: true,
    // Any member that answers can hand out the routing table, including while the first is replaced.
    ...(target.scheme.startsWith("neo4j") ? { resolver: () => target.addresses } : {}),
  });
}

/** Runs one statement on `system` and returns its rows as plain objects. */
export async function runOnSystem(
  driver: Driver,
  text: string,
  parameters: Record<string, unknown> = {},
  mode: "READ" | "WRITE" = "READ",
): Promise<Record<string, unknown>[]> {
  const session = driver.session({ database: "system", defaultAccessMode: mode });
  try {
    const result = await withinAttempt(session.run(text, parameters));
    return result.records.map((r) => r.toObject());
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Closes a driver without waiting long for a server that no longer answers. */
export async function closeDriver(driver: Driver): Promise<void> {
  await withinAttempt(driver.close()).catch(() => undefined);
}

/**
 * A driver on `system` once the DBMS accepts writes there (a cluster has elected a leader). Retries
 * what may pass until the deadline; a refused password fails at once, since it will not become right.
 */
export async function openSystem(target: BoltTarget, patience: Patience): Promise<Driver> {
  return pollUntil(
    patience,
    `Neo4j at ${target.addresses.join(", ")} to accept administration commands`,
    async (): Promise<Poll<Driver>> => {
      const driver = newDriver(target);
      try {
        await runOnSystem(driver, "CALL dbms.components() YIELD edition RETURN edition", {}, "WRITE");
        return { done: driver };
      } catch (error) {
        await closeDriver(driver);
        if (!isTransient(error)) throw error;
        return { waiting: errorText(error) };
      }
    },
  );
}

/** Runs `work` with a driver on `system` (see openSystem), and closes the driver whatever happens. */
export async function withSystem<T>(
  target: BoltTarget,
  patience: Patience,
  work: (driver: Driver) => Promise<T>,
): Promise<T> {
  const driver = await openSystem(target, patience);
  try {
    return await work(driver);
  } finally {
    await closeDriver(driver);
  }
}

/** Whether the DBMS answers on `system` right now, within one short attempt. */
export async function answersNow(target: BoltTarget): Promise<boolean> {
  const driver = newDriver(target);
  try {
    await runOnSystem(driver, "CALL dbms.components() YIELD edition RETURN edition", {}, "READ");
    return true;
  } catch {
    return false;
  } finally {
    await closeDriver(driver);
  }
}

/** One look at what a wait waits for: finished with a value, or not yet, and why. */
export type Poll<T> = { done: T } | { waiting: string };

/**
 * Calls `probe` until it returns `{ done }`, pausing with backoff while it returns `{ waiting }`
 * (which is logged), and fails once `timeoutSeconds` have passed, naming what it waited for and
 * the last reason. An error thrown by `probe` ends the wait at once.
 */
export async function pollUntil<T>(
  patience: Patience,
  what: string,
  probe: () => Promise<Poll<T>>,
): Promise<T> {
  const deadline = Date.now() + patience.timeoutSeconds * 1000;
  let delay = patience.initialDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    const result = await probe();
    if ("done" in result) return result.done;
    const left = deadline - Date.now();
    if (left <= 0)
      throw Object.assign(
        new Error(
          `gave up waiting for ${what} after ${patience.timeoutSeconds} s (${attempt} attempts; last: ${result.waiting})`,
        ),
        { code: "Lifecycle.Timeout" },
      );
    patience.log?.(`waiting for ${what}: ${result.waiting}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, 10_000);
  }
}
