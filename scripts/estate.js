#!/usr/bin/env node
/**
 * The main job: `npm run up` deploys the full example (the root Pulumi.yaml) on Pulumi's local file
 * backend, `npm run down` tears it down. Plain JavaScript so it runs on a fresh clone after
 * `npm ci`, with no build step.
 *
 * The prerequisite checks are pure functions of a command runner, so tests drive them with fakes.
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const STACK = "dev";
const DEFAULT_PASSPHRASE = "neo4j-estate-local-only";

/** Runs a command and reports what happened, never throwing. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  return {
    missing: result.error && result.error.code === "ENOENT",
    status: result.status,
    stdout: result.stdout || "",
    stderr: result.stderr || "",
  };
}

/** Problems that stop the main job before anything is deployed, each with how to fix it. */
function checkPrerequisites(runner, env) {
  const problems = [];
  const pulumi = runner("pulumi", ["version"]);
  if (pulumi.missing || pulumi.status !== 0)
    problems.push(
      "The Pulumi CLI is not installed (or not on PATH). Install it: https://www.pulumi.com/docs/install/ " +
        "(Linux/macOS: curl -fsSL https://get.pulumi.com | sh), then open a new shell.",
    );
  const docker = runner("docker", ["info", "--format", "{{.ServerVersion}}"]);
  if (docker.missing)
    problems.push(
      "The Docker CLI is not installed. Install Docker Engine or Docker Desktop: https://docs.docker.com/get-docker/",
    );
  else if (docker.status !== 0)
    problems.push(
      "The Docker daemon is not reachable (docker info failed). Start it (Docker Desktop, or `sudo systemctl start docker`) " +
        "and make sure your user may use it (`docker info` must work).",
    );
  const license = env.NEO4J_ACCEPT_LICENSE_AGREEMENT;
  if (license !== "yes" && license !== "eval")
    problems.push(
      "Neo4j Enterprise needs its license accepted explicitly: run with NEO4J_ACCEPT_LICENSE_AGREEMENT=eval " +
        "(evaluation terms) or =yes (you hold a commercial license)" +
        (license === undefined ? "." : ` (got ${JSON.stringify(license)}).`),
    );
  return problems;
}

/** The environment Pulumi runs with: a file backend inside the project and a passphrase secrets provider. */
function pulumiEnvironment(env, root) {
  const warnings = [];
  const out = { ...env };
  if (!out.PULUMI_BACKEND_URL) out.PULUMI_BACKEND_URL = `file://${path.join(root, ".pulumi-state")}`;
  if (!out.PULUMI_CONFIG_PASSPHRASE && !out.PULUMI_CONFIG_PASSPHRASE_FILE) {
    out.PULUMI_CONFIG_PASSPHRASE = DEFAULT_PASSPHRASE;
    warnings.push(
      `PULUMI_CONFIG_PASSPHRASE is not set: secrets in the local state are encrypted with the well-known passphrase "${DEFAULT_PASSPHRASE}". ` +
        "Fine on a laptop; set your own passphrase before the state holds anything you care about.",
    );
  }
  out.PULUMI_SKIP_UPDATE_CHECK = "true";
  return { env: out, warnings };
}

/** The full example's cluster name (examples/full): its members' data volumes outlive `pulumi destroy`. */
const CLUSTER = "neo4j";

/**
 * `npm run down` means everything: after the destroy, the members' data volumes that Neo4jCluster
 * keeps on purpose (retainDataVolumes) go too. Returns the names removed, or a problem.
 */
function removeKeptDataVolumes(runner) {
  const listed = runner("docker", [
    "volume",
    "ls",
    "--quiet",
    "--filter",
    `label=neo4j-estate.cluster=${CLUSTER}`,
    "--filter",
    "label=neo4j-estate.member",
  ]);
  if (listed.status !== 0)
    return { removed: [], problem: `docker volume ls failed: ${listed.stderr.trim()}` };
  const names = listed.stdout.split("\n").filter((line) => line.trim() !== "");
  if (names.length === 0) return { removed: [] };
  const removed = runner("docker", ["volume", "rm", ...names]);
  if (removed.status !== 0)
    return { removed: [], problem: `docker volume rm ${names.join(" ")} failed: ${removed.stderr.trim()}` };
  return { removed: names };
}

function pulumi(args, env, inherit = true) {
  return run("pulumi", [...args, "--cwd", ROOT], { env, stdio: inherit ? "inherit" : "pipe" });
}

function fail(lines) {
  for (const line of lines) console.error(`error: ${line}`);
  process.exit(1);
}

function main(command) {
  if (command !== "up" && command !== "down") fail([`usage: estate.js up|down (got ${command})`]);
  const problems = checkPrerequisites(
    run,
    command === "up" ? process.env : { ...process.env, NEO4J_ACCEPT_LICENSE_AGREEMENT: "eval" },
  );
  if (problems.length) fail(problems);
  const { env, warnings } = pulumiEnvironment(process.env, ROOT);
  for (const w of warnings) console.warn(`warning: ${w}`);
  if (env.PULUMI_BACKEND_URL.startsWith("file://"))
    fs.mkdirSync(env.PULUMI_BACKEND_URL.slice("file://".length), { recursive: true });

  if (
    pulumi(["stack", "select", STACK], env, false).status !== 0 &&
    pulumi(["stack", "init", STACK], env).status !== 0
  )
    fail([`could not select or create the stack "${STACK}" in ${env.PULUMI_BACKEND_URL}`]);

  if (command === "down") {
    const destroyed = pulumi(["destroy", "--yes", "--stack", STACK], env);
    if (destroyed.status !== 0) process.exit(destroyed.status ?? 1);
    const { removed, problem } = removeKeptDataVolumes(run);
    if (problem) fail([problem]);
    if (removed.length > 0) console.log(`Removed the members' data volumes: ${removed.join(", ")}`);
    process.exit(0);
  }
  // The restore command the summary prints runs the built CLI (bin/backup/restore-cli.js).
  if (
    command === "up" &&
    run("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" }).status !== 0
  )
    fail(["npm run build failed: see its output above"]);
  const config = pulumi(
    ["config", "set", "acceptLicenseAgreement", process.env.NEO4J_ACCEPT_LICENSE_AGREEMENT, "--stack", STACK],
    env,
  );
  if (config.status !== 0) fail(["could not set the acceptLicenseAgreement config"]);
  const up = pulumi(["up", "--yes", "--stack", STACK], env);
  if (up.status !== 0)
    fail(["pulumi up failed: see its output above; nothing else was changed by this script"]);
  const outputs = pulumi(["stack", "output", "--json", "--stack", STACK], env, false);
  console.log(summary(outputs.status === 0 ? JSON.parse(outputs.stdout) : {}, env.PULUMI_BACKEND_URL));
}

/** What the user needs after a deploy: where things are, and how to read the secrets without printing them here. */
function summary(outputs, backendUrl) {
  const lines = ["", "Neo4j estate is up."];
  for (const [label, key] of [
    ["Bolt (routing, from this host)", "boltUri"],
    ["Neo4j Browser", "browserUrl"],
    ["Prometheus", "prometheusUrl"],
    ["Grafana", "grafanaUrl"],
    ["Alertmanager", "alertmanagerUrl"],
    ["Backups", "backupLocation"],
  ])
    if (outputs[key] !== undefined) lines.push(`  ${label.padEnd(32)} ${outputs[key]}`);
  if (typeof outputs.restoreCommand === "string")
    lines.push(
      "",
      "Restore a database from the backups (prints every step and asks before it drops anything):",
      `  NEO4J_PASSWORD=<admin password> npm run restore -- ${outputs.restoreCommand.split(" ").slice(1).join(" ")}`,
    );
  lines.push(
    "",
    "Read the passwords (secrets, not printed here):",
    `  PULUMI_BACKEND_URL=${backendUrl} pulumi stack output adminPassword --show-secrets --stack ${STACK}`,
    `  PULUMI_BACKEND_URL=${backendUrl} pulumi stack output grafanaAdminPassword --show-secrets --stack ${STACK}`,
    "",
    "Tear it all down with: npm run down",
  );
  return lines.join("\n");
}

module.exports = {
  checkPrerequisites,
  pulumiEnvironment,
  removeKeptDataVolumes,
  summary,
  DEFAULT_PASSPHRASE,
};

if (require.main === module) main(process.argv[2]);
