/**
 * `tsx scripts/neo4j-test-server.ts -- <command...>`: starts a real Neo4j Community 5.26 on a free
 * loopback port, runs the command with NEO4J_TEST_URI, NEO4J_TEST_USER and NEO4J_TEST_PASSWORD set,
 * stops the server and exits with the command's status. When NEO4J_TEST_URI is already set (an
 * Enterprise server of your own, say), the command runs against that server and nothing is started.
 */
import { spawn } from "child_process";
import { startNeo4jTestServer } from "../tests/helpers/neo4j-test-server";

const READY_TIMEOUT_MS = 180_000;

async function main(): Promise<number> {
  const separator = process.argv.indexOf("--");
  const command = separator >= 0 ? process.argv.slice(separator + 1) : [];
  if (command.length === 0) throw new Error("usage: tsx scripts/neo4j-test-server.ts -- <command...>");
  if (process.env.NEO4J_TEST_URI) return run(command, process.env);

  const started = Date.now();
  const server = await startNeo4jTestServer();
  try {
    await Promise.race([
      server.ready,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`Neo4j test server not ready after ${READY_TIMEOUT_MS / 1000}s`)),
          READY_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
    console.error(
      `Neo4j test server ready at ${server.uri} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    return await run(command, {
      ...process.env,
      NEO4J_TEST_URI: server.uri,
      NEO4J_TEST_USER: server.username,
      NEO4J_TEST_PASSWORD: server.password,
    });
  } finally {
    await server.stop();
  }
}

function run(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: "inherit", env });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
