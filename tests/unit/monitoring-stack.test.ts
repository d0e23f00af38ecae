import { parse } from "yaml";
import {
  byType,
  recordResources,
  secretAndValue,
  settle,
  unwrapSecretInput,
  valueOf,
} from "./support/pulumi-mocks";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jCluster, MonitoringStack } = require("../../components") as typeof import("../../components");

const CONTAINER = "docker:index/container:Container";
type Upload = { file: string; content: string };
type ContainerInputs = Record<string, unknown> & { envs?: unknown; uploads?: Upload[]; ports?: unknown[] };

function cluster(name = "graph", extra: Record<string, unknown> = {}) {
  return new Neo4jCluster(name, { acceptLicenseAgreement: "yes", adminPassword: "password123", ...extra });
}

async function container(name: string): Promise<ContainerInputs> {
  await settle();
  const found = byType(recorded, CONTAINER).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0].inputs as ContainerInputs;
}

function upload(c: ContainerInputs, file: string): string {
  const found = uploadsOf(c).find((u) => u.file === file);
  expect(found).toBeDefined();
  return found!.content;
}

/** A container's uploads, secret or not (Grafana's turn secret with the password file among them). */
function uploadsOf(c: ContainerInputs): { file: string; content: string }[] {
  const raw = c.uploads as unknown;
  return (Array.isArray(raw) ? raw : unwrapSecretInput(raw)) as { file: string; content: string }[];
}

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

describe("MonitoringStack under the mock runtime", () => {
  it("runs Prometheus, Grafana and an Alertmanager on the cluster's network from pinned images, and no Pushgateway by default", async () => {
    const stack = new MonitoringStack("monitoring", { cluster: cluster() });
    await settle();
    const ours = byType(recorded, CONTAINER).filter((r) => r.name.startsWith("monitoring"));
    expect(ours.map((r) => r.name).sort()).toEqual([
      "monitoring-alertmanager",
      "monitoring-grafana",
      "monitoring-prometheus",
    ]);
    for (const c of ours)
      expect(c.inputs.networksAdvanced).toEqual([{ name: "graph-network", aliases: [c.inputs.hostname] }]);
    const images = byType(recorded, "docker:index/remoteImage:RemoteImage").filter((r) =>
      r.name.startsWith("monitoring"),
    );
    expect(images.map((i) => [i.inputs.name, i.inputs.keepLocally]).sort()).toEqual([
      ["grafana/grafana:12.0.1", true],
      ["prom/alertmanager:v0.28.1", true],
      ["prom/prometheus:v3.4.1", true],
    ]);
    expect(stack.pushgatewayUrl).toBeUndefined();
  });

  it("uploads a prometheus.yml that scrapes every member by name, and the alert rules it loads", async () => {
    new MonitoringStack("monitoring", {
      cluster: cluster("graph", { secondaries: 1 }),
      scrapeInterval: "30s",
    });
    const prometheus = await container("monitoring-prometheus");
    const config = parse(upload(prometheus, "/etc/prometheus/prometheus.yml"));
    expect(config.global.scrape_interval).toBe("30s");
    expect(config.rule_files).toEqual(["/etc/prometheus/neo4j-alerts.yml"]);
    expect(config.scrape_configs[0].static_configs).toEqual([
      { targets: ["graph-1:2004"], labels: { instance: "graph-1" } },
      { targets: ["graph-2:2004"], labels: { instance: "graph-2" } },
      { targets: ["graph-3:2004"], labels: { instance: "graph-3" } },
      { targets: ["graph-secondary-1:2004"], labels: { instance: "graph-secondary-1" } },
    ]);
    const rules = parse(upload(prometheus, "/etc/prometheus/neo4j-alerts.yml"));
    expect(rules.groups[0].rules.map((r: { alert: string }) => r.alert)).toContain("Neo4jNoLeader");
  });

  it("scrapes members whose settings serve Prometheus metrics on all interfaces, where it looks for them", async () => {
    new MonitoringStack("monitoring", { cluster: cluster() });
    const member = await container("graph-2");
    expect(member.envs).toEqual(
      expect.arrayContaining([
        "NEO4J_server_metrics_prometheus_enabled=true",
        "NEO4J_server_metrics_prometheus_endpoint=0.0.0.0:2004",
      ]),
    );
    const config = parse(upload(await container("monitoring-prometheus"), "/etc/prometheus/prometheus.yml"));
    expect(config.scrape_configs[0].static_configs[1].targets).toEqual(["graph-2:2004"]);
  });

  it("keeps Prometheus's samples on a volume of its own for the configured retention", async () => {
    new MonitoringStack("monitoring", { cluster: cluster(), retention: "30d" });
    const prometheus = await container("monitoring-prometheus");
    expect(prometheus.volumes).toEqual([
      { volumeName: "monitoring-prometheus-data", containerPath: "/prometheus" },
    ]);
    expect(prometheus.command).toContain("--storage.tsdb.retention.time=30d");
    expect(byType(recorded, "docker:index/volume:Volume").map((v) => v.name)).toContain(
      "monitoring-prometheus-data",
    );
  });

  it("binds published ports to 127.0.0.1 unless told otherwise", async () => {
    const stack = new MonitoringStack("monitoring", { cluster: cluster() });
    expect((await container("monitoring-prometheus")).ports).toEqual([
      { internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect((await container("monitoring-grafana")).ports).toEqual([
      { internal: 3000, external: 3000, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect(await valueOf(stack.prometheusUrl)).toBe("http://localhost:9090");
    expect(await valueOf(stack.grafanaUrl)).toBe("http://localhost:3000");
    recorded.splice(0);

    const wide = new MonitoringStack("wide", {
      cluster: cluster("other"),
      hostAddress: "0.0.0.0",
      prometheusHostPort: 19090,
      grafanaHostPort: 13000,
    });
    expect((await container("wide-grafana")).ports).toEqual([
      { internal: 3000, external: 13000, ip: "0.0.0.0", protocol: "tcp" },
    ]);
    expect(await valueOf(wide.prometheusUrl)).toBe("http://localhost:19090");
  });

  it("provisions the data source and the bundled dashboard into Grafana as uploads", async () => {
    new MonitoringStack("monitoring", { cluster: cluster() });
    const grafana = await container("monitoring-grafana");
    expect(uploadsOf(grafana).map((u) => u.file)).toEqual([
      "/etc/grafana/provisioning/datasources/neo4j-estate.yaml",
      "/etc/grafana/provisioning/dashboards/neo4j-estate.yaml",
      "/etc/grafana/provisioning/dashboards/neo4j.json",
      "/run/secrets/grafana-admin-password",
    ]);
    const datasources = parse(upload(grafana, "/etc/grafana/provisioning/datasources/neo4j-estate.yaml"));
    expect(datasources.datasources[0].url).toBe("http://monitoring-prometheus:9090");
    expect(JSON.parse(upload(grafana, "/etc/grafana/provisioning/dashboards/neo4j.json")).uid).toBe(
      "neo4j-estate-overview",
    );
  });

  it("gives Grafana a generated admin password as a secret file only Grafana reads, and a readable environment", async () => {
    const stack = new MonitoringStack("monitoring", { cluster: cluster() });
    const grafana = await container("monitoring-grafana");
    // No secret in the environment: it reads as a diff in a pull request, and docker inspect shows no password.
    const envs = grafana.envs as unknown as string[];
    expect(Array.isArray(envs)).toBe(true);
    expect(envs).toContain("GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password");
    expect(envs).toContain("GF_AUTH_ANONYMOUS_ENABLED=false");
    expect(JSON.stringify(envs)).not.toContain("generated-password");
    const uploads = unwrapSecretInput(grafana.uploads) as Record<string, unknown>[];
    expect(uploads.find((u) => u.file === "/run/secrets/grafana-admin-password")).toEqual({
      file: "/run/secrets/grafana-admin-password",
      content: "generated-password-0123456789abcdef",
      permissions: "0400",
      owner: "472",
      group: "0",
    });
    // The uploads turn secret as a whole; labels still say which provisioning file changed.
    expect(grafana.labels).toEqual(
      expect.arrayContaining([
        { label: "neo4j-estate.grafana.neo4j.json", value: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) },
        { label: "neo4j-estate.grafana.neo4j-estate.yaml", value: expect.stringMatching(/^sha256:/) },
      ]),
    );
    const passwords = byType(recorded, "random:index/randomPassword:RandomPassword").filter((r) =>
      r.name.startsWith("monitoring"),
    );
    expect(passwords.map((p) => [p.name, p.inputs.length])).toEqual([
      ["monitoring-grafana-admin-password", 32],
    ]);
    expect(await secretAndValue(stack.grafanaAdminPassword)).toEqual({
      secret: true,
      value: "generated-password-0123456789abcdef",
    });
    expect(await valueOf(stack.grafanaAdminUsername)).toBe("admin");
  });

  it("keeps a given Grafana password secret even when it arrives as a plain string", async () => {
    const stack = new MonitoringStack("monitoring", {
      cluster: cluster(),
      grafanaAdminPassword: "grafana-secret-1",
    });
    expect(await secretAndValue(stack.grafanaAdminPassword)).toEqual({
      secret: true,
      value: "grafana-secret-1",
    });
    const grafana = await container("monitoring-grafana");
    const uploads = unwrapSecretInput(grafana.uploads) as { file: string; content: string }[];
    expect(uploads.find((u) => u.file === "/run/secrets/grafana-admin-password")?.content).toBe(
      "grafana-secret-1",
    );
    expect(byType(recorded, "random:index/randomPassword:RandomPassword").map((r) => r.name)).not.toContain(
      "monitoring-grafana-admin-password",
    );
  });

  it("with backupMetrics, runs a persistent Pushgateway in the network, scrapes it with honor_labels and alerts on stale backups", async () => {
    const stack = new MonitoringStack("monitoring", { cluster: cluster(), backupMetrics: true });
    const pushgateway = await container("monitoring-pushgateway");
    expect(pushgateway.ports).toBeUndefined();
    expect(pushgateway.networksAdvanced).toEqual([
      { name: "graph-network", aliases: ["monitoring-pushgateway"] },
    ]);
    expect(pushgateway.volumes).toEqual([
      { volumeName: "monitoring-pushgateway-data", containerPath: "/pushgateway" },
    ]);
    expect(pushgateway.command).toEqual(["--persistence.file=/pushgateway/metrics.db"]);
    expect(await valueOf(stack.pushgatewayUrl!)).toBe("http://monitoring-pushgateway:9091");

    const prometheus = await container("monitoring-prometheus");
    const config = parse(upload(prometheus, "/etc/prometheus/prometheus.yml"));
    expect(config.scrape_configs[1]).toEqual({
      job_name: "pushgateway",
      honor_labels: true,
      static_configs: [{ targets: ["monitoring-pushgateway:9091"] }],
    });
    expect(upload(prometheus, "/etc/prometheus/neo4j-alerts.yml")).toContain(
      'neo4j_backup_last_success_timestamp_seconds{job="neo4j_backup"}',
    );
  });

  it("waits for each container's readiness endpoint", async () => {
    new MonitoringStack("monitoring", { cluster: cluster() });
    const prometheus = await container("monitoring-prometheus");
    expect(prometheus.wait).toBe(true);
    expect((prometheus.healthcheck as { tests: string[] }).tests).toEqual([
      "CMD",
      "wget",
      "-q",
      "-O",
      "/dev/null",
      "http://127.0.0.1:9090/-/ready",
    ]);
    expect((await container("monitoring-grafana")).healthcheck).toMatchObject({
      tests: expect.arrayContaining(["http://127.0.0.1:3000/api/health"]),
    });
  });

  it("fails at construction, before registering anything, when the cluster serves no metrics", async () => {
    const community = new Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
    });
    const quiet = cluster("quiet", { prometheusMetrics: false });
    await settle();
    recorded.splice(0);
    expect(() => new MonitoringStack("monitoring", { cluster: community })).toThrow(
      'MonitoringStack "monitoring": cluster runs Neo4j Community',
    );
    expect(() => new MonitoringStack("monitoring", { cluster: quiet })).toThrow(
      'MonitoringStack "monitoring": cluster has prometheusMetrics off',
    );
    expect(() => new MonitoringStack("monitoring", { cluster: cluster("c"), grafanaHostPort: 9090 })).toThrow(
      'MonitoringStack "monitoring": grafanaHostPort collides with prometheusHostPort',
    );
    await settle();
    expect(recorded.filter((r) => r.name.startsWith("monitoring"))).toEqual([]);
  });
});
