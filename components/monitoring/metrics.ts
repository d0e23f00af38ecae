/**
 * The Neo4j 5 metrics this monitoring stack reads, by the names Neo4j's Prometheus endpoint gives
 * them (Operations Manual, "Metrics reference"): the prefix `neo4j`, dots turned to underscores,
 * counters ending in `_total`, histograms served as summaries with a `quantile` label.
 *
 * Global metrics are `neo4j_dbms_<metric>`. Per-database metrics carry the database in the name,
 * `neo4j_database_<database>_<metric>`, not in a label: the scrape config copies the database
 * into a `database` label (see DATABASE_RELABEL) so that one query covers every database and a
 * Grafana variable can pick among them.
 */

/** Global metrics, one series per member. */
export const DBMS_METRICS = {
  heapUsed: "neo4j_dbms_vm_heap_used",
  /** Not in Neo4j's default `server.metrics.filter`: see MONITORING_METRICS_FILTER. */
  heapMax: "neo4j_dbms_vm_heap_max",
  pageCacheHits: "neo4j_dbms_page_cache_hits_total",
  pageCacheFaults: "neo4j_dbms_page_cache_page_faults_total",
  pageCacheHitRatio: "neo4j_dbms_page_cache_hit_ratio",
  pageCacheUsageRatio: "neo4j_dbms_page_cache_usage_ratio",
  boltConnectionsRunning: "neo4j_dbms_bolt_connections_running",
  boltConnectionsIdle: "neo4j_dbms_bolt_connections_idle",
  boltConnectionsOpened: "neo4j_dbms_bolt_connections_opened_total",
  boltConnectionsClosed: "neo4j_dbms_bolt_connections_closed_total",
} as const;

/**
 * GC metrics are named per collector (`neo4j_dbms_vm_gc_time_g1_young_generation_total`); the
 * scrape config copies the collector into a `gc` label (see GC_RELABEL).
 */
export const GC_TIME_PATTERN = "neo4j_dbms_vm_gc_time_.+_total";

/** Per-database metrics, by the part of the name after `neo4j_database_<database>_`. */
export const DATABASE_METRICS = {
  raftIsLeader: "cluster_raft_is_leader",
  lastCommittedTxId: "transaction_last_committed_tx_id_total",
  committed: "transaction_committed_total",
  rollbacks: "transaction_rollbacks_total",
  activeRead: "transaction_active_read",
  activeWrite: "transaction_active_write",
  queryLatency: "db_query_execution_latency_millis",
  querySuccess: "db_query_execution_success_total",
  queryFailure: "db_query_execution_failure_total",
  storeSize: "store_size_total",
} as const;

/** Metrics pushed to the Pushgateway by BackupVolume's backup job, with a `database` label. */
export const BACKUP_METRICS = {
  lastSuccess: "neo4j_backup_last_success_timestamp_seconds",
  lastAttempt: "neo4j_backup_last_attempt_timestamp_seconds",
  lastAttemptSuccess: "neo4j_backup_last_attempt_success",
  lastSize: "neo4j_backup_last_size_bytes",
  /** With BackupVolume's `offsite`: when a copy to the bucket last succeeded, and how many wait. */
  offsiteLastSuccess: "neo4j_backup_offsite_last_success_timestamp_seconds",
  offsitePending: "neo4j_backup_offsite_pending_artifacts",
} as const;

/** The `job` label BackupVolume pushes under; kept as is because the Pushgateway is scraped with honor_labels. */
export const BACKUP_JOB = "neo4j_backup";
/** The scrape job of the cluster members. */
export const NEO4J_JOB = "neo4j";

/**
 * The metric groups Neo4j reports per database (Metrics reference: transaction, cluster, store
 * size, query execution, checkpoint, Cypher, ids in use, pools, transaction log, index). The
 * relabel regex stops the database name at the shortest prefix followed by one of these, because
 * a database name with a dot (`sales.eu`) reaches Prometheus as `sales_eu`: underscores alone
 * cannot tell where the name ends.
 */
const DATABASE_METRIC_GROUPS = [
  "transaction",
  "cluster",
  "store",
  "db_query",
  "check_point",
  "cypher",
  "ids_in_use",
  "pool",
  "log",
  "index",
];

/** Copies the database out of a per-database metric name into a `database` label. */
export const DATABASE_RELABEL = {
  source_labels: ["__name__"],
  regex: `neo4j_database_(.+?)_(?:${DATABASE_METRIC_GROUPS.join("|")})_.+`,
  target_label: "database",
  replacement: "$1",
} as const;

/** Copies the collector out of a GC metric name into a `gc` label. */
export const GC_RELABEL = {
  source_labels: ["__name__"],
  regex: "neo4j_dbms_vm_gc_(?:time|count)_(.+)_total",
  target_label: "gc",
  replacement: "$1",
} as const;

/**
 * A selector for one per-database metric across every database, such as
 * `{__name__=~"neo4j_database_.+_transaction_committed_total"}`. Matching on `__name__` works the
 * same in Prometheus rules and in Grafana, unlike a name built from a dashboard variable.
 */
export function perDatabase(metric: string, matchers: string[] = []): string {
  return `{${[`__name__=~"neo4j_database_.+_${metric}"`, ...matchers].join(", ")}}`;
}

/**
 * Metric globs for every metric the dashboard and alerts read. Neo4j's default
 * `server.metrics.filter` covers all of them except `*vm.heap.max`, without which the heap alert
 * cannot compute a ratio; pass them as Neo4jCluster's `extraMetrics`, which adds them to Neo4j's
 * default filter instead of replacing it.
 */
export const MONITORING_METRICS_FILTER = [
  "*bolt.connections*",
  "*cluster.raft.is_leader",
  "*transaction.committed*",
  "*transaction.rollbacks*",
  "*transaction.active_read",
  "*transaction.active_write",
  "*transaction.last_committed_tx_id",
  "*db.query.execution*",
  "*store.size*",
  "*page_cache.hit*",
  "*page_cache.page_faults",
  "*page_cache.usage_ratio",
  "*vm.heap.used",
  "*vm.heap.max",
  "*vm.gc.time.*",
];
