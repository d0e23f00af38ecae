/**
 * Validation and planning for Neo4jCluster, with no Pulumi in it: the plain arguments go in, a
 * spec of every member (names, host names, ports, server mode) comes out, or an InputError that
 * names the field. Everything here runs synchronously in the component's constructor, so a bad
 * argument fails `pulumi preview` before any resource is registered.
 */
import { isIPv4 } from "net";
import { inputErrors } from "./errors";
import { Checks, STOP_GRACE_SECONDS, argChecks, closestName, orDefault, shown } from "./checks";
import { MemberResources, MemberResourcesArgs, planResources } from "./resources";
import { TlsArgs, TlsCertificatesArgs, TlsSpec, boltScheme, planTls } from "./tls";
import { MAVEN_CENTRAL, PluginArgs, PluginSpec, planLicenses, planPlugins } from "./plugins";
import {
  RestartPolicy,
  databaseNameProblem,
  isLoopback,
  imageReferenceProblem,
  resourceNameProblem,
} from "./names";
import {
  EDITIONS,
  Edition,
  IMAGE_VARIANTS,
  ImageRef,
  Neo4jVersion,
  formatVersion,
  parseImage,
  parseVersion,
  unsupportedReason,
  atLeast,
} from "./version";

export const DEFAULT_IMAGE = "neo4j:5.23-enterprise";
export const MAX_PRIMARIES = 11;
/** Neo4j 5's default `dbms.security.auth_minimum_password_length`. */
export const MIN_PASSWORD_LENGTH = 8;

/** Ports inside every member's container; Neo4j's defaults. */
export const CONTAINER_PORTS = {
  http: 7474,
  bolt: 7687,
  routing: 7688,
  discoveryV1: 5000,
  cluster: 6000,
  raft: 7000,
  backup: 6362,
  metrics: 2004,
  https: 7473,
} as const;

/**
 * How long a member gets to stop by default, in seconds. Neo4j answers SIGTERM with a clean shutdown
 * that ends in a checkpoint; a large page cache full of dirty pages takes minutes to flush (Neo4j's
 * Helm charts allow an hour). A clean stop returns as soon as Neo4j exits: this is only the bound.
 */
export const DEFAULT_STOP_GRACE_SECONDS = 300;

/** The seed's host ports: Browser on 7475-7477 and Bolt on 7688-7690 for three members. */
export const DEFAULT_HOST_PORTS = { http: 7475, bolt: 7688 } as const;

/**
 * Cluster discovery. `v1` (port 5000) and `v2` (the cluster port 6000) are the two services;
 * `v1-over-v2` and `v2-over-v1` run both, the first one leading, and exist only to move a running
 * cluster from v1 to v2 the way Neo4j's Operations Manual does it: one rolling change per step.
 */
export type DiscoveryVersion = "v1" | "v1-over-v2" | "v2-over-v1" | "v2";

/** The discovery values in the order a running cluster moves through them, v1 to v2. */
export const DISCOVERY_STEPS: readonly DiscoveryVersion[] = ["v1", "v1-over-v2", "v2-over-v1", "v2"];
export type ServerMode = "PRIMARY" | "SECONDARY";

/** Host ports: the first member gets the base port, the next member base + 1, and so on. */
export interface HostPortsSpec {
  /** Browser / HTTP API base port. Default 7475. */
  http?: number;
  /** Bolt base port. Default 7688. */
  bolt?: number;
  /** Online-backup base port; unset means the backup port is not published on the host. */
  backup?: number;
  /** Prometheus metrics base port; unset means the metrics port is not published on the host. */
  metrics?: number;
  /**
   * HTTPS base port, with `tls.https: "optional"` only (HTTP keeps `http`). With HTTPS required, the
   * Browser ports (`http`) serve HTTPS and plain HTTP is not published.
   */
  https?: number;
}

/** The plain (non-Output) arguments of Neo4jCluster that shape the resource graph. */
export interface ClusterShapeArgs {
  /**
   * Accepts the Neo4j license for an Enterprise image: `"yes"` when you hold a commercial license,
   * `"eval"` for evaluation terms. Required for Enterprise images, which refuse to start without it;
   * there is no default on purpose.
   */
  acceptLicenseAgreement?: "yes" | "eval";
  /** The Neo4j image. Default `neo4j:5.23-enterprise`. The tag must carry the version unless `neo4jVersion` says it. */
  image?: string;
  /** The Neo4j version, when the image tag does not carry it (a digest, a private tag). Example `5.26` or `2025.01`. Must agree with the tag when both say it. */
  neo4jVersion?: string;
  /**
   * `"enterprise"` or `"community"`, when the image tag does not say it: an image by digest, or an
   * image of your own whose tags do not follow the official `<version>-<edition>` scheme (then set
   * `neo4jVersion` too). Default: what the tag says; a tag with a version and no edition is
   * Community, as the official image has it. Must agree with the tag when both say it.
   */
  edition?: Edition;
  /** Primary members: they hold the Raft quorum and accept writes. Default 3 (1 for Community images); 1 to 11. */
  primaries?: number;
  /** Secondary members: read-only, asynchronously replicated copies. Default 0. */
  secondaries?: number;
  /**
   * Cluster discovery for Neo4j 5.x: `"v1"` (port 5000) or `"v2"` (the cluster port 6000; 5.22 and
   * later). Default `"v2"` from 5.23, where Neo4j deprecates v1 (2025.01 removes it, so a v1 cluster
   * must migrate before it can upgrade), `"v1"` before. Calendar versions (2025.01+) only have v2.
   * A running cluster moves from v1 to v2 through `"v1-over-v2"` and `"v2-over-v1"` (5.23 and
   * later), one `pulumi up` each; a jump is refused at preview with the steps.
   */
  discovery?: DiscoveryVersion;
  /**
   * Base host ports. Primary N (zero-based) publishes base + N; secondary N publishes base + 11 + N,
   * after the room for the most primaries a cluster may have, so adding a primary moves no
   * secondary. Default http 7475 and bolt 7688; backup and metrics unpublished.
   */
  hostPorts?: HostPortsSpec;
  /**
   * The IPv4 address published ports bind to. Default `127.0.0.1`: nothing is reachable from other
   * machines, or from containers, unless you say so.
   */
  hostAddress?: string;
  /**
   * The host name or address members advertise for Bolt and HTTP, in routing tables: the name clients
   * reach the published ports by. Default `localhost` for a loopback `hostAddress`, `hostAddress`
   * itself for another specific address; required with the wildcard `0.0.0.0`, where no default
   * could be right. When it is not a loopback name and the ports are bound to a non-loopback address,
   * containers reach it too, and `neo4j://` routes from the host, from other machines and from the
   * Docker network alike.
   */
  advertisedHost?: string;
  /** Accept online backups on port 6362 from inside the network (`server.backup.*`). Default true on Enterprise; Enterprise only. */
  onlineBackup?: boolean;
  /** Serve Prometheus metrics on port 2004 inside the network (`server.metrics.prometheus.*`). Default true on Enterprise; Enterprise only. */
  prometheusMetrics?: boolean;
  /**
   * Metric globs to enable on top of Neo4j's default `server.metrics.filter` for the version, such
   * as `*vm.heap.max`. Default none: Neo4j's own filter. (Setting `server.metrics.filter` in
   * `settings` replaces the whole list instead.) Needs prometheusMetrics.
   */
  extraMetrics?: string[];
  /**
   * JVM heap size, initial and maximum (`server.memory.heap.*`), such as `1g`. Default: Neo4j's
   * recommendation for `resources.memory` when that is set, else the JVM's heuristic.
   */
  heapSize?: string;
  /**
   * Page cache size (`server.memory.pagecache.size`), such as `512m`. Default: what Neo4j's
   * recommendation for `resources.memory` leaves after the heap, when that is set, else the image's 512M.
   */
  pageCacheSize?: string;
  /** CPU and memory limits per member. Default: none. */
  resources?: MemberResourcesArgs;
  /**
   * Extra JVM arguments per member (`server.jvm.additional`), such as `["-XX:+ExitOnOutOfMemoryError"]`:
   * one argument per entry, no spaces; heap flags are refused (use heapSize). Default: none.
   */
  jvmAdditionalArgs?: string[];
  /**
   * TLS on Bolt, HTTPS, between members and on the backup port: `{}` for all of them with
   * certificates the estate makes (a CA and one certificate per member); see TlsArgs for each
   * channel. Default: off.
   */
  tls?: TlsArgs;
  /** Neo4jClusterArgs documents it: certificates you provide instead of generated ones. */
  tlsCertificates?: TlsCertificatesArgs;
  /**
   * Plugin jars by name and version, such as `[{ name: "apoc", version: "5.26.0" }]`: fetched and
   * checked once by the machine running Pulumi, uploaded into `/plugins` of every member (no
   * container downloads anything), their procedures allow-listed. Default: none.
   */
  plugins?: PluginArgs[];
  /** The Maven repository plugins are fetched from. Default Maven Central (`https://repo1.maven.org/maven2`). */
  pluginRepository?: string;
  /** Neo4jClusterArgs documents it: licence files by name, their contents secrets. */
  licenses?: Record<string, unknown>;
  /** The default database created at first start (`initial.dbms.default_database`). Default `neo4j`. */
  defaultDatabase?: string;
  /** Extra Neo4j settings by name; Neo4jClusterArgs documents them (their values may be outputs). */
  settings?: Record<string, unknown>;
  /**
   * How long a member may take to shut down cleanly, in seconds, before Docker kills it: when Pulumi
   * replaces or removes it (Docker's stop with this timeout, then removal) and when Docker stops it
   * (`docker stop`, a daemon restart). Neo4j checkpoints on SIGTERM; killing it mid-way forces a
   * recovery at the next start. Default 300; 10 to 86400. Changing it replaces each member once,
   * one at a time (Docker fixes a container's stop timeout when it creates it).
   */
  stopGracePeriodSeconds?: number;
  /** Neo4jClusterArgs documents it; it may be an output. */
  adminPassword?: unknown;
  /** Neo4jClusterArgs documents it; it may be an output. */
  networkName?: unknown;
  /** Restart policy for the members. Default `unless-stopped`. */
  restart?: RestartPolicy;
  /**
   * Wait during `pulumi up` until the members are healthy: a single server until its health check
   * passes; a cluster until every member is an enabled, available server and every database is
   * hosted where Neo4j wants it, checked over Bolt, and, when members are replaced, after each one
   * before the next is touched. Default true. Without it, replacements are not health-gated.
   */
  waitForHealthy?: boolean;
  /** How long to wait for a member (or the whole cluster) to become healthy, in seconds, 10 to 86400. Default 600. */
  healthyTimeoutSeconds?: number;
  /**
   * Keep each member's data volume (`<member>-data`) when the member is removed (scaling in) or the
   * stack is destroyed: Pulumi forgets it, Docker keeps it, and a member of the same name created
   * later starts from it. Default true. Set false to delete a member's data with the member.
   */
  retainDataVolumes?: boolean;
  /** Extra labels on every resource. Keys starting with `neo4j-estate.` are the component's own. */
  labels?: Record<string, string>;
}

export interface MemberSpec {
  /** `core-1`, `core-2`, … for primaries, `core-secondary-1`, … for secondaries. */
  name: string;
  /** The container's host name and network alias: how other containers reach it. */
  hostname: string;
  mode: ServerMode;
  /**
   * Picks the host ports: primary N (zero-based) has slot N, secondary N has slot 11 + N. A member
   * keeps its slot whatever the member counts become.
   */
  slot: number;
  /** `http` is the Browser port: it serves HTTPS when TLS requires HTTPS. */
  hostPorts: { http: number; bolt: number; backup?: number; metrics?: number; https?: number };
}

export interface ClusterSpec {
  name: string;
  image: ImageRef;
  version: Neo4jVersion;
  edition: Edition;
  acceptLicenseAgreement?: "yes" | "eval";
  primaries: number;
  secondaries: number;
  clustered: boolean;
  discovery: DiscoveryVersion;
  hostAddress: string;
  advertisedHost: string;
  /**
   * Whether clients inside the Docker network can follow the advertised routing table: true when the
   * advertised host and the published ports are reachable from containers (neither is loopback).
   */
  routesInNetwork: boolean;
  onlineBackup: boolean;
  prometheusMetrics: boolean;
  /** Globs added to Neo4j's default metrics filter; empty for Neo4j's own. */
  extraMetrics: string[];
  heapSize?: string;
  pageCacheSize?: string;
  /** CPU and memory limits and JVM arguments, the same for every member. */
  resources: MemberResources;
  /** TLS per channel; undefined when TLS is off. */
  tls?: TlsSpec;
  plugins: PluginSpec[];
  pluginRepository: string;
  /** Licence file names, uploaded to /licenses. */
  licenses: string[];
  defaultDatabase: string;
  stopGracePeriodSeconds: number;
  members: MemberSpec[];
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const WILDCARD = "0.0.0.0";
const METRIC_GLOB = /^[A-Za-z0-9_.*?]+$/;

/** The first image whose entrypoint accepts `NEO4J_ACCEPT_LICENSE_AGREEMENT=eval` (neo4j/docker-neo4j#411). */
export const EVAL_LICENSE_SINCE = "5.5";

/** The first 5.x release that deprecates discovery v1, and from which new clusters get v2. */
export const DISCOVERY_V2_DEFAULT_SINCE = "5.23";

/** v2 where Neo4j recommends it (5.23 on) or has nothing else (2025.01 on), v1 before. */
export function defaultDiscovery(version: Neo4jVersion): DiscoveryVersion {
  return atLeast(version, DISCOVERY_V2_DEFAULT_SINCE) ? "v2" : "v1";
}
const HOST_PORT_KINDS = ["http", "bolt", "backup", "metrics", "https"] as const;
/** Above this the JVM loses compressed object pointers, so a bigger heap holds fewer objects; Neo4j's docs advise at most 31g. */
const COMPRESSED_OOPS_LIMIT = 31 * 1024 ** 3;

/**
 * Checks the plain arguments and plans the members. Throws an InputError naming the field on the
 * first problem; returns warnings (things that work but are unwise) for the caller to log.
 */
export function planCluster(name: string, args: ClusterShapeArgs): { spec: ClusterSpec; warnings: string[] } {
  const check = argChecks("Neo4jCluster", name);
  const fail = check.fail;
  const warnings: string[] = [];
  const warn = (field: string, text: string) => warnings.push(`Neo4jCluster "${name}": ${field} ${text}`);

  const nameProblem = resourceNameProblem(name);
  if (nameProblem) throw fail("name", nameProblem);

  const { image, version, edition } = readImage(args, check);

  if (edition === "enterprise" && args.acceptLicenseAgreement === undefined)
    throw fail(
      "acceptLicenseAgreement",
      `must be "yes" (you hold a Neo4j commercial license) or "eval" (evaluation terms) to run the Enterprise image ${image.image}; Neo4j Enterprise does not start without it`,
    );
  const acceptLicenseAgreement = orDefault(args.acceptLicenseAgreement, undefined, (v) =>
    check.oneOf("acceptLicenseAgreement", v, ["yes", "eval"] as const),
  );
  if (acceptLicenseAgreement === "eval" && version.major === 5 && !atLeast(version, EVAL_LICENSE_SINCE))
    throw fail(
      "acceptLicenseAgreement",
      `"eval" needs Neo4j ${EVAL_LICENSE_SINCE} or later: earlier images accept only "yes" and exit at start otherwise (the image is ${formatVersion(version)})`,
    );

  const primaries = orDefault(args.primaries, edition === "community" ? 1 : 3, (v) =>
    check.wholeNumber("primaries", v, { min: 1, max: MAX_PRIMARIES }),
  );
  const secondaries = orDefault(args.secondaries, 0, (v) =>
    check.wholeNumber("secondaries", v, { min: 0, max: 20 }),
  );
  const givenDiscovery = orDefault(args.discovery, undefined, (v) =>
    check.oneOf("discovery", v, DISCOVERY_STEPS),
  );
  const onlineBackup = orDefault(args.onlineBackup, edition === "enterprise", (v) =>
    check.boolean("onlineBackup", v),
  );
  const prometheusMetrics = orDefault(args.prometheusMetrics, edition === "enterprise", (v) =>
    check.boolean("prometheusMetrics", v),
  );
  if (edition === "community") {
    if (primaries !== 1)
      throw fail(
        "primaries",
        `must be 1 for a Community image: clustering is an Enterprise feature (got ${primaries})`,
      );
    if (secondaries !== 0)
      throw fail(
        "secondaries",
        `must be 0 for a Community image: clustering is an Enterprise feature (got ${secondaries})`,
      );
    if (givenDiscovery !== undefined)
      throw fail("discovery", "applies to Enterprise clusters only; a Community image runs a single server");
    if (onlineBackup)
      throw fail(
        "onlineBackup",
        "needs an Enterprise image: Neo4j Community has no online backup (use neo4j-admin database dump/load offline)",
      );
    if (prometheusMetrics)
      throw fail(
        "prometheusMetrics",
        "needs an Enterprise image: Neo4j Community has no Prometheus endpoint",
      );
  }
  if (primaries > 1 && primaries % 2 === 0)
    warn(
      "primaries",
      `is ${primaries}: ${primaries} primaries tolerate no more failures than ${primaries - 1}; an odd number is usually what you want`,
    );
  const clustered = primaries + secondaries > 1;

  let discovery: DiscoveryVersion = givenDiscovery ?? defaultDiscovery(version);
  if (discovery === "v2" && version.major === 5 && !atLeast(version, "5.22"))
    throw fail("discovery", `"v2" needs Neo4j 5.22 or later (the image is ${formatVersion(version)})`);
  if ((discovery === "v1-over-v2" || discovery === "v2-over-v1") && !atLeast(version, "5.23"))
    throw fail(
      "discovery",
      `${JSON.stringify(discovery)} moves a running cluster from v1 to v2, which Neo4j supports from 5.23 (the image is ${formatVersion(version)})`,
    );
  if (discovery !== "v2" && version.major >= 2025)
    throw fail(
      "discovery",
      `${discovery === "v1" ? '"v1" was' : `${JSON.stringify(discovery)} runs v1, which was`} removed in Neo4j 2025.01 (the image is ${formatVersion(version)}); use "v2"`,
    );
  if (!clustered) discovery = defaultDiscovery(version);

  const hostAddress = args.hostAddress ?? "127.0.0.1";
  if (typeof hostAddress !== "string" || !isIPv4(hostAddress))
    throw fail(
      "hostAddress",
      `must be an IPv4 address to bind published ports to, such as 127.0.0.1 or 0.0.0.0 (got ${shown(hostAddress)})`,
    );
  if (args.advertisedHost === undefined && hostAddress === WILDCARD)
    throw fail(
      "advertisedHost",
      `is required when hostAddress is ${WILDCARD}: members advertise it in Bolt routing tables, and with ports open on every interface only you know the name clients reach this machine by (a DNS name or an address of the host)`,
    );
  const advertisedHost = args.advertisedHost ?? (isLoopback(hostAddress) ? "localhost" : hostAddress);
  if (typeof advertisedHost !== "string" || !HOST_NAME.test(advertisedHost))
    throw fail("advertisedHost", `must be a host name or IP address (got ${shown(advertisedHost)})`);
  if (isLoopback(hostAddress) && !isLoopback(advertisedHost))
    warn(
      "advertisedHost",
      `${advertisedHost} is advertised in routing tables, but the ports are bound to ${hostAddress} only: clients can follow the routing table only where ${advertisedHost} resolves to ${hostAddress}`,
    );
  const routesInNetwork = !isLoopback(hostAddress) && !isLoopback(advertisedHost);

  const ports = orDefault(args.hostPorts, {}, (v) =>
    check.object<HostPortsSpec>(
      "hostPorts",
      v,
      HOST_PORT_KINDS,
      "an object such as { bolt: 7688, http: 7475 }",
    ),
  );
  for (const kind of HOST_PORT_KINDS)
    if (ports[kind] !== undefined) check.port(`hostPorts.${kind}`, ports[kind]);
  if (ports.backup !== undefined && !onlineBackup)
    throw fail("hostPorts.backup", "publishes the online-backup port, but onlineBackup is off");
  if (ports.metrics !== undefined && !prometheusMetrics)
    throw fail("hostPorts.metrics", "publishes the Prometheus port, but prometheusMetrics is off");
  const extraMetrics = orDefault(args.extraMetrics, [], (v) =>
    check.list("extraMetrics", v, 'a list of metric globs such as ["*vm.heap.max"]').map((glob) => {
      if (typeof glob !== "string" || !METRIC_GLOB.test(glob))
        throw fail(
          "extraMetrics",
          `entry ${shown(glob)} is not a metric glob (letters, digits, _ . * ?, such as *vm.heap.max)`,
        );
      return glob;
    }),
  );
  if (extraMetrics.length > 0 && !prometheusMetrics)
    throw fail("extraMetrics", "enables metrics, but prometheusMetrics is off");

  const heap = orDefault(args.heapSize, undefined, (v) => check.size("heapSize", v));
  const pageCache = orDefault(args.pageCacheSize, undefined, (v) => check.size("pageCacheSize", v));
  if (heap !== undefined && heap > COMPRESSED_OOPS_LIMIT)
    warn(
      "heapSize",
      `is ${args.heapSize}: above 31g the JVM loses compressed object pointers, so the heap holds fewer objects than at 31g; Neo4j advises at most 31g and the rest as page cache`,
    );
  if (heap !== undefined && pageCache !== undefined && heap > pageCache)
    warn(
      "heapSize",
      `(${args.heapSize}) is larger than pageCacheSize (${args.pageCacheSize}): Neo4j reads the graph through the page cache, so memory usually serves it better there; check the two are not swapped`,
    );

  const resources = planResources(args, check);

  const stopGracePeriodSeconds = orDefault(args.stopGracePeriodSeconds, DEFAULT_STOP_GRACE_SECONDS, (v) =>
    check.wholeNumber("stopGracePeriodSeconds", v, STOP_GRACE_SECONDS),
  );
  const defaultDatabase = orDefault(args.defaultDatabase, "neo4j", (v) => {
    const problem = databaseNameProblem(v, { reserved: "refuse" });
    if (problem) throw fail("defaultDatabase", problem);
    return v as string;
  });

  const plugins = planPlugins(args.plugins, version, check);
  const pluginRepository = orDefault(args.pluginRepository, MAVEN_CENTRAL, (v) => {
    const url = check.text("pluginRepository", v, '"https://repo1.maven.org/maven2"');
    if (!/^https?:\/\/[^\s/]+/.test(url))
      throw fail("pluginRepository", `must be an http(s) URL of a Maven repository (got ${shown(v)})`);
    return url;
  });
  if (args.pluginRepository !== undefined && !plugins.some((p) => p.source.kind === "maven"))
    throw fail("pluginRepository", "is only used to fetch plugins from Maven, and no plugin is");
  const licenses = planLicenses(args.licenses, check);

  const members: MemberSpec[] = [];
  const base = {
    http: ports.http ?? DEFAULT_HOST_PORTS.http,
    bolt: ports.bolt ?? DEFAULT_HOST_PORTS.bolt,
    backup: ports.backup,
    metrics: ports.metrics,
    https: ports.https,
  };
  const member = (mode: ServerMode, n: number): MemberSpec => {
    const memberName = mode === "PRIMARY" ? `${name}-${n + 1}` : `${name}-secondary-${n + 1}`;
    const slot = mode === "PRIMARY" ? n : MAX_PRIMARIES + n;
    const hostPorts: MemberSpec["hostPorts"] = { http: base.http + slot, bolt: base.bolt + slot };
    if (base.backup !== undefined) hostPorts.backup = base.backup + slot;
    if (base.metrics !== undefined) hostPorts.metrics = base.metrics + slot;
    if (base.https !== undefined) hostPorts.https = base.https + slot;
    return { name: memberName, hostname: memberName, mode, slot, hostPorts };
  };
  for (let n = 0; n < primaries; n++) members.push(member("PRIMARY", n));
  for (let n = 0; n < secondaries; n++) members.push(member("SECONDARY", n));
  checkHostPorts(members, base, fail);
  const tls = planTls(
    args,
    {
      edition,
      clustered,
      onlineBackup,
      memberNames: members.map((m) => m.name),
      httpsHostPort: ports.https !== undefined,
    },
    check,
  );

  return {
    spec: {
      name,
      image,
      version,
      edition,
      acceptLicenseAgreement,
      primaries,
      secondaries,
      clustered,
      discovery,
      hostAddress,
      advertisedHost,
      routesInNetwork,
      onlineBackup,
      prometheusMetrics,
      extraMetrics,
      heapSize: resources.heapSize,
      pageCacheSize: resources.pageCacheSize,
      resources,
      tls,
      plugins,
      pluginRepository,
      licenses,
      defaultDatabase,
      stopGracePeriodSeconds,
      members,
    },
    warnings,
  };
}

/**
 * The image, the Neo4j version and the edition, from the image tag and the `neo4jVersion` and
 * `edition` arguments, which must agree with the tag where it says something. A tag part that is
 * none of version, edition and base-image variant is refused unless both arguments say what the
 * tag does not: a typo like `5.26-enterpise` must not quietly deploy Community.
 */
function readImage(
  args: ClusterShapeArgs,
  check: Checks,
): { image: ImageRef; version: Neo4jVersion; edition: Edition } {
  const fail = check.fail;
  const imageText = orDefault(args.image, DEFAULT_IMAGE, (v) => {
    const text = check.text("image", v, "neo4j:5.26-enterprise");
    const problem = imageReferenceProblem(text);
    if (problem) throw fail("image", problem);
    return text;
  });
  const image = parseImage(imageText);
  const givenVersion = orDefault(args.neo4jVersion, undefined, (v) => {
    const parsed = typeof v === "string" ? parseVersion(v) : undefined;
    if (!parsed) throw fail("neo4jVersion", `must look like 5.23, 5.26.3 or 2025.01 (got ${shown(v)})`);
    return parsed;
  });
  const givenEdition = orDefault(args.edition, undefined, (v) => check.oneOf("edition", v, EDITIONS));

  if (image.unknownTagParts.length > 0 && (givenVersion === undefined || givenEdition === undefined)) {
    const part = image.unknownTagParts[0];
    const near = closestName(part, [...EDITIONS, ...IMAGE_VARIANTS]);
    throw fail(
      "image",
      `tag ${JSON.stringify(image.tag)} has ${JSON.stringify(part)}, which is neither an edition (${EDITIONS.join(", ")}) nor a base-image variant (${IMAGE_VARIANTS.join(", ")})${near ? `; did you mean ${near}?` : ""}. For an image of your own with another tag scheme, set neo4jVersion and edition`,
    );
  }
  if (givenVersion && image.version) {
    const same =
      givenVersion.major === image.version.major &&
      givenVersion.minor === image.version.minor &&
      (givenVersion.patch === undefined ||
        image.version.patch === undefined ||
        givenVersion.patch === image.version.patch);
    if (!same)
      throw fail(
        "neo4jVersion",
        `says ${formatVersion(givenVersion)} but the image tag says ${formatVersion(image.version)}; leave neo4jVersion out or make them agree`,
      );
  }
  const version = givenVersion ?? image.version;
  if (!version)
    throw fail(
      "image",
      `tag must carry the Neo4j version (like neo4j:5.23-enterprise), or neo4jVersion must say it, since setting names differ between versions (got ${JSON.stringify(image.image)})`,
    );
  const unsupported = unsupportedReason(version);
  if (unsupported) throw fail(givenVersion ? "neo4jVersion" : "image", unsupported);

  if (givenEdition && image.editionInTag && givenEdition !== image.editionInTag)
    throw fail(
      "edition",
      `says ${JSON.stringify(givenEdition)} but the image tag says ${JSON.stringify(image.editionInTag)}; leave edition out or make them agree`,
    );
  // The official image without an edition in its tag is Community; without a tag at all (a digest) nobody can tell.
  if (!givenEdition && !image.editionInTag && image.tag === undefined)
    throw fail(
      "edition",
      `must be "enterprise" or "community" for an image without a tag (${JSON.stringify(image.image)}): only the tag says which edition it is`,
    );
  return { image, version, edition: givenEdition ?? image.editionInTag ?? "community" };
}

/** Where clients connect from, and with which URI. */
export interface ClientUris {
  /** For clients on the host (and beyond, with a non-loopback bind): `neo4j://` routes for a cluster. */
  boltUri: string;
  /**
   * For clients in containers on the cluster's network: the routed URI when the advertised
   * addresses are reachable from there (see ClusterSpec.routesInNetwork), else `bolt://` to the
   * first member's container, which does not route (send writes to the leader yourself).
   */
  networkBoltUri: string;
}

export function clientUris(spec: ClusterSpec): ClientUris {
  // `+s` when Bolt speaks TLS: every member's certificate names the advertised host and its own host name.
  const boltUri = `${boltScheme(spec.clustered, spec.tls)}://${spec.advertisedHost}:${spec.members[0].hostPorts.bolt}`;
  return {
    boltUri,
    networkBoltUri: spec.routesInNetwork
      ? boltUri
      : `${boltScheme(false, spec.tls)}://${spec.members[0].hostname}:${CONTAINER_PORTS.bolt}`,
  };
}

/**
 * The Browser URL from the host per member: `https://` on the Browser port when HTTPS is required,
 * else `http://`; and the HTTPS URL, when HTTPS is on.
 */
export function browserUrls(spec: ClusterSpec, member: MemberSpec): { httpUrl: string; httpsUrl?: string } {
  const at = (scheme: string, port: number) => `${scheme}://${spec.advertisedHost}:${port}`;
  const https = spec.tls?.https ?? "off";
  if (https === "required")
    return { httpUrl: at("https", member.hostPorts.http), httpsUrl: at("https", member.hostPorts.http) };
  if (https === "optional")
    return { httpUrl: at("http", member.hostPorts.http), httpsUrl: at("https", member.hostPorts.https!) };
  return { httpUrl: at("http", member.hostPorts.http) };
}

function checkHostPorts(
  members: MemberSpec[],
  base: Record<string, number | undefined>,
  fail: ReturnType<typeof inputErrors>,
): void {
  const lastSlot = Math.max(...members.map((m) => m.slot));
  for (const [kind, port] of Object.entries(base)) {
    if (port === undefined) continue;
    const last = port + lastSlot;
    if (!Number.isInteger(port) || port < 1 || last > 65535)
      throw fail(
        `hostPorts.${kind}`,
        `must leave room for the members' ports between 1 and 65535 (got ${port}, which needs up to ${last})`,
      );
  }
  const owner = new Map<number, { kind: string; member: string }>();
  for (const member of members) {
    for (const [kind, port] of Object.entries(member.hostPorts)) {
      if (port === undefined) continue;
      const previous = owner.get(port);
      if (previous)
        throw fail(
          `hostPorts.${kind}`,
          `collides with hostPorts.${previous.kind}: host port ${port} would be published for both the ${previous.kind} port of ${previous.member} and the ${kind} port of ${member.name}; move one base port so the ranges do not overlap (primary N publishes base + N, secondary N base + ${MAX_PRIMARIES} + N)`,
        );
      owner.set(port, { kind, member: member.name });
    }
  }
}
