/**
 * BackupVolume's copies off the host, without a server: the `offsite` argument's checks and
 * defaults, the runner configuration it renders (no secret in it), the runner's own HMAC and URI
 * encoding against Node's, and restore from the bucket. The copy itself, against a real
 * S3-compatible server, is tests/real/backup-offsite.real.test.ts.
 */
import { execFileSync } from "child_process";
import { createHmac } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { ClusterFacts, renderRunnerConfig, validateBackupArgs } from "../../components/backup/spec";
import {
  ArtifactInfo,
  OFFSITE_STAGING,
  RestoreRequest,
  describePlan,
  parseOffsiteCatalog,
  planRestore,
} from "../../components/backup/restore-plan";
import { parseCliArgs } from "../../components/backup/restore-cli";
import { parseVersion } from "../../components/neo4j/version";

const CLUSTER: ClusterFacts = {
  edition: "enterprise",
  onlineBackup: true,
  image: "neo4j:5.26-enterprise",
  neo4jVersion: "5.26",
};
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const OFFSITE = { bucket: "neo4j-backups", accessKeyId: KEY_ID, secretAccessKey: SECRET };

const plan = (offsite: Record<string, unknown>, name = "backups") =>
  validateBackupArgs(name, { cluster: {}, offsite }, CLUSTER);
const refusal = (offsite: unknown): string => {
  try {
    validateBackupArgs("backups", { cluster: {}, offsite }, CLUSTER);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("offsite: the argument", () => {
  it("defaults to AWS in us-east-1, virtual-hosted, under a prefix named after the BackupVolume", () => {
    const { spec, warnings } = plan(OFFSITE, "prod-backups");
    expect(spec.offsite).toEqual({
      bucket: "neo4j-backups",
      prefix: "prod-backups/",
      endpoint: "https://s3.us-east-1.amazonaws.com",
      region: "us-east-1",
      pathStyle: false,
      sessionToken: false,
      caCertificate: undefined,
    });
    expect(warnings).toEqual([]);
    expect(plan({ ...OFFSITE, region: "eu-west-1" }).spec.offsite?.endpoint).toBe(
      "https://s3.eu-west-1.amazonaws.com",
    );
  });

  it("addresses the bucket in the path for an S3-compatible endpoint unless told otherwise, and warns about plain http", () => {
    const { spec, warnings } = plan({ ...OFFSITE, endpoint: "http://minio:9000/", prefix: "" });
    expect(spec.offsite).toMatchObject({ endpoint: "http://minio:9000", pathStyle: true, prefix: "" });
    expect(warnings).toEqual([
      expect.stringContaining('BackupVolume "backups": offsite.endpoint http://minio:9000 is plain http'),
    ]);
    expect(
      plan({ ...OFFSITE, endpoint: "https://s3.example.net", pathStyle: false }).spec.offsite?.pathStyle,
    ).toBe(false);
  });

  it.each([
    [{ ...OFFSITE, bucket: "Neo4j_Backups" }, "offsite.bucket must be an S3 bucket name"],
    [{ ...OFFSITE, bucket: "" }, "offsite.bucket must be a non-empty string"],
    [{ ...OFFSITE, prefix: "prod" }, 'offsite.prefix must be "" or folder names each ending in "/"'],
    [{ ...OFFSITE, prefix: "/prod/" }, "offsite.prefix must be"],
    [{ ...OFFSITE, endpoint: "https://minio:9000/backups" }, "offsite.endpoint must be the S3 API's address"],
    [{ ...OFFSITE, endpoint: "ftp://minio" }, "offsite.endpoint must be the S3 API's address"],
    [{ ...OFFSITE, region: "EU West" }, "offsite.region must be a region name"],
    [{ ...OFFSITE, pathStyle: "yes" }, "offsite.pathStyle must be true or false"],
    [{ bucket: "b", accessKeyId: KEY_ID }, "offsite.bucket must be an S3 bucket name"],
    [
      { bucket: "bucket", accessKeyId: KEY_ID },
      "offsite.secretAccessKey is required: pass it as a Pulumi secret",
    ],
    [
      { ...OFFSITE, acessKeyId: KEY_ID },
      "offsite.acessKeyId is not a field of offsite; did you mean accessKeyId?",
    ],
    [{ ...OFFSITE, caCertificate: "not a pem" }, "offsite.caCertificate must be a PEM certificate"],
    [
      { ...OFFSITE, endpoint: "http://minio:9000", caCertificate: "-----BEGIN CERTIFICATE-----\n" },
      "offsite.caCertificate is only used with an https endpoint",
    ],
    ["s3://bucket", "offsite must be an object such as"],
    [{ ...OFFSITE, bucket: Promise.resolve("b") }, "offsite.bucket must be a plain value"],
  ])("refuses %j, naming the component, resource and field", (offsite, message) => {
    expect(refusal(offsite)).toContain(`BackupVolume "backups": ${message}`);
  });

  it("refuses a plain credential with whitespace without ever showing it", () => {
    const message = refusal({ ...OFFSITE, secretAccessKey: `${SECRET}\n` });
    expect(message).toContain("offsite.secretAccessKey contains whitespace");
    expect(message).not.toContain(SECRET);
  });

  it("accepts credentials that are Pulumi outputs, checked when they resolve", () => {
    const later = { apply: () => undefined };
    expect(plan({ bucket: "b-1", accessKeyId: later, secretAccessKey: later }).spec.offsite?.bucket).toBe(
      "b-1",
    );
  });

  it("renders the copy into the runner's configuration with the credentials' paths and never their values", () => {
    const { spec } = plan({
      ...OFFSITE,
      endpoint: "https://minio.internal:9000",
      sessionToken: "token-value",
    });
    const config = renderRunnerConfig(spec, { backupEndpoints: ["core-1:6362"] });
    expect(config).toContain("OFFSITE='1'\n");
    expect(config).toContain("OFFSITE_ENDPOINT='https://minio.internal:9000'\n");
    expect(config).toContain("OFFSITE_BUCKET='neo4j-backups'\n");
    expect(config).toContain("OFFSITE_PREFIX='backups/'\n");
    expect(config).toContain("OFFSITE_PATH_STYLE='1'\n");
    expect(config).toContain("OFFSITE_CREDENTIALS='/opt/neo4j-backup/offsite'\n");
    expect(config).toContain(`OFFSITE_PART_BYTES='${512 * 1024 * 1024}'\n`);
    for (const secret of [SECRET, KEY_ID, "token-value"]) expect(config).not.toContain(secret);
    const { spec: local } = validateBackupArgs("backups", { cluster: {} }, CLUSTER);
    expect(renderRunnerConfig(local, { backupEndpoints: ["core-1:6362"] })).toContain("OFFSITE='0'\n");
  });
});

describe("offsite: the runner's signing primitives, against Node's crypto", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offsite-sign-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, "runner.sh");
  fs.copyFileSync(path.resolve(__dirname, "../../components/backup/runner.sh"), script);
  fs.writeFileSync(path.join(dir, "config.sh"), `STATE_DIR='${dir}/state'\n`);

  /** Runs runner.sh's functions, sourced, one call per line of stdin. */
  function sourced(calls: string[]): string[] {
    const program = `source "$1"; while IFS= read -r line; do printf '%s\\n' "$(eval "$line")"; done`;
    return execFileSync("bash", ["-c", program, "_", script], {
      input: calls.join("\n") + "\n",
      env: { PATH: process.env.PATH, RUNNER_CONFIG: path.join(dir, "config.sh"), LC_ALL: "C" },
      encoding: "utf8",
    })
      .split("\n")
      .slice(0, calls.length);
  }
  const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

  it("computes HMAC-SHA256 as Node does, for keys shorter and longer than a block and messages with newlines", () => {
    const cases = fc.sample(
      fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.string({ maxLength: 200 })),
      { numRuns: 40, seed: 7 },
    );
    cases.push([Buffer.from("AWS4" + SECRET), "20261126"], [new Uint8Array(64).fill(255), "a\nb\n"]);
    const hex = cases.map(([key]) => Buffer.from(key).toString("hex"));
    // Messages that bash keeps as they are: no NUL, and ASCII (the runner signs ASCII only).
    const messages = cases.map(([, m]) => m.replace(/[^\x20-\x7e\n]/g, "x"));
    const got = sourced(
      messages.map(
        (m, i) =>
          `hmac_sha256 ${hex[i]} $'${m.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`,
      ),
    );
    expect(got).toEqual(
      messages.map((m, i) => createHmac("sha256", Buffer.from(hex[i], "hex")).update(m).digest("hex")),
    );
  });

  it("encodes keys as SigV4 wants: unreserved characters kept, '/' kept in paths only, the rest %XX", () => {
    const texts = ["/neo4j-backups/prod/neo4j-2026-11-26T10-00-00.backup", "a b/c(d)!*'~", "ü"];
    const got = sourced(
      texts.flatMap((t) => [`uri_encode ${quoted(t)} keep-slash`, `uri_encode ${quoted(t)}`]),
    );
    const encode = (t: string, keepSlash: boolean) =>
      [...Buffer.from(t, "utf8")]
        .map((b) => {
          const c = String.fromCharCode(b);
          if (/[A-Za-z0-9._~-]/.test(c) || (keepSlash && c === "/")) return c;
          return `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
        })
        .join("");
    expect(got).toEqual(texts.flatMap((t) => [encode(t, true), encode(t, false)]));
  });
});

describe("offsite: restoring from the bucket", () => {
  const CATALOG = [
    "1763607600\tfull\tneo4j-2026-11-20T03-00-00.backup\t1200",
    "1763611200\tdiff\tneo4j-2026-11-20T04-00-00.backup\t80",
    "1763614800\tunknown\tneo4j-2026-11-20T05-00-00.backup\t90",
    "",
  ].join("\n");
  const artifacts: ArtifactInfo[] = parseOffsiteCatalog(CATALOG, "neo4j");
  const request = (more: Partial<RestoreRequest> = {}): RestoreRequest => ({
    database: "neo4j",
    runner: "backups-runner",
    members: [{ container: "neo4j", boltAddress: "localhost:7687" }],
    artifacts,
    neo4jVersion: parseVersion("5.26")!,
    source: "offsite",
    ...more,
  });

  it("reads the bucket's catalog; a backup of unknown type never starts a chain", () => {
    expect(artifacts.map((a) => [a.file, a.full])).toEqual([
      ["neo4j-2026-11-20T03-00-00.backup", true],
      ["neo4j-2026-11-20T04-00-00.backup", false],
      ["neo4j-2026-11-20T05-00-00.backup", false],
    ]);
    expect(() => parseOffsiteCatalog("not\ta catalog", "neo4j")).toThrow(
      "the bucket's catalog of neo4j has a line that is not an artifact",
    );
  });

  it("has the runner download the chain as uid 7474, copies it from there, and removes both copies at the end", () => {
    const restore = planRestore(request());
    const chain = [
      "neo4j-2026-11-20T03-00-00.backup",
      "neo4j-2026-11-20T04-00-00.backup",
      "neo4j-2026-11-20T05-00-00.backup",
    ];
    expect(restore.chain).toEqual(chain);
    expect(restore.steps[0]).toEqual({
      kind: "docker",
      title: `Download the chain from the bucket into backups-runner:${OFFSITE_STAGING}`,
      args: [
        "exec",
        "--user",
        "7474:7474",
        "backups-runner",
        "bash",
        "/opt/neo4j-backup/runner.sh",
        "offsite-fetch",
        OFFSITE_STAGING,
        ...chain,
      ],
    });
    expect(restore.steps[1]).toMatchObject({
      kind: "copy",
      from: { container: "backups-runner", paths: chain.map((f) => `${OFFSITE_STAGING}/${f}`) },
    });
    expect(restore.steps.at(-1)).toMatchObject({
      args: ["exec", "--user", "7474:7474", "backups-runner", "rm", "-rf", OFFSITE_STAGING],
    });
    expect(describePlan(restore)).toContain(`offsite-fetch ${OFFSITE_STAGING} ${chain.join(" ")}`);
    // From the volume, nothing is downloaded.
    const local = planRestore(request({ source: "volume" }));
    expect(local.steps.map((s) => s.kind)).toEqual(["copy", "cypher", "docker", "cypher", "docker"]);
  });

  it("takes --from-offsite on the command line", () => {
    const base = [
      "--runner",
      "r",
      "--members",
      "a=b:1",
      "--bolt",
      "x",
      "--database",
      "neo4j",
      "--neo4j-version",
      "5.26",
    ];
    expect(parseCliArgs([...base, "--from-offsite"]).source).toBe("offsite");
    expect(parseCliArgs(base).source).toBe("volume");
  });
});
