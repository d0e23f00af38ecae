/**
 * Restore planning, with no I/O: from the database, the backup artifacts the runner holds (as
 * `neo4j-admin database backup --inspect-path` lists them), the cluster's members and its Neo4j
 * version to the exact list of steps the restore CLI runs and prints. Only the backup chain that
 * ends at the chosen artifact is copied, into the restoring member's data volume (not its
 * container's writable layer). Three flows, chosen by version (Operations Manual, "Restore a
 * database backup" and "Managing databases in a cluster"):
 *
 * - a single server: STOP DATABASE, `neo4j-admin database restore --overwrite-destination=true`,
 *   START DATABASE. The database is never dropped, so its privileges stay as they are.
 * - a cluster on 5.24 or later (`recreate`): the store is restored on one member that hosts the
 *   database, with the database stopped, and `dbms.cluster.recreateDatabase` (5.24-2025.03;
 *   `dbms.recreateDatabase` from 2025.04) recreates it everywhere from that member
 *   (`seedingServers`). No DROP: the privileges granted on the database are kept.
 * - a cluster before 5.24 (`seeder`), or when asked for: DROP DATABASE … CASCADE ALIASES, restore on
 *   one member, `CREATE DATABASE … OPTIONS {existingData: 'use', existingDataSeedInstance: <id>}`
 *   (`existingDataSeedServer` from 5.25; the old name is gone with Cypher 25), then the
 *   restore_metadata.cypher the restore wrote, since the DROP took the database's privileges.
 */
import { RUNNER_PATHS } from "./spec";
import { NEO4J_UID } from "../neo4j/container";
import { databaseNameProblem } from "../neo4j/names";
import { quoteName } from "../neo4j/cypher";
import { Neo4jVersion, atLeast, formatVersion } from "../neo4j/version";

export interface RestoreMember {
  /** The member's container name, like `core-1`. */
  container: string;
  /** Its Bolt address as the DBMS advertises it (SHOW SERVERS' `address`), like `localhost:7688`. */
  boltAddress: string;
}

/** One artifact as `neo4j-admin database backup --inspect-path` lists it. */
export interface ArtifactInfo {
  /** The file name in the backup folder, like `neo4j-2026-11-20T03-00-00.backup`. */
  file: string;
  database: string;
  /** A full backup, which a chain starts with; false for a differential. */
  full: boolean;
}

export type RestoreMethod = "recreate" | "seeder";

/** Where the chain comes from: the runner's volume, or the bucket BackupVolume's `offsite` copies to. */
export type RestoreSource = "volume" | "offsite";

export interface RestoreRequest {
  database: string;
  /** The backup runner's container, which holds the artifacts in RUNNER_PATHS.backups. */
  runner: string;
  members: RestoreMember[];
  /** Every artifact in the backup folder, of every database. */
  artifacts: ArtifactInfo[];
  /** The Neo4j version the cluster runs: it decides the procedure and the option names. */
  neo4jVersion: Neo4jVersion;
  /** Restore this artifact (a file name); default the newest of the database. */
  artifact?: string;
  /** The member to restore on first in a cluster; default the first member (that hosts the database). */
  seeder?: string;
  /** How a cluster is restored; default `recreate` where Neo4j has the procedure (5.24+). */
  method?: RestoreMethod;
  /**
   * Default `volume`. With `offsite`, `artifacts` are the bucket's catalog and the runner first
   * downloads the chain from the bucket (it holds the credentials) into OFFSITE_STAGING.
   */
  source?: RestoreSource;
}

/** In the restoring member's data volume, so a large chain does not fill its container's writable layer. */
export const RESTORE_STAGING = "/data/restore-staging";

/** The runner's files belong to the image's neo4j user, by number (the runner image may name it differently). */
export const RUNNER_USER = `${NEO4J_UID}:${NEO4J_UID}`;

/** In the runner's backup volume, outside the backup root's own listing (a folder, and a dot one). */
export const OFFSITE_STAGING = `${RUNNER_PATHS.backups}/.offsite-restore`;

/** `dbms.cluster.recreateDatabase` arrived in 5.24; 2025.04 renamed it `dbms.recreateDatabase`. */
export const RECREATE_SINCE = "5.24";
export const RECREATE_RENAMED_IN = "2025.04";
/** `existingDataSeedServer` replaced `existingDataSeedInstance` in 5.25; Cypher 25 knows only the new name. */
export const SEED_SERVER_OPTION_SINCE = "5.25";

export type RestoreStep =
  | { kind: "docker"; title: string; args: string[] }
  | {
      kind: "copy";
      title: string;
      from: { container: string; paths: string[] };
      to: { container: string; path: string };
    }
  | {
      kind: "cypher";
      title: string;
      statement: string;
      parameters?: Record<string, string>;
      /** Keep the single value this returns under a name later steps refer to as `{name}`. */
      capture?: string;
      /** Why a capture that finds no row fails, in the user's words. */
      captureMissing?: string;
      /** Print the rows it returns. */
      report?: boolean;
    }
  | {
      kind: "wait-online";
      title: string;
      database: string;
      timeoutSeconds: number;
    }
  | {
      kind: "cypher-file";
      title: string;
      container: string;
      path: string;
      parameters: Record<string, string>;
    };

export interface RestorePlan {
  flow: "single" | RestoreMethod;
  database: string;
  artifact: string;
  /** The artifacts restored, oldest first: the full backup and the differentials up to `artifact`. */
  chain: string[];
  steps: RestoreStep[];
}

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.backup$/;

/**
 * Reads the table `neo4j-admin database backup --inspect-path` prints, by its header's column names
 * (FILE, DATABASE, FULL), since Neo4j versions add columns.
 */
export function parseInspectTable(text: string): ArtifactInfo[] {
  const rows = text
    .split("\n")
    .filter((line) => line.trim().startsWith("|"))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((cell) => cell.trim()),
    );
  if (rows.length === 0) return [];
  const [header, ...body] = rows;
  const column = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new Error(`neo4j-admin's backup listing has no ${name} column (got: ${header.join(", ")})`);
    return i;
  };
  const [file, database, full] = [column("FILE"), column("DATABASE"), column("FULL")];
  return body.map((cells) => ({
    file: cells[file].split("/").pop()!,
    database: cells[database],
    full: cells[full] === "true",
  }));
}

/**
 * Reads the bucket's catalog of a database as `runner.sh offsite-catalog` prints it, one artifact a
 * line: `<epoch>\t<full|diff|unknown>\t<file>\t<size>`. An artifact of unknown type never starts a
 * chain, as on the volume.
 */
export function parseOffsiteCatalog(text: string, database: string): ArtifactInfo[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [epoch, type, file] = line.split("\t");
      if (!/^\d+$/.test(epoch ?? "") || !file || !ARTIFACT_NAME.test(file))
        throw new Error(
          `the bucket's catalog of ${database} has a line that is not an artifact: ${JSON.stringify(line)}`,
        );
      return { file, database, full: type === "full" };
    });
}

/** The artifact to restore: the one asked for, or the newest (Neo4j's names carry the time, so they sort by it). */
export function chooseArtifact(artifacts: string[], requested?: string): string {
  const available = artifacts.filter((a) => ARTIFACT_NAME.test(a)).sort();
  if (requested !== undefined) {
    if (!available.includes(requested))
      throw new Error(`artifact ${requested} is not among the backups (${available.join(", ") || "none"})`);
    return requested;
  }
  if (available.length === 0) throw new Error("there is no backup artifact to restore");
  return available[available.length - 1];
}

/**
 * The chain a restore of `artifact` needs, oldest first: the newest full backup at or before it,
 * and every differential between that one and it. neo4j-admin looks for the chain in the folder of
 * the artifact it is given, so these and no others are copied.
 */
export function chainEndingAt(artifacts: ArtifactInfo[], artifact: string): string[] {
  const ordered = [...artifacts].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const end = ordered.findIndex((a) => a.file === artifact);
  if (end < 0) throw new Error(`artifact ${artifact} is not among the backups`);
  let start = end;
  while (start >= 0 && !ordered[start].full) start--;
  if (start < 0)
    throw new Error(
      `no full backup precedes ${artifact}: the chain it continues is gone, so it cannot be restored`,
    );
  return ordered.slice(start, end + 1).map((a) => a.file);
}

/** `recreate` where Neo4j has dbms.cluster.recreateDatabase (5.24+), else `seeder`. */
export function defaultRestoreMethod(version: Neo4jVersion): RestoreMethod {
  return atLeast(version, RECREATE_SINCE) ? "recreate" : "seeder";
}

export function planRestore(request: RestoreRequest): RestorePlan {
  const { database, runner, members, neo4jVersion: version } = request;
  if (databaseNameProblem(database))
    throw new Error(`${JSON.stringify(database)} is not a Neo4j database name`);
  if (database === "system")
    throw new Error(
      "restoring the system database means restoring every member offline with the DBMS stopped; this tool restores user databases only (see docs/backup.md)",
    );
  if (members.length === 0) throw new Error("the cluster has no members");
  const ofDatabase = request.artifacts.filter((a) => a.database === database);
  const artifact = chooseArtifact(
    ofDatabase.map((a) => a.file),
    request.artifact,
  );
  const chain = chainEndingAt(ofDatabase, artifact);

  const seeder =
    request.seeder === undefined ? members[0] : members.find((m) => m.container === request.seeder);
  if (!seeder)
    throw new Error(
      `seeder ${request.seeder} is not a member (${members.map((m) => m.container).join(", ")})`,
    );
  const method = request.method ?? defaultRestoreMethod(version);
  if (method === "recreate" && !atLeast(version, RECREATE_SINCE))
    throw new Error(
      `the recreate method needs Neo4j ${RECREATE_SINCE} or later (dbms.cluster.recreateDatabase); the cluster runs ${formatVersion(version)}: use --method seeder`,
    );

  const staging = `${RESTORE_STAGING}/${database}`;
  const db = quoteName(database);
  const offsite = request.source === "offsite";
  const runnerFolder = offsite ? OFFSITE_STAGING : RUNNER_PATHS.backups;
  const copy: RestoreStep = {
    kind: "copy",
    title: `Copy the backup chain of ${database} ending at ${artifact} (${chain.length} ${chain.length === 1 ? "artifact" : "artifacts"}) from ${runner} into ${seeder.container}'s data volume`,
    from: { container: runner, paths: chain.map((file) => `${runnerFolder}/${file}`) },
    to: { container: seeder.container, path: staging },
  };
  // The runner holds the bucket's credentials, so it downloads; as uid 7474, the volume's owner.
  const fetchAndCopy: RestoreStep[] = offsite
    ? [
        {
          kind: "docker",
          title: `Download the chain from the bucket into ${runner}:${OFFSITE_STAGING}`,
          args: [
            "exec",
            "--user",
            RUNNER_USER,
            runner,
            "bash",
            RUNNER_PATHS.script,
            "offsite-fetch",
            OFFSITE_STAGING,
            ...chain,
          ],
        },
        copy,
      ]
    : [copy];
  const restore = (overwrite: boolean): RestoreStep => ({
    kind: "docker",
    title: `Restore ${artifact} (and the backups it builds on) into ${database} on ${seeder.container}`,
    args: [
      "exec",
      "--user",
      "neo4j",
      seeder.container,
      "neo4j-admin",
      "database",
      "restore",
      `--from-path=${staging}/${artifact}`,
      ...(overwrite ? ["--overwrite-destination=true"] : []),
      database,
    ],
  });
  const cleanups: RestoreStep[] = [
    {
      kind: "docker",
      title: `Remove the copied backups from ${seeder.container}`,
      args: ["exec", "--user", "neo4j", seeder.container, "rm", "-rf", staging],
    },
    ...(offsite
      ? [
          {
            kind: "docker" as const,
            title: `Remove the downloaded backups from ${runner}`,
            args: ["exec", "--user", RUNNER_USER, runner, "rm", "-rf", OFFSITE_STAGING],
          },
        ]
      : []),
  ];
  const stop: RestoreStep = {
    kind: "cypher",
    title: `Stop ${database}${members.length > 1 ? " on every member" : ""}`,
    statement: `STOP DATABASE ${db} WAIT`,
  };

  if (members.length === 1)
    return {
      flow: "single",
      database,
      artifact,
      chain,
      steps: [
        ...fetchAndCopy,
        stop,
        restore(true),
        { kind: "cypher", title: `Start ${database}`, statement: `START DATABASE ${db} WAIT` },
        ...cleanups,
      ],
    };

  const findSeeder = (mustHost: boolean): RestoreStep => ({
    kind: "cypher",
    title: `Find the server id of ${seeder.container}${mustHost ? `, which must host ${database}` : ""}`,
    statement: mustHost
      ? "SHOW SERVERS YIELD serverId, address, hosting WHERE address = $address AND $database IN hosting RETURN serverId"
      : "SHOW SERVERS YIELD serverId, address WHERE address = $address RETURN serverId",
    parameters: mustHost ? { address: seeder.boltAddress, database } : { address: seeder.boltAddress },
    capture: "seederId",
    captureMissing: mustHost
      ? `${seeder.container} (${seeder.boltAddress}) does not host ${database}: choose a member that does with --seeder (SHOW DATABASE ${database} lists them)`
      : `no server has the address ${seeder.boltAddress}`,
  });

  if (method === "recreate") {
    const procedure = atLeast(version, RECREATE_RENAMED_IN)
      ? "dbms.recreateDatabase"
      : "dbms.cluster.recreateDatabase";
    return {
      flow: "recreate",
      database,
      artifact,
      chain,
      steps: [
        findSeeder(true),
        ...fetchAndCopy,
        stop,
        restore(true),
        {
          kind: "cypher",
          title: `Recreate ${database} on every member from the store restored on ${seeder.container}; its privileges are kept`,
          statement: `CALL ${procedure}($database, {seedingServers: ['{seederId}']})`,
          parameters: { database },
        },
        {
          kind: "wait-online",
          title: `Wait until ${database} is online on every member`,
          database,
          timeoutSeconds: 600,
        },
        ...cleanups,
      ],
    };
  }

  const seedOption = atLeast(version, SEED_SERVER_OPTION_SINCE)
    ? "existingDataSeedServer"
    : "existingDataSeedInstance";
  return {
    flow: "seeder",
    database,
    artifact,
    chain,
    steps: [
      findSeeder(false),
      ...fetchAndCopy,
      {
        kind: "cypher",
        title: `List the local aliases of ${database}, which the DROP removes with it (recreate them afterwards)`,
        statement: "SHOW DATABASE $database YIELD aliases RETURN aliases",
        parameters: { database },
        report: true,
      },
      {
        kind: "cypher",
        title: `Drop ${database} on every member, with its local aliases (the seeder's restored store replaces it)`,
        statement: `DROP DATABASE ${db} IF EXISTS CASCADE ALIASES WAIT`,
      },
      restore(false),
      {
        kind: "cypher",
        title: `Create ${database} from the store on ${seeder.container}; the other members copy it from there`,
        statement: `CREATE DATABASE ${db} OPTIONS {existingData: 'use', ${seedOption}: '{seederId}'} WAIT`,
      },
      {
        kind: "cypher-file",
        title: `Recreate the users, roles and privileges of ${database}, which the DROP removed, from the restore_metadata.cypher the restore wrote`,
        container: seeder.container,
        path: `/data/scripts/${database}/restore_metadata.cypher`,
        parameters: { database },
      },
      ...cleanups,
    ],
  };
}

/** The plan as a user reads it: numbered steps with the commands they run. */
export function describePlan(plan: RestorePlan): string {
  const flows = {
    single: "single server",
    recreate: "cluster, recreated from one member",
    seeder: "cluster, dropped and seeded from one member",
  };
  const lines = [`Restore ${plan.database} from ${plan.artifact} (${flows[plan.flow]}):`];
  plan.steps.forEach((step, i) => {
    lines.push(`  ${i + 1}. ${step.title}`);
    switch (step.kind) {
      case "docker":
        lines.push(`       docker ${step.args.join(" ")}`);
        break;
      case "copy":
        for (const path of step.from.paths)
          lines.push(
            `       docker cp ${step.from.container}:${path} - | docker cp -a - ${step.to.container}:${step.to.path}`,
          );
        break;
      case "cypher": {
        const params = step.parameters ? ` ${JSON.stringify(step.parameters)}` : "";
        lines.push(`       (system) ${step.statement}${params}`);
        break;
      }
      case "wait-online":
        lines.push(
          `       (system) SHOW DATABASE ${quoteName(step.database)} YIELD currentStatus, until every row is online (at most ${step.timeoutSeconds} s)`,
        );
        break;
      case "cypher-file":
        lines.push(
          `       (system) the statements of ${step.container}:${step.path} with ${JSON.stringify(step.parameters)}`,
        );
        break;
    }
  });
  return lines.join("\n");
}

/** Splits a restore_metadata.cypher into statements: Neo4j writes one per line, each ending with `;`. */
export function splitCypherScript(script: string): string[] {
  return script
    .split(/;\s*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("//"));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fills `{name}` from captured values; a captured server id must look like one before it goes into Cypher. */
export function fillCaptured(statement: string, captured: Record<string, string>): string {
  return statement.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = captured[name];
    if (value === undefined) throw new Error(`no value captured for ${name}`);
    if (!UUID.test(value)) throw new Error(`${name} ${JSON.stringify(value)} is not a server id`);
    return value;
  });
}
