import { parse } from "yaml";
import {
  PROMETHEUS_RULES_FILE,
  alertRuleGroups,
  prometheusCommand,
  prometheusFiles,
  renderAlertRules,
  renderPrometheusConfig,
} from "../../components/monitoring/prometheus";
import { BACKUP_METRICS, DATABASE_RELABEL, GC_RELABEL } from "../../components/monitoring/metrics";
import { DEFAULT_THRESHOLDS, planMonitoring, scrapeTargets } from "../../components/monitoring/spec";

const cluster = {
  edition: "enterprise" as const,
  prometheusMetrics: true,
  memberNames: ["graph-1", "graph-2"],
};
const targets = scrapeTargets("monitoring", cluster.memberNames, ["graph-1:2004", "graph-2:2004"]);

type ScrapeConfig = {
  job_name: string;
  honor_labels?: boolean;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
};

describe("prometheus.yml", () => {
  const config = parse(
    renderPrometheusConfig({
      scrapeInterval: "30s",
      targets,
      rulesFile: PROMETHEUS_RULES_FILE,
      prometheusMajor: 3,
    }),
  ) as { global: Record<string, string>; rule_files: string[]; scrape_configs: ScrapeConfig[] };

  it("scrapes every member with its member name as the instance label", () => {
    const neo4j = config.scrape_configs.find((c) => c.job_name === "neo4j")!;
    expect(neo4j.static_configs).toEqual([
      { targets: ["graph-1:2004"], labels: { instance: "graph-1" } },
      { targets: ["graph-2:2004"], labels: { instance: "graph-2" } },
    ]);
  });

  it("uses the configured scrape interval and loads the rules file", () => {
    expect(config.global.scrape_interval).toBe("30s");
    expect(config.rule_files).toEqual([PROMETHEUS_RULES_FILE]);
  });

  it("scrapes the Pushgateway with honor_labels only when backup metrics are on", () => {
    expect(config.scrape_configs.map((c) => c.job_name)).toEqual(["neo4j"]);
    const withBackups = parse(
      renderPrometheusConfig({
        scrapeInterval: "15s",
        targets,
        pushgateway: "m-pushgateway:9091",
        rulesFile: "r.yml",
        prometheusMajor: 3,
      }),
    ) as { scrape_configs: ScrapeConfig[] };
    const pushgateway = withBackups.scrape_configs.find((c) => c.job_name === "pushgateway")!;
    expect(pushgateway.honor_labels).toBe(true);
    expect(pushgateway.static_configs).toEqual([{ targets: ["m-pushgateway:9091"] }]);
  });

  it("tells Prometheus 3, and only 3, which format to assume for the Neo4j job's scrapes", () => {
    const neo4jJob = (prometheusMajor: number) =>
      (
        parse(
          renderPrometheusConfig({
            scrapeInterval: "15s",
            targets,
            pushgateway: "p:9091",
            rulesFile: "r.yml",
            prometheusMajor,
          }),
        ) as {
          scrape_configs: (ScrapeConfig & { fallback_scrape_protocol?: string })[];
        }
      ).scrape_configs;
    expect(neo4jJob(3).map((c) => [c.job_name, c.fallback_scrape_protocol])).toEqual([
      ["neo4j", "PrometheusText0.0.4"],
      ["pushgateway", undefined],
    ]);
    expect(neo4jJob(2).some((c) => "fallback_scrape_protocol" in c)).toBe(false);
  });

  it("pairs member names with endpoints and refuses a mismatch", () => {
    expect(targets).toEqual([
      { instance: "graph-1", address: "graph-1:2004" },
      { instance: "graph-2", address: "graph-2:2004" },
    ]);
    expect(() => scrapeTargets("monitoring", ["graph-1", "graph-2"], ["graph-1:2004"])).toThrow(
      'MonitoringStack "monitoring": cluster lists 2 members but 1 metrics endpoints',
    );
  });
});

/** Prometheus anchors relabel regexes; Go's RE2 and JavaScript agree on this pattern's lazy group. */
function relabel(rule: { regex: string }, name: string): string | undefined {
  return new RegExp(`^(?:${rule.regex})$`).exec(name)?.[1];
}

describe("the relabelling that turns name-embedded databases into a label", () => {
  it.each([
    ["neo4j_database_neo4j_transaction_committed_total", "neo4j"],
    ["neo4j_database_system_cluster_raft_is_leader", "system"],
    ["neo4j_database_neo4j_db_query_execution_latency_millis", "neo4j"],
    // A database named sales.eu reaches Prometheus as sales_eu.
    ["neo4j_database_sales_eu_store_size_total", "sales_eu"],
    // The pool metric repeats the database after the pool name: the first one wins.
    ["neo4j_database_neo4j_pool_transaction_neo4j_used_heap", "neo4j"],
  ])("reads %s as database %s", (name, database) => {
    expect(relabel(DATABASE_RELABEL, name)).toBe(database);
  });

  it("leaves global metrics alone", () => {
    expect(relabel(DATABASE_RELABEL, "neo4j_dbms_vm_heap_used")).toBeUndefined();
  });

  it("reads the collector out of GC metric names", () => {
    expect(relabel(GC_RELABEL, "neo4j_dbms_vm_gc_time_g1_young_generation_total")).toBe(
      "g1_young_generation",
    );
  });
});

describe("the alert rules", () => {
  type Rule = { alert: string; expr: string; for: string; labels: { severity: string } };
  const rulesOf = (backupMetrics: boolean, thresholds = DEFAULT_THRESHOLDS) =>
    (parse(renderAlertRules(thresholds, backupMetrics)) as { groups: { rules: Rule[] }[] }).groups.flatMap(
      (g) => g.rules,
    );

  it("serializes the same data the YAML library was given", () => {
    expect(parse(renderAlertRules(DEFAULT_THRESHOLDS, true))).toEqual(
      alertRuleGroups(DEFAULT_THRESHOLDS, true),
    );
  });

  it("cover a member down, no leader, members out of sync, latency, page cache and heap", () => {
    expect(rulesOf(false).map((r) => r.alert)).toEqual([
      "Neo4jMemberDown",
      "Neo4jNoLeader",
      "Neo4jMemberOutOfSync",
      "Neo4jQueryLatencyHigh",
      "Neo4jPageCacheHitRatioLow",
      "Neo4jHeapNearlyFull",
      "Neo4jHeapMaxNotExported",
    ]);
  });

  it("add backup alerts on BackupVolume's metric names only when backup metrics are on", () => {
    const backup = rulesOf(true).filter((r) => r.alert.startsWith("Neo4jBackup"));
    expect(backup.map((r) => r.alert)).toEqual([
      "Neo4jBackupStale",
      "Neo4jBackupFailed",
      "Neo4jBackupOffsiteStale",
      "Neo4jBackupNeverReported",
    ]);
    expect(backup[0].expr).toBe(
      `time() - ${BACKUP_METRICS.lastSuccess}{job="neo4j_backup"} > ${DEFAULT_THRESHOLDS.backupStaleAfterHours * 3600}`,
    );
  });

  it("put the configured thresholds into the expressions", () => {
    const rules = rulesOf(true, {
      queryLatencyP95Millis: 250,
      pageCacheHitRatio: 0.9,
      heapUsedRatio: 0.8,
      transactionLag: 42,
      backupStaleAfterHours: 2,
    });
    const expr = (alert: string) => rules.find((r) => r.alert === alert)!.expr;
    expect(expr("Neo4jQueryLatencyHigh")).toMatch(/quantile="0\.95"\} > 250$/);
    expect(expr("Neo4jPageCacheHitRatioLow")).toMatch(/< 0\.9$/);
    expect(expr("Neo4jHeapNearlyFull")).toMatch(/> 0\.8$/);
    expect(expr("Neo4jMemberOutOfSync")).toMatch(/> 42$/);
    expect(expr("Neo4jBackupStale")).toMatch(/> 7200$/);
    expect(rules.find((r) => r.alert === "Neo4jBackupNeverReported")!.for).toBe("2h");
  });
});

describe("prometheusFiles and the command line", () => {
  const spec = planMonitoring("monitoring", cluster, { backupMetrics: true, retention: "30d" });

  it("points the config at the in-network Pushgateway and the rules file beside the config", () => {
    const files = prometheusFiles(spec, targets);
    const config = parse(files.config) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };
    expect(config.rule_files).toEqual(["/etc/prometheus/neo4j-alerts.yml"]);
    expect(config.scrape_configs[1].static_configs[0].targets).toEqual(["monitoring-pushgateway:9091"]);
    expect(files.rules).toContain("Neo4jBackupStale");
  });

  it("keeps data in /prometheus for the configured retention", () => {
    expect(prometheusCommand(spec)).toEqual([
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      "--storage.tsdb.retention.time=30d",
    ]);
  });
});
