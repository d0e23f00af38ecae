import { ChildProcess, execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/**
 * A real Neo4j Community DBMS for tests and the RBAC benchmark: resolved from Maven Central with
 * tests/helpers/neo4j-server/pom.xml (cached in ~/.m2), run as an embedded DBMS with Bolt on a
 * free loopback port and authentication on. Scratch files live under `.neo4j-test/` (git-ignored).
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SERVER_SOURCES = path.join(__dirname, "neo4j-server");
const WORK_DIR = path.join(REPO_ROOT, ".neo4j-test");
const READY_LINE = "NEO4J_TEST_SERVER_READY";

export interface Neo4jTestServer {
  /** `bolt://127.0.0.1:<port>`. */
  uri: string;
  username: string;
  password: string;
  /** Resolves once Bolt accepts connections; rejects if the process exits first. */
  ready: Promise<void>;
  /** Stops the DBMS (killed outright: its store is thrown away) and removes its files. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep the port closed this long before starting, to test clients that wait. Default 0. */
  delaySeconds?: number;
  /** The server stops when this process ends. Default: the calling process. */
  ownerPid?: number;
}

/** The classpath and compiled launcher, built once and reused while the pom and launcher are unchanged. */
export function prepareNeo4jTestServer(): { classpath: string; classes: string } {
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const pom = path.join(SERVER_SOURCES, "pom.xml");
  const launcher = path.join(SERVER_SOURCES, "Neo4jTestServer.java");
  const classpathFile = path.join(WORK_DIR, "classpath.txt");
  const classes = path.join(WORK_DIR, "classes");
  if (isStale(classpathFile, pom)) {
    execFileSync(
      "mvn",
      ["-q", "-B", "-f", pom, "dependency:build-classpath", `-Dmdep.outputFile=${classpathFile}`],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
  }
  const classpath = fs.readFileSync(classpathFile, "utf8").trim();
  if (
    isStale(path.join(classes, "Neo4jTestServer.class"), launcher) ||
    isStale(path.join(classes, "Neo4jTestServer.class"), pom)
  ) {
    execFileSync("javac", ["-cp", classpath, "-d", classes, launcher], {
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  return { classpath, classes };
}

function isStale(output: string, input: string): boolean {
  return !fs.existsSync(output) || fs.statSync(output).mtimeMs < fs.statSync(input).mtimeMs;
}

/** A port nothing listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startNeo4jTestServer(options: StartOptions = {}): Promise<Neo4jTestServer> {
  const { classpath, classes } = prepareNeo4jTestServer();
  const port = await freePort();
  const password = randomBytes(18).toString("base64url");
  const home = fs.mkdtempSync(path.join(WORK_DIR, "dbms-"));
  const args = [
    "-Xmx512m",
    "-cp",
    `${classes}${path.delimiter}${classpath}`,
    "Neo4jTestServer",
    home,
    String(port),
    password,
    String(options.ownerPid ?? process.pid),
    String(options.delaySeconds ?? 0),
  ];
  const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
  const ready = waitForReadyLine(child);
  // A rejected `ready` that nobody awaits (a late-start test stops early) must not crash the run.
  ready.catch(() => undefined);
  return {
    uri: `bolt://127.0.0.1:${port}`,
    username: "neo4j",
    password,
    ready,
    stop: () => stopProcess(child).then(() => fs.rmSync(home, { recursive: true, force: true })),
  };
}

function waitForReadyLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
      if (output.includes(READY_LINE)) resolve();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) =>
      reject(new Error(`Neo4j test server exited with code ${code} before it was ready:\n${output}`)),
    );
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
