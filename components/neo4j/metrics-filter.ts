/**
 * Neo4j's default `server.metrics.filter`, per version, as the Operations Manual's settings
 * reference gives it. Setting the filter replaces this list, so whoever needs more metrics extends it
 * (see extendMetricsFilter) instead of writing a shorter list that silently drops the rest.
 */
import { Neo4jVersion, atLeast } from "./version";

export const METRICS_FILTER_SETTING = "server.metrics.filter";

/** Neo4j 5.x through 2025.02 (the 5.26 reference; a glob that matches nothing on an older 5.x is harmless). */
const DEFAULT_5X = [
  "*bolt.connections*",
  "*bolt.messages_received*",
  "*bolt.messages_started*",
  "*dbms.pool.bolt.free",
  "*dbms.pool.bolt.total_size",
  "*dbms.pool.bolt.total_used",
  "*dbms.pool.bolt.used_heap",
  "*cluster.raft.is_leader",
  "*cluster.raft.last_leader_message",
  "*cluster.raft.replication_attempt",
  "*cluster.raft.replication_fail",
  "*cluster.raft.last_applied",
  "*cluster.raft.last_appended",
  "*cluster.raft.append_index",
  "*cluster.raft.commit_index",
  "*cluster.raft.applied_index",
  "*cluster.internal.discovery.memberset.left",
  "*cluster.internal.discovery.crdt.gossip_id_data.size",
  "*cluster.internal.discovery.crdt.server_data.size",
  "*cluster.internal.discovery.crdt.database_data.size",
  "*cluster.internal.discovery.crdt.leader_data.size",
  "*cluster.internal.discovery.crdt.total_merge_operations",
  "*cluster.internal.discovery.crdt.total_update_operations",
  "*cluster.internal.discovery.gossip.incoming_queue_size",
  "*cluster.internal.discovery.gossip.total_received_data",
  "*cluster.internal.discovery.gossip.total_sent_data",
  "*cluster.internal.discovery.gossip.uncontactable_members_exist",
  "*check_point.*",
  "*cypher.replan_events",
  "*cypher.cache*",
  "*ids_in_use*",
  "*pool.transaction.*.total_used",
  "*pool.transaction.*.used_heap",
  "*pool.transaction.*.used_native",
  "*store.size*",
  "*transaction.active_read",
  "*transaction.active_write",
  "*transaction.committed*",
  "*transaction.last_committed_tx_id",
  "*transaction.peak_concurrent",
  "*transaction.rollbacks*",
  "*page_cache.hit*",
  "*page_cache.page_faults",
  "*page_cache.usage_ratio",
  "*vm.file.descriptors.count",
  "*vm.gc.time.*",
  "*vm.heap.used",
  "*vm.memory.buffer.direct.used",
  "*vm.memory.pool.g1_eden_space",
  "*vm.memory.pool.g1_old_gen",
  "*vm.pause_time",
  "*vm.thread*",
  "*db.query.execution*",
  "*protocol*",
];

/** 2025.03 adds the `neo4j.count` metrics, which replace the deprecated `ids_in_use` ones. */
const COUNT_METRICS = "*.neo4j.count.*";

/** Neo4j's default filter for a version: 2025.03 adds the count metrics, 2025.06 drops the discovery internals. */
export function defaultMetricsFilter(version: Neo4jVersion): string[] {
  let filter = [...DEFAULT_5X];
  if (atLeast(version, "2025.03")) filter.splice(filter.indexOf("*ids_in_use*") + 1, 0, COUNT_METRICS);
  if (atLeast(version, "2025.06"))
    filter = filter.filter((glob) => !glob.startsWith("*cluster.internal.discovery."));
  return filter;
}

/** Neo4j's default filter for a version with `extra` globs added after it, each once. */
export function extendMetricsFilter(version: Neo4jVersion, extra: string[]): string[] {
  const filter = defaultMetricsFilter(version);
  return [...filter, ...extra.filter((glob, i) => !filter.includes(glob) && extra.indexOf(glob) === i)];
}
