/**
 * Validation and rendering for BackupVolume, with no Pulumi in it: the plain arguments and what the
 * cluster says about itself go in; a spec, the runner's configuration file, the neo4j-admin options
 * and the health check come out, or an InputError naming the field.
 */
import {
  Checks,
  STOP_GRACE_SECONDS,
  argChecks,
  formatDuration,
  isDeferred,
  orDefault,
  shown,
} from "../neo4j/checks";
import { checkContainerArgs } from "../neo4j/container-args";
import {
  RestartPolicy,
  databaseNameProblem,
  dockerObjectNameProblem,
  resourceNameProblem,
} from "../neo4j/names";
import { Schedule, parseSchedule, schedulePeriod } from "./schedule";
import { TlsFile, policySettings, scopeFiles } from "../neo4j/tls";
import { NEO4J_UID } from "../neo4j/container";
import { DockerHealthcheck, dockerHealthcheck } from "../common/docker-health";
import { OffsiteShapeArgs, OffsiteSpec, offsiteConfig, offsiteWarnings, planOffsite } from "./offsite";

export const BACKUP_VOLUME_COMPONENT = "BackupVolume";

/** Where things live inside the runner container. */
export const RUNNER_PATHS = {
  /**
   * The backup root: every database's artifacts side by side, as `neo4j-admin database backup "*"`
   * writes them (`<database>-<time>.backup`), where it also finds the chains to continue.
   */
  backups: "/backups",
  script: "/opt/neo4j-backup/runner.sh",
  config: "/opt/neo4j-backup/config.sh",
  /** Runner state inside the backup root, so it travels with the backups. */
  state: "/backups/.runner",
  /** With backup TLS: the runner's client certificate, key and the authority, under `backup/`. */
  tlsDir: "/opt/neo4j-backup/tls",
  /** With backup TLS: neo4j-admin's extra configuration, the backup SSL policy. */
  adminConfig: "/opt/neo4j-backup/neo4j-admin.conf",
  /** Every run's outcome, as JSON. */
  status: "/backups/.runner/status.json",
  /** One logfmt line per database per run. */
  runLog: "/backups/.runner/runs.log",
} as const;

export const DEFAULTS = {
  schedule: "1h",
  chainLength: 24,
  retentionChains: 7,
  stopGracePeriodSeconds: 600,
} as const;

export type Retention = { kind: "chains"; count: number } | { kind: "days"; count: number };

/** What BackupVolume needs to know about the cluster, all of it known at construction. */
export interface ClusterFacts {
  edition: "enterprise" | "community";
  onlineBackup: boolean;
  image: string;
  neo4jVersion: string;
  /** Whether the members accept backups only over mutual TLS (Neo4jCluster's tls.backup). */
  backupTls?: boolean;
}

/** The plain (non-Output) arguments of BackupVolume. */
export interface BackupShapeArgs {
  /**
   * When to back up: an interval (`30m`, `6h`, `1d`, `1h30m`; at least 1m) or a five-field cron
   * expression evaluated in UTC (`0 3 * * *`, `@daily`). Default `1h`.
   */
  schedule?: string;
  /**
   * The databases to back up. Default: every database the cluster has at each run (`neo4j-admin
   * database backup "*"`, `system` included), so databases created later are backed up too.
   */
  databases?: string[];
  /** Backups per chain: one full, then `chainLength - 1` differentials, then a new chain. Default 24. */
  chainLength?: number;
  /**
   * What to keep, per database: the newest `chains` backup chains, or the chains with a backup in the
   * last `days` days. Exactly one. The newest chain is always kept. Default `{ chains: 7 }`.
   */
  retention?: { chains?: number; days?: number };
  /** A host directory (absolute) to keep backups in, for copies off the host. Default: a named Docker volume. */
  hostPath?: string;
  /** The named Docker volume's name, when hostPath is not set. Default `<name>-data`. */
  volumeName?: string;
  /** Take one backup as soon as the runner starts (at deploy), before the first scheduled one. Default true. */
  backupAtStart?: boolean;
  /** Page cache for neo4j-admin during a backup (`--pagecache`), like `512m`. Default: neo4j-admin's. */
  pageCacheSize?: string;
  /** JVM heap for neo4j-admin (`HEAP_SIZE`), like `1g`. Default: the JVM's choice. */
  heapSize?: string;
  /**
   * How long the runner may take to stop, in seconds, when Pulumi replaces or removes it or Docker
   * stops it. A run in progress finishes the database it is backing up, then the runner exits and
   * the rest of the run is abandoned (it shows as an attempt without a result); a backup still going
   * after this long is killed and what it wrote is never recorded. Default 600; 10 to 86400.
   */
  stopGracePeriodSeconds?: number;
  /** BackupVolumeArgs documents it; here it is only checked when it is a plain string. */
  pushgatewayUrl?: unknown;
  /** BackupVolumeArgs documents it: the Neo4jCluster to back up. */
  cluster?: unknown;
  /** Restart policy for the runner. Default `unless-stopped`. */
  restart?: RestartPolicy;
  /** Extra labels on the runner and the volume. Keys starting with `neo4j-estate.` are the component's own. */
  labels?: Record<string, string>;
  /**
   * Copy each completed artifact to an S3-compatible bucket, apply the same retention there, and
   * let the restore take artifacts from it. Credentials are Pulumi secrets delivered to the runner
   * as files. Default: no copy off the host.
   */
  offsite?: OffsiteShapeArgs;
}

/** Every key BackupVolume takes; the compiler keeps it complete, and unknown keys are refused as typos. */
export const BACKUP_ARG_KEYS = Object.keys({
  cluster: true,
  schedule: true,
  databases: true,
  chainLength: true,
  retention: true,
  hostPath: true,
  volumeName: true,
  backupAtStart: true,
  pageCacheSize: true,
  heapSize: true,
  stopGracePeriodSeconds: true,
  pushgatewayUrl: true,
  restart: true,
  labels: true,
  offsite: true,
} satisfies Record<keyof BackupShapeArgs, true>);

/** Arguments that may be Pulumi outputs (or, for the cluster, a resource); every other one must be plain. */
const NOT_PLAIN_KEYS = ["cluster", "pushgatewayUrl"];

/**
 * Checks every argument of a BackupVolume named `name` against each other and against the
 * cluster (`undefined` when none was given): throws an InputError naming the field on the first
 * problem, returns the plan and the warnings (legal but likely mistakes) to log. The component
 * calls it before `super()`, Neo4jEnterprise before it registers any part.
 */
export function validateBackupArgs(
  name: string,
  args: unknown,
  cluster: ClusterFacts | undefined,
): { spec: BackupSpec; warnings: string[] } {
  const check = argChecks(BACKUP_VOLUME_COMPONENT, name);
  const given = check.args<BackupShapeArgs>(args, BACKUP_ARG_KEYS, NOT_PLAIN_KEYS, "{ cluster }");
  if (!cluster)
    throw check.fail(
      "cluster",
      `is required: pass the Neo4jCluster to back up (got ${shown(given.cluster)})`,
    );
  const spec = planBackup(name, given, cluster);
  const warnings: string[] = spec.offsite ? offsiteWarnings(BACKUP_VOLUME_COMPONENT, name, spec.offsite) : [];
  if (given.pushgatewayUrl !== undefined && !isDeferred(given.pushgatewayUrl))
    checkPushgatewayUrl(name, given.pushgatewayUrl);
  checkContainerArgs(check, given);

  if (spec.retention.kind === "days" && spec.retention.count * 86400 < spec.periodSeconds)
    warnings.push(
      `${BACKUP_VOLUME_COMPONENT} "${name}": retention.days is ${spec.retention.count}, shorter than the ${formatDuration(spec.periodSeconds * 1000)} between backups, so only the newest chain is ever kept; keep at least one period's worth of days`,
    );
  return { spec, warnings };
}

/** Checks a Pushgateway address, plain or once an output resolves. */
export function checkPushgatewayUrl(name: string, url: unknown): string {
  const problem =
    typeof url === "string"
      ? pushgatewayUrlProblem(url)
      : `must be a URL such as http://monitoring-pushgateway:9091 (got ${shown(url)})`;
  if (problem) throw argChecks(BACKUP_VOLUME_COMPONENT, name).fail("pushgatewayUrl", problem);
  return url as string;
}

export interface BackupSpec {
  name: string;
  /** The runner container's name; also the Pushgateway `instance`. */
  runnerName: string;
  /** A named Docker volume, unless hostPath is set. */
  volumeName?: string;
  hostPath?: string;
  schedule: Schedule;
  /** The longest time between two scheduled runs. */
  periodSeconds: number;
  /** The health check fails once the last good run is older than this: twice the period. */
  maxAgeSeconds: number;
  /** Explicit databases, or undefined for every database the cluster has (`"*"`) at each run. */
  databases?: string[];
  chainLength: number;
  retention: Retention;
  backupAtStart: boolean;
  pageCacheSize?: string;
  heapSize?: string;
  stopGracePeriodSeconds: number;
  /** The bucket each artifact is copied to; undefined when backups stay on the host. */
  offsite?: OffsiteSpec;
  /** Back up over mutual TLS, with the cluster's client certificate for the runner. */
  tls: boolean;
}

const PUSHGATEWAY_URL = /^http:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/;

/** Checks a Pushgateway address; returns the problem, or undefined when it is fine. */
export function pushgatewayUrlProblem(url: string): string | undefined {
  if (url.startsWith("https://"))
    return `must be plain http: the runner pushes with bash alone, which speaks no TLS (got ${JSON.stringify(url)})`;
  if (!PUSHGATEWAY_URL.test(url))
    return `must look like http://monitoring-pushgateway:9091, a host and port with no path (got ${JSON.stringify(url)})`;
  return undefined;
}

/**
 * Checks the arguments against each other and against the cluster, and plans the runner. Throws an
 * InputError naming the field on the first problem.
 */
export function planBackup(name: string, args: BackupShapeArgs, cluster: ClusterFacts): BackupSpec {
  const check = argChecks(BACKUP_VOLUME_COMPONENT, name);
  const fail = check.fail;

  const nameProblem = resourceNameProblem(name);
  if (nameProblem) throw fail("name", nameProblem);
  if (cluster.edition !== "enterprise")
    throw fail(
      "cluster",
      `runs the Community image ${cluster.image}: online backup is an Enterprise feature. Back up a Community server offline with neo4j-admin database dump/load (see docs/backup.md)`,
    );
  if (!cluster.onlineBackup)
    throw fail(
      "cluster",
      "has onlineBackup set to false, so its members accept no backups from other containers: leave Neo4jCluster's onlineBackup at its default (true)",
    );

  const scheduleText = check.text("schedule", args.schedule ?? DEFAULTS.schedule, '"1h" or "0 3 * * *"');
  let schedule: Schedule;
  let periodSeconds: number;
  try {
    schedule = parseSchedule(scheduleText);
    periodSeconds = schedulePeriod(schedule);
  } catch (e) {
    throw fail("schedule", (e as Error).message);
  }

  let databases: string[] | undefined;
  if (args.databases !== undefined) {
    check.list("databases", args.databases, 'database names, such as ["neo4j"]');
    if (args.databases.length === 0)
      throw fail("databases", "must name at least one database, or be left out to back up every database");
    for (const db of args.databases)
      if (databaseNameProblem(db))
        throw fail(
          "databases",
          `entry ${shown(db)} is not a Neo4j database name (3-63 lowercase letters, digits, dots or dashes, starting with a letter); globs are not accepted because each database gets its own folder`,
        );
    if (new Set(args.databases).size !== args.databases.length)
      throw fail("databases", `names a database twice (${args.databases.join(", ")})`);
    databases = [...args.databases];
  }

  const chainLength = check.wholeNumber("chainLength", args.chainLength ?? DEFAULTS.chainLength, {
    min: 1,
    max: 1000,
  });

  const retention = planRetention(args.retention, check);

  let hostPath: string | undefined;
  let volumeName: string | undefined;
  if (args.hostPath !== undefined) {
    if (args.volumeName !== undefined)
      throw fail("volumeName", "cannot be set together with hostPath: choose one");
    hostPath = check.hostDirectory("hostPath", args.hostPath);
  } else {
    volumeName = args.volumeName ?? `${name}-data`;
    const problem = dockerObjectNameProblem(volumeName);
    if (problem) throw fail("volumeName", problem);
  }

  for (const field of ["pageCacheSize", "heapSize"] as const)
    if (args[field] !== undefined) check.size(field, args[field]);
  const stopGracePeriodSeconds = orDefault(
    args.stopGracePeriodSeconds,
    DEFAULTS.stopGracePeriodSeconds,
    (v) => check.wholeNumber("stopGracePeriodSeconds", v, STOP_GRACE_SECONDS),
  );

  return {
    name,
    runnerName: `${name}-runner`,
    volumeName,
    hostPath,
    schedule,
    periodSeconds,
    maxAgeSeconds: 2 * periodSeconds,
    databases,
    chainLength,
    retention,
    backupAtStart: orDefault(args.backupAtStart, true, (v) => check.boolean("backupAtStart", v)),
    pageCacheSize: args.pageCacheSize,
    heapSize: args.heapSize,
    stopGracePeriodSeconds,
    offsite: args.offsite === undefined ? undefined : planOffsite(name, args.offsite, check),
    tls: cluster.backupTls ?? false,
  };
}

function planRetention(retention: BackupShapeArgs["retention"], check: Checks): Retention {
  if (retention === undefined) return { kind: "chains", count: DEFAULTS.retentionChains };
  const { chains, days } = check.object<NonNullable<BackupShapeArgs["retention"]>>(
    "retention",
    retention,
    ["chains", "days"],
    "an object such as { chains: 7 } or { days: 30 }",
  );
  if ((chains === undefined) === (days === undefined))
    throw check.fail(
      "retention",
      "must set exactly one of chains (keep the last N backup chains) or days (keep N days)",
    );
  const kind = chains !== undefined ? "chains" : "days";
  const count = check.wholeNumber(`retention.${kind}`, chains ?? days, { min: 1, max: 10000 });
  return { kind, count };
}

/**
 * The neo4j-admin options every backup run shares (Neo4j 5 syntax): `--from` lists every member so
 * the backup succeeds while any one is up, `--compress=true` asks for a compressed artifact. The
 * runner adds `--to-path`, `--type` and `"*"` (or the named databases) per run. `--include-metadata` is left at
 * its default (`all` for user databases) because it cannot be given for `system`.
 */
export function backupOptions(spec: BackupSpec, backupEndpoints: string[]): string[] {
  if (backupEndpoints.length === 0)
    throw new Error(`${BACKUP_VOLUME_COMPONENT} "${spec.name}": the cluster lists no backup endpoints`);
  const options = [`--from=${backupEndpoints.join(",")}`, "--compress=true"];
  if (spec.pageCacheSize !== undefined) options.push(`--pagecache=${spec.pageCacheSize}`);
  // neo4j-admin reads the backup SSL policy, as a client, from configuration: ours adds it.
  if (spec.tls) options.push(`--additional-config=${RUNNER_PATHS.adminConfig}`);
  return options;
}

/**
 * neo4j-admin's extra configuration with backup TLS: the backup policy, as a client, reading the
 * runner's certificate, key and the estate's authority from RUNNER_PATHS.tlsDir. Members ask for
 * the certificate (client_auth REQUIRE); the runner checks theirs names the member it dialled.
 */
export function renderAdminConfig(): string {
  return (
    Object.entries(policySettings("backup", RUNNER_PATHS.tlsDir))
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") + "\n"
  );
}

/** The runner's TLS files, with backup TLS. */
export function runnerTlsFiles(): TlsFile[] {
  return scopeFiles("backup", RUNNER_PATHS.tlsDir);
}

/** Quotes a value for bash: single quotes, with embedded single quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What is only known once the cluster's outputs resolve. */
export interface RunnerRuntime {
  backupEndpoints: string[];
  pushgatewayUrl?: string;
}

/** The runner's configuration, a bash file it sources; no secret goes in it. */
export function renderRunnerConfig(spec: BackupSpec, runtime: RunnerRuntime): string {
  const scalar: [string, string | number][] = [
    ["RUNNER_NAME", spec.runnerName],
    ["BACKUP_ROOT", RUNNER_PATHS.backups],
    ["STATE_DIR", RUNNER_PATHS.state],
    ["BACKUP_UID", NEO4J_UID],
    ["SCHEDULE_TEXT", spec.schedule.text],
    ["SCHEDULE_KIND", spec.schedule.kind],
    ["MAX_AGE_SECONDS", spec.maxAgeSeconds],
    ["CHAIN_LENGTH", spec.chainLength],
    ["RETENTION_KIND", spec.retention.kind],
    ["RETENTION_COUNT", spec.retention.count],
    ["BACKUP_AT_START", spec.backupAtStart ? 1 : 0],
    ["DATABASES", (spec.databases ?? []).join(" ")],
    ["PUSHGATEWAY_URL", (runtime.pushgatewayUrl ?? "").replace(/\/$/, "")],
    ...offsiteConfig(spec.offsite),
  ];
  if (spec.schedule.kind === "interval") scalar.push(["INTERVAL_SECONDS", spec.schedule.seconds]);
  else {
    const cron = spec.schedule;
    scalar.push(
      ["CRON_MINUTES", cron.minutes.join(" ")],
      ["CRON_HOURS", cron.hours.join(" ")],
      ["CRON_DAYS_OF_MONTH", cron.daysOfMonth.join(" ")],
      ["CRON_MONTHS", cron.months.join(" ")],
      ["CRON_DAYS_OF_WEEK", cron.daysOfWeek.join(" ")],
      ["CRON_DOM_RESTRICTED", cron.daysOfMonthRestricted ? 1 : 0],
      ["CRON_DOW_RESTRICTED", cron.daysOfWeekRestricted ? 1 : 0],
    );
  }
  const lines = [
    `# Rendered by BackupVolume "${spec.name}"; runner.sh sources it.`,
    ...scalar.map(([k, v]) => `${k}=${shellQuote(String(v))}`),
    `BACKUP_OPTIONS=(${backupOptions(spec, runtime.backupEndpoints).map(shellQuote).join(" ")})`,
  ];
  return lines.join("\n") + "\n";
}

/** The runner's Docker health check: the script's own `health` command, which reads the status file. */
export function runnerHealthcheck(spec: BackupSpec): DockerHealthcheck {
  return dockerHealthcheck({
    tests: ["CMD", "bash", RUNNER_PATHS.script, "health"],
    intervalSeconds: 60,
    timeoutSeconds: 10,
    // The first backup may take a while (a full one, a JVM start per database); health is judged on age, not on start-up.
    startPeriodSeconds: Math.min(spec.maxAgeSeconds, 3600),
    retries: 1,
  });
}
