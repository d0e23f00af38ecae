import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { MonitoredCluster, MonitoringStack } from "../../components/monitoring-stack";
import { BACKUP_JOB, BACKUP_METRICS, NEO4J_JOB } from "../../components/monitoring/metrics";
import { DockerApi } from "./support/docker-api";
import { CapturedResource, DOCKER, Replay, capture } from "./support/replay";
import { freePort, runId } from "./support/env";

/**
 * Prometheus, the Pushgateway and the Alertmanager as MonitoringStack renders them, on the real
 * Docker engine, from Debian's builds: Prometheus loads our configuration and alert rules, scrapes
 * what we say it scrapes, and a stale backup pushed the way BackupVolume's runner pushes makes the
 * backup alert fire, reach the Alertmanager and arrive at a webhook this test serves on the host
 * (on the network's gateway address, which containers reach; nothing leaves the machine). Grafana
 * is not packaged by Debian and is left out; members are Enterprise-only metrics endpoints, so
 * their targets exist but are down here.
 */
const docker = new DockerApi();
const id = runId();
const replay = new Replay(id, docker);
const network = `${id}-network`;
const PROMETHEUS_IMAGE = "neo4j-estate/prometheus:2.42.0";
const PUSHGATEWAY_IMAGE = "neo4j-estate/pushgateway:1.5.1";
/** Debian bookworm's Alertmanager: no webhook url_file yet, so the URL travels inside alertmanager.yml. */
const ALERTMANAGER_IMAGE = "neo4j-estate/alertmanager:0.25.0";
let prometheusPort: number;
let alertmanagerPort: number;
/** When the stale backup was pushed, to time its way to the webhook. */
let pushedAt = 0;
let resources: CapturedResource[];

/** A token in the webhook's path and a bearer credential: both secrets, one inline, one a file. */
const PATH_TOKEN = randomBytes(12).toString("hex");
const BEARER = randomBytes(12).toString("hex");
interface Delivery {
  at: number;
  path: string;
  authorization?: string;
  body: { receiver: string; status: string; alerts: { labels: Record<string, string>; status: string }[] };
}
const deliveries: Delivery[] = [];
let webhook: http.Server;

/** The webhook receiver, on the network's gateway address: the host as the containers see it. */
async function serveWebhook(address: string): Promise<string> {
  webhook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({
        at: Date.now(),
        path: req.url ?? "",
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, address, resolve));
  return `http://${address}:${(webhook.address() as AddressInfo).port}/alerts/${PATH_TOKEN}`;
}

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
  alertmanagerPort = await freePort();
  await replay.network({ name: network, driver: "bridge" });
  const { IPAM } = await docker.request<{ IPAM: { Config: { Gateway: string }[] } }>(
    "GET",
    `/networks/${network}`,
  );
  const webhookUrl = await serveWebhook(IPAM.Config[0].Gateway);
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
      alertmanagerImage: ALERTMANAGER_IMAGE,
      alertmanagerHostPort: alertmanagerPort,
      alertReceivers: [
        {
          name: "ops",
          webhook_configs: [
            {
              url: pulumi.secret(webhookUrl),
              http_config: { authorization: { credentials: pulumi.secret(BEARER) } },
            },
          ],
        },
      ],
      // A real argument, shortened so the test does not wait Alertmanager's default 30 s.
      alertRoute: { group_wait: "1s", group_interval: "10s" },
    });
  }, docker);
  // Everything but Grafana, whose image Debian does not package.
  await replay.apply(resources, (r) => !/grafana/.test(r.name));
});
afterAll(async () => {
  webhook?.close();
  if (!process.env.NEO4J_ESTATE_KEEP) await replay.cleanup();
});

/** Grafana is not started; any free port keeps validation happy. */
function await0(): number {
  return prometheusPort + 1;
}

describe("MonitoringStack's Prometheus, Pushgateway and Alertmanager on the real Docker engine", () => {
  it("starts all three from our rendered files and turns them healthy", async () => {
    const started = resources.filter((r) => r.type === DOCKER.container && !/grafana/.test(r.name));
    expect(started.map((r) => r.name).sort()).toEqual([
      `${id}-alertmanager`,
      `${id}-prometheus`,
      `${id}-pushgateway`,
    ]);
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
    pushedAt = Date.now();
    const alert = await eventually("Neo4jBackupStale firing", 240, async () => {
      const { alerts } = await prometheus<{ alerts: { labels: Record<string, string>; state: string }[] }>(
        "/api/v1/alerts",
      );
      return alerts.find((a) => a.labels.alertname === "Neo4jBackupStale" && a.state === "firing");
    });
    expect(alert.labels).toMatchObject({ database: "neo4j", severity: "critical" });
  });

  it("delivers the firing alert through the Alertmanager to the webhook on the host, with the secret URL and bearer credential", async () => {
    expect(pushedAt).toBeGreaterThan(0);
    const delivery = await eventually("the webhook delivery of Neo4jBackupStale", 240, async () =>
      deliveries.find((d) =>
        d.body.alerts.some((a) => a.labels.alertname === "Neo4jBackupStale" && a.status === "firing"),
      ),
    );
    // The URL (inline in alertmanager.yml on 0.25) and the credential (credentials_file) both arrived.
    expect(delivery.path).toBe(`/alerts/${PATH_TOKEN}`);
    expect(delivery.authorization).toBe(`Bearer ${BEARER}`);
    expect(delivery.body).toMatchObject({ receiver: "ops", status: "firing" });
    expect(delivery.body.alerts[0].labels).toMatchObject({
      alertname: "Neo4jBackupStale",
      database: "neo4j",
      severity: "critical",
    });
    console.log(
      `Neo4jBackupStale: ${((delivery.at - pushedAt) / 1000).toFixed(1)} s from the push to the webhook (the rule's for: 1m included)`,
    );
  });

  it("keeps the receiver secrets in files only the Alertmanager's user reads, and out of its environment, command and labels", async () => {
    const name = `${id}-alertmanager`;
    const info = (await replay.inspect(name)) as { Config: Record<string, unknown> };
    const visible = JSON.stringify([info.Config.Env, info.Config.Cmd, info.Config.Labels]);
    expect(visible.includes(PATH_TOKEN) || visible.includes(BEARER)).toBe(false);
    const files = await docker.exec(name, [
      "stat",
      "-c",
      "%a %u %n",
      "/etc/alertmanager/alertmanager.yml",
      "/etc/alertmanager/secrets/0-webhook-0-http_config-authorization-credentials",
    ]);
    expect(files.exitCode).toBe(0);
    expect(files.output.trim().split(/\r?\n/)).toEqual([
      "400 65534 /etc/alertmanager/alertmanager.yml",
      "400 65534 /etc/alertmanager/secrets/0-webhook-0-http_config-authorization-credentials",
    ]);
    // Alertmanager loaded the credential from the file, and shows neither secret in its status.
    const status = await fetch(`http://127.0.0.1:${alertmanagerPort}/api/v2/status`);
    const original = ((await status.json()) as { config: { original: string } }).config.original;
    expect(original).toContain(
      "credentials_file: /etc/alertmanager/secrets/0-webhook-0-http_config-authorization-credentials",
    );
    expect(original.includes(BEARER)).toBe(false);
    // Alertmanager 0.25 itself shows a webhook URL there (it is no secret type in that version):
    // the component warns at preview, and docs/monitoring.md says to carry tokens in credentials.
    expect(original).toContain(PATH_TOKEN);
  });
});
