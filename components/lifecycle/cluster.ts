import type { Driver } from "neo4j-driver";
import {
  ALTER_CURRENT_USER_PASSWORD,
  DatabaseRow,
  ExpectedMember,
  SHOW_DATABASES,
  SHOW_SERVERS,
  ServerRow,
  ServerStatement,
  clusterProblems,
  enableServer,
  nextRemovalStep,
  serverOf,
} from "../neo4j/servers";
import { ServerMode } from "../neo4j/cluster-spec";
import {
  AUTH_FAILURE,
  BoltTarget,
  Patience,
  Poll,
  closeDriver,
  errorCode,
  errorText,
  isTransient,
  openSystem,
  pollUntil,
  runOnSystem,
  withSystem,
} from "./bolt";

/**
 * What the lifecycle providers do to a running cluster, each a loop of "read, decide with the pure
 * core (neo4j/servers.ts), act": wait until it is healthy, enable the servers of new members,
 * remove the servers of members that go, and rotate the admin password.
 */

export interface ClusterMember extends ExpectedMember {
  mode: ServerMode;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export async function readServers(driver: Driver): Promise<ServerRow[]> {
  return (await runOnSystem(driver, SHOW_SERVERS)).map((row) => ({
    serverId: String(row.serverId),
    name: String(row.name),
    address: String(row.address),
    state: row.state as ServerRow["state"],
    health: row.health as ServerRow["health"],
    hosting: asList(row.hosting),
    requestedHosting: asList(row.requestedHosting),
  }));
}

export async function readDatabases(driver: Driver): Promise<DatabaseRow[]> {
  return (await runOnSystem(driver, SHOW_DATABASES)).map((row) => ({
    name: String(row.name),
    address: String(row.address),
    currentStatus: String(row.currentStatus),
    requestedStatus: String(row.requestedStatus),
    statusMessage: String(row.statusMessage ?? ""),
  }));
}

async function run(driver: Driver, statement: ServerStatement, log?: (m: string) => void): Promise<void> {
  log?.(`${statement.text} (${Object.values(statement.parameters).join(", ")})`);
  await runOnSystem(driver, statement.text, statement.parameters, "WRITE");
}

/** Reads that may fail while a member restarts are one more reason to wait, not an error. */
async function look<T>(read: () => Promise<Poll<T>>): Promise<Poll<T>> {
  try {
    return await read();
  } catch (error) {
    if (isTransient(error)) return { waiting: errorText(error) };
    throw error;
  }
}

/**
 * Waits until Neo4j's rolling-upgrade checks pass: every enabled server available and hosting what
 * it should, every database as requested, and each of `members` an enabled server. A member still
 * free (a member added to a running cluster, where Neo4j does not enable it by itself) is enabled
 * on the way, constrained to its mode.
 */
export async function waitUntilHealthy(
  target: BoltTarget,
  patience: Patience,
  members: ClusterMember[],
): Promise<void> {
  await withSystem(target, patience, (driver) =>
    pollUntil(patience, `the cluster to be healthy with ${members.map((m) => m.name).join(", ")}`, () =>
      look(async () => {
        const servers = await readServers(driver);
        for (const member of members) {
          const server = serverOf(servers, member.boltAddress);
          if (server?.state === "Free")
            await run(driver, enableServer(server.serverId, member.mode), patience.log);
        }
        const problems = clusterProblems(servers, await readDatabases(driver), members);
        return problems.length === 0 ? { done: undefined } : { waiting: problems.join("; ") };
      }),
    ),
  );
}

/**
 * Takes the servers of `members` out of the cluster, one at a time: DEALLOCATE DATABASES FROM
 * SERVER, wait for Deallocated, DROP SERVER. Neo4j refuses a deallocation that would leave a
 * database without the servers its topology asks for, and changes nothing then; that refusal ends
 * the removal with what to do.
 */
export async function removeServers(
  target: BoltTarget,
  patience: Patience,
  members: ClusterMember[],
): Promise<void> {
  await withSystem(target, patience, async (driver) => {
    for (const member of members)
      await pollUntil(patience, `${member.name} to leave the cluster`, () =>
        look(async () => {
          const step = nextRemovalStep(serverOf(await readServers(driver), member.boltAddress));
          if (step.kind === "done") return { done: undefined };
          if (step.kind === "wait") return { waiting: `${member.name}: ${step.why}` };
          try {
            await run(driver, step.statement, patience.log);
          } catch (error) {
            if (isTransient(error)) throw error;
            throw new Error(
              `Neo4j refused to take ${member.name} out of the cluster: ${errorText(error)}. Nothing was removed: the member keeps running. ` +
                "Usually a database needs more servers than would be left (SHOW DATABASES lists each one's topology): lower it with ALTER DATABASE <name> SET TOPOLOGY, or keep the member, then run pulumi up again.",
            );
          }
          return { waiting: `${member.name}: ran ${step.statement.text.split(" $")[0]}` };
        }),
      );
  });
}

export type RotationResult = "rotated" | "already";

/**
 * Changes the password of the user `target` connects as from `target.password` to `newPassword`
 * with ALTER CURRENT USER, which checks the old one. When Neo4j refuses the old password but takes
 * the new one, an earlier run already rotated it (and its state was not saved): nothing to do.
 */
export async function rotatePassword(
  target: BoltTarget,
  newPassword: string,
  patience: Patience,
): Promise<RotationResult> {
  let driver: Driver;
  try {
    driver = await openSystem(target, patience);
  } catch (error) {
    if (errorCode(error) !== AUTH_FAILURE) throw error;
    const again = await openSystem(
      { ...target, password: newPassword },
      { ...patience, timeoutSeconds: 30 },
    ).catch(() => undefined);
    if (!again) throw error;
    await closeDriver(again);
    return "already";
  }
  try {
    await runOnSystem(
      driver,
      ALTER_CURRENT_USER_PASSWORD,
      { old: target.password, new: newPassword },
      "WRITE",
    );
  } finally {
    await closeDriver(driver);
  }
  // The new password must work before anything is told to use it.
  await closeDriver(await openSystem({ ...target, password: newPassword }, patience));
  return "rotated";
}
