/**
 * The runner script executed for real with bash, with stand-ins for neo4j-admin and cypher-shell
 * on PATH (tests/unit/backup-fixtures): scheduling, the artifact check, retention, the status
 * file, the health check and the Pushgateway push are our script's logic, so they run here.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { BackupShapeArgs, planBackup, renderRunnerConfig } from "../../components/backup/spec";
import { nextCronFiring, parseCron } from "../../components/backup/schedule";

const SCRIPT = path.resolve(__dirname, "../../components/backup/runner.sh");
const FIXTURES = path.resolve(__dirname, "backup-fixtures");
const CLUSTER = {
  edition: "enterprise" as const,
  onlineBackup: true,
  image: "neo4j:5.23-enterprise",
  neo4jVersion: "5.23",
  defaultDatabase: "neo4j",
};
const PASSWORD = "s3cret-password";

interface Sandbox {
  dir: string;
  backups: string;
  state: string;
  config: string;
  adminLog: string;
  cypherLog: string;
}

const sandboxes: string[] = [];
afterAll(() => sandboxes.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function sandbox(args: BackupShapeArgs = {}, extra: Record<string, string | number> = {}): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-runner-"));
  sandboxes.push(dir);
  fs.chmodSync(dir, 0o755);
  const backups = path.join(dir, "backups");
  const state = path.join(backups, ".runner");
  const passwordFile = path.join(dir, "password");
  fs.writeFileSync(passwordFile, PASSWORD);
  const spec = planBackup("backups", args, CLUSTER);
  const rendered = renderRunnerConfig(spec, {
    backupEndpoints: ["core-1:6362", "core-2:6362", "core-3:6362"],
    boltAddresses: ["core-1:7687", "core-2:7687"],
    adminUsername: "neo4j",
    pushgatewayUrl: typeof args.pushgatewayUrl === "string" ? args.pushgatewayUrl : undefined,
  });
  // The rendered file is used as is; only the paths (and the user, in most tests) point into the sandbox.
  const overrides = {
    BACKUP_ROOT: backups,
    STATE_DIR: state,
    PASSWORD_FILE: passwordFile,
    BACKUP_UID: process.getuid!(),
    ...extra,
  };
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
    backups,
    state,
    config,
    adminLog: path.join(dir, "neo4j-admin.log"),
    cypherLog: path.join(dir, "cypher-shell.log"),
  };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  box: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  timeout = 20000,
): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [SCRIPT, ...args],
      {
        timeout,
        env: {
          PATH: `${FIXTURES}:${process.env.PATH}`,
          RUNNER_CONFIG: box.config,
          FAKE_ADMIN_LOG: box.adminLog,
          FAKE_CYPHER_LOG: box.cypherLog,
          FAKE_EXPECTED_PASSWORD: PASSWORD,
          FAKE_DATABASES: "neo4j neo4j movies system",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const read = (file: string) => fs.readFileSync(file, "utf8");
const artifactsOf = (box: Sandbox, db: string) =>
  fs
    .readdirSync(path.join(box.backups, db))
    .filter((f) => f.endsWith(".backup"))
    .sort();
const catalogOf = (box: Sandbox, db: string) =>
  read(path.join(box.state, "catalog", `${db}.tsv`))
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));

function writeState(box: Sandbox, values: Record<string, number>) {
  fs.mkdirSync(box.state, { recursive: true });
  const lines = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(path.join(box.state, "runner.state"), lines.join("\n") + "\n");
}

beforeAll(() => {
  for (const tool of ["neo4j-admin", "cypher-shell"]) fs.chmodSync(path.join(FIXTURES, tool), 0o755);
});

describe("runner.sh: one run", () => {
  it("backs up every listed database into its own folder with the rendered neo4j-admin options", async () => {
    const box = sandbox();
    const r = await run(box, ["run-once"]);
    expect(r.code).toBe(0);
    for (const db of ["movies", "neo4j", "system"]) expect(artifactsOf(box, db)).toHaveLength(1);
    const calls = read(box.adminLog).trim().split("\n").sort();
    expect(calls).toEqual([
      `database backup --from=core-1:6362,core-2:6362,core-3:6362 --compress=true --to-path=${box.backups}/movies --type=FULL movies`,
      `database backup --from=core-1:6362,core-2:6362,core-3:6362 --compress=true --to-path=${box.backups}/neo4j --type=FULL neo4j`,
      `database backup --from=core-1:6362,core-2:6362,core-3:6362 --compress=true --to-path=${box.backups}/system --type=FULL system`,
    ]);
  });

  it("lists databases with the admin password from the environment, never on the command line", async () => {
    const box = sandbox();
    const r = await run(box, ["databases"]);
    expect(r.stdout.trim().split("\n")).toEqual(["movies", "neo4j", "system"]);
    const calls = read(box.cypherLog);
    expect(calls).toContain("-a bolt://core-1:7687 -d system --format plain");
    expect(calls).toContain("SHOW DATABASES YIELD name, type WHERE type <> 'composite' RETURN name");
    expect(calls).not.toContain(PASSWORD);
  });

  it("falls back to system, the default database and the existing folders when no member answers", async () => {
    const box = sandbox();
    fs.mkdirSync(path.join(box.backups, "movies"));
    const r = await run(box, ["databases"], { FAKE_CYPHER_DOWN: "1" });
    expect(r.stdout.trim().split("\n")).toEqual(["movies", "neo4j", "system"]);
    expect(r.stderr).toContain("could not list databases through core-1:7687 core-2:7687");
    expect(read(box.cypherLog).trim().split("\n")).toHaveLength(2);
  });

  it("backs up only the databases named in the arguments, without asking the cluster", async () => {
    const box = sandbox({ databases: ["neo4j"] });
    expect((await run(box, ["run-once"])).code).toBe(0);
    expect(fs.readdirSync(box.backups).filter((d) => !d.startsWith("."))).toEqual(["neo4j"]);
    expect(fs.existsSync(box.cypherLog)).toBe(false);
  });

  it("counts a run that exits 0 but writes nothing as a failure", async () => {
    const box = sandbox({ databases: ["neo4j", "movies"] });
    const r = await run(box, ["run-once"], { FAKE_ADMIN_MODE_movies: "silent-fail" });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(
      /backup database=movies type=full result=failure size_bytes=0 duration_seconds=\d+ exit_code=0 reason="neo4j-admin exited 0 but wrote no artifact"/,
    );
    expect(r.stdout).toContain("neo4j-admin[movies]: Backup of database 'movies' failed");
    const status = JSON.parse(read(path.join(box.state, "status.json")));
    expect(status.lastResult).toBe("failure");
    expect(status.lastSuccessAt).toBeNull();
    expect(status.databases.movies).toMatchObject({
      lastResult: "failure",
      message: "neo4j-admin exited 0 but wrote no artifact",
    });
    expect(status.databases.neo4j).toMatchObject({ lastResult: "success", lastType: "full" });
  });

  it("counts an artifact written despite exit code 1 (an unreachable member) as a success", async () => {
    const box = sandbox({ databases: ["neo4j"] });
    const r = await run(box, ["run-once"], { FAKE_ADMIN_MODE: "partial" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/database=neo4j type=full result=success size_bytes=\d+ .* exit_code=1/);
    const status = JSON.parse(read(path.join(box.state, "status.json")));
    expect(status.databases.neo4j.message).toContain("neo4j-admin exited 1");
  });

  it("logs database, type, size, duration and result of each backup in runs.log", async () => {
    const box = sandbox({ databases: ["neo4j"] });
    await run(box, ["run-once"]);
    const [artifact] = artifactsOf(box, "neo4j");
    const size = fs.statSync(path.join(box.backups, "neo4j", artifact)).size;
    expect(read(path.join(box.state, "runs.log"))).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ backup database=neo4j type=full result=success size_bytes=${size} duration_seconds=\\d+ artifact=${artifact} exit_code=0\\n$`,
      ),
    );
  });
});

describe("runner.sh: chains and retention", () => {
  it("starts a chain with FULL, continues it with AUTO, and starts the next after chainLength backups", async () => {
    const box = sandbox({ databases: ["neo4j"], chainLength: 3, retention: { chains: 10 } });
    for (let i = 0; i < 5; i++) expect((await run(box, ["run-once"])).code).toBe(0);
    const types = read(box.adminLog)
      .trim()
      .split("\n")
      .map((l) => /--type=(\w+)/.exec(l)![1]);
    expect(types).toEqual(["FULL", "AUTO", "AUTO", "FULL", "AUTO"]);
    expect(catalogOf(box, "neo4j").map((l) => l[1])).toEqual(["full", "diff", "diff", "full", "diff"]);
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
    const dir = path.join(box.backups, "neo4j");
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(box.state, "catalog"), { recursive: true });
    const day = 86400;
    const now = Math.floor(Date.now() / 1000);
    const entries: [number, string, string][] = [
      [now - 30 * day, "full", "old-full.backup"],
      [now - 29 * day, "diff", "old-diff.backup"],
      // The current chain's full is older than the window, but its differentials are not: it stays.
      [now - 20 * day, "full", "kept-full.backup"],
      [now - 2 * day, "diff", "kept-diff.backup"],
    ];
    for (const [, , file] of entries) fs.writeFileSync(path.join(dir, file), "x");
    fs.writeFileSync(path.join(dir, "manual.backup"), "made by hand, not in the catalog");
    fs.writeFileSync(
      path.join(box.state, "catalog", "neo4j.tsv"),
      entries.map(([t, type, file]) => `${t}\t${type}\t${file}\t1`).join("\n") + "\n",
    );
    expect((await run(box, ["run-once"])).code).toBe(0);
    const files = artifactsOf(box, "neo4j");
    expect(files).not.toContain("old-full.backup");
    expect(files).not.toContain("old-diff.backup");
    expect(files).toEqual(expect.arrayContaining(["kept-full.backup", "kept-diff.backup", "manual.backup"]));
    expect(
      catalogOf(box, "neo4j")
        .map((l) => l[2])
        .slice(0, 2),
    ).toEqual(["kept-full.backup", "kept-diff.backup"]);
  });

  it("keeps the only chain even when all of it is older than the window", async () => {
    const box = sandbox({ databases: ["neo4j"], retention: { days: 1 } });
    const dir = path.join(box.backups, "neo4j");
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(box.state, "catalog"), { recursive: true });
    const old = Math.floor(Date.now() / 1000) - 10 * 86400;
    fs.writeFileSync(path.join(dir, "only-full.backup"), "x");
    fs.writeFileSync(path.join(box.state, "catalog", "neo4j.tsv"), `${old}\tfull\tonly-full.backup\t1\n`);
    // The next backup fails, so the old chain is still the newest one.
    await run(box, ["run-once"], { FAKE_ADMIN_MODE: "fail" });
    expect(artifactsOf(box, "neo4j")).toEqual(["only-full.backup"]);
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
    expect(read(box.adminLog).trim().split("\n").length).toBeGreaterThanOrEqual(3);
    const status = JSON.parse(read(path.join(box.state, "status.json")));
    expect(status.startedAt).toMatch(/^\d{4}-/);
    expect(status.nextRunAt).toMatch(/^\d{4}-/);
  });
});

describe("runner.sh: stopping", () => {
  it("finishes the backup it is taking when Docker stops it, records it, then exits without starting another", async () => {
    const box = sandbox({ databases: ["movies", "neo4j"], retention: { chains: 100 } });
    const child = execFile("bash", [SCRIPT, "run"], {
      env: {
        PATH: `${FIXTURES}:${process.env.PATH}`,
        RUNNER_CONFIG: box.config,
        FAKE_ADMIN_LOG: box.adminLog,
        FAKE_ADMIN_SECONDS: "2",
      },
    });
    let stdout = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Docker's stop: SIGTERM to the runner (PID 1 in its container) while the first backup runs.
    for (let i = 0; i < 100 && !fs.existsSync(box.adminLog); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(artifactsOf(box, "movies")).toHaveLength(1);
    expect(stdout).toMatch(/backup database=movies type=full result=success/);
    expect(read(box.adminLog).trim().split("\n")).toHaveLength(1);
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
    // Stand-ins and logs must be reachable once the runner is no longer root.
    fs.writeFileSync(box.adminLog, "");
    fs.chmodSync(box.adminLog, 0o666);
    const r = await run(box, ["run-once"]);
    if (process.getuid!() === 0) {
      expect(r.code).toBe(0);
      expect(fs.statSync(box.backups).uid).toBe(7474);
      const [artifact] = artifactsOf(box, "neo4j");
      expect(fs.statSync(path.join(box.backups, "neo4j", artifact)).uid).toBe(7474);
      expect(fs.statSync(path.join(box.state, "status.json")).uid).toBe(7474);
    } else {
      // Not root: nothing to hand over, the runner works as whoever started it.
      expect(r.code).toBe(0);
      expect(fs.statSync(box.backups).uid).toBe(process.getuid!());
    }
  });
});
