/**
 * `npm run bench:start`: how long a Community member as Neo4jCluster renders it takes from the
 * Docker API's create to healthy, beside a bare `docker run` of the same image with no settings
 * and no health check (the floor: created until Bolt answers a query). Needs the Docker engine and
 * the local images (scripts/provision/docker.sh and images.sh). Prints one row per round.
 */
import * as pulumi from "@pulumi/pulumi";
import { Neo4jCluster } from "../components/neo4j-cluster";
import { DockerApi } from "../tests/real/support/docker-api";
import { DOCKER, Replay, capture } from "../tests/real/support/replay";
import { NEO4J_IMAGE, freePort, query, runId } from "../tests/real/support/env";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const docker = new DockerApi();
const password = "bench-start-password";

async function replayed(): Promise<number> {
  const id = runId();
  const replay = new Replay(id, docker);
  try {
    const [http, bolt] = [await freePort(), await freePort()];
    const resources = await capture(() => {
      new Neo4jCluster(id, {
        image: NEO4J_IMAGE,
        adminPassword: pulumi.secret(password),
        hostPorts: { http, bolt },
        settings: { "dbms.usage_report.enabled": "false" },
      });
    }, docker);
    await replay.apply(resources, (r) => r.type !== DOCKER.container);
    const member = resources.find((r) => r.type === DOCKER.container)!;
    const started = performance.now();
    await replay.container({ ...member.inputs, wait: false });
    await replay.waitHealthy(String(member.inputs.name), 600);
    return performance.now() - started;
  } finally {
    await replay.cleanup();
  }
}

async function bare(): Promise<number> {
  const id = runId();
  const replay = new Replay(id, docker);
  try {
    const bolt = await freePort();
    const started = performance.now();
    await replay.container({
      name: `${id}-bare`,
      image: NEO4J_IMAGE,
      envs: [`NEO4J_AUTH=neo4j/${password}`],
      ports: [{ internal: 7687, external: bolt, ip: "127.0.0.1" }],
    });
    for (;;) {
      try {
        await query(`bolt://127.0.0.1:${bolt}`, "neo4j", password, "RETURN 1");
        return performance.now() - started;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await replay.cleanup();
  }
}

async function main(): Promise<void> {
  console.log(
    "| round | replayed member, create to healthy | bare docker run, create to Bolt answering | ratio |",
  );
  console.log(
    "| ----- | ---------------------------------- | ----------------------------------------- | ----- |",
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const floor = await bare();
    const member = await replayed();
    console.log(
      `| ${round} | ${(member / 1000).toFixed(1)} s | ${(floor / 1000).toFixed(1)} s | ${(member / floor).toFixed(2)}x |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
