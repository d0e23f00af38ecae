/**
 * TLS for Neo4j, as Neo4j 5 and 2025.x configure it: one SSL policy per channel
 * (`dbms.ssl.policy.<scope>.*` for bolt, https, cluster and backup), each reading a private key,
 * a certificate and trusted authorities from files under a base directory; the connectors'
 * `server.bolt.tls_level` and `server.https.enabled`. Plain functions, no Pulumi: the spec is
 * checked in the component's constructor, the settings are rendered for every member, and the
 * certificates a user provides are checked once their values are known.
 */
import { X509Certificate, createPrivateKey } from "crypto";
import { isIP } from "net";
import { Checks, isDeferred, orDefault } from "./checks";
import { Edition } from "./version";

export const TLS_LEVELS = ["off", "optional", "required"] as const;
/** `required`: TLS only. `optional`: TLS and plain text both. `off`: plain text only. */
export type TlsLevel = (typeof TLS_LEVELS)[number];

/** The channels Neo4j secures with an SSL policy each. */
export const TLS_SCOPES = ["bolt", "https", "cluster", "backup"] as const;
export type TlsScope = (typeof TLS_SCOPES)[number];

/** TLS for the members: which channels, and how long generated certificates live. */
export interface TlsArgs {
  /**
   * Bolt (drivers, cypher-shell, Browser): `"required"` refuses plain-text connections
   * (`server.bolt.tls_level=REQUIRED`), `"optional"` accepts both, `"off"` plain text only.
   * Default `"required"`.
   */
  bolt?: TlsLevel;
  /**
   * The HTTP API and Browser: `"required"` serves HTTPS only on the Browser host ports (plain
   * HTTP listens on the container's loopback only, for its health check), `"optional"` serves
   * both (HTTPS on `hostPorts.https`), `"off"` plain HTTP only. Default `"required"`.
   */
  https?: TlsLevel;
  /**
   * Mutual TLS between members (Raft, catch-up, discovery and server-side routing), with host
   * names verified. Default true for clusters; clusters only.
   */
  cluster?: boolean;
  /**
   * Mutual TLS on the online-backup port: members accept backups only from a client holding a
   * certificate of the estate's authority (BackupVolume's runner gets one). Default true when
   * onlineBackup is on.
   */
  backup?: boolean;
  /** Days a generated member or client certificate is valid. Default 365; 7 to 3650. */
  validityDays?: number;
  /**
   * A `pulumi up` (or preview) with fewer days left than this makes new certificates for the
   * estate, which replaces the members. Default 30; less than validityDays.
   */
  renewBeforeDays?: number;
}

/** Certificates you provide instead of generated ones; every value may be a Pulumi secret or output. */
export interface TlsCertificatesArgs<T = unknown> {
  /** The authority (PEM; a bundle is fine) that signed every certificate below; members trust it. */
  caCertificate: T;
  /** Per member name (`core-1`, …): its certificate (PEM, leaf first) and PKCS #8 private key. */
  members: Record<string, { certificate: T; privateKey: T }>;
  /** The backup runner's client certificate and key, required when backup TLS is on. */
  backupClient?: { certificate: T; privateKey: T };
}

export interface TlsSpec {
  bolt: TlsLevel;
  https: TlsLevel;
  cluster: boolean;
  backup: boolean;
  /** Made by the estate, or given as tlsCertificates. */
  source: "generated" | "provided";
  validityDays: number;
  renewBeforeDays: number;
  /** The authority generated certificates are signed by lives this long. */
  authorityValidityDays: number;
}

/** Which channels speak TLS: what a cluster component reports as its `tls`, on every platform. */
export interface TlsChannels {
  bolt: TlsLevel;
  https: TlsLevel;
  cluster: boolean;
  backup: boolean;
}

export function tlsChannels(tls: TlsSpec): TlsChannels {
  return { bolt: tls.bolt, https: tls.https, cluster: tls.cluster, backup: tls.backup };
}

/** What planTls needs to know about the cluster. */
export interface TlsClusterFacts {
  edition: Edition;
  clustered: boolean;
  onlineBackup: boolean;
  memberNames: string[];
  /**
   * Whether hostPorts.https was given, on a platform that publishes ports on the host (Docker).
   * Undefined where HTTPS always has its own port beside HTTP (Kubernetes: the container's 7473,
   * reached through Services), so that no host-port rule applies.
   */
  httpsHostPort?: boolean;
}

const AUTHORITY_VALIDITY_DAYS = 3650;

/** Checks `tls` and `tlsCertificates`; undefined when TLS is off (neither given). */
export function planTls(
  args: { tls?: unknown; tlsCertificates?: unknown },
  cluster: TlsClusterFacts,
  check: Checks,
): TlsSpec | undefined {
  if (args.tls === undefined) {
    if (args.tlsCertificates !== undefined)
      throw check.fail("tlsCertificates", "are only used with tls: add tls: {} to turn TLS on");
    if (cluster.httpsHostPort) throw check.fail("hostPorts.https", "publishes HTTPS, but tls is not set");
    return undefined;
  }
  const given = check.object<TlsArgs>("tls", args.tls, [
    "bolt",
    "https",
    "cluster",
    "backup",
    "validityDays",
    "renewBeforeDays",
  ]);
  const bolt = orDefault(given.bolt, "required", (v) => check.oneOf("tls.bolt", v, TLS_LEVELS));
  const https = orDefault(given.https, "required", (v) => check.oneOf("tls.https", v, TLS_LEVELS));
  const clusterTls = orDefault(given.cluster, cluster.clustered, (v) => check.boolean("tls.cluster", v));
  const backup = orDefault(given.backup, cluster.onlineBackup, (v) => check.boolean("tls.backup", v));
  if (clusterTls && !cluster.clustered)
    throw check.fail("tls.cluster", "secures traffic between cluster members, and this is a single server");
  if (backup && !cluster.onlineBackup)
    throw check.fail("tls.backup", "secures the online-backup port, but onlineBackup is off");
  if (https === "optional" && cluster.httpsHostPort === false)
    throw check.fail(
      "hostPorts.https",
      'is needed with tls.https "optional": HTTP keeps hostPorts.http, so say where HTTPS is published',
    );
  if (https !== "optional" && cluster.httpsHostPort === true)
    throw check.fail(
      "hostPorts.https",
      https === "required"
        ? 'is not used with tls.https "required": HTTPS is then served on hostPorts.http, and plain HTTP is not published'
        : 'publishes HTTPS, but tls.https is "off"',
    );
  if (bolt === "off" && https === "off" && !clusterTls && !backup)
    throw check.fail("tls", "turns every channel off; leave tls out instead");

  const validityDays = orDefault(given.validityDays, 365, (v) =>
    check.wholeNumber("tls.validityDays", v, { min: 7, max: AUTHORITY_VALIDITY_DAYS }),
  );
  const renewBeforeDays = orDefault(given.renewBeforeDays, 30, (v) =>
    check.wholeNumber("tls.renewBeforeDays", v, { min: 1, max: AUTHORITY_VALIDITY_DAYS }),
  );
  if (renewBeforeDays >= validityDays)
    throw check.fail(
      "tls.renewBeforeDays",
      `must be less than tls.validityDays (${validityDays}), or every pulumi up would make new certificates (got ${renewBeforeDays})`,
    );

  const spec: TlsSpec = {
    bolt,
    https,
    cluster: clusterTls,
    backup,
    source: args.tlsCertificates === undefined ? "generated" : "provided",
    validityDays,
    renewBeforeDays,
    authorityValidityDays: AUTHORITY_VALIDITY_DAYS,
  };
  if (args.tlsCertificates !== undefined) checkCertificateShape(args.tlsCertificates, spec, cluster, check);
  return spec;
}

/** The plain shape of tlsCertificates: a certificate and key for every member, the runner's when needed. */
function checkCertificateShape(value: unknown, spec: TlsSpec, cluster: TlsClusterFacts, check: Checks): void {
  const given = check.object<TlsCertificatesArgs>("tlsCertificates", value, [
    "caCertificate",
    "members",
    "backupClient",
  ]);
  if (given.caCertificate === undefined)
    throw check.fail("tlsCertificates.caCertificate", "is required: the authority the members trust (PEM)");
  check.plain("tlsCertificates.members", given.members);
  const members = check.object<Record<string, unknown>>(
    "tlsCertificates.members",
    given.members,
    cluster.memberNames,
    `an object with a certificate and key per member (${cluster.memberNames.join(", ")})`,
  );
  for (const member of cluster.memberNames) {
    if (members[member] === undefined)
      throw check.fail(
        `tlsCertificates.members["${member}"]`,
        "is missing: every member needs its own certificate and key (the same pair for all is fine if it names every member)",
      );
    checkPair(`tlsCertificates.members["${member}"]`, members[member], check);
  }
  if (given.backupClient !== undefined) {
    if (!spec.backup)
      throw check.fail("tlsCertificates.backupClient", "is only used with backup TLS (tls.backup)");
    checkPair("tlsCertificates.backupClient", given.backupClient, check);
  } else if (spec.backup)
    throw check.fail(
      "tlsCertificates.backupClient",
      "is required with backup TLS: members accept backups only from a client with a certificate of your authority",
    );
}

function checkPair(field: string, value: unknown, check: Checks): void {
  const pair = check.object<{ certificate?: unknown; privateKey?: unknown }>(field, value, [
    "certificate",
    "privateKey",
  ]);
  for (const key of ["certificate", "privateKey"] as const)
    if (pair[key] === undefined) throw check.fail(`${field}.${key}`, "is required (PEM)");
}

// ---------------------------------------------------------------------------------------------
// Files and settings inside a member

/**
 * Where certificates live in a member: `/ssl/<scope>/`, the directory Neo4j's official image
 * links as its certificates directory. Each holds `private.key`, `public.crt` and
 * `trusted/ca.crt`, the names Neo4j looks for by default.
 */
export const TLS_DIR = "/ssl";
export const PRIVATE_KEY_FILE = "private.key";
export const CERTIFICATE_FILE = "public.crt";
export const TRUSTED_CA_FILE = "trusted/ca.crt";

/** The scopes a member has a policy for. */
export function enabledScopes(tls: TlsSpec): TlsScope[] {
  return TLS_SCOPES.filter((scope) =>
    scope === "bolt" || scope === "https" ? tls[scope] !== "off" : tls[scope],
  );
}

export interface TlsFile {
  path: string;
  content: "privateKey" | "certificate" | "caCertificate";
}

/** One policy's files: the key (secret), the certificate and the authority it trusts. */
export function scopeFiles(scope: TlsScope, dir = TLS_DIR): TlsFile[] {
  return [
    { path: `${dir}/${scope}/${PRIVATE_KEY_FILE}`, content: "privateKey" },
    { path: `${dir}/${scope}/${CERTIFICATE_FILE}`, content: "certificate" },
    { path: `${dir}/${scope}/${TRUSTED_CA_FILE}`, content: "caCertificate" },
  ];
}

/** The files a member needs, per enabled scope. */
export function tlsFiles(tls: TlsSpec, dir = TLS_DIR): TlsFile[] {
  return enabledScopes(tls).flatMap((scope) => scopeFiles(scope, dir));
}

/**
 * One key, certificate and authority directory that every policy of a member reads, by absolute
 * path, instead of a directory per scope with Neo4j's default file names: where the files are
 * mounted as they come (a Kubernetes Secret holding every member's pair, the path naming the
 * member's own through `$(POD_NAME)`).
 */
export interface SharedTlsFiles {
  privateKey: string;
  publicCertificate: string;
  trustedDir: string;
}

/**
 * One SSL policy's settings, for a member or for neo4j-admin's backup client: the files under
 * `<dir>/<scope>/` with Neo4j's default names, or the shared files given.
 */
export function policySettings(
  scope: TlsScope,
  dir = TLS_DIR,
  shared?: SharedTlsFiles,
): Record<string, string> {
  const prefix = `dbms.ssl.policy.${scope}`;
  // Drivers and browsers present no client certificate; members and the backup runner do, and
  // check each other's host names (5.x defaults verify_hostname to false, 2025.01 to true).
  const mutual = scope === "cluster" || scope === "backup";
  const settings: Record<string, string> = {
    [`${prefix}.enabled`]: "true",
    [`${prefix}.base_directory`]: `${dir}/${scope}`,
    [`${prefix}.client_auth`]: mutual ? "REQUIRE" : "NONE",
  };
  if (shared) {
    settings[`${prefix}.base_directory`] = dir;
    settings[`${prefix}.private_key`] = shared.privateKey;
    settings[`${prefix}.public_certificate`] = shared.publicCertificate;
    settings[`${prefix}.trusted_dir`] = shared.trustedDir;
  }
  if (mutual) settings[`${prefix}.verify_hostname`] = "true";
  return settings;
}

/**
 * The TLS settings of a member: a policy per enabled scope and the connectors to match. With
 * HTTPS required, plain HTTP listens on the container's loopback only: nothing outside the
 * container reaches it, and the health check (which speaks no TLS) still can.
 */
export function tlsSettings(
  tls: TlsSpec,
  ports: { http: number; https: number },
  advertised: { httpsAddress: string },
  dir = TLS_DIR,
  shared?: SharedTlsFiles,
): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const scope of enabledScopes(tls)) Object.assign(settings, policySettings(scope, dir, shared));
  if (tls.bolt !== "off")
    settings["server.bolt.tls_level"] = tls.bolt === "required" ? "REQUIRED" : "OPTIONAL";
  if (tls.https !== "off") {
    settings["server.https.enabled"] = "true";
    settings["server.https.listen_address"] = `0.0.0.0:${ports.https}`;
    settings["server.https.advertised_address"] = advertised.httpsAddress;
  }
  if (tls.https === "required") settings["server.http.listen_address"] = `127.0.0.1:${ports.http}`;
  return settings;
}

/** The DNS names and IP addresses a certificate names (its subject alternative names). */
export interface AlternativeNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/**
 * The names a member's certificate must carry: its host name inside the network (members,
 * the backup runner and Prometheus reach it so), the host name or address clients on the host
 * use, and localhost for tools inside the container.
 */
export function memberAlternativeNames(
  hostname: string,
  advertisedHost: string,
  hostAddress: string,
): AlternativeNames {
  const dnsNames = new Set([hostname, "localhost"]);
  const ipAddresses = new Set(["127.0.0.1"]);
  for (const name of [advertisedHost, hostAddress]) {
    if (name === "0.0.0.0") continue;
    if (isIP(name)) ipAddresses.add(name);
    else dnsNames.add(name);
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** `neo4j+s`, `bolt+s`, `neo4j` or `bolt`: routing for clusters, encrypted when Bolt TLS is on. */
export function boltScheme(clustered: boolean, tls: TlsSpec | undefined): string {
  return `${clustered ? "neo4j" : "bolt"}${tls && tls.bolt !== "off" ? "+s" : ""}`;
}

// ---------------------------------------------------------------------------------------------
// Certificates a user provides, checked once their values are known

/**
 * Checks one provided certificate and key: readable PEM, a PKCS #8 key that belongs to the
 * certificate, valid now, signed by the authority given, and naming what its holder is reached
 * by. Throws with the field named; never puts key material in the message.
 */
export function checkProvidedCertificate(
  check: Checks,
  field: string,
  pair: { certificate: string; privateKey: string },
  caBundle: string,
  names: { dnsNames: string[]; ipAddresses: string[] },
  now = Date.now(),
): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.certificate);
  } catch {
    throw check.fail(`${field}.certificate`, "is not a PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  if (!/-----BEGIN PRIVATE KEY-----/.test(pair.privateKey))
    throw check.fail(
      `${field}.privateKey`,
      "must be an unencrypted PKCS #8 PEM key (-----BEGIN PRIVATE KEY-----), the form Neo4j 5 reads; convert with openssl pkcs8 -topk8 -nocrypt",
    );
  let keyMatches = false;
  try {
    keyMatches = certificate.checkPrivateKey(createPrivateKey(pair.privateKey));
  } catch {
    throw check.fail(`${field}.privateKey`, "cannot be read as a private key");
  }
  if (!keyMatches) throw check.fail(`${field}.privateKey`, `does not belong to ${field}.certificate`);
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo))
    throw check.fail(
      `${field}.certificate`,
      `is not valid now (valid from ${certificate.validFrom} to ${certificate.validTo}); Neo4j refuses to start with it`,
    );
  const authorities = splitPem(caBundle).map((pem) => new X509Certificate(pem));
  if (!authorities.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey)))
    throw check.fail(
      `${field}.certificate`,
      "is not signed by tlsCertificates.caCertificate, so the other members and clients would refuse it",
    );
  const missing = [
    ...names.dnsNames.filter((n) => certificate.checkHost(n, { subject: "never" }) === undefined),
    ...names.ipAddresses.filter((ip) => certificate.checkIP(ip) === undefined),
  ];
  if (missing.length > 0)
    throw check.fail(
      `${field}.certificate`,
      `does not name ${missing.join(", ")} in its subject alternative names, which clients and members connect by (it names ${certificate.subjectAltName ?? "nothing"})`,
    );
}

/** Checks an authority bundle itself: at least one readable certificate. */
export function checkCaBundle(check: Checks, pem: unknown, field = "tlsCertificates.caCertificate"): string {
  if (isDeferred(pem)) return pem as string;
  const blocks = typeof pem === "string" ? splitPem(pem) : [];
  try {
    if (blocks.length === 0) throw new Error();
    blocks.forEach((b) => new X509Certificate(b));
  } catch {
    throw check.fail(field, "must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)");
  }
  return pem as string;
}

function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
