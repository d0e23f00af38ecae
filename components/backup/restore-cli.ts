#!/usr/bin/env node
/**
 * neo4j-estate-restore: restores a database from BackupVolume's backups. Run on the Docker host;
 * it drives the docker CLI (copy, neo4j-admin in a member) and talks Cypher to the cluster through
 * its Bolt URI. It prints every step before it runs and asks before anything is dropped.
 *
 *   NEO4J_PASSWORD=… neo4j-estate-restore --runner backups-runner \
 *     --members core-1=localhost:7688,core-2=localhost:7689,core-3=localhost:7690 \
 *     --bolt neo4j://localhost:7688 --neo4j-version 5.26 --database neo4j \
 *     [--artifact <file>] [--seeder core-2] [--method recreate|seeder] [--from-offsite] [--yes] [--dry-run]
 *     [--ca-file ca.crt]   (with TLS: the cluster's caCertificate output, to trust a neo4j+s:// URI)
 *
 * With --from-offsite the chain comes from the bucket BackupVolume's `offsite` copies to: the runner,
 * which holds the bucket's credentials, reads the bucket's catalog and downloads the chain first.
 */
import { spawn, spawnSync } from "child_process";
import * as readline from "readline";
import * as fs from "fs";
import neo4j, { Driver } from "neo4j-driver";
import { boltTarget } from "../neo4j/connection";
import { RUNNER_PATHS } from "./spec";
import {
  ArtifactInfo,
  RestoreMember,
  RestoreMethod,
  RestorePlan,
  RestoreStep,
  describePlan,
  fillCaptured,
  RestoreSource,
  RUNNER_USER,
  parseInspectTable,
  parseOffsiteCatalog,
  planRestore,
  splitCypherScript,
} from "./restore-plan";
import { Neo4jVersion, parseVersion } from "../neo4j/version";

export interface CliOptions {
  runner: string;
  members: RestoreMember[];
  bolt: string;
  /** A PEM file with the authority to trust for a `+s` URI, when the estate made the certificates. */
  caFile?: string;
  database: string;
  neo4jVersion: Neo4jVersion;
  artifact?: string;
  seeder?: string;
  method?: RestoreMethod;
  source: RestoreSource;
  yes: boolean;
  dryRun: boolean;
}

const USAGE =
  "usage: neo4j-estate-restore --runner <container> --members <container=host:port,…> --bolt <uri> --neo4j-version <version> --database <name> [--artifact <file>] [--seeder <container>] [--method recreate|seeder] [--from-offsite] [--ca-file <pem>] [--yes] [--dry-run]";

/** Reads the command line; throws with the usage text when something required is missing. */
export function parseCliArgs(argv: string[]): CliOptions {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--yes" || arg === "--dry-run" || arg === "--from-offsite") flags.add(arg);
    else if (arg.startsWith("--")) {
      const [key, inline] = arg.slice(2).split(/=(.*)/s);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      values[key] = value;
    } else throw new Error(`unexpected argument ${arg}\n${USAGE}`);
  }
  for (const required of ["runner", "members", "bolt", "neo4j-version", "database"])
    if (!values[required]) throw new Error(`--${required} is required\n${USAGE}`);
  const members = values.members.split(",").map((entry) => {
    const [container, boltAddress] = entry.split("=");
    if (!container || !boltAddress)
      throw new Error(`--members entries look like core-1=localhost:7688 (got ${entry})`);
    return { container, boltAddress };
  });
  const neo4jVersion = parseVersion(values["neo4j-version"]);
  if (!neo4jVersion)
    throw new Error(
      `--neo4j-version must look like 5.23 or 2025.01 (got ${values["neo4j-version"]})\n${USAGE}`,
    );
  const method = values.method;
  if (method !== undefined && method !== "recreate" && method !== "seeder")
    throw new Error(`--method is recreate or seeder (got ${method})\n${USAGE}`);
  return {
    runner: values.runner,
    members,
    bolt: values.bolt,
    caFile: values["ca-file"],
    database: values.database,
    neo4jVersion,
    artifact: values.artifact,
    seeder: values.seeder,
    method,
    source: flags.has("--from-offsite") ? "offsite" : "volume",
    yes: flags.has("--yes"),
    dryRun: flags.has("--dry-run"),
  };
}

function docker(args: string[]): string {
  const result = spawnSync("docker", args, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`docker ${args.join(" ")} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/**
 * The artifacts to choose from, with database and type: in the runner's backup folder as
 * neo4j-admin reads them, or in the bucket's catalog of the database, which the runner reads.
 */
export function listArtifacts(runner: string, database: string, source: RestoreSource): ArtifactInfo[] {
  if (source === "offsite")
    return parseOffsiteCatalog(
      // As uid 7474, like the runner itself, so nothing it writes in the volume is root's.
      docker([
        "exec",
        "--user",
        RUNNER_USER,
        runner,
        "bash",
        RUNNER_PATHS.script,
        "offsite-catalog",
        database,
      ]),
      database,
    );
  return parseInspectTable(
    docker(["exec", runner, "neo4j-admin", "database", "backup", `--inspect-path=${RUNNER_PATHS.backups}`]),
  );
}

/** `docker cp a:/x - | docker cp -a - b:/y` per file: a tar stream between containers, owners kept. */
async function copyBetween(step: Extract<RestoreStep, { kind: "copy" }>): Promise<void> {
  docker(["exec", "--user", "neo4j", step.to.container, "mkdir", "-p", step.to.path]);
  for (const path of step.from.paths)
    await copyOne(`${step.from.container}:${path}`, `${step.to.container}:${step.to.path}`);
}

function copyOne(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = spawn("docker", ["cp", from, "-"], { stdio: ["ignore", "pipe", "inherit"] });
    const into = spawn("docker", ["cp", "-a", "-", to], { stdio: ["pipe", "inherit", "inherit"] });
    out.stdout.pipe(into.stdin);
    let failed = false;
    const fail = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new Error(`${what} exited ${code}`));
      }
    };
    out.on("close", fail(`docker cp ${from}`));
    into.on("close", (code) => (code === 0 && !failed ? resolve() : fail(`docker cp into ${to}`)(code)));
  });
}

/** Polls SHOW DATABASE until every allocation of the database is online. */
async function waitOnline(driver: Driver, database: string, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const { records } = await driver.executeQuery(
      "SHOW DATABASE $database YIELD currentStatus RETURN collect(currentStatus) AS statuses",
      { database },
      { database: "system" },
    );
    const statuses = (records[0]?.get("statuses") as string[] | undefined) ?? [];
    if (statuses.length > 0 && statuses.every((s) => s === "online")) return;
    if (Date.now() > deadline)
      throw new Error(
        `${database} is not online on every member after ${timeoutSeconds} s (${statuses.join(", ") || "no allocation"})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function runStep(step: RestoreStep, driver: Driver, captured: Record<string, string>): Promise<void> {
  switch (step.kind) {
    case "docker": {
      const result = spawnSync("docker", step.args, { stdio: "inherit" });
      if (result.status !== 0) throw new Error(`docker ${step.args.join(" ")} exited ${result.status}`);
      return;
    }
    case "copy":
      return copyBetween(step);
    case "cypher": {
      const statement = fillCaptured(step.statement, captured);
      const result = await driver.executeQuery(statement, step.parameters ?? {}, { database: "system" });
      if (step.capture) {
        if (result.records.length !== 1)
          throw new Error(step.captureMissing ?? `expected one row from: ${statement}`);
        captured[step.capture] = String(result.records[0].get(0));
        console.log(`       ${step.capture} = ${captured[step.capture]}`);
      }
      if (step.report)
        for (const record of result.records) console.log(`       ${JSON.stringify(record.toObject())}`);
      return;
    }
    case "wait-online":
      return waitOnline(driver, step.database, step.timeoutSeconds);
    case "cypher-file": {
      const found = spawnSync("docker", ["exec", step.container, "cat", step.path], { encoding: "utf8" });
      if (found.status !== 0) {
        console.log(`       no ${step.path}: the backup carried no users or roles to recreate`);
        return;
      }
      for (const statement of splitCypherScript(found.stdout))
        await driver.executeQuery(statement, step.parameters, { database: "system" });
      return;
    }
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return answer.trim().toLowerCase() === "yes";
}

export async function main(argv: string[]): Promise<number> {
  const options = parseCliArgs(argv);
  const plan: RestorePlan = planRestore({
    database: options.database,
    runner: options.runner,
    members: options.members,
    artifacts: listArtifacts(options.runner, options.database, options.source),
    neo4jVersion: options.neo4jVersion,
    artifact: options.artifact,
    seeder: options.seeder,
    method: options.method,
    source: options.source,
  });
  console.log(describePlan(plan));
  if (options.dryRun) return 0;
  const password = process.env.NEO4J_PASSWORD;
  if (!password)
    throw new Error("set NEO4J_PASSWORD (and NEO4J_USERNAME, default neo4j) to the admin credentials");
  if (
    !options.yes &&
    !(await confirm(`This replaces the current contents of ${plan.database}. Type "yes" to go on: `))
  )
    return 1;

  const target = boltTarget(
    options.bolt,
    options.caFile === undefined ? undefined : fs.readFileSync(options.caFile, "utf8"),
  );
  const driver = neo4j.driver(
    target.uri,
    neo4j.auth.basic(process.env.NEO4J_USERNAME ?? "neo4j", password),
    target.config,
  );
  const captured: Record<string, string> = {};
  try {
    for (const [i, step] of plan.steps.entries()) {
      console.log(`[${i + 1}/${plan.steps.length}] ${step.title}`);
      await runStep(step, driver, captured);
    }
  } finally {
    await driver.close();
  }
  console.log(`Restored ${plan.database} from ${plan.artifact}.`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`neo4j-estate-restore: ${error.message}`);
      process.exit(1);
    },
  );
}
