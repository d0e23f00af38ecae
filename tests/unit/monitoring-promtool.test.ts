/**
 * Checks the rendered Prometheus files and every dashboard query with promtool, Prometheus's own
 * parser (Debian package `prometheus`, installed by scripts/install-promtool.sh). Without promtool
 * these tests fail: a skipped check would pass for a config Prometheus refuses.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import {
  alertRuleGroups,
  renderAlertRules,
  renderPrometheusConfig,
} from "../../components/monitoring/prometheus";
import { neo4jDashboard } from "../../components/monitoring/grafana";
import { DEFAULT_THRESHOLDS } from "../../components/monitoring/spec";

function promtool(args: string[], cwd: string): { ok: boolean; output: string } {
  const run = spawnSync("promtool", args, { cwd, encoding: "utf8" });
  if (run.error) throw run.error;
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

let dir: string;
/** The installed promtool's major version: the config is rendered for the Prometheus it belongs to. */
let promtoolMajor: number;
beforeAll(() => {
  const probe = spawnSync("promtool", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0)
    throw new Error(
      "promtool is missing: run scripts/install-promtool.sh (as root it installs Debian's `prometheus` package), or put promtool on PATH",
    );
  promtoolMajor = Number(/version (\d+)\./.exec(`${probe.stdout}${probe.stderr}`)![1]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "monitoring-promtool-"));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const targets = [
  { instance: "graph-1", address: "graph-1:2004" },
  { instance: "graph-2", address: "graph-2:2004" },
  { instance: "graph-secondary-1", address: "graph-secondary-1:2004" },
];

describe("the rendered Prometheus files", () => {
  it.each([
    ["without backup metrics", false],
    ["with backup metrics", true],
  ])("pass promtool check config, which also checks the rules file (%s)", (_label, backupMetrics) => {
    const rulesFile = path.join(dir, `alerts-${backupMetrics}.yml`);
    const configFile = path.join(dir, `prometheus-${backupMetrics}.yml`);
    fs.writeFileSync(rulesFile, renderAlertRules(DEFAULT_THRESHOLDS, backupMetrics));
    fs.writeFileSync(
      configFile,
      renderPrometheusConfig({
        scrapeInterval: "15s",
        targets,
        pushgateway: backupMetrics ? "monitoring-pushgateway:9091" : undefined,
        alertmanager: "monitoring-alertmanager:9093",
        rulesFile,
        prometheusMajor: promtoolMajor,
      }),
    );
    const config = promtool(["check", "config", configFile], dir);
    expect(config.output).toContain("SUCCESS");
    expect(config.ok).toBe(true);
    const rules = promtool(["check", "rules", rulesFile], dir);
    expect(rules.output).toMatch(backupMetrics ? /SUCCESS: 11 rules found/ : /SUCCESS: 7 rules found/);
    expect(rules.ok).toBe(true);
  });
});

describe("the config for the other major version", () => {
  it("is refused by this promtool where it carries a field that version does not know", () => {
    const otherMajor = promtoolMajor >= 3 ? 2 : 3;
    const rulesFile = path.join(dir, "alerts-other.yml");
    fs.writeFileSync(rulesFile, renderAlertRules(DEFAULT_THRESHOLDS, false));
    const configFile = path.join(dir, "prometheus-other.yml");
    fs.writeFileSync(
      configFile,
      renderPrometheusConfig({ scrapeInterval: "15s", targets, rulesFile, prometheusMajor: otherMajor }),
    );
    const check = promtool(["check", "config", configFile], dir);
    // A Prometheus 2 promtool refuses Prometheus 3's fallback_scrape_protocol: the reason the
    // config is written per version. A Prometheus 3 promtool reads a config without it.
    if (promtoolMajor < 3) {
      expect(check.ok).toBe(false);
      expect(check.output).toContain("fallback_scrape_protocol");
    } else expect(check.ok).toBe(true);
  });
});

/**
 * The alerts' logic against synthetic series, with promtool's rule unit tests. The annotations are
 * left out of this copy of the rules because promtool compares them verbatim; `check rules` above
 * already parses their templates.
 */
describe("the alert rules, evaluated by promtool test rules", () => {
  function withoutAnnotations(groups: { groups: unknown[] }) {
    return {
      groups: (groups.groups as { name: string; rules: Record<string, unknown>[] }[]).map((g) => ({
        name: g.name,
        rules: g.rules.map((rule) => {
          const copy = { ...rule };
          delete copy.annotations;
          return copy;
        }),
      })),
    };
  }

  it("fire for a member down, a database without leader, a lagging member, slow queries, cache misses, a full heap and stale backups, and stay quiet otherwise", () => {
    fs.writeFileSync(
      path.join(dir, "logic-rules.yml"),
      stringify(withoutAnnotations(alertRuleGroups(DEFAULT_THRESHOLDS, true))),
    );
    const neo4j = (name: string, instance: string, extra = "") =>
      `${name}{job="neo4j", instance="${instance}"${extra}}`;
    const db = (database: string) => `, database="${database}"`;
    const test = {
      rule_files: ["logic-rules.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: neo4j("up", "graph-1"), values: "1x40" },
            { series: neo4j("up", "graph-2"), values: "1 0x40" },
            { series: neo4j("neo4j_dbms_vm_heap_max", "graph-1"), values: "100x40" },
            { series: neo4j("neo4j_dbms_vm_heap_used", "graph-1"), values: "95x40" },
            // The leader of neo4j is graph-1; system has lost its leader.
            {
              series: neo4j("neo4j_database_neo4j_cluster_raft_is_leader", "graph-1", db("neo4j")),
              values: "1x40",
            },
            {
              series: neo4j("neo4j_database_neo4j_cluster_raft_is_leader", "graph-2", db("neo4j")),
              values: "0x40",
            },
            {
              series: neo4j("neo4j_database_system_cluster_raft_is_leader", "graph-1", db("system")),
              values: "0x40",
            },
            // graph-2 trails graph-1 by 4900 transactions on neo4j; both agree on system.
            {
              series: neo4j(
                "neo4j_database_neo4j_transaction_last_committed_tx_id_total",
                "graph-1",
                db("neo4j"),
              ),
              values: "5000x40",
            },
            {
              series: neo4j(
                "neo4j_database_neo4j_transaction_last_committed_tx_id_total",
                "graph-2",
                db("neo4j"),
              ),
              values: "100x40",
            },
            {
              series: neo4j(
                "neo4j_database_system_transaction_last_committed_tx_id_total",
                "graph-1",
                db("system"),
              ),
              values: "70x40",
            },
            {
              series: neo4j(
                "neo4j_database_system_transaction_last_committed_tx_id_total",
                "graph-2",
                db("system"),
              ),
              values: "70x40",
            },
            {
              series: neo4j(
                "neo4j_database_neo4j_db_query_execution_latency_millis",
                "graph-1",
                `${db("neo4j")}, quantile="0.95"`,
              ),
              values: "5000x40",
            },
            {
              series: neo4j(
                "neo4j_database_neo4j_db_query_execution_latency_millis",
                "graph-1",
                `${db("neo4j")}, quantile="0.5"`,
              ),
              values: "5000x40",
            },
            // Half of graph-1's page lookups miss.
            { series: neo4j("neo4j_dbms_page_cache_hits_total", "graph-1"), values: "0+600x40" },
            { series: neo4j("neo4j_dbms_page_cache_page_faults_total", "graph-1"), values: "0+600x40" },
          ],
          alert_rule_test: [
            {
              eval_time: "3m",
              alertname: "Neo4jMemberDown",
              exp_alerts: [{ exp_labels: { severity: "critical", job: "neo4j", instance: "graph-2" } }],
            },
            {
              eval_time: "3m",
              alertname: "Neo4jNoLeader",
              exp_alerts: [{ exp_labels: { severity: "critical", database: "system" } }],
            },
            {
              eval_time: "4m",
              alertname: "Neo4jMemberOutOfSync",
              exp_alerts: [],
            },
            {
              eval_time: "10m",
              alertname: "Neo4jMemberOutOfSync",
              exp_alerts: [
                { exp_labels: { severity: "warning", job: "neo4j", instance: "graph-2", database: "neo4j" } },
              ],
            },
            {
              eval_time: "15m",
              alertname: "Neo4jQueryLatencyHigh",
              exp_alerts: [
                {
                  exp_labels: {
                    severity: "warning",
                    job: "neo4j",
                    instance: "graph-1",
                    database: "neo4j",
                    quantile: "0.95",
                  },
                },
              ],
            },
            {
              eval_time: "30m",
              alertname: "Neo4jPageCacheHitRatioLow",
              exp_alerts: [{ exp_labels: { severity: "warning", instance: "graph-1" } }],
            },
            {
              eval_time: "15m",
              alertname: "Neo4jHeapNearlyFull",
              exp_alerts: [{ exp_labels: { severity: "warning", job: "neo4j", instance: "graph-1" } }],
            },
            {
              eval_time: "0m",
              alertname: "Neo4jHeapMaxNotExported",
              exp_alerts: [],
            },
            {
              eval_time: "3m",
              alertname: "Neo4jBackupFailed",
              exp_alerts: [],
            },
          ],
        },
        {
          // time() is seconds since the epoch at the evaluation time: 27h is 97200 s.
          interval: "1m",
          input_series: [
            { series: 'up{job="neo4j", instance="graph-1"}', values: "1x1700" },
            {
              series: 'neo4j_backup_last_success_timestamp_seconds{job="neo4j_backup", database="neo4j"}',
              values: "0x1700",
            },
            {
              series: 'neo4j_backup_last_success_timestamp_seconds{job="neo4j_backup", database="system"}',
              values: "96000x1700",
            },
            {
              series: 'neo4j_backup_last_attempt_timestamp_seconds{job="neo4j_backup", database="neo4j"}',
              values: "96000x1700",
            },
            {
              series: 'neo4j_backup_last_attempt_success{job="neo4j_backup", database="neo4j"}',
              values: "0x1700",
            },
            { series: 'neo4j_backup_offsite_pending_artifacts{job="neo4j_backup"}', values: "2x1700" },
            {
              series: 'neo4j_backup_offsite_last_success_timestamp_seconds{job="neo4j_backup"}',
              values: "0x1700",
            },
          ],
          alert_rule_test: [
            {
              eval_time: "27h",
              alertname: "Neo4jBackupStale",
              exp_alerts: [{ exp_labels: { severity: "critical", job: "neo4j_backup", database: "neo4j" } }],
            },
            {
              eval_time: "27h",
              alertname: "Neo4jBackupFailed",
              exp_alerts: [{ exp_labels: { severity: "warning", job: "neo4j_backup", database: "neo4j" } }],
            },
            {
              eval_time: "27h",
              alertname: "Neo4jHeapMaxNotExported",
              exp_alerts: [{ exp_labels: { severity: "info", job: "neo4j", instance: "graph-1" } }],
            },
            { eval_time: "27h", alertname: "Neo4jBackupNeverReported", exp_alerts: [] },
            // Two artifacts queued and the last copy at 0 s: more than the 24 h window at 27 h.
            {
              eval_time: "27h",
              alertname: "Neo4jBackupOffsiteStale",
              exp_alerts: [{ exp_labels: { severity: "critical", job: "neo4j_backup" } }],
            },
          ],
        },
        {
          // A copy succeeded an hour ago (96000 s at 27 h) while one artifact waits: not stale yet.
          interval: "1m",
          input_series: [
            { series: 'neo4j_backup_offsite_pending_artifacts{job="neo4j_backup"}', values: "1x1700" },
            {
              series: 'neo4j_backup_offsite_last_success_timestamp_seconds{job="neo4j_backup"}',
              values: "96000x1700",
            },
          ],
          alert_rule_test: [{ eval_time: "27h", alertname: "Neo4jBackupOffsiteStale", exp_alerts: [] }],
        },
        {
          interval: "1h",
          input_series: [{ series: 'up{job="neo4j", instance="graph-1"}', values: "1x30" }],
          alert_rule_test: [
            { eval_time: "25h", alertname: "Neo4jBackupNeverReported", exp_alerts: [] },
            {
              eval_time: "27h",
              alertname: "Neo4jBackupNeverReported",
              exp_alerts: [{ exp_labels: { severity: "warning", job: "neo4j_backup" } }],
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, "logic-test.yml"), stringify(test));
    const result = promtool(["test", "rules", "logic-test.yml"], dir);
    expect(result.output).toContain("SUCCESS");
    expect(result.ok).toBe(true);
  });
});

/** Grafana's variables and macros, replaced by values Prometheus accepts so the query itself can be parsed. */
function asPromQL(expr: string): string {
  return expr.replace(/\$__rate_interval/g, "5m").replace(/\$(instance|database)\b/g, ".+");
}

function checkAsRecordingRules(exprs: { record: string; expr: string }[], file: string) {
  fs.writeFileSync(path.join(dir, file), stringify({ groups: [{ name: "dashboard", rules: exprs }] }));
  return promtool(["check", "rules", file], dir);
}

describe("the bundled dashboard's queries", () => {
  const dashboard = neo4jDashboard();

  it("all pass Prometheus's parser", () => {
    const exprs: { record: string; expr: string }[] = [];
    for (const panel of dashboard.panels) {
      for (const target of (panel as { targets?: { refId: string; expr: string }[] }).targets ?? [])
        exprs.push({ record: `dashboard:panel_${panel.id}_${target.refId}`, expr: asPromQL(target.expr) });
    }
    for (const variable of dashboard.templating.list) {
      const selector = /^label_values\((.+), \w+\)$/.exec(variable.query);
      expect(selector).not.toBeNull();
      exprs.push({ record: `dashboard:variable_${variable.name}`, expr: selector![1] });
    }
    expect(exprs.length).toBeGreaterThanOrEqual(20);
    const result = checkAsRecordingRules(exprs, "dashboard-rules.yml");
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.ok).toBe(true);
  });

  it("would be caught if one were broken", () => {
    const result = checkAsRecordingRules(
      [{ record: "dashboard:broken", expr: asPromQL("sum by (database) (rate(x[$__rate_interval])") }],
      "broken-rules.yml",
    );
    expect(result.ok).toBe(false);
  });
});
