/**
 * Neo4j settings for each cluster member, by Neo4j version and edition. Everything a member is
 * configured with goes through here, so the names Neo4j 5 and 2025.x really accept live in one
 * place and are checked against the settings catalog before any container exists.
 */
import { CONTAINER_PORTS, ClusterSpec, DiscoveryVersion, MemberSpec } from "./cluster-spec";
import { Formation, hostsSystemAsPrimary, planFormation } from "./formation";
import { InputError } from "./errors";
import { editDistance } from "./checks";
import catalogJson from "./settings-catalog.json";
import { atLeast, formatVersion, parseVersion } from "./version";
import { METRICS_FILTER_SETTING, extendMetricsFilter } from "./metrics-filter";
import { SharedTlsFiles, tlsSettings } from "./tls";
import { licenseSettings, pluginSettings } from "./plugins";

export type Settings = Record<string, string>;

function address(host: string, port: number): string {
  return `${host}:${port}`;
}

/**
 * The discovery settings: v1 on port 5000 (5.x), v2 on the cluster port 6000 (5.22+), both while a
 * running cluster moves from one to the other, `dbms.cluster.endpoints` from 2025.01. The endpoints
 * are the formation's seeds, so adding or removing other members changes no member's settings.
 */
export function discoverySettings(
  spec: ClusterSpec,
  member: MemberSpec,
  formation: Formation,
  kubernetes?: KubernetesDiscovery,
): Settings {
  if (kubernetes) return kubernetesDiscoverySettings(spec, member, kubernetes);
  const endpoints = (port: number) => formation.seeds.map((host) => address(host, port)).join(",");
  if (spec.version.major >= 2025) {
    return {
      "dbms.cluster.discovery.resolver_type": "LIST",
      "dbms.cluster.endpoints": endpoints(CONTAINER_PORTS.cluster),
    };
  }
  const settings: Settings = { "dbms.cluster.discovery.resolver_type": "LIST" };
  if (spec.discovery !== "v2") {
    settings["dbms.cluster.discovery.endpoints"] = endpoints(CONTAINER_PORTS.discoveryV1);
    settings["server.discovery.advertised_address"] = address(member.hostname, CONTAINER_PORTS.discoveryV1);
  }
  if (spec.discovery !== "v1")
    settings["dbms.cluster.discovery.v2.endpoints"] = endpoints(CONTAINER_PORTS.cluster);
  // 5.22-5.26 know a discovery version; saying V1_ONLY keeps the choice explicit in the diff.
  if (atLeast(spec.version, "5.22"))
    settings["dbms.cluster.discovery.version"] = DISCOVERY_MODES[spec.discovery];
  return settings;
}

/**
 * Kubernetes-native discovery (`resolver_type=K8S`): each member asks the API server for the
 * Services matching a label selector and reaches the others through the Service port of the given
 * name, so the settings name no member and never change with scale.
 */
export interface KubernetesDiscovery {
  /** Selects one Service per member, such as `neo4j-estate.discovery=graph`. */
  labelSelector: string;
  /** The Service port names: the v1 discovery port (5000) and the cluster port (6000), which v2 uses. */
  portNames: { discoveryV1: string; cluster: string };
  /** The cluster's DNS domain, `cluster.local` unless the cluster says otherwise. */
  clusterDomain: string;
}

/**
 * The K8S resolver's settings per version: 5.x names the v1 port with
 * `dbms.kubernetes.service_port_name` and the v2 port with
 * `dbms.kubernetes.discovery.v2.service_port_name` (5.22+); 2025.01 renames the latter to
 * `dbms.kubernetes.discovery.service_port_name` and removes the former with v1.
 */
export function kubernetesDiscoverySettings(
  spec: ClusterSpec,
  member: MemberSpec,
  k8s: KubernetesDiscovery,
): Settings {
  const settings: Settings = {
    "dbms.cluster.discovery.resolver_type": "K8S",
    "dbms.kubernetes.label_selector": k8s.labelSelector,
    "dbms.kubernetes.cluster_domain": k8s.clusterDomain,
  };
  if (spec.version.major >= 2025) {
    settings["dbms.kubernetes.discovery.service_port_name"] = k8s.portNames.cluster;
    return settings;
  }
  if (spec.discovery !== "v2") {
    settings["dbms.kubernetes.service_port_name"] = k8s.portNames.discoveryV1;
    settings["server.discovery.advertised_address"] = address(member.hostname, CONTAINER_PORTS.discoveryV1);
  }
  if (spec.discovery !== "v1")
    settings["dbms.kubernetes.discovery.v2.service_port_name"] = k8s.portNames.cluster;
  if (atLeast(spec.version, "5.22"))
    settings["dbms.cluster.discovery.version"] = DISCOVERY_MODES[spec.discovery];
  return settings;
}

/**
 * Where a member is reached when the platform's addresses are not Docker's published ports: Bolt
 * and HTTP as clients reach them, and Kubernetes-native discovery instead of a list of seeds.
 */
export interface MemberPlacement {
  boltAdvertisedAddress: string;
  httpAdvertisedAddress: string;
  /** HTTPS as clients reach it, when HTTPS is on. */
  httpsAdvertisedAddress?: string;
  /** Where the member's key, certificate and trusted authorities are, when not under `/ssl/<scope>/`. */
  tlsFiles?: SharedTlsFiles;
  kubernetesDiscovery?: KubernetesDiscovery;
}

/** `dbms.cluster.discovery.version` for each discovery choice. */
const DISCOVERY_MODES: Record<DiscoveryVersion, string> = {
  v1: "V1_ONLY",
  "v1-over-v2": "V1_OVER_V2",
  "v2-over-v1": "V2_OVER_V1",
  v2: "V2_ONLY",
};

/**
 * The settings one member starts with, before the user's extra settings are laid over them. The
 * formation (what the cluster first formed with) decides the settings Neo4j only reads at formation
 * and the discovery endpoints; it defaults to this shape's own, as for a first deployment.
 *
 * Bolt and HTTP advertise the host-published address, `advertisedHost:<host port>`
 * (`localhost:7688` by default): a routing driver follows the routing table to addresses it can
 * reach, which the seed's container host names are not from the host. Cluster traffic (discovery,
 * Raft, server-side routing) advertises the container host name, which resolves inside the Docker
 * network.
 */
export function memberSettings(
  spec: ClusterSpec,
  member: MemberSpec,
  formation: Formation = planFormation(spec),
  placement?: MemberPlacement,
): Settings {
  const settings: Settings = {
    "server.default_listen_address": "0.0.0.0",
    "server.default_advertised_address": member.hostname,
    "server.bolt.advertised_address":
      placement?.boltAdvertisedAddress ?? address(spec.advertisedHost, member.hostPorts.bolt),
    "initial.dbms.default_database": spec.defaultDatabase,
  };
  // With HTTPS required, the Browser port serves HTTPS, and plain HTTP is the container's own.
  if (spec.tls?.https !== "required")
    settings["server.http.advertised_address"] =
      placement?.httpAdvertisedAddress ?? address(spec.advertisedHost, member.hostPorts.http);
  if (spec.tls)
    Object.assign(
      settings,
      tlsSettings(
        spec.tls,
        { http: CONTAINER_PORTS.http, https: CONTAINER_PORTS.https },
        {
          httpsAddress:
            placement?.httpsAdvertisedAddress ??
            address(
              spec.advertisedHost,
              spec.tls.https === "optional" ? member.hostPorts.https! : member.hostPorts.http,
            ),
        },
        undefined,
        placement?.tlsFiles,
      ),
    );
  Object.assign(settings, pluginSettings(spec.plugins), licenseSettings(spec.licenses));
  if (spec.heapSize !== undefined) {
    settings["server.memory.heap.initial_size"] = spec.heapSize;
    settings["server.memory.heap.max_size"] = spec.heapSize;
  }
  if (spec.pageCacheSize !== undefined) settings["server.memory.pagecache.size"] = spec.pageCacheSize;
  // The image appends this one to the distribution's own JVM arguments, split on spaces.
  if (spec.resources.jvmAdditionalArgs.length > 0)
    settings["server.jvm.additional"] = spec.resources.jvmAdditionalArgs.join(" ");

  if (spec.clustered) {
    Object.assign(settings, {
      "server.cluster.advertised_address": address(member.hostname, CONTAINER_PORTS.cluster),
      "server.cluster.raft.advertised_address": address(member.hostname, CONTAINER_PORTS.raft),
      "server.routing.advertised_address": address(member.hostname, CONTAINER_PORTS.routing),
      "initial.server.mode_constraint": member.mode,
      "server.cluster.system_database_mode": hostsSystemAsPrimary(formation, member)
        ? "PRIMARY"
        : "SECONDARY",
      "initial.dbms.default_primaries_count": String(formation.primaries),
      "initial.dbms.default_secondaries_count": String(formation.secondaries),
      "dbms.cluster.minimum_initial_system_primaries_count": String(formation.seeds.length),
      ...discoverySettings(spec, member, formation, placement?.kubernetesDiscovery),
    });
    // Members added later (more primaries or secondaries) join as FREE servers and host nothing
    // until enabled; from 5.10 on, Neo4j can enable them as they join.
    if (atLeast(spec.version, "5.10")) settings["initial.dbms.automatically_enable_free_servers"] = "true";
  }
  if (spec.onlineBackup) {
    // Neo4j listens for backups on 127.0.0.1:6362 by default, which a backup runner in another container cannot reach.
    settings["server.backup.enabled"] = "true";
    settings["server.backup.listen_address"] = address("0.0.0.0", CONTAINER_PORTS.backup);
  }
  if (spec.prometheusMetrics) {
    // The default endpoint is localhost:2004: Prometheus in another container could not scrape it.
    settings["server.metrics.enabled"] = "true";
    settings["server.metrics.prometheus.enabled"] = "true";
    settings["server.metrics.prometheus.endpoint"] = address("0.0.0.0", CONTAINER_PORTS.metrics);
    // Setting the filter replaces Neo4j's default list: extend it, never shorten it.
    if (spec.extraMetrics.length > 0)
      settings[METRICS_FILTER_SETTING] = extendMetricsFilter(spec.version, spec.extraMetrics).join(",");
  }
  return settings;
}

interface CatalogEntry {
  name: string;
  edition: "enterprise" | "all";
  since: string;
  removedIn?: string;
  deprecatedIn?: string;
  pattern?: boolean;
}

const catalog: { coveredThrough: string; settings: CatalogEntry[] } = catalogJson as typeof catalog;

/** The first segments that Neo4j's strict validation owns: an unknown name under these stops startup. */
const NEO4J_NAMESPACES = [
  "browser",
  "causal_clustering",
  "client",
  "db",
  "dbms",
  "fabric",
  "initial",
  "metrics",
  "server",
];

/** Neo4j 4 names still seen in blog posts and old compose files, with what Neo4j 5 calls them. */
export const NEO4J4_RENAMES: Record<string, string> = {
  "dbms.backup.enabled": "server.backup.enabled",
  "dbms.backup.listen_address": "server.backup.listen_address",
  "metrics.enabled": "server.metrics.enabled",
  "metrics.prometheus.enabled": "server.metrics.prometheus.enabled",
  "metrics.prometheus.endpoint": "server.metrics.prometheus.endpoint",
  "metrics.csv.enabled": "server.metrics.csv.enabled",
  "metrics.csv.interval": "server.metrics.csv.interval",
  "metrics.filter": "server.metrics.filter",
  "metrics.prefix": "server.metrics.prefix",
  "dbms.memory.heap.initial_size": "server.memory.heap.initial_size",
  "dbms.memory.heap.max_size": "server.memory.heap.max_size",
  "dbms.memory.pagecache.size": "server.memory.pagecache.size",
  "dbms.default_listen_address": "server.default_listen_address",
  "dbms.default_advertised_address": "server.default_advertised_address",
  "dbms.default_database": "initial.dbms.default_database",
  "dbms.mode": "initial.server.mode_constraint",
  "causal_clustering.initial_discovery_members": "dbms.cluster.discovery.endpoints",
  "causal_clustering.discovery_advertised_address": "server.discovery.advertised_address",
  "causal_clustering.transaction_advertised_address": "server.cluster.advertised_address",
  "causal_clustering.raft_advertised_address": "server.cluster.raft.advertised_address",
};

const SETTING_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

function entryPattern(entry: CatalogEntry): RegExp {
  // Placeholders like <database> or <name> stand for one or more segments.
  const source = entry.name
    .split(/<[^>]+>/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[A-Za-z0-9_.-]+");
  return new RegExp(`^${source}$`);
}

const exactEntries = new Map(catalog.settings.filter((e) => !e.pattern).map((e) => [e.name, e]));
const patternEntries = catalog.settings
  .filter((e) => e.pattern)
  .map((e) => ({ entry: e, regex: entryPattern(e) }));

export function catalogEntry(name: string): CatalogEntry | undefined {
  return exactEntries.get(name) ?? patternEntries.find((p) => p.regex.test(name))?.entry;
}

/** Why Neo4j `version`/`edition` would refuse the setting `name` at startup, or undefined if it accepts it. */
export function settingProblem(
  name: string,
  spec: Pick<ClusterSpec, "version" | "edition">,
): string | undefined {
  if (!SETTING_NAME.test(name))
    return `${JSON.stringify(name)} is not a Neo4j setting name (lowercase segments separated by dots)`;
  const namespace = name.split(".")[0];
  const renamed = NEO4J4_RENAMES[name];
  if (renamed) return `${name} is a Neo4j 4 name that Neo4j 5 refuses; use ${renamed}`;
  const entry = catalogEntry(name);
  const versionText = formatVersion(spec.version);
  if (!entry) {
    if (!NEO4J_NAMESPACES.includes(namespace)) return undefined;
    const closest = catalog.settings
      .filter((e) => !e.pattern)
      .map((e) => ({ name: e.name, d: editDistance(name, e.name) }))
      .sort((a, b) => a.d - b.d)[0];
    const hint = closest && closest.d <= 4 ? `; did you mean ${closest.name}?` : "";
    return `${name} is not a setting Neo4j ${versionText} knows, and Neo4j refuses to start on unknown settings${hint}`;
  }
  if (!atLeast(spec.version, entry.since))
    return `${name} needs Neo4j ${entry.since} or later (the image is ${versionText})`;
  if (entry.removedIn && atLeast(spec.version, entry.removedIn))
    return `${name} was removed in Neo4j ${entry.removedIn} (the image is ${versionText})`;
  if (entry.edition === "enterprise" && spec.edition === "community")
    return `${name} is an Enterprise setting that Neo4j Community refuses`;
  return undefined;
}

/**
 * Checks every setting a member would start with, the component's own and the user's extra ones,
 * so a misspelled or wrong-version name fails the preview instead of crash-looping a container.
 * For versions newer than the catalog knows, an unknown name may be a new setting: it is returned
 * as a warning instead.
 */
export function checkSettings(
  resourceName: string,
  spec: ClusterSpec,
  extraSettingNames: string[],
): string[] {
  const warnings: string[] = [];
  const newerThanCatalog = !atLeast(parseVersion(catalog.coveredThrough)!, formatVersion(spec.version));
  for (const name of extraSettingNames) {
    // Settings a plugin declares (Bloom's dbms.bloom.*) are Neo4j's once the plugin is loaded.
    if (spec.plugins.some((p) => p.declaresSettings.some((pattern) => pattern.test(name)))) continue;
    const problem = settingProblem(name, spec);
    if (!problem) continue;
    if (newerThanCatalog && !catalogEntry(name) && !NEO4J4_RENAMES[name] && SETTING_NAME.test(name)) {
      warnings.push(
        `Neo4jCluster "${resourceName}": settings["${name}"] is not in this library's catalog, which covers Neo4j up to ${catalog.coveredThrough}; Neo4j ${formatVersion(spec.version)} refuses to start if it does not know it either`,
      );
      continue;
    }
    throw new InputError("Neo4jCluster", resourceName, `settings["${name}"]`, `is refused: ${problem}`);
  }
  for (const member of spec.members) {
    for (const name of Object.keys(memberSettings(spec, member))) {
      const problem = settingProblem(name, spec);
      // Reaching this is a bug in the renderer, not the user's input: say so.
      if (problem)
        throw new Error(
          `Neo4jCluster "${resourceName}": internal error, rendered a setting Neo4j would refuse: ${problem}`,
        );
    }
  }
  return warnings;
}
