/**
 * Validation and planning for Neo4jCluster, with no Pulumi in it: the plain arguments go in, a
 * spec of every member (names, host names, ports, server mode) comes out, or an InputError that
 * names the field. Everything here runs synchronously in the component's constructor, so a bad
 * argument fails `pulumi preview` before any resource is registered.
 */
import { isIPv4 } from "net";
import { inputErrors } from "./errors";
import { STOP_GRACE_SECONDS, argChecks, orDefault } from "./checks";
import { databaseNameProblem, hostForUrls, resourceNameProblem } from "./names";
import {
  Edition,
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
} as const;

/**
 * How long a member gets to stop by default, in seconds. Neo4j answers SIGTERM with a clean shutdown
 * that ends in a checkpoint; a large page cache full of dirty pages takes minutes to flush (Neo4j's
 * Helm charts allow an hour). A clean stop returns as soon as Neo4j exits: this is only the bound.
 */
export const DEFAULT_STOP_GRACE_SECONDS = 300;

/** The seed's host ports: Browser on 7475-7477 and Bolt on 7688-7690 for three members. */
export const DEFAULT_HOST_PORTS = { http: 7475, bolt: 7688 } as const;

export type DiscoveryVersion = "v1" | "v2";
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
  /** The Neo4j version, when the image tag does not carry it (a digest, a private tag). Example `5.26` or `2025.01`. */
  neo4jVersion?: string;
  /** Primary members: they hold the Raft quorum and accept writes. Default 3 (1 for Community images); 1 to 11. */
  primaries?: number;
  /** Secondary members: read-only, asynchronously replicated copies. Default 0. */
  secondaries?: number;
  /**
   * Cluster discovery for Neo4j 5.x: `"v1"` (port 5000, Neo4j's default up to 5.26) or `"v2"` (the
   * cluster port 6000; 5.22 and later). Default `"v1"` on 5.x; calendar versions (2025.01+) only have v2.
   */
  discovery?: DiscoveryVersion;
  /** Base host ports; member N (zero-based) publishes base + N. Default http 7475 and bolt 7688; backup and metrics unpublished. */
  hostPorts?: HostPortsSpec;
  /** The host address published ports bind to. Default `127.0.0.1`: nothing is reachable from other machines unless you say so. */
  hostAddress?: string;
  /**
   * The host name clients on the host use, advertised in Bolt routing tables. Default `localhost`
   * when `hostAddress` is a loopback or wildcard address, else `hostAddress`.
   */
  advertisedHost?: string;
  /** Accept online backups on port 6362 from inside the network (`server.backup.*`). Default true on Enterprise; Enterprise only. */
  onlineBackup?: boolean;
  /** Serve Prometheus metrics on port 2004 inside the network (`server.metrics.prometheus.*`). Default true on Enterprise; Enterprise only. */
  prometheusMetrics?: boolean;
  /** JVM heap size, initial and maximum (`server.memory.heap.*`), such as `1g`. Default: Neo4j's heuristic. */
  heapSize?: string;
  /** Page cache size (`server.memory.pagecache.size`), such as `512m`. Default: the image's 512M. */
  pageCacheSize?: string;
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
}

export interface MemberSpec {
  /** `core-1`, `core-2`, … for primaries, `core-secondary-1`, … for secondaries. */
  name: string;
  /** The container's host name and network alias: how other containers reach it. */
  hostname: string;
  mode: ServerMode;
  /** Zero-based position among all members; picks its host ports. */
  index: number;
  hostPorts: { http: number; bolt: number; backup?: number; metrics?: number };
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
  onlineBackup: boolean;
  prometheusMetrics: boolean;
  heapSize?: string;
  pageCacheSize?: string;
  defaultDatabase: string;
  stopGracePeriodSeconds: number;
  members: MemberSpec[];
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/**
 * Checks the plain arguments and plans the members. Throws an InputError naming the field on the
 * first problem; returns warnings (things that work but are unwise) for the caller to log.
 */
export function planCluster(name: string, args: ClusterShapeArgs): { spec: ClusterSpec; warnings: string[] } {
  const check = argChecks("Neo4jCluster", name);
  const fail = check.fail;
  const warnings: string[] = [];

  const nameProblem = resourceNameProblem(name);
  if (nameProblem) throw fail("name", nameProblem);

  const image = parseImage(args.image ?? DEFAULT_IMAGE);
  let version = image.version;
  if (args.neo4jVersion !== undefined) {
    version = parseVersion(args.neo4jVersion);
    if (!version)
      throw fail(
        "neo4jVersion",
        `must look like 5.23, 5.26.3 or 2025.01 (got ${JSON.stringify(args.neo4jVersion)})`,
      );
  }
  if (!version)
    throw fail(
      "image",
      `tag must carry the Neo4j version (like neo4j:5.23-enterprise), or neo4jVersion must say it, since setting names differ between versions (got ${JSON.stringify(image.image)})`,
    );
  const unsupported = unsupportedReason(version);
  if (unsupported) throw fail(args.neo4jVersion !== undefined ? "neo4jVersion" : "image", unsupported);
  const edition = image.edition;

  if (edition === "enterprise") {
    if (args.acceptLicenseAgreement === undefined)
      throw fail(
        "acceptLicenseAgreement",
        `must be "yes" (you hold a Neo4j commercial license) or "eval" (evaluation terms) to run the Enterprise image ${image.image}; Neo4j Enterprise does not start without it`,
      );
    if (args.acceptLicenseAgreement !== "yes" && args.acceptLicenseAgreement !== "eval")
      throw fail(
        "acceptLicenseAgreement",
        `must be "yes" or "eval" (got ${JSON.stringify(args.acceptLicenseAgreement)})`,
      );
  }

  const primaries = args.primaries ?? (edition === "community" ? 1 : 3);
  const secondaries = args.secondaries ?? 0;
  check.wholeNumber("primaries", primaries, { min: 1, max: MAX_PRIMARIES });
  check.wholeNumber("secondaries", secondaries, { min: 0, max: 20 });
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
    if (args.discovery !== undefined)
      throw fail("discovery", "applies to Enterprise clusters only; a Community image runs a single server");
    if (args.onlineBackup === true)
      throw fail(
        "onlineBackup",
        "needs an Enterprise image: Neo4j Community has no online backup (use neo4j-admin database dump/load offline)",
      );
    if (args.prometheusMetrics === true)
      throw fail(
        "prometheusMetrics",
        "needs an Enterprise image: Neo4j Community has no Prometheus endpoint",
      );
  }
  if (primaries > 1 && primaries % 2 === 0)
    warnings.push(
      `Neo4jCluster "${name}": ${primaries} primaries tolerate no more failures than ${primaries - 1}; an odd number is usually what you want`,
    );
  const clustered = primaries + secondaries > 1;

  let discovery: DiscoveryVersion = args.discovery ?? (version.major >= 2025 ? "v2" : "v1");
  if (args.discovery !== undefined && args.discovery !== "v1" && args.discovery !== "v2")
    throw fail("discovery", `must be "v1" or "v2" (got ${JSON.stringify(args.discovery)})`);
  if (discovery === "v2" && version.major === 5 && !atLeast(version, "5.22"))
    throw fail("discovery", `"v2" needs Neo4j 5.22 or later (the image is ${formatVersion(version)})`);
  if (discovery === "v1" && version.major >= 2025)
    throw fail(
      "discovery",
      `"v1" was removed in Neo4j 2025.01 (the image is ${formatVersion(version)}); use "v2"`,
    );
  if (!clustered) discovery = version.major >= 2025 ? "v2" : "v1";

  const hostAddress = args.hostAddress ?? "127.0.0.1";
  if (!isIPv4(hostAddress))
    throw fail(
      "hostAddress",
      `must be an IPv4 address to bind published ports to (got ${JSON.stringify(hostAddress)})`,
    );
  const advertisedHost = args.advertisedHost ?? hostForUrls(hostAddress);
  if (!HOST_NAME.test(advertisedHost))
    throw fail("advertisedHost", `must be a host name or IP address (got ${JSON.stringify(advertisedHost)})`);

  const onlineBackup = args.onlineBackup ?? edition === "enterprise";
  const prometheusMetrics = args.prometheusMetrics ?? edition === "enterprise";
  const ports = args.hostPorts ?? {};
  if (ports.backup !== undefined && !onlineBackup)
    throw fail("hostPorts.backup", "publishes the online-backup port, but onlineBackup is off");
  if (ports.metrics !== undefined && !prometheusMetrics)
    throw fail("hostPorts.metrics", "publishes the Prometheus port, but prometheusMetrics is off");

  for (const field of ["heapSize", "pageCacheSize"] as const)
    if (args[field] !== undefined) check.size(field, args[field]);
  const stopGracePeriodSeconds = orDefault(args.stopGracePeriodSeconds, DEFAULT_STOP_GRACE_SECONDS, (v) =>
    check.wholeNumber("stopGracePeriodSeconds", v, STOP_GRACE_SECONDS),
  );
  const defaultDatabase = args.defaultDatabase ?? "neo4j";
  const databaseProblem = databaseNameProblem(defaultDatabase);
  if (databaseProblem) throw fail("defaultDatabase", databaseProblem);

  const members: MemberSpec[] = [];
  const base = {
    http: ports.http ?? DEFAULT_HOST_PORTS.http,
    bolt: ports.bolt ?? DEFAULT_HOST_PORTS.bolt,
    backup: ports.backup,
    metrics: ports.metrics,
  };
  const total = primaries + secondaries;
  for (let index = 0; index < total; index++) {
    const mode: ServerMode = index < primaries ? "PRIMARY" : "SECONDARY";
    const memberName =
      mode === "PRIMARY" ? `${name}-${index + 1}` : `${name}-secondary-${index - primaries + 1}`;
    const hostPorts: MemberSpec["hostPorts"] = { http: base.http + index, bolt: base.bolt + index };
    if (base.backup !== undefined) hostPorts.backup = base.backup + index;
    if (base.metrics !== undefined) hostPorts.metrics = base.metrics + index;
    members.push({ name: memberName, hostname: memberName, mode, index, hostPorts });
  }
  checkHostPorts(members, base, fail);

  return {
    spec: {
      name,
      image,
      version,
      edition,
      acceptLicenseAgreement: args.acceptLicenseAgreement,
      primaries,
      secondaries,
      clustered,
      discovery,
      hostAddress,
      advertisedHost,
      onlineBackup,
      prometheusMetrics,
      heapSize: args.heapSize,
      pageCacheSize: args.pageCacheSize,
      defaultDatabase,
      stopGracePeriodSeconds,
      members,
    },
    warnings,
  };
}

function checkHostPorts(
  members: MemberSpec[],
  base: Record<string, number | undefined>,
  fail: ReturnType<typeof inputErrors>,
): void {
  for (const [kind, port] of Object.entries(base)) {
    if (port === undefined) continue;
    const last = port + members.length - 1;
    if (!Number.isInteger(port) || port < 1 || last > 65535)
      throw fail(
        `hostPorts.${kind}`,
        `must leave room for ${members.length} consecutive ports between 1 and 65535 (got ${port}, which needs up to ${last})`,
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
          `collides with hostPorts.${previous.kind}: host port ${port} would be published for both the ${previous.kind} port of ${previous.member} and the ${kind} port of ${member.name}; move one base port so the ranges of ${members.length} ports do not overlap`,
        );
      owner.set(port, { kind, member: member.name });
    }
  }
}

/** Validates an admin password without ever putting it in the message. */
export function checkAdminPassword(name: string, password: string): void {
  const fail = inputErrors("Neo4jCluster", name);
  if (password.length < MIN_PASSWORD_LENGTH)
    throw fail(
      "adminPassword",
      `must be at least ${MIN_PASSWORD_LENGTH} characters (Neo4j's minimum password length)`,
    );
  if (password === "neo4j") throw fail("adminPassword", "must not be the default password neo4j");
  // The image reads the initial password from `neo4j/<password>` and rejects one with a slash in it.
  if (password.includes("/"))
    throw fail("adminPassword", "must not contain '/': the Neo4j image cannot read such a password");
}
