/**
 * Prometheus's configuration and alert rules as data, serialized with the `yaml` library: no
 * string templates, so quoting PromQL and regexes is the library's job.
 */
import { stringify } from "yaml";
import {
  BACKUP_JOB,
  BACKUP_METRICS,
  DATABASE_METRICS,
  DATABASE_RELABEL,
  DBMS_METRICS,
  GC_RELABEL,
  NEO4J_JOB,
  perDatabase,
} from "./metrics";
import { AlertThresholds, CONTAINER_PORTS, MonitoringSpec, ScrapeTarget } from "./spec";

export const PROMETHEUS_CONFIG_FILE = "/etc/prometheus/prometheus.yml";
/** Beside the config, in a directory the image creates and its user owns. */
export const PROMETHEUS_RULES_FILE = "/etc/prometheus/neo4j-alerts.yml";
export const PROMETHEUS_DATA_DIR = "/prometheus";
export const PUSHGATEWAY_JOB = "pushgateway";
/** The Pushgateway image creates this directory for its user; persistence survives restarts there. */
export const PUSHGATEWAY_DATA_DIR = "/pushgateway";

/** Renders `prometheus.yml` to the `yaml` library's output, keeping long PromQL on one line. */
function toYaml(data: unknown): string {
  return stringify(data, { lineWidth: 0 });
}

export interface PrometheusConfigInput {
  scrapeInterval: string;
  targets: ScrapeTarget[];
  /** `host:port` of the Pushgateway inside the network, when backup metrics are on. */
  pushgateway?: string;
  /** `host:port` of the Alertmanager inside the network, when it is on: Prometheus sends firing alerts there. */
  alertmanager?: string;
  /** Where the rules file is, as Prometheus sees it. */
  rulesFile: string;
  /** Prometheus's major version: 3 and later get `fallback_scrape_protocol` on the Neo4j job. */
  prometheusMajor: number;
}

/**
 * What Prometheus 3 assumes when a scrape's Content-Type is missing or one it does not recognise:
 * Prometheus 2 fell back to the classic text format by itself, Prometheus 3 fails the scrape unless
 * `fallback_scrape_protocol` says which format to assume. Neo4j's endpoint serves that text format.
 * Prometheus 2 refuses the field as unknown, so it is written for 3 and later only.
 */
export const NEO4J_FALLBACK_SCRAPE_PROTOCOL = "PrometheusText0.0.4";
export const FALLBACK_SCRAPE_PROTOCOL_SINCE_MAJOR = 3;

export function prometheusConfig(input: PrometheusConfigInput): Record<string, unknown> {
  const scrapeConfigs: Record<string, unknown>[] = [
    {
      job_name: NEO4J_JOB,
      metrics_path: "/metrics",
      ...((input.prometheusMajor ?? FALLBACK_SCRAPE_PROTOCOL_SINCE_MAJOR) >=
      FALLBACK_SCRAPE_PROTOCOL_SINCE_MAJOR
        ? { fallback_scrape_protocol: NEO4J_FALLBACK_SCRAPE_PROTOCOL }
        : {}),
      // One static config per member so each gets its member name as `instance`, not `host:2004`.
      static_configs: input.targets.map((t) => ({ targets: [t.address], labels: { instance: t.instance } })),
      metric_relabel_configs: [DATABASE_RELABEL, GC_RELABEL],
    },
  ];
  if (input.pushgateway !== undefined)
    scrapeConfigs.push({
      job_name: PUSHGATEWAY_JOB,
      // Keeps the pushed `job="neo4j_backup"` and `database` labels instead of the scrape's own.
      honor_labels: true,
      static_configs: [{ targets: [input.pushgateway] }],
    });
  return {
    global: { scrape_interval: input.scrapeInterval, evaluation_interval: input.scrapeInterval },
    ...(input.alertmanager === undefined
      ? {}
      : { alerting: { alertmanagers: [{ static_configs: [{ targets: [input.alertmanager] }] }] } }),
    rule_files: [input.rulesFile],
    scrape_configs: scrapeConfigs,
  };
}

export function renderPrometheusConfig(input: PrometheusConfigInput): string {
  return toYaml(prometheusConfig(input));
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" | "info" };
  annotations: { summary: string; description: string };
}

const up = `up{job="${NEO4J_JOB}"}`;
const onNeo4j = `job="${NEO4J_JOB}"`;
const onBackups = `job="${BACKUP_JOB}"`;

/** The alerts a Neo4j operator wants, in Neo4j 5's metric names. */
export function neo4jAlerts(t: AlertThresholds): AlertRule[] {
  const lastCommitted = perDatabase(DATABASE_METRICS.lastCommittedTxId, [onNeo4j]);
  const rate10m = (metric: string) => `sum by (instance) (rate(${metric}{${onNeo4j}}[10m]))`;
  return [
    {
      alert: "Neo4jMemberDown",
      expr: `${up} == 0`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Neo4j member {{ $labels.instance }} is down",
        description: "Prometheus has not been able to scrape {{ $labels.instance }} for a minute.",
      },
    },
    {
      alert: "Neo4jNoLeader",
      expr: `sum by (database) (${perDatabase(DATABASE_METRICS.raftIsLeader, [onNeo4j])}) < 1`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Database {{ $labels.database }} has no Raft leader",
        description:
          "No member has reported itself leader of {{ $labels.database }} for a minute: writes to it fail.",
      },
    },
    {
      alert: "Neo4jMemberOutOfSync",
      // Each member's last committed transaction against the most advanced member of the same database.
      expr: `max by (database) (${lastCommitted}) - on (database) group_right ${lastCommitted} > ${t.transactionLag}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "{{ $labels.instance }} trails on database {{ $labels.database }}",
        description: `{{ $labels.instance }} is {{ $value }} transactions behind the most advanced member of {{ $labels.database }} (more than ${t.transactionLag} for 5 minutes).`,
      },
    },
    {
      alert: "Neo4jQueryLatencyHigh",
      expr: `${perDatabase(DATABASE_METRICS.queryLatency, [onNeo4j, 'quantile="0.95"'])} > ${t.queryLatencyP95Millis}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Slow queries on {{ $labels.instance }}, database {{ $labels.database }}",
        description: `Query execution latency p95 is {{ $value }} ms (above ${t.queryLatencyP95Millis} ms for 10 minutes).`,
      },
    },
    {
      alert: "Neo4jPageCacheHitRatioLow",
      // From the counters rather than Neo4j's own ratio gauge, so the window is known: an idle
      // member gives 0/0, no value and no alert.
      expr: `${rate10m(DBMS_METRICS.pageCacheHits)} / (${rate10m(DBMS_METRICS.pageCacheHits)} + ${rate10m(DBMS_METRICS.pageCacheFaults)}) < ${t.pageCacheHitRatio}`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Page cache hit ratio low on {{ $labels.instance }}",
        description: `Only {{ $value | humanizePercentage }} of page lookups hit the cache (below ${t.pageCacheHitRatio}): the page cache is too small for the working set.`,
      },
    },
    {
      alert: "Neo4jHeapNearlyFull",
      expr: `${DBMS_METRICS.heapUsed}{${onNeo4j}} / ${DBMS_METRICS.heapMax}{${onNeo4j}} > ${t.heapUsedRatio}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Heap nearly full on {{ $labels.instance }}",
        description: `{{ $value | humanizePercentage }} of the maximum heap is in use (above ${t.heapUsedRatio} for 10 minutes).`,
      },
    },
    {
      alert: "Neo4jHeapMaxNotExported",
      // Neo4j's default metrics filter leaves out the heap maximum; without it the alert above is blind.
      expr: `${up} == 1 unless on (instance) ${DBMS_METRICS.heapMax}{${onNeo4j}}`,
      for: "15m",
      labels: { severity: "info" },
      annotations: {
        summary: "{{ $labels.instance }} does not export the heap maximum",
        description:
          "Add *vm.heap.max to the cluster's metrics (Neo4jCluster extraMetrics; MONITORING_METRICS_FILTER lists every metric this stack reads) so that Neo4jHeapNearlyFull can fire.",
      },
    },
  ];
}

/** Alerts on the metrics BackupVolume pushes after each backup run. */
export function backupAlerts(t: AlertThresholds): AlertRule[] {
  const staleSeconds = t.backupStaleAfterHours * 3600;
  return [
    {
      alert: "Neo4jBackupStale",
      expr: `time() - ${BACKUP_METRICS.lastSuccess}{${onBackups}} > ${staleSeconds}`,
      // The expression is already a duration (hours since the last success); a long `for` only
      // delays the page. One minute rides out a Pushgateway restart, as for a failed backup.
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "No recent backup of database {{ $labels.database }}",
        description: `The last successful backup of {{ $labels.database }} is {{ $value | humanizeDuration }} old (more than ${t.backupStaleAfterHours} hours).`,
      },
    },
    {
      alert: "Neo4jBackupFailed",
      expr: `${BACKUP_METRICS.lastAttemptSuccess}{${onBackups}} == 0`,
      for: "1m",
      labels: { severity: "warning" },
      annotations: {
        summary: "The last backup of database {{ $labels.database }} failed",
        description: "The backup job reported a failed attempt; see the backup container's logs.",
      },
    },
    {
      alert: "Neo4jBackupOffsiteStale",
      // Artifacts wait for the bucket and no copy succeeded within the window (or ever): the
      // backups exist only on the host. Without `offsite` the runner pushes neither metric.
      expr: `${BACKUP_METRICS.offsitePending}{${onBackups}} > 0 unless on (job) (time() - ${BACKUP_METRICS.offsiteLastSuccess}{${onBackups}} <= ${staleSeconds})`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Backups are not reaching the bucket",
        description: `{{ $value }} backup artifacts wait to be copied off the host, and no copy succeeded in ${t.backupStaleAfterHours} hours; see the backup container's status (offsite).`,
      },
    },
    {
      alert: "Neo4jBackupNeverReported",
      expr: `absent(${BACKUP_METRICS.lastAttempt}{${onBackups}})`,
      for: `${t.backupStaleAfterHours}h`,
      labels: { severity: "warning" },
      annotations: {
        summary: "No backup run has reported to the Pushgateway",
        description: `Backup metrics are on, but no backup attempt has been pushed for ${t.backupStaleAfterHours} hours.`,
      },
    },
  ];
}

export function alertRuleGroups(t: AlertThresholds, backupMetrics: boolean): { groups: unknown[] } {
  const groups: unknown[] = [{ name: "neo4j", rules: neo4jAlerts(t) }];
  if (backupMetrics) groups.push({ name: "neo4j-backups", rules: backupAlerts(t) });
  return { groups };
}

export function renderAlertRules(t: AlertThresholds, backupMetrics: boolean): string {
  return toYaml(alertRuleGroups(t, backupMetrics));
}

/** The config file and rules file, rendered for a monitoring spec and the cluster's scrape targets. */
export function prometheusFiles(
  spec: MonitoringSpec,
  targets: ScrapeTarget[],
): { config: string; rules: string } {
  return {
    config: renderPrometheusConfig({
      scrapeInterval: spec.scrapeInterval,
      targets,
      pushgateway: spec.backupMetrics
        ? `${spec.hostnames.pushgateway}:${CONTAINER_PORTS.pushgateway}`
        : undefined,
      alertmanager: spec.alertmanager
        ? `${spec.hostnames.alertmanager}:${CONTAINER_PORTS.alertmanager}`
        : undefined,
      rulesFile: PROMETHEUS_RULES_FILE,
      prometheusMajor: spec.prometheusMajor,
    }),
    rules: renderAlertRules(spec.thresholds, spec.backupMetrics),
  };
}

/** Prometheus's command line: the image's entrypoint is the binary, so these replace its default flags. */
export function prometheusCommand(spec: MonitoringSpec): string[] {
  return [
    `--config.file=${PROMETHEUS_CONFIG_FILE}`,
    `--storage.tsdb.path=${PROMETHEUS_DATA_DIR}`,
    `--storage.tsdb.retention.time=${spec.retention}`,
  ];
}

/** The Pushgateway's command line: persist pushed metrics so a restart keeps the last backup's time. */
export function pushgatewayCommand(): string[] {
  return [`--persistence.file=${PUSHGATEWAY_DATA_DIR}/metrics.db`];
}
