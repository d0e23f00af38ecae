/**
 * Fetches a jar from a Maven repository once, on the machine running Pulumi, checks it, and keeps
 * it in a cache outside the project, so that `pulumi preview` and `pulumi up` upload the same
 * bytes to every member and no container downloads anything when it starts.
 *
 * A download is checked against the SHA-1 the repository publishes beside every artifact (which
 * catches truncation and a wrong file), and against a SHA-256 the user pins, when given (which
 * also catches a changed artifact). A cached jar is checked again before it is used.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface MavenArtifact {
  group: string;
  artifact: string;
  version: string;
  classifier?: string;
}

export interface FetchedJar {
  /** Where the jar is on this machine. */
  path: string;
  /** Its SHA-256, hex: what a member's upload is compared by. */
  sha256: string;
}

/** The cache: $NEO4J_ESTATE_CACHE, else ~/.cache/neo4j-estate (the provisioning scripts use the same). */
export function cacheDir(): string {
  return process.env.NEO4J_ESTATE_CACHE ?? path.join(os.homedir(), ".cache", "neo4j-estate");
}

/** `org/neo4j/procedure/apoc-core/5.26.0/apoc-core-5.26.0-core.jar`, as Maven lays it out. */
export function artifactPath(a: MavenArtifact): string {
  const file = `${a.artifact}-${a.version}${a.classifier ? `-${a.classifier}` : ""}.jar`;
  return [...a.group.split("."), a.artifact, a.version, file].join("/");
}

function digest(algorithm: "sha1" | "sha256", file: string): string {
  return createHash(algorithm).update(fs.readFileSync(file)).digest("hex");
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * The jar of `artifact` from `repository`, cached; throws with what went wrong and which
 * checksum did not match. The SHA-1 the repository published is kept beside the cached jar.
 */
export async function fetchMavenJar(
  repository: string,
  artifact: MavenArtifact,
  expectedSha256?: string,
): Promise<FetchedJar> {
  const relative = artifactPath(artifact);
  const file = path.join(cacheDir(), "maven", ...relative.split("/"));
  const sha1File = `${file}.sha1`;
  const coordinates = `${artifact.group}:${artifact.artifact}:${artifact.version}${artifact.classifier ? `:${artifact.classifier}` : ""}`;
  const check = (candidate: string, publishedSha1: string): string => {
    const sha1 = digest("sha1", candidate);
    if (sha1 !== publishedSha1)
      throw new Error(
        `${coordinates}: SHA-1 ${sha1} does not match the ${publishedSha1} the repository publishes`,
      );
    const sha256 = digest("sha256", candidate);
    if (expectedSha256 !== undefined && sha256 !== expectedSha256)
      throw new Error(`${coordinates}: SHA-256 ${sha256} does not match the pinned ${expectedSha256}`);
    return sha256;
  };

  if (fs.existsSync(file) && fs.existsSync(sha1File)) {
    try {
      return { path: file, sha256: check(file, fs.readFileSync(sha1File, "utf8").trim()) };
    } catch {
      // A damaged or changed cache entry is fetched again below.
    }
  }
  const url = `${repository.replace(/\/+$/, "")}/${relative}`;
  const [jar, sha1Text] = await Promise.all([download(url), download(`${url}.sha1`)]);
  const publishedSha1 = sha1Text.toString("utf8").trim().split(/\s+/)[0].toLowerCase();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, jar);
  try {
    const sha256 = check(partial, publishedSha1);
    fs.renameSync(partial, file);
    fs.writeFileSync(sha1File, `${publishedSha1}\n`);
    return { path: file, sha256 };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** A jar given as a local file, checked against its pinned SHA-256. */
export function checkLocalJar(file: string, expectedSha256: string): FetchedJar {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist on this machine`);
  const sha256 = digest("sha256", file);
  if (sha256 !== expectedSha256)
    throw new Error(`${file}: SHA-256 ${sha256} does not match the pinned ${expectedSha256}`);
  return { path: file, sha256 };
}
