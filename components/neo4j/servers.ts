/**
 * A cluster's servers as Neo4j 5 manages them (Operations Manual, Clustering -> Managing servers):
 * the statements that enable, deallocate and drop a server, what `SHOW SERVERS` and `SHOW
 * DATABASES` rows say about the cluster's health, and the next step of a server's removal. Pure:
 * the lifecycle providers run the statements and poll; every statement is parsed by Neo4j's own
 * Cypher parser in the tests. Server names travel as parameters, never spliced into the text.
 */
import { ServerMode } from "./cluster-spec";

export interface ServerStatement {
  text: string;
  parameters: Record<string, string>;
}

export const SHOW_SERVERS =
  "SHOW SERVERS YIELD serverId, name, address, state, health, hosting, requestedHosting";
export const SHOW_DATABASES =
  "SHOW DATABASES YIELD name, address, currentStatus, requestedStatus, statusMessage";

/** Enables a free server, constrained to host databases in its own mode only. */
export function enableServer(serverId: string, mode: ServerMode): ServerStatement {
  // The mode is one of two constants; only the server id comes from outside.
  return {
    text: `ENABLE SERVER $server OPTIONS {modeConstraint: '${mode}'}`,
    parameters: { server: serverId },
  };
}

/** Moves every user database off a server, irreversibly; Neo4j refuses when they have nowhere to go. */
export function deallocateServer(serverId: string): ServerStatement {
  return { text: "DEALLOCATE DATABASES FROM SERVER $server", parameters: { server: serverId } };
}

/** Removes a deallocated (or never enabled) server from the cluster for good. */
export function dropServer(serverId: string): ServerStatement {
  return { text: "DROP SERVER $server", parameters: { server: serverId } };
}

/** Changes the password of the user the session runs as; the old one must be right. */
export const ALTER_CURRENT_USER_PASSWORD = "ALTER CURRENT USER SET PASSWORD FROM $old TO $new";

export type ServerState = "Free" | "Enabled" | "Cordoned" | "Deallocating" | "Deallocated" | "Dropped";

export interface ServerRow {
  serverId: string;
  name: string;
  /** The server's advertised Bolt address, like `localhost:7689`. */
  address: string;
  state: ServerState;
  health: "Available" | "Unavailable";
  hosting: string[];
  requestedHosting: string[];
}

export interface DatabaseRow {
  name: string;
  address: string;
  currentStatus: string;
  requestedStatus: string;
  statusMessage: string;
}

/** The row of the server a member runs, found by its advertised Bolt address. */
export function serverOf(servers: ServerRow[], boltAddress: string): ServerRow | undefined {
  return servers.find((s) => s.address === boltAddress && s.state !== "Dropped");
}

const sameSet = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join("\0") === [...b].sort().join("\0");

/** A member whose server the cluster must have enabled. */
export interface ExpectedMember {
  name: string;
  /** Its advertised Bolt address, as SHOW SERVERS lists it. */
  boltAddress: string;
  /** Its data volume, named when a dropped server's identity may be on it. */
  dataVolume?: string;
}

/**
 * What still keeps the cluster from being healthy, in Neo4j's rolling-upgrade sense: every
 * enabled server available and hosting exactly what it should, every database in the status it
 * was asked for, and each of `members` (Bolt addresses) running an enabled server. Empty when
 * healthy.
 */
export function clusterProblems(
  servers: ServerRow[],
  databases: DatabaseRow[],
  members: ExpectedMember[] = [],
): string[] {
  const problems: string[] = [];
  for (const member of members) {
    const server = serverOf(servers, member.boltAddress);
    const dropped = servers.some((s) => s.address === member.boltAddress && s.state === "Dropped");
    if (!server && dropped)
      problems.push(
        `${member.name} (${member.boltAddress}) was dropped from the cluster before, and Neo4j never lets a dropped server rejoin; if its data volume${member.dataVolume ? ` ${member.dataVolume}` : ""} was kept from then, it still carries that server's identity: remove the member, delete the volume (docker volume rm), and add it again`,
      );
    else if (!server) problems.push(`${member.name} (${member.boltAddress}) is not in SHOW SERVERS yet`);
    else if (server.state !== "Enabled")
      problems.push(
        `${member.name} is ${server.state}${server.state === "Free" ? " (not enabled yet)" : ""}`,
      );
  }
  for (const server of servers) {
    if (server.state !== "Enabled" && server.state !== "Cordoned") continue;
    if (server.health !== "Available") problems.push(`server ${server.address} is ${server.health}`);
    else if (!sameSet(server.hosting, server.requestedHosting))
      problems.push(
        `server ${server.address} hosts [${server.hosting.join(", ")}] of [${server.requestedHosting.join(", ")}]`,
      );
  }
  for (const db of databases)
    if (db.currentStatus !== db.requestedStatus)
      problems.push(
        `database ${db.name} on ${db.address} is ${db.currentStatus}, not ${db.requestedStatus}${db.statusMessage ? ` (${db.statusMessage})` : ""}`,
      );
  return problems;
}

export type RemovalStep =
  | { kind: "done"; note: string }
  | { kind: "wait"; why: string }
  | { kind: "run"; statement: ServerStatement };

/**
 * The next step in removing a server: DEALLOCATE DATABASES FROM SERVER, wait until Neo4j reports it
 * Deallocated, DROP SERVER. A free server hosts nothing and is dropped at once. Running the steps
 * again after an interruption picks up where they stopped.
 */
export function nextRemovalStep(server: ServerRow | undefined): RemovalStep {
  if (!server) return { kind: "done", note: "not in the cluster" };
  switch (server.state) {
    case "Dropped":
      return { kind: "done", note: "dropped" };
    case "Deallocated":
    case "Free":
      return { kind: "run", statement: dropServer(server.serverId) };
    case "Deallocating":
      return { kind: "wait", why: `its databases are still moving (hosting ${server.hosting.join(", ")})` };
    default:
      return { kind: "run", statement: deallocateServer(server.serverId) };
  }
}
