import { spawn, spawnSync } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import { CONTAINER_PORTS } from "../../components/neo4j/cluster-spec";
import { HEALTH_CHECK_COMMAND } from "../../components/neo4j/container";

/** Runs the member health check for real, in bash, against a local server standing in for Neo4j's HTTP port. */
async function healthCheckAgainst(status: number): Promise<number | null> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status);
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const command = HEALTH_CHECK_COMMAND.replace(`/${CONTAINER_PORTS.http}`, `/${port}`);
  // spawnSync would block the server's event loop, so the check runs in a child that the loop can serve.
  const result = await new Promise<number | null>((resolve) => {
    const child = spawn("bash", ["-c", command], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill(), 5000);
    child.on("exit", (code: number | null) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  server.close();
  return result;
}

describe("the member health check", () => {
  it("passes when Neo4j's HTTP endpoint answers 200", async () => {
    expect(await healthCheckAgainst(200)).toBe(0);
  });

  it("fails while the endpoint answers an error", async () => {
    expect(await healthCheckAgainst(503)).not.toBe(0);
  });

  it("fails when nothing listens", () => {
    const closedPort = HEALTH_CHECK_COMMAND.replace(`/${CONTAINER_PORTS.http}`, "/1");
    expect(spawnSync("bash", ["-c", closedPort]).status).not.toBe(0);
  });
});
