/**
 * BackupVolume's copies off the host, for real: the runner script, in a container from our local
 * Neo4j image (Debian, as Neo4j's official images are: bash and openssl, no curl), copies its
 * artifacts to an S3-compatible server started here (moto, from PyPI, on 127.0.0.1, checking every
 * request's SigV4 signature), applies retention in the bucket, and the restore's first step
 * downloads the chain back from there. neo4j-admin is the runner tests' stand-in (online backup is
 * Enterprise-only; our image is Community), writing artifacts with random binary content.
 */
import { ChildProcessWithoutNullStreams, execFile, execFileSync, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import { planBackup, renderRunnerConfig } from "../../components/backup/spec";
import { OFFSITE_STAGING, planRestore } from "../../components/backup/restore-plan";
import { listArtifacts } from "../../components/backup/restore-cli";
import { parseVersion } from "../../components/neo4j/version";
import { NEO4J_IMAGE, freePort, runId } from "./support/env";

const id = runId();
const runner = `${id}-backups-runner`;
const BUCKET = "neo4j-backups";
const PREFIX = "estate/prod/";
const SCRIPT = "/opt/neo4j-backup/runner.sh";
const ARTIFACT_BYTES = 300_000;

let server: ChildProcessWithoutNullStreams;
let answers: AsyncIterator<string>;
let lines: readline.Interface;
let credentials: { accessKeyId: string; secretAccessKey: string };
let dir: string;
let tlsPort: number;
const TLS_PREFIX = "estate/tls/";
const PARTS_PREFIX = "estate/parts/";

/** A CA and a certificate for localhost signed by it, made with the openssl CLI. */
function makeCertificates(folder: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => path.join(folder, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=offsite test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  );
  fs.writeFileSync(file("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    file("san.ext"),
    "-out",
    file("server.pem"),
  );
  return { ca: file("ca.pem"), cert: file("server.pem"), key: file("server.key") };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeout = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs runner.sh in the runner container as Docker runs it (root; the script drops to uid 7474). */
const runner_sh = (...args: string[]) => runnerWith("config.sh", args);
const runnerWith = (config: string, args: string[], artifactBytes = ARTIFACT_BYTES) =>
  run("docker", [
    "exec",
    "-e",
    `RUNNER_CONFIG=/opt/neo4j-backup/${config}`,
    "-e",
    "PATH=/opt/stand-in:/var/lib/neo4j/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "-e",
    "FAKE_ADMIN_LOG=/tmp/neo4j-admin.log",
    "-e",
    "FAKE_DATABASES=neo4j",
    "-e",
    `FAKE_ARTIFACT_BYTES=${artifactBytes}`,
    runner,
    "bash",
    SCRIPT,
    ...args,
  ]);

/** Asks the S3 server (through boto3, not the runner's client) about the bucket. */
async function ask<T>(command: string): Promise<T> {
  server.stdin.write(command + "\n");
  const { value, done } = await answers.next();
  if (done) throw new Error("the S3 server has stopped");
  const answer = JSON.parse(value as string);
  if (answer.error) throw new Error(`S3 server: ${answer.error}`);
  return answer as T;
}
const bucketKeys = async (prefix = PREFIX) =>
  (await ask<{ keys: Record<string, number> }>(`list ${prefix}`)).keys;
const bucketSha = async (key: string) => (await ask<{ sha256: string }>(`sha256 ${key}`)).sha256;

const localArtifacts = () =>
  fs
    .readdirSync(path.join(dir, "backups"))
    .filter((f) => f.endsWith(".backup"))
    .sort();
const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const status = () => JSON.parse(fs.readFileSync(path.join(dir, "backups/.runner/status.json"), "utf8"));

function writeCredentials(secret: string) {
  const folder = path.join(dir, "opt/offsite");
  fs.mkdirSync(folder, { recursive: true, mode: 0o755 });
  for (const [file, value] of [
    ["access-key-id", credentials.accessKeyId],
    ["secret-access-key", secret],
  ]) {
    const target = path.join(folder, file);
    fs.rmSync(target, { force: true });
    fs.writeFileSync(target, value, { mode: 0o400 });
    // As BackupVolume uploads them: readable by uid 7474 alone.
    fs.chownSync(target, 7474, 7474);
  }
}

beforeAll(async () => {
  // scripts/test-real.sh provisions it; run alone, the provisioning script finds it in the cache.
  const python =
    process.env.NEO4J_ESTATE_S3_PYTHON ??
    execFileSync("bash", [path.resolve(__dirname, "../../scripts/provision/s3-server.sh")], {
      encoding: "utf8",
    }).trim();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-offsite-"));
  fs.chmodSync(dir, 0o755);
  for (const sub of ["opt", "stand-in", "backups", "tls"]) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
  const tlsFiles = makeCertificates(path.join(dir, "tls"));
  const port = await freePort();
  tlsPort = await freePort();
  server = spawn(python, [
    path.join(__dirname, "support/s3-server.py"),
    "127.0.0.1",
    String(port),
    BUCKET,
    String(tlsPort),
    tlsFiles.cert,
    tlsFiles.key,
  ]);
  let serverLog = "";
  server.stderr.on("data", (chunk) => (serverLog = (serverLog + chunk).slice(-4000)));
  lines = readline.createInterface({ input: server.stdout });
  answers = lines[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    answers.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the S3 server did not start: ${serverLog}`)), 120_000);
    }),
  ]).finally(() => clearTimeout(timer));
  credentials = JSON.parse(first.value as string);

  // The runner's files as BackupVolume renders and uploads them, in a folder the container mounts.
  // Credentials are checked here and delivered below as the files BackupVolume uploads.
  const config = (offsite: { prefix: string; endpoint: string; caCertificate?: string }) =>
    renderRunnerConfig(
      planBackup(
        "backups",
        {
          databases: ["neo4j"],
          chainLength: 1,
          retention: { chains: 2 },
          offsite: { bucket: BUCKET, ...credentials, ...offsite },
        },
        { edition: "enterprise", onlineBackup: true, image: NEO4J_IMAGE, neo4jVersion: "5.26" },
      ),
      { backupEndpoints: ["core-1:6362"] },
    );
  fs.writeFileSync(
    path.join(dir, "opt/config.sh"),
    config({ prefix: PREFIX, endpoint: `http://127.0.0.1:${port}` }),
  );
  fs.copyFileSync(
    path.resolve(__dirname, "../../components/backup/runner.sh"),
    path.join(dir, "opt/runner.sh"),
  );
  fs.copyFileSync(
    path.resolve(__dirname, "../unit/backup-fixtures/neo4j-admin"),
    path.join(dir, "stand-in/neo4j-admin"),
  );
  fs.chmodSync(path.join(dir, "stand-in/neo4j-admin"), 0o755);
  writeCredentials(credentials.secretAccessKey);
  // The same runner against the same server's https port, trusting the test CA as caCertificate.
  const tlsConfig = config({
    prefix: TLS_PREFIX,
    endpoint: `https://localhost:${tlsPort}`,
    caCertificate: fs.readFileSync(tlsFiles.ca, "utf8"),
  });
  fs.writeFileSync(path.join(dir, "opt/config-tls.sh"), tlsConfig);
  // And without it: the image's CAs do not know the test CA.
  fs.writeFileSync(
    path.join(dir, "opt/config-tls-untrusted.sh"),
    tlsConfig.replace(/^OFFSITE_CA_FILE=.*$/m, "OFFSITE_CA_FILE=''"),
  );
  // Parts of 5 MiB, S3's smallest, so a 12 MiB artifact goes up in three.
  fs.writeFileSync(
    path.join(dir, "opt/config-parts.sh"),
    config({ prefix: PARTS_PREFIX, endpoint: `http://127.0.0.1:${port}` }) + "OFFSITE_PART_BYTES=5242880\n",
  );
  fs.copyFileSync(tlsFiles.ca, path.join(dir, "opt/offsite/ca.pem"));
  fs.chmodSync(path.join(dir, "opt/offsite/ca.pem"), 0o644);

  // Host networking: the runner reaches the S3 server on 127.0.0.1, and nothing beyond this machine.
  const started = await run("docker", [
    "run",
    "-d",
    "--name",
    runner,
    "--label",
    `neo4j-estate.suite=${process.env.NEO4J_ESTATE_SUITE}`,
    "--network",
    "host",
    "--user",
    "0:0",
    "-v",
    `${path.join(dir, "opt")}:/opt/neo4j-backup`,
    "-v",
    `${path.join(dir, "stand-in")}:/opt/stand-in:ro`,
    "-v",
    `${path.join(dir, "backups")}:/backups`,
    "--entrypoint",
    "sleep",
    NEO4J_IMAGE,
    "3600",
  ]);
  if (started.code !== 0) throw new Error(`docker run: ${started.stderr}`);
}, 300_000);

afterAll(async () => {
  await run("docker", ["rm", "-f", runner]);
  if (server) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.stdin.end();
    server.kill();
    await exited;
    lines.close();
  }
  // The runner made its files uid 7474's; root (the suite's user) removes them.
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("BackupVolume offsite against a real S3-compatible server", () => {
  it("copies each completed artifact to the bucket, byte for byte, and lists it in the bucket's catalog", async () => {
    const started = Date.now();
    const r = await runner_sh("run-once");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [artifact] = localArtifacts();
    expect(r.stdout).toContain(
      `offsite database=neo4j uploaded=${artifact} size_bytes=${ARTIFACT_BYTES + "neo4j full\n".length} to=s3://${BUCKET}/${PREFIX}${artifact}`,
    );
    const keys = await bucketKeys();
    expect(Object.keys(keys).sort()).toEqual(
      [`${PREFIX}${artifact}`, `${PREFIX}.runner/catalog/neo4j.tsv`].sort(),
    );
    expect(await bucketSha(`${PREFIX}${artifact}`)).toBe(sha256(path.join(dir, "backups", artifact)));
    expect(fs.statSync(path.join(dir, "backups", artifact)).uid).toBe(7474);
    expect(status().offsite).toMatchObject({
      location: `s3://${BUCKET}/${PREFIX}`,
      lastResult: "success",
      pendingArtifacts: 0,
    });
    console.log(`first run with its copy off the host: ${Date.now() - started} ms`);
  });

  it("applies the volume's retention in the bucket: the oldest chain goes from both", async () => {
    const first = localArtifacts()[0];
    for (let i = 0; i < 2; i++) expect((await runner_sh("run-once")).code).toBe(0);
    const kept = localArtifacts();
    expect(kept).toHaveLength(2);
    expect(kept).not.toContain(first);
    const keys = await bucketKeys();
    expect(Object.keys(keys).sort()).toEqual(
      [...kept.map((f) => `${PREFIX}${f}`), `${PREFIX}.runner/catalog/neo4j.tsv`].sort(),
    );
    const log = fs.readFileSync(path.join(dir, "backups/.runner/runs.log"), "utf8");
    expect(log).toContain(
      `offsite retention database=neo4j deleted=s3://${BUCKET}/${PREFIX}${first} type=full`,
    );
    for (const f of kept) expect(await bucketSha(`${PREFIX}${f}`)).toBe(sha256(path.join(dir, "backups", f)));
  });

  it("keeps an artifact queued while the bucket refuses the runner's signature, fails the run, and copies it later", async () => {
    writeCredentials("not-the-secret-key");
    const failed = await runner_sh("run-once");
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain("403 SignatureDoesNotMatch");
    expect(status()).toMatchObject({
      lastResult: "failure",
      offsite: { lastResult: "failure", pendingArtifacts: 1 },
    });
    const newest = localArtifacts().at(-1)!;
    expect(Object.keys(await bucketKeys())).not.toContain(`${PREFIX}${newest}`);

    writeCredentials(credentials.secretAccessKey);
    const synced = await runner_sh("offsite-sync");
    expect(synced.code).toBe(0);
    expect(Object.keys(await bucketKeys())).toContain(`${PREFIX}${newest}`);
    expect(status().offsite).toMatchObject({ lastResult: "success", pendingArtifacts: 0 });
  });

  it("restores from the bucket: the plan's download step fetches the chain into the runner when the volume has lost it", async () => {
    const artifacts = listArtifacts(runner, "neo4j", "offsite");
    const inBucket = Object.keys(await bucketKeys()).filter((k) => k.endsWith(".backup"));
    expect(artifacts.map((a) => `${PREFIX}${a.file}`).sort()).toEqual(inBucket.sort());
    const plan = planRestore({
      database: "neo4j",
      runner,
      members: [{ container: "neo4j", boltAddress: "localhost:7687" }],
      artifacts,
      neo4jVersion: parseVersion("5.26")!,
      source: "offsite",
    });
    const expected = Object.fromEntries(
      await Promise.all(plan.chain.map(async (f) => [f, await bucketSha(`${PREFIX}${f}`)] as const)),
    );
    // The host lost its backups: only the bucket has them now.
    for (const f of localArtifacts()) fs.rmSync(path.join(dir, "backups", f));

    const download = plan.steps[0];
    expect(download.kind).toBe("docker");
    if (download.kind !== "docker") return;
    const fetched = await run("docker", download.args);
    expect(fetched.stderr).toBe("");
    expect(fetched.code).toBe(0);
    for (const f of plan.chain) {
      const local = path.join(dir, "backups", path.basename(OFFSITE_STAGING), f);
      expect(sha256(local)).toBe(expected[f]);
      expect(fs.statSync(local).uid).toBe(7474);
    }
    expect(plan.steps[1]).toMatchObject({
      kind: "copy",
      from: { container: runner, paths: plan.chain.map((f) => `${OFFSITE_STAGING}/${f}`) },
    });

    const cleanup = plan.steps.at(-1)!;
    if (cleanup.kind !== "docker") throw new Error("the last step removes the download");
    expect((await run("docker", cleanup.args)).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "backups", path.basename(OFFSITE_STAGING)))).toBe(false);
    // Listing, download and clean-up ran as uid 7474: nothing in the volume became root's.
    const notTheirs = (fs.readdirSync(path.join(dir, "backups"), { recursive: true }) as string[]).filter(
      (f) => fs.statSync(path.join(dir, "backups", f)).uid !== 7474,
    );
    expect(notTheirs).toEqual([]);
  });

  it("speaks https through openssl s_client, trusting caCertificate, and copies nothing to a server it cannot verify", async () => {
    const refused = await runnerWith("config-tls-untrusted.sh", ["run-once"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(
      /offsite database=neo4j result=failure reason="GET estate\/tls\/\.runner\/catalog\/neo4j\.tsv: 000 .*verify/,
    );
    const queued = localArtifacts().at(-1)!;
    expect(Object.keys(await bucketKeys(TLS_PREFIX))).toEqual([]);

    const started = Date.now();
    const trusted = await runnerWith("config-tls.sh", ["run-once"]);
    expect(trusted.stderr).toBe("");
    expect(trusted.code).toBe(0);
    console.log(`a run with its copies over https: ${Date.now() - started} ms`);
    const newest = localArtifacts().at(-1)!;
    const keys = Object.keys(await bucketKeys(TLS_PREFIX)).sort();
    expect(keys).toEqual(
      [`${TLS_PREFIX}.runner/catalog/neo4j.tsv`, `${TLS_PREFIX}${queued}`, `${TLS_PREFIX}${newest}`].sort(),
    );
    for (const f of [queued, newest])
      expect(await bucketSha(`${TLS_PREFIX}${f}`)).toBe(sha256(path.join(dir, "backups", f)));
  });

  it("uploads an artifact larger than one part as a multipart upload, byte for byte", async () => {
    const started = Date.now();
    const r = await runnerWith("config-parts.sh", ["run-once"], 12 * 1024 * 1024);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    console.log(`a run with a 12 MiB artifact copied in 3 parts: ${Date.now() - started} ms`);
    const newest = localArtifacts().at(-1)!;
    const keys = await bucketKeys(PARTS_PREFIX);
    expect(keys[`${PARTS_PREFIX}${newest}`]).toBe(fs.statSync(path.join(dir, "backups", newest)).size);
    expect(await bucketSha(`${PARTS_PREFIX}${newest}`)).toBe(sha256(path.join(dir, "backups", newest)));
  });
});
