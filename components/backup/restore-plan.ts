/**
 * Restore planning, with no I/O: from the database, the backup artifacts the runner holds and the
 * cluster's members to the exact list of steps the restore CLI runs and prints. Two flows:
 *
 * - a single server: the seed's flow, with the database stopped rather than the whole server
 *   (Neo4j 5 restores into a stopped database on a running DBMS): STOP DATABASE, `neo4j-admin
 *   database restore --overwrite-destination=true`, START DATABASE, then restore_metadata.cypher;
 * - a cluster: a designated seeder, which every Neo4j 5 and 2025 version supports: DROP DATABASE,
 *   restore on one member, then `CREATE DATABASE … OPTIONS {existingData: 'use',
 *   existingDataSeedInstance: <its server id>}` so the other members copy the store from it.
 */
import { RUNNER_PATHS } from "./spec";
import { databaseNameProblem } from "../neo4j/names";
import { quoteName } from "../neo4j/cypher";

export interface RestoreMember {
  /** The member's container name, like `core-1`. */
  container: string;
  /** Its Bolt address as the DBMS advertises it (SHOW SERVERS' `address`), like `localhost:7688`. */
  boltAddress: string;
}

export interface RestoreRequest {
  database: string;
  /** The backup runner's container, which holds /backups. */
  runner: string;
  members: RestoreMember[];
  /** Artifact file names present in /backups/<database> on the runner. */
  artifacts: string[];
  /** Restore this artifact (a file name in the database's folder); default the newest. */
  artifact?: string;
  /** The member to restore on first in a cluster; default the first member. */
  seeder?: string;
}

/** Where the artifacts are copied inside the member that restores them. */
export const RESTORE_STAGING = "/tmp/neo4j-restore";

export type RestoreStep =
  | { kind: "docker"; title: string; args: string[] }
  | {
      kind: "copy";
      title: string;
      from: { container: string; path: string };
      to: { container: string; path: string };
    }
  | {
      kind: "cypher";
      title: string;
      statement: string;
      parameters?: Record<string, string>;
      /** Keep the single value this returns under a name later steps refer to as `{name}`. */
      capture?: string;
    }
  | {
      kind: "cypher-file";
      title: string;
      container: string;
      path: string;
      parameters: Record<string, string>;
    };

export interface RestorePlan {
  flow: "single" | "cluster";
  database: string;
  artifact: string;
  steps: RestoreStep[];
}

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.backup$/;

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

export function planRestore(request: RestoreRequest): RestorePlan {
  const { database, runner, members } = request;
  if (databaseNameProblem(database))
    throw new Error(`${JSON.stringify(database)} is not a Neo4j database name`);
  if (database === "system")
    throw new Error(
      "restoring the system database means restoring every member offline with the DBMS stopped; this tool restores user databases only (see docs/backup.md)",
    );
  if (members.length === 0) throw new Error("the cluster has no members");
  const artifact = chooseArtifact(request.artifacts, request.artifact);

  const seeder =
    request.seeder === undefined ? members[0] : members.find((m) => m.container === request.seeder);
  if (!seeder)
    throw new Error(
      `seeder ${request.seeder} is not a member (${members.map((m) => m.container).join(", ")})`,
    );

  const staged = `${RESTORE_STAGING}/${database}/${artifact}`;
  const db = quoteName(database);
  const copy: RestoreStep = {
    kind: "copy",
    title: `Copy the backups of ${database} from ${runner} into ${seeder.container}`,
    from: { container: runner, path: `${RUNNER_PATHS.backups}/${database}` },
    to: { container: seeder.container, path: RESTORE_STAGING },
  };
  const restore: RestoreStep = {
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
      `--from-path=${staged}`,
      "--overwrite-destination=true",
      database,
    ],
  };
  const metadata: RestoreStep = {
    kind: "cypher-file",
    title: `Recreate the users, roles and privileges of ${database} from the restore_metadata.cypher the restore wrote`,
    container: seeder.container,
    path: `/data/scripts/${database}/restore_metadata.cypher`,
    parameters: { database },
  };
  const cleanup: RestoreStep = {
    kind: "docker",
    title: `Remove the copied backups from ${seeder.container}`,
    args: ["exec", "--user", "root", seeder.container, "rm", "-rf", RESTORE_STAGING],
  };

  if (members.length === 1)
    return {
      flow: "single",
      database,
      artifact,
      steps: [
        copy,
        { kind: "cypher", title: `Stop ${database}`, statement: `STOP DATABASE ${db} WAIT` },
        restore,
        { kind: "cypher", title: `Start ${database}`, statement: `START DATABASE ${db} WAIT` },
        metadata,
        cleanup,
      ],
    };

  return {
    flow: "cluster",
    database,
    artifact,
    steps: [
      copy,
      {
        kind: "cypher",
        title: `Drop ${database} on every member (the seeder's restored store replaces it)`,
        statement: `DROP DATABASE ${db} IF EXISTS WAIT`,
      },
      restore,
      {
        kind: "cypher",
        title: `Find the server id of ${seeder.container}`,
        statement: "SHOW SERVERS YIELD serverId, address WHERE address = $address RETURN serverId",
        parameters: { address: seeder.boltAddress },
        capture: "seederId",
      },
      {
        kind: "cypher",
        title: `Create ${database} from the store on ${seeder.container}; the other members copy it from there`,
        statement: `CREATE DATABASE ${db} OPTIONS {existingData: 'use', existingDataSeedInstance: '{seederId}'} WAIT`,
      },
      metadata,
      cleanup,
    ],
  };
}

/** The plan as a user reads it: numbered steps with the commands they run. */
export function describePlan(plan: RestorePlan): string {
  const lines = [
    `Restore ${plan.database} from ${plan.artifact} (${plan.flow === "single" ? "single server" : "cluster, designated seeder"}):`,
  ];
  plan.steps.forEach((step, i) => {
    lines.push(`  ${i + 1}. ${step.title}`);
    switch (step.kind) {
      case "docker":
        lines.push(`       docker ${step.args.join(" ")}`);
        break;
      case "copy":
        lines.push(
          `       docker cp ${step.from.container}:${step.from.path} - | docker cp -a - ${step.to.container}:${step.to.path}`,
        );
        break;
      case "cypher": {
        const params = step.parameters ? ` ${JSON.stringify(step.parameters)}` : "";
        lines.push(`       (system) ${step.statement}${params}`);
        break;
      }
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
