import { ControlPlane, OUR_KINDS, kubernetesSuite, labelled, waitUntilGone } from "./support/kubernetes";
import { runId } from "./support/env";

/**
 * kubernetes.MonitoringStack through the real Pulumi CLI and the Kubernetes provider built here,
 * into a real kube-apiserver: our own Prometheus, Alertmanager and Grafana, and the ServiceMonitor,
 * PrometheusRule and dashboard ConfigMap for a Prometheus Operator, are accepted by server-side dry
 * run, stored, unchanged on a second preview; a routing change rolls the Alertmanager alone; the
 * secrets (admin password, Grafana password, a webhook URL with a token) reach Secrets and nothing
 * else; `pulumi destroy` leaves nothing of ours. The operator's CRDs are applied first, as a cluster
 * running the operator has them: written here with the fields we render typed, not copied.
 */
const id = runId();
const ns = "graph";
const secrets = {
  adminPassword: `pw-${id}-Secret1`,
  grafanaPassword: `grafana-${id}-Secret2`,
  webhookUrl: `https://hooks.example.com/neo4j?token=tok-${id}-Secret3`,
};

/** The Prometheus Operator's CRDs, reduced to the fields MonitoringStack writes, each typed. */
function operatorCrds() {
  const strings = { type: "object", additionalProperties: { type: "string" } };
  const list = (items: object) => ({ type: "array", items });
  const open = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  const crd = (kind: string, spec: object) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.toLowerCase()}s.monitoring.coreos.com` },
    spec: {
      group: "monitoring.coreos.com",
      scope: "Namespaced",
      names: {
        kind,
        plural: `${kind.toLowerCase()}s`,
        singular: kind.toLowerCase(),
        listKind: `${kind}List`,
      },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec } } },
        },
      ],
    },
  });
  return [
    crd("ServiceMonitor", {
      type: "object",
      required: ["selector", "endpoints"],
      properties: {
        selector: { type: "object", properties: { matchLabels: strings } },
        namespaceSelector: { type: "object", properties: { matchNames: list({ type: "string" }) } },
        endpoints: list({
          type: "object",
          properties: {
            port: { type: "string" },
            path: { type: "string" },
            interval: {
              type: "string",
              pattern:
                "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$",
            },
            honorLabels: { type: "boolean" },
            relabelings: list(open),
            metricRelabelings: list(open),
          },
        }),
      },
    }),
    crd("PrometheusRule", {
      type: "object",
      properties: {
        groups: list({
          type: "object",
          required: ["name", "rules"],
          properties: {
            name: { type: "string" },
            rules: list({
              type: "object",
              required: ["expr"],
              properties: {
                alert: { type: "string" },
                expr: { "x-kubernetes-int-or-string": true },
                for: { type: "string" },
                labels: strings,
                annotations: strings,
              },
            }),
          },
        }),
      },
    }),
  ];
}

async function applyCrds(cluster: ControlPlane): Promise<void> {
  for (const crd of operatorCrds()) {
    const created = await cluster.request(
      "POST",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      crd,
    );
    if (created.status !== 201) throw new Error(`CRD ${crd.metadata.name}: ${JSON.stringify(created.body)}`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const got = await cluster.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
        "GET",
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      if (got.body.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not established`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const suite = kubernetesSuite("kubernetes-monitoring", id, async (stack, cluster) => {
  await applyCrds(cluster);
  for (const [key, value] of Object.entries(secrets)) await stack.secret(key, value);
  await stack.config("groupWait", "30s");
});

type Volume = { name: string; secret?: { secretName: string; items: { key: string; path: string }[] } };
interface Workload {
  metadata: { generation: number };
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        containers: { image: string; args?: string[]; env?: { name: string; value: string }[] }[];
        volumes: Volume[];
      };
    };
  };
}

const get = async <T>(apiPath: string) => {
  const got = await suite.cluster.request<T>("GET", apiPath);
  expect([apiPath, got.status]).toEqual([apiPath, 200]);
  return got.body;
};
const apps = (kind: string, name: string) => get<Workload>(`/apis/apps/v1/namespaces/${ns}/${kind}/${name}`);
const secretData = async (name: string) =>
  Object.fromEntries(
    Object.entries(
      (await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${name}`)).data,
    ).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
const configVolume = (w: Workload, name: string) =>
  w.spec.template.spec.volumes.find((v) => v.name === name)!;

const MONITORING = [
  "create kubernetes:apps/v1:Deployment::graph-monitoring-grafana",
  "create kubernetes:apps/v1:StatefulSet::graph-monitoring-alertmanager",
  "create kubernetes:apps/v1:StatefulSet::graph-monitoring-prometheus",
  "create kubernetes:core/v1:ConfigMap::graph-monitoring-grafana-provisioning",
  "create kubernetes:core/v1:ConfigMap::graph-monitoring-prometheus-config",
  "create kubernetes:core/v1:ConfigMap::graph-operator-dashboards",
  "create kubernetes:core/v1:Secret::graph-monitoring-alertmanager-config",
  "create kubernetes:core/v1:Secret::graph-monitoring-grafana-admin-password",
  "create kubernetes:core/v1:Service::graph-monitoring-alertmanager-service",
  "create kubernetes:core/v1:Service::graph-monitoring-grafana-service",
  "create kubernetes:core/v1:Service::graph-monitoring-prometheus-service",
  "create kubernetes:monitoring.coreos.com/v1:PrometheusRule::graph-operator-rules",
  "create kubernetes:monitoring.coreos.com/v1:ServiceMonitor::graph-operator-monitor",
  "create neo4j-estate:kubernetes:MonitoringStack::graph-monitoring",
  "create neo4j-estate:kubernetes:MonitoringStack::graph-operator",
];

test("pulumi preview: the API server accepts every object of both stacks by server-side dry run", async () => {
  const changes = await suite.stack.plannedChanges();
  expect(changes).toEqual(expect.arrayContaining(MONITORING));
  // Nothing of ours beyond the cluster's objects and these.
  expect(changes.filter((c) => /::graph-(monitoring|operator)/.test(c) && !MONITORING.includes(c))).toEqual(
    [],
  );
});

test("pulumi up: Prometheus, Alertmanager, Grafana and the operator's objects are stored as rendered", async () => {
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);

  const prometheus = await apps("statefulsets", "graph-monitoring-prometheus");
  const promConfig = (
    await get<{ data: Record<string, string> }>(
      `/api/v1/namespaces/${ns}/configmaps/graph-monitoring-prometheus`,
    )
  ).data["prometheus.yml"];
  expect(promConfig).toContain("graph-monitoring-alertmanager:9093");
  expect(prometheus.spec.template.spec.containers[0].image).toBe("prom/prometheus:v3.4.1");

  const alertmanager = await apps("statefulsets", "graph-monitoring-alertmanager");
  expect(alertmanager.spec.template.spec.containers[0].args).toContain(
    "--web.external-url=http://graph-monitoring-alertmanager.graph.svc.cluster.local:9093",
  );
  const amVolume = configVolume(alertmanager, "config").secret!;
  const amFiles = await secretData(amVolume.secretName);
  expect(amFiles["alertmanager.alertmanager.yml"]).toContain(
    "url_file: /etc/alertmanager/secrets/0-webhook-0-url",
  );
  expect(amFiles["secrets.0-webhook-0-url"]).toBe(secrets.webhookUrl);
  expect(amVolume.items.map((i) => i.key).sort()).toEqual(Object.keys(amFiles).sort());

  const grafana = await apps("deployments", "graph-monitoring-grafana");
  expect(grafana.spec.template.spec.containers[0].env).toContainEqual({
    name: "GF_SECURITY_ADMIN_PASSWORD__FILE",
    value: "/run/secrets/grafana-admin-password",
  });
  const password = configVolume(grafana, "admin-password").secret!;
  expect(await secretData(password.secretName)).toEqual({
    "secrets.grafana-admin-password": secrets.grafanaPassword,
  });
  for (const service of [
    "graph-monitoring-prometheus",
    "graph-monitoring-alertmanager",
    "graph-monitoring-grafana",
  ])
    await get(`/api/v1/namespaces/${ns}/services/${service}`);

  const monitor = await get<{
    metadata: { labels: Record<string, string> };
    spec: { endpoints: { port: string }[] };
  }>(`/apis/monitoring.coreos.com/v1/namespaces/${ns}/servicemonitors/graph-operator`);
  expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
  expect(monitor.spec.endpoints[0].port).toBe("tcp-metrics");
  const rule = await get<{ spec: { groups: { rules: { alert: string }[] }[] } }>(
    `/apis/monitoring.coreos.com/v1/namespaces/${ns}/prometheusrules/graph-operator`,
  );
  expect(rule.spec.groups[0].rules.map((r) => r.alert)).toContain("Neo4jMemberDown");
  const dashboards = await get<{
    metadata: { labels: Record<string, string> };
    data: Record<string, string>;
  }>(`/api/v1/namespaces/${ns}/configmaps/graph-operator-dashboards`);
  expect(dashboards.metadata.labels.grafana_dashboard).toBe("1");
  expect(JSON.parse(dashboards.data["neo4j.json"]).uid).toBe("neo4j-estate-overview");

  const outputs = JSON.parse(
    (await suite.stack.expectSuccess(["stack", "output", "--json", "--stack", id])).stdout,
  ) as Record<string, unknown>;
  expect(outputs).toMatchObject({
    prometheusUrl: "http://graph-monitoring-prometheus.graph.svc.cluster.local:9090",
    alertmanagerUrl: "http://graph-monitoring-alertmanager.graph.svc.cluster.local:9093",
    grafanaUrl: "http://graph-monitoring-grafana.graph.svc.cluster.local:3000",
    grafanaAdminPassword: "[secret]",
  });
  // The secrets went to Secrets only: not into the state, the outputs or any command's output.
  const state = await suite.stack.exportState();
  for (const value of Object.values(secrets)) {
    expect(state).not.toContain(value);
    for (const r of suite.stack.transcript) expect(r.output).not.toContain(value);
  }
  const shown = await suite.stack.expectSuccess([
    "stack",
    "output",
    "grafanaAdminPassword",
    "--show-secrets",
    "--stack",
    id,
  ]);
  expect(shown.stdout.trim()).toBe(secrets.grafanaPassword);
});

test("a second preview shows no change", async () => {
  await suite.stack.expectStackCommand(["preview", "--expect-no-changes"]);
});

test("a routing change gives the Alertmanager a new config Secret and rolls it, and nothing else", async () => {
  const before = await apps("statefulsets", "graph-monitoring-alertmanager");
  const oldSecret = configVolume(before, "config").secret!.secretName;
  await suite.stack.config("groupWait", "45s");
  expect(await suite.stack.plannedChanges()).toEqual([
    "replace kubernetes:core/v1:Secret::graph-monitoring-alertmanager-config",
    "update kubernetes:apps/v1:StatefulSet::graph-monitoring-alertmanager",
  ]);
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
  const after = await apps("statefulsets", "graph-monitoring-alertmanager");
  const newSecret = configVolume(after, "config").secret!.secretName;
  expect(newSecret).not.toBe(oldSecret);
  expect(after.spec.template.metadata.annotations["neo4j-estate.config-checksum"]).not.toBe(
    before.spec.template.metadata.annotations["neo4j-estate.config-checksum"],
  );
  expect((await secretData(newSecret))["alertmanager.alertmanager.yml"]).toContain("group_wait: 45s");
  expect((await suite.cluster.request("GET", `/api/v1/namespaces/${ns}/secrets/${oldSecret}`)).status).toBe(
    404,
  );
});

test("pulumi destroy leaves no object of ours in the API server", async () => {
  await suite.stack.expectStackCommand(["destroy", "--yes", "--skip-preview"]);
  suite.destroyed = true;
  expect(await waitUntilGone(suite.cluster, `/api/v1/namespaces/${ns}`)).toBe(404);
  const kinds = [
    ...OUR_KINDS,
    "/apis/apps/v1/deployments",
    "/apis/monitoring.coreos.com/v1/servicemonitors",
    "/apis/monitoring.coreos.com/v1/prometheusrules",
  ];
  expect(await labelled(suite.cluster, kinds, "neo4j-estate.cluster=graph")).toEqual([]);
});
