/**
 * The runner script executed for real with bash, with a stand-in for neo4j-admin on PATH
 * (tests/unit/backup-fixtures): scheduling, the artifact check, the count of databases, reading
 * backup types back, retention, the status file, the health check and the Pushgateway push are our
 * script's logic, so they run here. Each sandbox gets its own copy of the script and the stand-in,
 * readable by everyone, so the tests do not depend on where the checkout is or who may read it
 * (the ownership test runs them as uid 7474).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { BackupShapeArgs, planBackup, renderRunnerConfig } from "../../components/backup/spec";
import { nextCronFiring, parseCron } from "../../components/backup/schedule";

const SOURCES = {
  "runner.sh": path.resolve(__dirname, "../../components/backup/runner.sh"),
  "neo4j-admin": path.resolve(__dirname, "backup-fixtures/neo4j-admin"),
};
const CLUSTER = {
  edition: "enterprise" as const,
  onlineBackup: true,
  image: "neo4j:5.23-enterprise",
  neo4jVersion: "5.23",
};
const FROM = "--from=core-1:6362,core-2:6362,core-3:6362 --compress=true";

interface Sandbox {
  dir: string;
  bin: string;
  script: string;
  backups: string;
  state: string;
  config: string;
  rendered: string;
  adminLog: string;
}

const sandboxes: string[] = [];
afterAll(() => sandboxes.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function sandbox(args: BackupShapeArgs = {}, extra: Record<string, string | number> = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-runner-"));
  sandboxes.push(dir);
  fs.chmodSync(dir, 0o755);
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin, { mode: 0o755 });
  for (const [name, source] of Object.entries(SOURCES)) {
    fs.copyFileSync(source, path.join(bin, name));
    fs.chmodSync(path.join(bin, name), 0o755);
  }
  const backups = path.join(dir, "backups");
  const state = path.join(backups, ".runner");
  const spec = planBackup("backups", args, CLUSTER);
  const rendered = renderRunnerConfig(spec, {
    backupEndpoints: ["core-1:6362", "core-2:6362", "core-3:6362"],
    pushgatewayUrl: typeof args.pushgatewayUrl === "string" ? args.pushgatewayUrl : undefined,
  });
  // The rendered file is used as is; only the paths (and the user, in most tests) point into the sandbox.
  const overrides = { BACKUP_ROOT: backups, STATE_DIR: state, BACKUP_UID: process.getuid!(), ...extra };
  const config = path.join(dir, "config.sh");
  fs.writeFileSync(
    config,
    rendered +
      Object.entries(overrides)
        .map(([k, v]) => `${k}='${v}'`)
        .join("\n") +
      "\n",
  );
  fs.mkdirSync(backups);
  return {
    dir,
    bin,
    script: path.join(bin, "runner.sh"),
    backups,
    state,
    config,
    rendered,
    adminLog: path.join(dir, "neo4j-admin.log"),
  };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const envOf = (box: Sandbox, env: Record<string, string> = {}) => ({
  PATH: `${box.bin}:${process.env.PATH}`,
  RUNNER_CONFIG: box.config,
  FAKE_ADMIN_LOG: box.adminLog,
  FAKE_DATABASES: "neo4j movies system",
  ...env,
});

function run(
  box: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  timeout = 20000,
): Promise<Result> {
  return new Promise((resolve) => {
    execFile("bash", [box.script, ...args], { timeout, env: envOf(box, env) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const read = (file: string) => fs.readFileSync(file, "utf8");
/** Neo4j's artifact name, `<database>-<time>.backup` (the stand-in adds nanoseconds). */
const ARTIFACT = /^(.+)-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?\.backup$/;
const artifactsOf = (box: Sandbox, db: string) =>
  fs
    .readdirSync(box.backups)
    .filter((f) => f.endsWith(".backup") && (ARTIFACT.exec(f)?.[1] ?? f.split("-")[0]) === db)
    .sort();
const catalogOf = (box: Sandbox, db: string) =>
  read(path.join(box.state, "catalog", `${db}.tsv`))
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
/** The backup calls, without the --inspect-path calls that read the types back. */
const backupCalls = (box: Sandbox) =>
  read(box.adminLog)
    .trim()
    .split("\n")
    .filter((l) => !l.includes("--inspect-path"));
const statusOf = (box: Sandbox) => JSON.parse(read(path.join(box.state, "status.json")));

function writeState(box: Sandbox, values: Record<string, number>) {
  fs.mkdirSync(box.state, { recursive: true });
  const lines = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(path.join(box.state, "runner.state"), lines.join("\n") + "\n");
}

describe("runner.sh: one run", () => {
  it("backs up every database the cluster has with one neo4j-admin call and no credentials", async () => {
    const box = sandbox();
    expect(box.rendered).not.toMatch(/PASSWORD|ADMIN_USERNAME|BOLT/);
    const r = await run(box, ["run-once"]);
    expect(r.code).toBe(0);
    for (const db of ["movies", "neo4j", "system"]) expect(artifactsOf(box, db)).toHaveLength(1);
    expect(backupCalls(box)).toEqual([`database backup ${FROM} --to-path=${box.backups} --type=FULL *`]);
    expect(read(box.adminLog)).toContain(`database backup --inspect-path=${box.backups}`);
    expect(r.stdout).toContain("run finished databases=3 failures=0");
  });

  it("backs up a database created after the last run without anyone listing it", async () => {
    const box = sandbox();
    await run(box, ["run-once"], { FAKE_DATABASES: "neo4j system" });
    expect((await run(box, ["run-once"], { FAKE_DATABASES: "neo4j system sales" })).code).toBe(0);
    expect(artifactsOf(box, "sales")).toHaveLength(1);
    expect(statusOf(box).databases.sales).toMatchObject({ lastResult: "success", lastType: "full" });
  });

  it("counts a run that backs up fewer databases than before as a failure, until the missing one is forgotten", async () => {
    const box = sandbox();
    expect((await run(box, ["run-once"])).code).toBe(0);
    // movies's members are unreachable, or it was dropped: neo4j-admin no longer names it.
    const r = await run(box, ["run-once"], { FAKE_DATABASES: "neo4j system" });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /backup database=movies result=failure .*reason="not backed up: neo4j-admin did not name it/,
    );
    expect(statusOf(box)).toMatchObject({
      lastResult: "failure",
      databases: { movies: { lastResult: "failure" } },
    });
    expect((await run(box, ["databases"])).stdout.trim().split("\n")).toEqual(["movies", "neo4j", "system"]);

    const forgot = await run(box, ["forget", "movies"]);
    expect(forgot.stdout).toContain("forgot database=movies");
    expect((await run(box, ["run-once"], { FAKE_DATABASES: "neo4j system" })).code).toBe(0);
    expect(artifactsOf(box, "movies")).toHaveLength(1);
    expect(statusOf(box).databases).not.toHaveProperty("movies");
  });

  it("counts a database neo4j-admin started but wrote nothing for as a failure, even on its first run and exit code 0", async () => {
    const box = sandbox();
    const r = await run(box, ["run-once"], { FAKE_ADMIN_MODE_movies: "silent-fail" });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /backup database=movies result=failure size_bytes=0 duration_seconds=\d+ exit_code=0 reason="neo4j-admin exited 0 but wrote no artifact"/,
    );
    expect(r.stdout).toContain("neo4j-admin: Backup of database 'movies' failed");
    const status = statusOf(box);
    expect(status.lastResult).toBe("failure");
    expect(status.lastSuccessAt).toBeNull();
    expect(status.databases.movies).toMatchObject({
      lastResult: "failure",
      message: "neo4j-admin exited 0 but wrote no artifact",
    });
    expect(status.databases.neo4j).toMatchObject({ lastResult: "success", lastType: "full" });
  });

  it("fails a run in which neo4j-admin names no database at all", async () => {
    const box = sandbox();
    const r = await run(box, ["run-once"], { FAKE_DATABASES: "" });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("no database was backed up");
  });

  it("counts an artifact written despite exit code 1 (an unreachable member) as a success", async () => {
    const box = sandbox({ databases: ["neo4j"] });
    const r = await run(box, ["run-once"], { FAKE_ADMIN_MODE: "partial" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/database=neo4j type=full result=success size_bytes=\d+ .* exit_code=1/);
    expect(statusOf(box).databases.neo4j.message).toContain("neo4j-admin exited 1");
  });

  it("backs up only the databases named in the arguments", async () => {
    const box = sandbox({ databases: ["neo4j", "movies"] });
    expect((await run(box, ["run-once"])).code).toBe(0);
    expect(backupCalls(box)).toEqual([
      `database backup ${FROM} --to-path=${box.backups} --type=FULL neo4j movies`,
    ]);
    expect(artifactsOf(box, "system")).toEqual([]);
  });

  it("logs database, type, size, duration and result of each backup in runs.log", async () => {
    const box = sandbox({ databases: ["neo4j"] });
    await run(box, ["run-once"]);
    const [artifact] = artifactsOf(box, "neo4j");
    const size = fs.statSync(path.join(box.backups, artifact)).size;
    expect(read(path.join(box.state, "runs.log"))).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ backup database=neo4j type=full result=success size_bytes=${size} duration_seconds=\\d+ artifact=${artifact} exit_code=0\\n$`,
      ),
    );
  });
});

describe("runner.sh: chains, types and retention", () => {
  it("starts chains with FULL, continues them with AUTO, and starts the next after chainLength backups", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 3, retention: { chains: 10 } });
    for (let i = 0; i < 5; i++) expect((await run(box, ["run-once"])).code).toBe(0);
    const types = backupCalls(box).map((l) => /--type=(\w+)/.exec(l)![1]);
    expect(types).toEqual(["FULL", "AUTO", "AUTO", "FULL", "AUTO"]);
    expect(catalogOf(box, "neo4j").map((l) => l[1])).toEqual(["full", "diff", "diff", "full", "diff"]);
  });

  it("records the type neo4j-admin really wrote: an AUTO that fell back to a full backup starts a chain", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 10, retention: { chains: 1 } });
    await run(box, ["run-once"]);
    await run(box, ["run-once"]);
    const r = await run(box, ["run-once"], { FAKE_ADMIN_MODE: "auto-full" });
    expect(r.stdout).toMatch(/database=neo4j type=full result=success/);
    expect(statusOf(box).databases.neo4j.lastType).toBe("full");
    // With one chain kept, the first chain (full, diff) goes now that a new full exists.
    expect(catalogOf(box, "neo4j").map((l) => l[1])).toEqual(["full"]);
    expect(artifactsOf(box, "neo4j")).toHaveLength(1);
  });

  it("keeps a backup whose type cannot be read back with the chain before it, and says so", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 10, retention: { chains: 1 } });
    await run(box, ["run-once"]);
    const r = await run(box, ["run-once"], { FAKE_INSPECT: "fail" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/database=neo4j type=unknown result=success/);
    expect(statusOf(box).databases.neo4j.message).toContain("type unknown");
    expect(catalogOf(box, "neo4j").map((l) => l[1])).toEqual(["full", "unknown"]);
    expect(artifactsOf(box, "neo4j")).toHaveLength(2);
  });

  it("keeps the newest N chains whole and deletes older chains entirely", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 2, retention: { chains: 2 } });
    for (let i = 0; i < 7; i++) await run(box, ["run-once"]);
    // Chains: [1,2] [3,4] [5,6] [7]: the newest two are [5,6] and [7].
    const catalog = catalogOf(box, "neo4j");
    expect(catalog.map((l) => l[1])).toEqual(["full", "diff", "full"]);
    expect(artifactsOf(box, "neo4j")).toEqual(catalog.map((l) => l[2]).sort());
    expect(read(path.join(box.state, "runs.log"))).toMatch(
      /retention database=neo4j deleted=neo4j-\S+ type=full/,
    );
  });

  it("keeps chains with a backup in the last N days, never the newest full a differential needs", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 100, retention: { days: 7 } });
    fs.mkdirSync(path.join(box.state, "catalog"), { recursive: true });
    const day = 86400;
    const now = Math.floor(Date.now() / 1000);
    const entries: [number, string, string][] = [
      [now - 30 * day, "full", "neo4j-2026-01-01T00-00-00.backup"],
      [now - 29 * day, "diff", "neo4j-2026-01-02T00-00-00.backup"],
      // The current chain's full is older than the window, but its differentials are not: it stays.
      [now - 20 * day, "full", "neo4j-2026-01-11T00-00-00.backup"],
      [now - 2 * day, "diff", "neo4j-2026-01-29T00-00-00.backup"],
    ];
    for (const [, type, file] of entries) fs.writeFileSync(path.join(box.backups, file), `neo4j ${type}\n`);
    fs.writeFileSync(path.join(box.backups, "neo4j-2025-12-01T00-00-00.backup"), "neo4j full\n");
    fs.writeFileSync(
      path.join(box.state, "catalog", "neo4j.tsv"),
      entries.map(([t, type, file]) => `${t}\t${type}\t${file}\t1`).join("\n") + "\n",
    );
    expect((await run(box, ["run-once"])).code).toBe(0);
    const files = artifactsOf(box, "neo4j");
    expect(files).not.toContain("neo4j-2026-01-01T00-00-00.backup");
    expect(files).not.toContain("neo4j-2026-01-02T00-00-00.backup");
    // Made by hand, not in the catalog: never deleted.
    expect(files).toEqual(
      expect.arrayContaining([
        "neo4j-2025-12-01T00-00-00.backup",
        "neo4j-2026-01-11T00-00-00.backup",
        "neo4j-2026-01-29T00-00-00.backup",
      ]),
    );
  });

  it("keeps the only chain even when all of it is older than the window", async () => {
    const box = sandbox({ databases: ["neo4j"], retention: { days: 1 } });
    fs.mkdirSync(path.join(box.state, "catalog"), { recursive: true });
    const old = Math.floor(Date.now() / 1000) - 10 * 86400;
    const only = "neo4j-2026-01-01T00-00-00.backup";
    fs.writeFileSync(path.join(box.backups, only), "neo4j full\n");
    fs.writeFileSync(path.join(box.state, "catalog", "neo4j.tsv"), `${old}\tfull\t${only}\t1\n`);
    // The next backup fails, so the old chain is still the newest one.
    await run(box, ["run-once"], { FAKE_ADMIN_MODE: "fail" });
    expect(artifactsOf(box, "neo4j")).toEqual([only]);
  });

  it("moves an earlier version's per-database folders next to the new artifacts and continues their chains", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 10 });
    const legacy = path.join(box.backups, "neo4j");
    fs.mkdirSync(legacy);
    fs.mkdirSync(path.join(box.state, "catalog"), { recursive: true });
    const full = "neo4j-2026-01-01T00-00-00.backup";
    fs.writeFileSync(path.join(legacy, full), "neo4j full\n");
    const taken = Math.floor(Date.now() / 1000) - 3600;
    fs.writeFileSync(path.join(box.state, "catalog", "neo4j.tsv"), `${taken}\tfull\t${full}\t11\n`);
    expect((await run(box, ["run-once"])).code).toBe(0);
    expect(fs.existsSync(legacy)).toBe(false);
    expect(artifactsOf(box, "neo4j")[0]).toBe(full);
    expect(backupCalls(box)[0]).toContain("--type=AUTO");
    expect(catalogOf(box, "neo4j").map((l) => l[1])).toEqual(["full", "diff"]);
  });
});

describe("runner.sh: schedule", () => {
  it("plans the next interval run one interval after the last", async () => {
    const box = sandbox({ schedule: "6h" });
    expect((await run(box, ["next-run", "1000000"])).stdout.trim()).toBe(String(1000000 + 6 * 3600));
  });

  it.each(["0 3 * * *", "*/15 9-17 * * mon-fri", "30 2 1,15 * sun", "0 0 29 2 *", "@hourly"])(
    "computes the same next cron run as the TypeScript core for %s",
    async (expression) => {
      const box = sandbox({ schedule: expression });
      const cron = parseCron(expression);
      for (const after of [Date.UTC(2026, 0, 1, 0, 0) / 1000, Date.UTC(2026, 1, 27, 23, 59, 30) / 1000]) {
        const r = await run(box, ["next-run", String(after)]);
        expect(Number(r.stdout.trim())).toBe(nextCronFiring(cron, after));
      }
    },
  );

  it("runs at start and then on its schedule until stopped", async () => {
    const box = sandbox({ databases: ["neo4j"], retention: { chains: 100 } }, { INTERVAL_SECONDS: 1 });
    const r = await run(box, ["run"], {}, 3500);
    expect(r.stdout).toContain('runner started schedule="1h"');
    expect(backupCalls(box).length).toBeGreaterThanOrEqual(2);
    const status = statusOf(box);
    expect(status.startedAt).toMatch(/^\d{4}-/);
    expect(status.nextRunAt).toMatch(/^\d{4}-/);
  });
});

describe("runner.sh: stopping", () => {
  it("finishes the backup it is taking when Docker stops it, records it, then exits without starting another", async () => {
    const box = sandbox({ databases: ["movies", "neo4j"], retention: { chains: 100 } });
    const child = execFile("bash", [box.script, "run"], { env: envOf(box, { FAKE_ADMIN_SECONDS: "2" }) });
    let stdout = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Docker's stop: SIGTERM to the runner (PID 1 in its container) while the backup runs.
    for (let i = 0; i < 100 && !fs.existsSync(box.adminLog); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(artifactsOf(box, "movies")).toHaveLength(1);
    expect(artifactsOf(box, "neo4j")).toHaveLength(1);
    expect(stdout).toMatch(/backup database=movies type=full result=success/);
    expect(backupCalls(box)).toHaveLength(1);
    expect(stdout).toContain("stopping");
  });
});

describe("runner.sh: health", () => {
  const now = () => Math.floor(Date.now() / 1000);

  it("is healthy while the last good run is younger than twice the schedule", async () => {
    const box = sandbox({ schedule: "1h" });
    writeState(box, { started_at: now() - 9000, last_success_at: now() - 7000 });
    const r = await run(box, ["health"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^healthy: last good backup \d+s ago/);
  });

  it("turns unhealthy once the last good run is older than twice the schedule", async () => {
    const box = sandbox({ schedule: "1h" });
    writeState(box, { started_at: now() - 9000, last_success_at: now() - 7300 });
    const r = await run(box, ["health"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("more than twice the schedule (7200s)");
  });

  it("allows a new runner twice the schedule for its first good run, and no more", async () => {
    const box = sandbox({ schedule: "0 3 * * *" });
    writeState(box, { started_at: now() - 3600 });
    expect((await run(box, ["health"])).code).toBe(0);
    writeState(box, { started_at: now() - 2 * 86400 - 60 });
    const r = await run(box, ["health"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("no good backup since the runner started");
  });

  it("is unhealthy when the runner never wrote its state", async () => {
    const box = sandbox();
    const r = await run(box, ["health"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("has the runner started?");
  });
});

describe("runner.sh: Pushgateway", () => {
  it("PUTs the four metrics per database to its own job and instance, with bash alone", async () => {
    const received: { method?: string; url?: string; type?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ method: req.method, url: req.url, type: req.headers["content-type"], body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const box = sandbox({ databases: ["neo4j", "movies"], pushgatewayUrl: `http://127.0.0.1:${port}` });
      const r = await run(box, ["run-once"], { FAKE_ADMIN_MODE_movies: "silent-fail" });
      expect(r.stdout).toContain(`metrics pushed to http://127.0.0.1:${port}`);
      expect(received).toHaveLength(1);
      const [push] = received;
      expect(push.method).toBe("PUT");
      expect(push.url).toBe("/metrics/job/neo4j_backup/instance/backups-runner");
      expect(push.type).toBe("text/plain; version=0.0.4");
      const samples = push.body.split("\n").filter((l) => l && !l.startsWith("#"));
      const value = (metric: string, db: string) =>
        samples.find((l) => l.startsWith(`${metric}{database="${db}"} `))?.split(" ")[1];
      const t = Math.floor(Date.now() / 1000);
      expect(
        Math.abs(Number(value("neo4j_backup_last_success_timestamp_seconds", "neo4j")) - t),
      ).toBeLessThan(30);
      expect(value("neo4j_backup_last_success_timestamp_seconds", "movies")).toBeUndefined();
      expect(
        Math.abs(Number(value("neo4j_backup_last_attempt_timestamp_seconds", "movies")) - t),
      ).toBeLessThan(30);
      expect(value("neo4j_backup_last_attempt_success", "neo4j")).toBe("1");
      expect(value("neo4j_backup_last_attempt_success", "movies")).toBe("0");
      expect(Number(value("neo4j_backup_last_size_bytes", "neo4j"))).toBeGreaterThan(0);
      expect(value("neo4j_backup_last_size_bytes", "movies")).toBe("0");
      expect(push.body).toContain("# TYPE neo4j_backup_last_attempt_success gauge\n");
      expect(push.body.endsWith("\n")).toBe(true);
    } finally {
      server.close();
    }
  });

  it("logs a warning and still finishes the run when the Pushgateway is unreachable", async () => {
    const box = sandbox({ databases: ["neo4j"], pushgatewayUrl: "http://127.0.0.1:1" });
    const r = await run(box, ["run-once"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("warning: could not push metrics to http://127.0.0.1:1");
  });
});

describe("runner.sh: ownership", () => {
  it("hands the backup root to uid 7474 and writes artifacts as that user when started as root", async () => {
    const box = sandbox({ databases: ["neo4j"] }, { BACKUP_UID: 7474 });
    // The stand-in's log must stay writable once the runner is no longer root.
    fs.writeFileSync(box.adminLog, "");
    fs.chmodSync(box.adminLog, 0o666);
    const r = await run(box, ["run-once"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    if (process.getuid!() === 0) {
      expect(fs.statSync(box.backups).uid).toBe(7474);
      const [artifact] = artifactsOf(box, "neo4j");
      expect(fs.statSync(path.join(box.backups, artifact)).uid).toBe(7474);
      expect(fs.statSync(path.join(box.state, "status.json")).uid).toBe(7474);
    } else {
      // Not root: nothing to hand over, the runner works as whoever started it.
      expect(fs.statSync(box.backups).uid).toBe(process.getuid!());
    }
  });
});
