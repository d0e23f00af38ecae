import * as pulumi from "@pulumi/pulumi";
import { MonitoredCluster, MonitoringStack } from "../../components/monitoring-stack";
import { BACKUP_JOB, BACKUP_METRICS, NEO4J_JOB } from "../../components/monitoring/metrics";
import { DockerApi } from "./support/docker-api";
import { CapturedResource, DOCKER, Replay, capture } from "./support/replay";
import { freePort, runId } from "./support/env";

/**
 * Prometheus and the Pushgateway as MonitoringStack renders them, on the real Docker engine, from
 * Debian's builds: Prometheus loads our configuration and alert rules, scrapes what we say it
 * scrapes, and a stale backup pushed the way BackupVolume's runner pushes makes the backup alert
 * fire. Grafana is not packaged by Debian and is left out; members are Enterprise-only metrics
 * endpoints, so their targets exist but are down here.
 */
const docker = new DockerApi();
const id = runId();
const replay = new Replay(id, docker);
const network = `${id}-network`;
const PROMETHEUS_IMAGE = "neo4j-estate/prometheus:2.42.0";
const PUSHGATEWAY_IMAGE = "neo4j-estate/pushgateway:1.5.1";
let prometheusPort: number;
let resources: CapturedResource[];

async function prometheus<T>(path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${prometheusPort}${path}`);
  if (!response.ok) throw new Error(`Prometheus ${path}: ${response.status}`);
  return ((await response.json()) as { data: T }).data;
}

async function eventually<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

beforeAll(async () => {
  prometheusPort = await freePort();
  const cluster: MonitoredCluster = {
    edition: "enterprise",
    prometheusMetrics: true,
    memberNames: [`${id}-1`, `${id}-2`],
    metricsEndpoints: pulumi.output([`${id}-1:2004`, `${id}-2:2004`]),
    networkName: pulumi.output(network),
  };
  resources = await capture(() => {
    new MonitoringStack(id, {
      cluster,
      backupMetrics: true,
      scrapeInterval: "5s",
      prometheusHostPort: prometheusPort,
      grafanaHostPort: await0(),
      prometheusImage: PROMETHEUS_IMAGE,
      pushgatewayImage: PUSHGATEWAY_IMAGE,
      alertThresholds: { backupStaleAfterHours: 1 },
    });
  }, docker);
  await replay.network({ name: network, driver: "bridge" });
  // Everything but Grafana, whose image Debian does not package.
  await replay.apply(resources, (r) => !/grafana/.test(r.name));
});
afterAll(() => (process.env.NEO4J_ESTATE_KEEP ? undefined : replay.cleanup()));

/** Grafana is not started; any free port keeps validation happy. */
function await0(): number {
  return prometheusPort + 1;
}

describe("MonitoringStack's Prometheus and Pushgateway on the real Docker engine", () => {
  it("starts both from our rendered files and turns them healthy", async () => {
    const started = resources.filter((r) => r.type === DOCKER.container && !/grafana/.test(r.name));
    expect(started.map((r) => r.name).sort()).toEqual([`${id}-prometheus`, `${id}-pushgateway`]);
    for (const r of started) {
      const info = await replay.inspect(String(r.inputs.name));
      expect((info.State as { Health: { Status: string } }).Health.Status).toBe("healthy");
    }
  });

  it("scrapes every member's metrics endpoint and the Pushgateway, as rendered", async () => {
    const targets = await prometheus<{
      activeTargets: { labels: Record<string, string>; scrapeUrl: string }[];
    }>("/api/v1/targets");
    const byJob = (job: string) =>
      targets.activeTargets
        .filter((t) => t.labels.job === job)
        .map((t) => t.scrapeUrl)
        .sort();
    expect(byJob(NEO4J_JOB)).toEqual([`http://${id}-1:2004/metrics`, `http://${id}-2:2004/metrics`]);
    expect(targets.activeTargets.find((t) => t.labels.job === NEO4J_JOB)?.labels.instance).toMatch(
      new RegExp(`^${id}-[12]$`),
    );
    expect(targets.activeTargets.some((t) => t.scrapeUrl === `http://${id}-pushgateway:9091/metrics`)).toBe(
      true,
    );
  });

  it("loads our alert rules", async () => {
    const rules = await prometheus<{ groups: { rules: { name: string }[] }[] }>("/api/v1/rules");
    const names = rules.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toEqual(
      expect.arrayContaining(["Neo4jMemberDown", "Neo4jBackupStale", "Neo4jBackupFailed"]),
    );
  });

  it("fires the stale-backup alert when the runner pushes a last success older than the threshold", async () => {
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 7200;
    const body = [
      `# TYPE ${BACKUP_METRICS.lastSuccess} gauge`,
      `${BACKUP_METRICS.lastSuccess}{database="neo4j"} ${twoHoursAgo}`,
      `# TYPE ${BACKUP_METRICS.lastAttemptSuccess} gauge`,
      `${BACKUP_METRICS.lastAttemptSuccess}{database="neo4j"} 1`,
      "",
    ].join("\n");
    // The runner's own path: the Pushgateway is reachable inside the network only.
    const push = await docker.exec(`${id}-prometheus`, [
      "wget",
      "-q",
      "-O",
      "-",
      "--method=PUT",
      `--body-data=${body}`,
      `http://${id}-pushgateway:9091/metrics/job/${BACKUP_JOB}/instance/${id}-backups`,
    ]);
    expect(push.exitCode).toBe(0);
    const alert = await eventually("Neo4jBackupStale firing", 240, async () => {
      const { alerts } = await prometheus<{ alerts: { labels: Record<string, string>; state: string }[] }>(
        "/api/v1/alerts",
      );
      return alerts.find((a) => a.labels.alertname === "Neo4jBackupStale" && a.state === "firing");
    });
    expect(alert.labels).toMatchObject({ database: "neo4j", severity: "critical" });
  });
});
