import { parse } from "yaml";
import { byType, recordResources, settle, valueOf } from "./support/pulumi-mocks";
import { KubeObject, graphCluster, oneObject } from "./support/kubernetes";
import { alertRuleGroups } from "../../components/monitoring/prometheus";
import { DEFAULT_THRESHOLDS } from "../../components/monitoring/spec";
import { configChecksum } from "../../components/kubernetes/monitoring-objects";

const recorded = recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kubernetes } = require("../../components") as typeof import("../../components");

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

const one = (type: string, name: string) => oneObject(recorded, type, name);

const cluster = graphCluster;

function customResources(kind: string): KubeObject[] {
  return byType(recorded, `kubernetes:monitoring.coreos.com/v1:${kind}`).map((r) => r.inputs as KubeObject);
}

describe("kubernetes.MonitoringStack, bundled", () => {
  it("runs our Prometheus with the core's scrape configuration and rules, one target per member", async () => {
    const stack = new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster({ namespace: "data" }),
    });
    expect(await valueOf(stack.prometheusUrl)).toBe(
      "http://graph-monitoring-prometheus.data.svc.cluster.local:9090",
    );
    await settle();
    const files = one("kubernetes:core/v1:ConfigMap", "graph-monitoring-prometheus-config").data;
    const config = parse(files["prometheus.yml"]);
    expect(config.rule_files).toEqual(["/etc/prometheus/neo4j-alerts.yml"]);
    // No Alertmanager runs on Kubernetes yet: Prometheus is not pointed at one that is not there.
    expect(config.alerting).toBeUndefined();
    expect(config.scrape_configs[0].static_configs).toEqual([
      { targets: ["graph-1.data.svc.cluster.local:2004"], labels: { instance: "graph-1" } },
      { targets: ["graph-2.data.svc.cluster.local:2004"], labels: { instance: "graph-2" } },
      { targets: ["graph-3.data.svc.cluster.local:2004"], labels: { instance: "graph-3" } },
    ]);
    expect(parse(files["neo4j-alerts.yml"])).toEqual(alertRuleGroups(DEFAULT_THRESHOLDS, false));

    const sts = one("kubernetes:apps/v1:StatefulSet", "graph-monitoring-prometheus");
    const pod = sts.spec.template.spec;
    expect(pod.containers[0].args).toContain("--config.file=/etc/prometheus/prometheus.yml");
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "config",
      mountPath: "/etc/prometheus",
      readOnly: true,
    });
    expect(sts.spec.template.metadata.annotations["neo4j-estate.config-checksum"]).toBe(
      configChecksum(files),
    );
    expect(customResources("ServiceMonitor")).toHaveLength(0);
  });

  it("restarts Prometheus when its configuration changes, and only then", () => {
    const a = { "prometheus.yml": "a", "neo4j-alerts.yml": "b" };
    expect(configChecksum(a)).toBe(configChecksum({ "neo4j-alerts.yml": "b", "prometheus.yml": "a" }));
    expect(configChecksum(a)).not.toBe(configChecksum({ ...a, "prometheus.yml": "a2" }));
  });

  it("adds a Pushgateway for backup health, which BackupVolume pushes to and Prometheus scrapes", async () => {
    const graph = cluster();
    const stack = new kubernetes.MonitoringStack("graph-monitoring", { cluster: graph, backupMetrics: true });
    const url = await valueOf(stack.pushgatewayUrl);
    expect(url).toBe("http://graph-monitoring-pushgateway.graph.svc.cluster.local:9091");
    new kubernetes.BackupVolume("graph-backups", {
      cluster: graph,
      pushgatewayUrl: stack.pushgatewayUrl.apply((u) => u!),
    });
    await settle();
    one("kubernetes:apps/v1:Deployment", "graph-monitoring-pushgateway");
    const config = parse(
      one("kubernetes:core/v1:ConfigMap", "graph-monitoring-prometheus-config").data["prometheus.yml"],
    );
    expect(config.scrape_configs[1].static_configs).toEqual([
      { targets: ["graph-monitoring-pushgateway:9091"] },
    ]);
    expect(one("kubernetes:core/v1:ConfigMap", "graph-backups-runner").data["config.sh"]).toContain(
      "PUSHGATEWAY_URL='http://graph-monitoring-pushgateway.graph.svc.cluster.local:9091'",
    );
  });
});

describe("kubernetes.MonitoringStack for a Prometheus Operator", () => {
  it("selects the members' Services with a ServiceMonitor, job and instance as our Prometheus has them", async () => {
    new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster(),
      mode: "operator",
      monitorLabels: { release: "kube-prometheus-stack" },
      scrapeInterval: "30s",
    });
    await settle();
    const [monitor] = customResources("ServiceMonitor");
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(monitor.spec.selector).toEqual({ matchLabels: { "neo4j-estate.discovery": "graph" } });
    const endpoint = monitor.spec.endpoints[0];
    expect(endpoint).toEqual(expect.objectContaining({ port: "tcp-metrics", interval: "30s" }));
    expect(endpoint.relabelings).toContainEqual({
      targetLabel: "job",
      replacement: "neo4j",
      action: "replace",
    });
    expect(endpoint.metricRelabelings[0].targetLabel).toBe("database");
    expect(byType(recorded, "kubernetes:apps/v1:StatefulSet").map((r) => r.name)).toEqual(["graph"]);
  });

  it("carries the core's alert rules in a PrometheusRule", async () => {
    new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster(),
      mode: "operator",
      backupMetrics: true,
      alertThresholds: { heapUsedRatio: 0.8 },
    });
    await settle();
    const [rule] = customResources("PrometheusRule");
    expect(rule.spec).toEqual(alertRuleGroups({ ...DEFAULT_THRESHOLDS, heapUsedRatio: 0.8 }, true));
    expect(
      customResources("ServiceMonitor")
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(["graph-monitoring", "graph-monitoring-pushgateway"]);
  });

  it("refuses what does not apply, naming the field", () => {
    const graph = cluster();
    expect(() => new kubernetes.MonitoringStack("m", { cluster: graph, monitorLabels: { a: "b" } })).toThrow(
      'MonitoringStack "m": monitorLabels selects the operator\'s objects',
    );
    expect(
      () => new kubernetes.MonitoringStack("m", { cluster: graph, mode: "operator", storageSize: "1Gi" }),
    ).toThrow("storageSize sizes the bundled Prometheus");
    expect(
      () =>
        new kubernetes.MonitoringStack("m", { cluster: graph, grafanaHostPort: 3000 } as unknown as {
          cluster: typeof graph;
        }),
    ).toThrow("grafanaHostPort is a Docker argument");
    expect(
      () =>
        new kubernetes.MonitoringStack("m", { cluster: graph, alertReceivers: [] } as unknown as {
          cluster: typeof graph;
        }),
    ).toThrow(
      "alertReceivers is a Docker argument that Kubernetes does not take: the Alertmanager is not deployed",
    );
    const community = new kubernetes.Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
    });
    expect(() => new kubernetes.MonitoringStack("m", { cluster: community })).toThrow("Community");
  });
});
