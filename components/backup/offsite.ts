/**
 * Copies off the host, with no Pulumi in it: BackupVolume's `offsite` argument checked and planned,
 * and the runner configuration lines it renders. The runner copies each completed artifact to an
 * S3-compatible bucket, applies the same retention there, and fetches artifacts back for a restore.
 *
 * Why a copy step in the runner rather than Neo4j's own cloud target: `neo4j-admin database backup
 * --to-path=s3://…` (Enterprise, 5.19+; gs:// 5.21+, azb:// 5.24+) writes the backup to the bucket
 * instead of the volume, so the local chain that the next differential continues from, the
 * artifact check, the types read back with `--inspect-path` and a restore without a download would
 * all go; neo4j-admin applies no retention in a bucket; and it reads credentials from the AWS SDK's
 * default chain. The copy keeps the volume as it is and adds the bucket beside it, on every version.
 *
 * The runner's client is bash and openssl (SigV4 signing, TLS through `openssl s_client`): Neo4j's
 * official images ship neither curl nor an S3 client, but openssl comes with their ca-certificates.
 */
import { Checks, argChecks, isDeferred, orDefault } from "../neo4j/checks";

/** Where the credentials are delivered inside the runner: files, readable by uid 7474 alone. */
export const OFFSITE_PATHS = {
  credentials: "/opt/neo4j-backup/offsite",
  accessKeyId: "/opt/neo4j-backup/offsite/access-key-id",
  secretAccessKey: "/opt/neo4j-backup/offsite/secret-access-key",
  sessionToken: "/opt/neo4j-backup/offsite/session-token",
  caCertificate: "/opt/neo4j-backup/offsite/ca.pem",
} as const;

export const OFFSITE_DEFAULTS = {
  region: "us-east-1",
} as const;

/**
 * Artifacts up to this size go up in one PUT, larger ones in parts of this size: S3 takes at most
 * 5 GiB in one PUT and 10000 parts, so 512 MiB parts carry artifacts up to 5 TiB, S3's own limit.
 */
export const OFFSITE_PART_BYTES = 512 * 1024 ** 2;

/** BackupVolume's `offsite` argument as the core checks it; credentials may be Pulumi outputs. */
export interface OffsiteShapeArgs {
  /** The bucket, which must exist (the runner creates none). */
  bucket: string;
  /**
   * The key prefix every object of this BackupVolume goes under, ending in `/`, or `""` for the
   * bucket's top. Default `<name>/`, so several estates can share one bucket.
   */
  prefix?: string;
  /**
   * The S3 API's address, `https://host[:port]` (or `http://` for a server on a private network),
   * with no path. Default: AWS, `https://s3.<region>.amazonaws.com`.
   */
  endpoint?: string;
  /** The region requests are signed for. Default `us-east-1` (what most S3-compatible servers expect). */
  region?: string;
  /**
   * Address the bucket in the path (`endpoint/bucket/key`) rather than as a host name
   * (`bucket.endpoint/key`). Default: true with an `endpoint` (MinIO, Ceph and most S3-compatible
   * servers want it), false on AWS.
   */
  pathStyle?: boolean;
  /** The access key id. A secret: delivered to the runner as a file, never in its environment. */
  accessKeyId: unknown;
  /** The secret access key. A secret, delivered as a file. */
  secretAccessKey: unknown;
  /** A session token for temporary credentials. A secret, delivered as a file. Default: none. */
  sessionToken?: unknown;
  /** A PEM CA certificate to trust for an https endpoint signed by a private CA. Default: the image's CAs. */
  caCertificate?: string;
}

export const OFFSITE_KEYS = Object.keys({
  bucket: true,
  prefix: true,
  endpoint: true,
  region: true,
  pathStyle: true,
  accessKeyId: true,
  secretAccessKey: true,
  sessionToken: true,
  caCertificate: true,
} satisfies Record<keyof OffsiteShapeArgs, true>);

export interface OffsiteSpec {
  bucket: string;
  prefix: string;
  /** scheme://host[:port], no trailing slash. */
  endpoint: string;
  region: string;
  pathStyle: boolean;
  sessionToken: boolean;
  caCertificate?: string;
}

const ENDPOINT = /^(https?):\/\/([A-Za-z0-9.-]+)(:\d{1,5})?\/?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^([A-Za-z0-9!_.*'()-]+\/)*$/;
const REGION = /^[a-z0-9-]{1,40}$/;

/** A credential given as a plain string is checked here; its value never goes into an error. */
export function credentialProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "")
    return "must be a non-empty string (a Pulumi secret, or an Output of one)";
  if (/\s/.test(value))
    return "contains whitespace (a trailing newline from a file?); the value is not shown because it is a secret";
  return undefined;
}

export type OffsiteCredential = "accessKeyId" | "secretAccessKey" | "sessionToken";

/** Checks a credential once its Output resolves; the error names the field, never the value. */
export function checkOffsiteCredential(
  component: string,
  name: string,
  field: OffsiteCredential,
  value: unknown,
): string {
  const problem = credentialProblem(value);
  if (problem) throw argChecks(component, name).fail(`offsite.${field}`, problem);
  return value as string;
}

/** The file each credential is delivered in. */
export const CREDENTIAL_FILES: Record<OffsiteCredential, string> = {
  accessKeyId: OFFSITE_PATHS.accessKeyId,
  secretAccessKey: OFFSITE_PATHS.secretAccessKey,
  sessionToken: OFFSITE_PATHS.sessionToken,
};

/** Checks `offsite` and plans it; throws an InputError naming `offsite.<field>`. */
export function planOffsite(name: string, value: unknown, check: Checks): OffsiteSpec {
  const given = check.object<OffsiteShapeArgs>(
    "offsite",
    value,
    OFFSITE_KEYS,
    'an object such as { bucket: "backups", accessKeyId, secretAccessKey }',
  );
  const field = (f: string) => `offsite.${f}`;
  for (const key of ["bucket", "prefix", "endpoint", "region", "pathStyle", "caCertificate"])
    check.plain(field(key), (given as unknown as Record<string, unknown>)[key]);

  const bucket = check.text(field("bucket"), given.bucket, '"neo4j-backups"');
  if (!BUCKET.test(bucket) || /\.\.|^\d+\.\d+\.\d+\.\d+$/.test(bucket))
    throw check.fail(
      field("bucket"),
      `must be an S3 bucket name: 3-63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit (got ${JSON.stringify(bucket)})`,
    );

  const prefix = orDefault(given.prefix, `${name}/`, (p) => {
    if (typeof p !== "string" || !PREFIX.test(p) || p.length > 512)
      throw check.fail(
        field("prefix"),
        `must be "" or folder names each ending in "/", such as "neo4j/prod/" (letters, digits and !_.*'()-; no leading "/") (got ${JSON.stringify(p)})`,
      );
    return p;
  });

  const region = orDefault(given.region, OFFSITE_DEFAULTS.region, (r) => {
    if (typeof r !== "string" || !REGION.test(r))
      throw check.fail(
        field("region"),
        `must be a region name such as "eu-west-1" (got ${JSON.stringify(r)})`,
      );
    return r;
  });

  let endpoint = `https://s3.${region}.amazonaws.com`;
  if (given.endpoint !== undefined) {
    const match = typeof given.endpoint === "string" ? ENDPOINT.exec(given.endpoint) : null;
    const port = match?.[3] ? Number(match[3].slice(1)) : undefined;
    if (!match || (port !== undefined && (port < 1 || port > 65535)))
      throw check.fail(
        field("endpoint"),
        `must be the S3 API's address, https://host[:port] or http://host[:port], without a path (got ${JSON.stringify(given.endpoint)})`,
      );
    endpoint = given.endpoint.replace(/\/$/, "");
  }
  const pathStyle = orDefault(given.pathStyle, given.endpoint !== undefined, (v) =>
    check.boolean(field("pathStyle"), v),
  );

  for (const key of ["accessKeyId", "secretAccessKey"] as const) {
    const v = given[key];
    if (v === undefined || v === null)
      throw check.fail(field(key), "is required: pass it as a Pulumi secret (pulumi config set --secret …)");
    if (!isDeferred(v)) {
      const problem = credentialProblem(v);
      if (problem) throw check.fail(field(key), problem);
    }
  }
  if (given.sessionToken !== undefined && !isDeferred(given.sessionToken)) {
    const problem = credentialProblem(given.sessionToken);
    if (problem) throw check.fail(field("sessionToken"), problem);
  }

  let caCertificate: string | undefined;
  if (given.caCertificate !== undefined) {
    if (
      typeof given.caCertificate !== "string" ||
      !given.caCertificate.includes("-----BEGIN CERTIFICATE-----")
    )
      throw check.fail(field("caCertificate"), "must be a PEM certificate (-----BEGIN CERTIFICATE-----…)");
    if (!endpoint.startsWith("https://"))
      throw check.fail(
        field("caCertificate"),
        `is only used with an https endpoint (endpoint is ${endpoint})`,
      );
    caCertificate = given.caCertificate;
  }

  return {
    bucket,
    prefix,
    endpoint,
    region,
    pathStyle,
    sessionToken: given.sessionToken !== undefined,
    caCertificate,
  };
}

/** Legal but likely mistakes, for the component to log. */
export function offsiteWarnings(component: string, name: string, spec: OffsiteSpec): string[] {
  const warnings: string[] = [];
  if (spec.endpoint.startsWith("http://"))
    warnings.push(
      `${component} "${name}": offsite.endpoint ${spec.endpoint} is plain http: requests are signed (the secret key never travels) but the backups cross the network unencrypted`,
    );
  if (!spec.pathStyle && spec.bucket.includes(".") && spec.endpoint.startsWith("https://"))
    warnings.push(
      `${component} "${name}": offsite.bucket ${spec.bucket} has dots, which no virtual-hosted https address matches with the server's certificate; set offsite.pathStyle to true`,
    );
  return warnings;
}

/** The runner configuration lines for the copy; no secret goes in them, only the files' paths. */
export function offsiteConfig(spec: OffsiteSpec | undefined): [string, string | number][] {
  if (!spec) return [["OFFSITE", 0]];
  return [
    ["OFFSITE", 1],
    ["OFFSITE_ENDPOINT", spec.endpoint],
    ["OFFSITE_BUCKET", spec.bucket],
    ["OFFSITE_PREFIX", spec.prefix],
    ["OFFSITE_REGION", spec.region],
    ["OFFSITE_PATH_STYLE", spec.pathStyle ? 1 : 0],
    ["OFFSITE_CREDENTIALS", OFFSITE_PATHS.credentials],
    ["OFFSITE_CA_FILE", spec.caCertificate !== undefined ? OFFSITE_PATHS.caCertificate : ""],
    ["OFFSITE_PART_BYTES", OFFSITE_PART_BYTES],
  ];
}

/** Where an object lands, for messages and outputs: `s3://bucket/prefix`. */
export function offsiteLocation(spec: OffsiteSpec): string {
  return `s3://${spec.bucket}/${spec.prefix}`;
}
