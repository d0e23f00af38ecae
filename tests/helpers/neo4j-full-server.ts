import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { prepareNeo4jTestServer } from "./neo4j-test-server";

/**
 * A whole Neo4j Community server, as `neo4j console` runs it (Bolt, HTTP and HTTPS connectors,
 * SSL policies, plugins, strict validation of neo4j.conf), from the same Maven Central jars as the
 * test DBMS. For tests of what only the server does: TLS on its connectors, plugins on its class
 * path. Each server has its own home under `.neo4j-test/` and is killed when the test ends.
 */
export interface FullServer {
  home: string;
  /** Resolves once Neo4j logs "Started."; rejects with its output if it exits first. */
  ready: Promise<void>;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const WORK_DIR = path.resolve(__dirname, "..", "..", ".neo4j-test");

export function startFullServer(options: {
  /** neo4j.conf, as setting name → value. */
  settings: Record<string, string>;
  /** Files to place under the home before start, by path relative to it. */
  files?: Record<string, string | Buffer>;
  /** Extra jars on the class path, as Neo4j's launcher puts plugins/*. */
  classpath?: string[];
}): FullServer {
  const { classpath } = prepareNeo4jTestServer();
  const home = fs.mkdtempSync(path.join(WORK_DIR, "server-"));
  fs.mkdirSync(path.join(home, "conf"));
  const conf = Object.entries({ "dbms.usage_report.enabled": "false", ...options.settings })
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  fs.writeFileSync(path.join(home, "conf", "neo4j.conf"), `${conf}\n`);
  for (const [file, content] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(home, file)), { recursive: true });
    fs.writeFileSync(path.join(home, file), content);
  }
  const child: ChildProcess = spawn(
    "java",
    [
      "-Xmx512m",
      "-cp",
      [classpath, ...(options.classpath ?? [])].join(path.delimiter),
      "org.neo4j.server.CommunityEntryPoint",
      `--home-dir=${home}`,
      `--config-dir=${path.join(home, "conf")}`,
      "--console-mode",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/INFO {2}Started\./.test(output)) resolve();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) =>
      reject(new Error(`Neo4j exited with ${code} before it started:\n${output.slice(-6000)}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    home,
    ready,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          fs.rmSync(home, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", done);
        child.kill("SIGKILL");
      }),
  };
}
