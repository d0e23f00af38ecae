import {
  ClusterFacts,
  backupOptions,
  planBackup,
  renderRunnerConfig,
  validateBackupArgs,
  runnerHealthcheck,
  shellQuote,
} from "../../components/backup/spec";
import { longestCronGap, nextCronFiring, parseCron, parseSchedule } from "../../components/backup/schedule";

const CLUSTER: ClusterFacts = {
  edition: "enterprise",
  onlineBackup: true,
  image: "neo4j:5.23-enterprise",
  neo4jVersion: "5.23",
};
const ENDPOINTS = ["core-1:6362", "core-2:6362", "core-3:6362"];
const utc = (...a: [number, number, number, number?, number?]) =>
  Date.UTC(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0) / 1000;

describe("schedules", () => {
  it("reads intervals in seconds, minutes, hours, days and combinations", () => {
    expect(parseSchedule("90s")).toMatchObject({ kind: "interval", seconds: 90 });
    expect(parseSchedule("1h30m")).toMatchObject({ kind: "interval", seconds: 5400 });
    expect(parseSchedule("1d")).toMatchObject({ kind: "interval", seconds: 86400 });
    expect(parseSchedule("6h")).toEqual({ kind: "interval", text: "6h", seconds: 21600 });
  });

  it("refuses intervals under a minute and text that is neither interval nor cron", () => {
    expect(() => parseSchedule("30s")).toThrow(
      'at least 60 seconds, since every run starts a JVM for neo4j-admin (got "30s")',
    );
    expect(() => parseSchedule("hourly")).toThrow('like "30m", "6h" or "1d", or a cron expression');
  });

  it("expands cron fields: lists, ranges, steps, names, 7 as Sunday and the @ macros", () => {
    const cron = parseCron("*/20 9-11,14 1,15 jan-mar mon,7");
    expect(cron.minutes).toEqual([0, 20, 40]);
    expect(cron.hours).toEqual([9, 10, 11, 14]);
    expect(cron.daysOfMonth).toEqual([1, 15]);
    expect(cron.months).toEqual([1, 2, 3]);
    expect(cron.daysOfWeek).toEqual([0, 1]);
    expect(parseCron("5/15 * * * *").minutes).toEqual([5, 20, 35, 50]);
    expect(parseCron("@daily")).toMatchObject({ minutes: [0], hours: [0], daysOfMonthRestricted: false });
  });

  it("names the cron field that is wrong", () => {
    expect(() => parseCron("61 * * * *")).toThrow("minute field: 61 is outside 0-59");
    expect(() => parseCron("0 0 * 13 *")).toThrow("month field: 13 is outside 1-12");
    expect(() => parseCron("0 5-2 * * *")).toThrow("hour field: range 5-2 runs backwards");
    expect(() => parseCron("0 0 * *")).toThrow("five fields");
    expect(() => parseCron("*/0 * * * *")).toThrow("step");
  });

  it("finds the next firing strictly after a time, in UTC", () => {
    const daily = parseCron("0 3 * * *");
    expect(nextCronFiring(daily, utc(2026, 5, 1, 2, 59))).toBe(utc(2026, 5, 1, 3, 0));
    expect(nextCronFiring(daily, utc(2026, 5, 1, 3, 0))).toBe(utc(2026, 5, 2, 3, 0));
  });

  it("matches either day field when both are restricted, as cron does", () => {
    // 2026-03-01 is a Sunday; the 13th is a Friday.
    const cron = parseCron("0 0 13 * 0");
    expect(nextCronFiring(cron, utc(2026, 3, 1, 1))).toBe(utc(2026, 3, 8));
    expect(nextCronFiring(cron, utc(2026, 3, 9))).toBe(utc(2026, 3, 13));
  });

  it("measures the longest gap between runs, which the health check doubles", () => {
    expect(longestCronGap(parseCron("0 3 * * *"))).toBe(86400);
    expect(longestCronGap(parseCron("0 9-17 * * mon-fri"))).toBe(64 * 3600);
    expect(longestCronGap(parseCron("*/5 * * * *"))).toBe(300);
    expect(() => longestCronGap(parseCron("0 0 31 2 *"))).toThrow("fires less than once in eight years");
  });
});

describe("planBackup", () => {
  it("defaults to hourly backups of every database, chains of 24, seven chains kept, a named volume", () => {
    const spec = planBackup("backups", {}, CLUSTER);
    expect(spec).toMatchObject({
      runnerName: "backups-runner",
      volumeName: "backups-data",
      hostPath: undefined,
      schedule: { kind: "interval", seconds: 3600 },
      periodSeconds: 3600,
      maxAgeSeconds: 7200,
      databases: undefined,
      chainLength: 24,
      retention: { kind: "chains", count: 7 },
      backupAtStart: true,
    });
  });

  it("allows twice the longest cron gap before the runner is unhealthy", () => {
    expect(planBackup("b", { schedule: "0 3 * * *" }, CLUSTER).maxAgeSeconds).toBe(2 * 86400);
  });

  it("refuses a Community cluster at construction, pointing to dump/load", () => {
    expect(() =>
      planBackup("backups", {}, { ...CLUSTER, edition: "community", image: "neo4j:5.23-community" }),
    ).toThrow(
      'BackupVolume "backups": cluster runs the Community image neo4j:5.23-community: online backup is an Enterprise feature. Back up a Community server offline with neo4j-admin database dump/load',
    );
  });

  it("refuses a cluster with onlineBackup off, naming the field", () => {
    expect(() => planBackup("backups", {}, { ...CLUSTER, onlineBackup: false })).toThrow(
      'BackupVolume "backups": cluster has onlineBackup set to false',
    );
  });

  it.each([
    [
      { schedule: "5s" },
      'schedule must be an interval of at least 60 seconds, since every run starts a JVM for neo4j-admin (got "5s")',
    ],
    [{ schedule: "0 25 * * *" }, "schedule hour field: 25 is outside 0-23"],
    [{ databases: [] }, "databases must name at least one database"],
    [{ databases: ["Neo4j"] }, 'databases entry "Neo4j" is not a Neo4j database name'],
    [{ databases: ["n*"] }, "globs are not accepted"],
    [{ databases: ["neo4j", "neo4j"] }, "databases names a database twice"],
    [{ chainLength: 0 }, "chainLength must be a whole number"],
    [{ retention: {} }, "retention must set exactly one of chains"],
    [{ retention: { chains: 2, days: 3 } }, "retention must set exactly one of chains"],
    [{ retention: { days: 0 } }, "retention.days must be a whole number from 1 to 10000 (got 0)"],
    [{ hostPath: "backups" }, "hostPath must be an absolute host directory"],
    [{ hostPath: "/srv/b", volumeName: "x" }, "volumeName cannot be set together with hostPath"],
    [{ volumeName: "bad name" }, "volumeName must be a Docker object name"],
    [{ pushgatewayUrl: "https://pg:9091" }, "pushgatewayUrl must be plain http"],
    [
      { pushgatewayUrl: "http://pg:9091/metrics" },
      "pushgatewayUrl must look like http://monitoring-pushgateway:9091",
    ],
    [
      { pageCacheSize: "lots" },
      "pageCacheSize must be a memory size: a whole number with a unit k, m or g, such as 512m",
    ],
    [
      { heapSize: "1 g" },
      "heapSize must be a memory size: a whole number with a unit k, m or g, such as 512m",
    ],
  ])("rejects %j with a message naming the field", (args, message) => {
    const error = (() => {
      try {
        validateBackupArgs("backups", args, CLUSTER);
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    })();
    expect(error.startsWith('BackupVolume "backups": ')).toBe(true);
    expect(error).toMatch(new RegExp(message.replace(/[()*]/g, "\\$&")));
  });

  it("rejects a name that cannot prefix Docker names", () => {
    expect(() => planBackup("Backups!", {}, CLUSTER)).toThrow('BackupVolume "Backups!": name must be');
  });

  it("keeps backups in a host directory when asked, without a trailing slash", () => {
    const spec = planBackup("backups", { hostPath: "/srv/neo4j-backups/" }, CLUSTER);
    expect(spec.hostPath).toBe("/srv/neo4j-backups");
    expect(spec.volumeName).toBeUndefined();
  });
});

describe("neo4j-admin options", () => {
  it("lists every member in --from and asks for compression", () => {
    expect(backupOptions(planBackup("b", {}, CLUSTER), ENDPOINTS)).toEqual([
      "--from=core-1:6362,core-2:6362,core-3:6362",
      "--compress=true",
    ]);
  });

  it("passes the page cache size when one is given", () => {
    expect(backupOptions(planBackup("b", { pageCacheSize: "2g" }, CLUSTER), ENDPOINTS)).toContain(
      "--pagecache=2g",
    );
  });

  it("refuses to render without backup endpoints", () => {
    expect(() => backupOptions(planBackup("b", {}, CLUSTER), [])).toThrow(
      "the cluster lists no backup endpoints",
    );
  });
});

describe("runner configuration", () => {
  const runtime = { backupEndpoints: ENDPOINTS };

  it("quotes every value for bash", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("renders interval, retention, chain and options settings the runner sources", () => {
    const config = renderRunnerConfig(
      planBackup(
        "backups",
        { databases: ["neo4j", "movies"], retention: { days: 14 }, chainLength: 6 },
        CLUSTER,
      ),
      { ...runtime, pushgatewayUrl: "http://pg:9091/" },
    );
    for (const line of [
      "RUNNER_NAME='backups-runner'",
      "BACKUP_ROOT='/backups'",
      "BACKUP_UID='7474'",
      "SCHEDULE_KIND='interval'",
      "INTERVAL_SECONDS='3600'",
      "MAX_AGE_SECONDS='7200'",
      "CHAIN_LENGTH='6'",
      "RETENTION_KIND='days'",
      "RETENTION_COUNT='14'",
      "DATABASES='neo4j movies'",
      "PUSHGATEWAY_URL='http://pg:9091'",
      "BACKUP_OPTIONS=('--from=core-1:6362,core-2:6362,core-3:6362' '--compress=true')",
    ])
      expect(config.split("\n")).toContain(line);
    // No credentials: the runner needs none.
    expect(config).not.toMatch(/PASSWORD|USERNAME|BOLT/);
  });

  it("renders cron fields expanded, so bash needs no cron parser", () => {
    const config = renderRunnerConfig(planBackup("backups", { schedule: "0 */6 * * 1-5" }, CLUSTER), runtime);
    expect(config).toContain("CRON_MINUTES='0'\nCRON_HOURS='0 6 12 18'\n");
    expect(config).toContain(
      "CRON_DAYS_OF_WEEK='1 2 3 4 5'\nCRON_DOM_RESTRICTED='0'\nCRON_DOW_RESTRICTED='1'",
    );
    expect(config).not.toContain("INTERVAL_SECONDS");
  });

  it("checks health with the runner's own command, once a minute", () => {
    expect(runnerHealthcheck(planBackup("b", {}, CLUSTER))).toEqual({
      tests: ["CMD", "bash", "/opt/neo4j-backup/runner.sh", "health"],
      interval: "1m0s",
      timeout: "10s",
      startPeriod: "1h0m0s",
      retries: 1,
    });
  });
});
