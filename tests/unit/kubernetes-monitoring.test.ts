import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  RecordedResource,
  byType,
  mockedOutputs,
  recordResources,
  secretAndValue,
  settle,
  unwrapSecretInput,
  unwrapSecrets,
  valueOf,
} from "./support/pulumi-mocks";
import { KubeObject, graphCluster, oneObject } from "./support/kubernetes";
import { refusedBeforeRegistering } from "./support/bad-input";
import { alertRuleGroups } from "../../components/monitoring/prometheus";
import { DEFAULT_THRESHOLDS } from "../../components/monitoring/spec";
import { grafanaFiles, neo4jDashboard } from "../../components/monitoring/grafana";
import {
  GRAFANA_DASHBOARD_LABEL,
  configChecksum,
  fileKey,
  filesUnder,
  validateKubernetesMonitoringArgs,
} from "../../components/kubernetes/monitoring-objects";

const recorded = recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const components = require("../../components") as typeof import("../../components");
const { kubernetes } = components;

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  // The API server names an autonamed Secret; the mocks return these names for the pod specs to use.
  for (const secret of ["graph-monitoring-alertmanager-config", "graph-monitoring-grafana-admin-password"])
    mockedOutputs.set(secret, { metadata: { name: `${secret}-5f3a2b` } });
});

afterEach(async () => {
  await settle();
  warn.mockRestore();
  mockedOutputs.clear();
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
    // Firing alerts go to our Alertmanager's Service, by the short name the namespace resolves.
    expect(config.alerting).toEqual({
      alertmanagers: [{ static_configs: [{ targets: ["graph-monitoring-alertmanager:9093"] }] }],
    });
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
      () => new kubernetes.MonitoringStack("m", { cluster: graph, mode: "operator", alertReceivers: [] }),
    ).toThrow(
      'MonitoringStack "m": alertReceivers configures an Alertmanager of ours, which mode "operator" does not run',
    );
    expect(
      () =>
        new kubernetes.MonitoringStack("m", { cluster: graph, mode: "operator", grafanaAdminPassword: "x" }),
    ).toThrow('MonitoringStack "m": grafanaAdminPassword configures a Grafana of ours');
    const community = new kubernetes.Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
    });
    expect(() => new kubernetes.MonitoringStack("m", { cluster: community })).toThrow("Community");
  });
});

/** Secrets as a user passes them: a token in a webhook URL, an SMTP password. */
const SECRETS = {
  webhook: "https://hooks.example.com/neo4j?token=webhook-token-4711",
  smtp: "smtp-password-4713",
  grafana: "grafana-password-4716",
};

function receivers() {
  return [
    {
      name: "ops",
      webhook_configs: [{ url: pulumi.secret(SECRETS.webhook), send_resolved: true }],
      email_configs: [
        {
          to: "oncall@example.com",
          from: "neo4j@example.com",
          smarthost: "smtp.example.com:587",
          auth_username: "neo4j",
          auth_password: pulumi.secret(SECRETS.smtp),
        },
      ],
    },
  ];
}

/**
 * Every recorded input as the engine would store it, with Pulumi's secret envelopes cut out: what
 * is left is what state and previews show in plain text.
 */
function plainText(resources: RecordedResource[]): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      if ("4dabf18193072939515e22adb298388d" in (v as object)) return "[secret]";
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return JSON.stringify(resources.map((r) => ({ name: r.name, inputs: strip(r.inputs) })));
}

/** A Secret's data, checked to be a Pulumi secret (the engine then stores it encrypted), decoded. */
function secretFiles(secret: KubeObject): Record<string, string> {
  const data = unwrapSecrets(unwrapSecretInput(secret.data)) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]),
  );
}

describe("kubernetes.MonitoringStack's Alertmanager", () => {
  it("runs beside Prometheus with the core's command line, its config and receiver secrets as files from a Secret", async () => {
    const stack = new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster({ namespace: "data" }),
      alertReceivers: receivers(),
      alertRoute: { group_wait: "10s" },
    });
    const url = "http://graph-monitoring-alertmanager.data.svc.cluster.local:9093";
    expect(await valueOf(stack.alertmanagerUrl)).toBe(url);
    await settle();

    const secret = one("kubernetes:core/v1:Secret", "graph-monitoring-alertmanager-config");
    // Autonamed: a changed configuration is a new Secret, and the pod template follows its name.
    expect(secret.metadata.name).toBeUndefined();
    expect(secret.metadata.namespace).toBe("data");
    const files = secretFiles(secret);
    expect(Object.keys(files).sort()).toEqual([
      "alertmanager.alertmanager.yml",
      "secrets.0-email-0-auth_password",
      "secrets.0-webhook-0-url",
    ]);
    expect(files["secrets.0-webhook-0-url"]).toBe(SECRETS.webhook);
    expect(files["secrets.0-email-0-auth_password"]).toBe(SECRETS.smtp);
    const config = parse(files["alertmanager.alertmanager.yml"]);
    expect(config.receivers[0].webhook_configs[0]).toEqual({
      url_file: "/etc/alertmanager/secrets/0-webhook-0-url",
      send_resolved: true,
    });
    expect(config.route).toEqual({ receiver: "ops", group_by: ["alertname"], group_wait: "10s" });

    const sts = one("kubernetes:apps/v1:StatefulSet", "graph-monitoring-alertmanager");
    const pod = sts.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe("prom/alertmanager:v0.28.1");
    expect(container.args).toEqual([
      "--config.file=/etc/alertmanager/alertmanager.yml",
      "--storage.path=/alertmanager",
      "--cluster.listen-address=",
      `--web.external-url=${url}`,
    ]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/-/ready", port: 9093 });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/-/healthy", port: 9093 });
    expect(container.resources.requests).toEqual({ cpu: "10m", memory: "32Mi" });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.securityContext).toEqual(
      expect.objectContaining({ runAsUser: 65534, fsGroup: 65534, runAsNonRoot: true }),
    );
    expect(pod.automountServiceAccountToken).toBe(false);
    // Every file the config names is where the Secret's items put it, readable by its group only.
    expect(container.volumeMounts).toContainEqual({
      name: "config",
      mountPath: "/etc/alertmanager",
      readOnly: true,
    });
    expect(pod.volumes[0].secret).toEqual({
      secretName: "graph-monitoring-alertmanager-config-5f3a2b",
      defaultMode: 0o440,
      items: [
        { key: "alertmanager.alertmanager.yml", path: "alertmanager.yml" },
        { key: "secrets.0-webhook-0-url", path: "secrets/0-webhook-0-url" },
        { key: "secrets.0-email-0-auth_password", path: "secrets/0-email-0-auth_password" },
      ],
    });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("1Gi");
    expect(sts.metadata.labels).toEqual(
      expect.objectContaining({
        "app.kubernetes.io/name": "alertmanager",
        "app.kubernetes.io/part-of": "neo4j-estate",
        "neo4j-estate.cluster": "graph",
      }),
    );
    const service = one("kubernetes:core/v1:Service", "graph-monitoring-alertmanager-service");
    expect(service.metadata.name).toBe("graph-monitoring-alertmanager");
    expect(service.spec.ports).toEqual([{ name: "http", port: 9093, targetPort: 9093 }]);
    expect(service.spec.selector).toEqual(sts.spec.selector.matchLabels);

    // No secret in plain text anywhere a state file or a preview shows.
    const shown = plainText(recorded);
    for (const value of Object.values(SECRETS).slice(0, 2)) expect(shown).not.toContain(value);
  });

  it("restarts the Alertmanager when its routing changes, not when a secret's value does", async () => {
    const checksum = async (alertRoute: object, url: string) => {
      recorded.splice(0);
      const graph = cluster();
      const args = {
        cluster: graph,
        alertReceivers: [{ name: "ops", webhook_configs: [{ url }] }],
        alertRoute,
      };
      new kubernetes.MonitoringStack("graph-monitoring", args);
      await settle();
      return one("kubernetes:apps/v1:StatefulSet", "graph-monitoring-alertmanager").spec.template.metadata
        .annotations["neo4j-estate.config-checksum"];
    };
    const first = await checksum({ group_wait: "10s" }, "https://a.example.com/x");
    expect(await checksum({ group_wait: "10s" }, "https://b.example.com/y")).toBe(first);
    expect(await checksum({ group_wait: "20s" }, "https://a.example.com/x")).not.toBe(first);
  });

  it("is left out with alertmanager: false, and Prometheus then sends alerts nowhere", async () => {
    const stack = new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster(),
      alertmanager: false,
    });
    expect(await valueOf(stack.alertmanagerUrl)).toBeUndefined();
    await settle();
    expect(recorded.filter((r) => r.name.includes("alertmanager"))).toEqual([]);
    const config = parse(
      one("kubernetes:core/v1:ConfigMap", "graph-monitoring-prometheus-config").data["prometheus.yml"],
    );
    expect(config.alerting).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it("warns at preview when no receiver is given, as on Docker", async () => {
    new kubernetes.MonitoringStack("graph-monitoring", { cluster: cluster() });
    await settle();
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      expect.stringContaining('MonitoringStack "graph-monitoring": alerts reach nobody'),
    ]);
  });

  it("refuses a bad receiver before registering anything, naming component, resource and field", async () => {
    const graph = cluster();
    await settle();
    const message = await refusedBeforeRegistering(
      recorded,
      () =>
        new kubernetes.MonitoringStack("graph-monitoring", {
          cluster: graph,
          alertReceivers: [{ name: "ops", webhook_configs: [{ url: "not a url with token-4799" }] }],
        }),
    );
    expect(message).toBe(
      'MonitoringStack "graph-monitoring": alertReceivers[0].webhook_configs[0].url must be an http:// or https:// URL with a host (the value is a secret and not shown)',
    );
  });
});

describe("kubernetes.MonitoringStack's Grafana", () => {
  it("provisions the core's data source and dashboard from a ConfigMap, its admin password from a Secret file", async () => {
    const stack = new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster({ namespace: "data" }),
      grafanaAdminPassword: SECRETS.grafana,
    });
    expect(await valueOf(stack.grafanaUrl)).toBe(
      "http://graph-monitoring-grafana.data.svc.cluster.local:3000",
    );
    expect(await valueOf(stack.grafanaAdminUsername)).toBe("admin");
    expect(await secretAndValue(stack.grafanaAdminPassword)).toEqual({
      secret: true,
      value: SECRETS.grafana,
    });
    await settle();

    const provisioning = one("kubernetes:core/v1:ConfigMap", "graph-monitoring-grafana-provisioning");
    const deployment = one("kubernetes:apps/v1:Deployment", "graph-monitoring-grafana");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe("grafana/grafana:12.0.1");
    expect(container.env).toContainEqual({
      name: "GF_SECURITY_ADMIN_PASSWORD__FILE",
      value: "/run/secrets/grafana-admin-password",
    });
    expect(container.env).not.toContainEqual(expect.objectContaining({ name: "GF_SECURITY_ADMIN_PASSWORD" }));
    // Each file lands where Grafana's provisioning looks, one mount per directory.
    const volumes = Object.fromEntries(pod.volumes.map((v: KubeObject) => [v.name, v]));
    const placed: Record<string, string> = {};
    for (const mount of container.volumeMounts) {
      const volume = volumes[mount.name];
      const source = volume.configMap ?? volume.secret;
      for (const item of source?.items ?? []) placed[`${mount.mountPath}/${item.path}`] = item.key;
    }
    expect(placed["/run/secrets/grafana-admin-password"]).toBe("secrets.grafana-admin-password");
    expect(volumes["admin-password"].secret.secretName).toBe(
      "graph-monitoring-grafana-admin-password-5f3a2b",
    );
    expect(container.volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/grafana" });
    expect(volumes.data).toEqual({ name: "data", emptyDir: {} });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/api/health", port: 3000 });
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsUser: 472, runAsNonRoot: true }));
    expect(deployment.spec.template.metadata.annotations["neo4j-estate.config-checksum"]).toBe(
      configChecksum(provisioning.data),
    );

    const password = one("kubernetes:core/v1:Secret", "graph-monitoring-grafana-admin-password");
    expect(secretFiles(password)).toEqual({ "secrets.grafana-admin-password": SECRETS.grafana });
    expect(plainText(recorded)).not.toContain(SECRETS.grafana);
    expect(one("kubernetes:core/v1:Service", "graph-monitoring-grafana-service").spec.ports).toEqual([
      { name: "http", port: 3000, targetPort: 3000 },
    ]);

    // The same files as Docker uploads, from the same core, each at the same path.
    const spec = validateKubernetesMonitoringArgs(
      "graph-monitoring",
      {},
      {
        edition: "enterprise",
        prometheusMetrics: true,
        memberNames: ["graph-1", "graph-2", "graph-3"],
      },
    );
    for (const { file, content } of grafanaFiles(spec.monitoring)) {
      expect(placed[file]).toBe(fileKey(file));
      expect(provisioning.data[fileKey(file)]).toBe(content);
    }
  });

  it("generates the admin password when none is given, as on Docker", async () => {
    const stack = new kubernetes.MonitoringStack("graph-monitoring", { cluster: cluster() });
    expect(await secretAndValue(stack.grafanaAdminPassword)).toEqual({
      secret: true,
      value: "generated-password-0123456789abcdef",
    });
    await settle();
    expect(byType(recorded, "random:index/randomPassword:RandomPassword").map((r) => r.name)).toContain(
      "graph-monitoring-grafana-admin-password",
    );
  });
});

describe("one configuration on both platforms", () => {
  it("writes the same alertmanager.yml and Grafana files on Docker and on Kubernetes", async () => {
    const dockerCluster = new components.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "password123",
    });
    new components.MonitoringStack("graph-monitoring", {
      cluster: dockerCluster,
      alertReceivers: receivers(),
    });
    await settle();
    const container = byType(recorded, "docker:index/container:Container");
    const uploads = (name: string) => {
      const inputs = container.find((c) => c.name === name)!.inputs;
      const list = Array.isArray(inputs.uploads) ? inputs.uploads : unwrapSecretInput(inputs.uploads);
      return Object.fromEntries(
        (list as { file: string; content: unknown }[]).map((u) => [u.file, u.content as string]),
      );
    };
    const onDocker = { ...uploads("graph-monitoring-alertmanager"), ...uploads("graph-monitoring-grafana") };
    recorded.splice(0);

    new kubernetes.MonitoringStack("graph-monitoring", { cluster: cluster(), alertReceivers: receivers() });
    await settle();
    const onKubernetes = {
      ...secretFiles(one("kubernetes:core/v1:Secret", "graph-monitoring-alertmanager-config")),
      ...one("kubernetes:core/v1:ConfigMap", "graph-monitoring-grafana-provisioning").data,
    };
    for (const file of [
      "/etc/alertmanager/alertmanager.yml",
      "/etc/grafana/provisioning/datasources/neo4j-estate.yaml",
      "/etc/grafana/provisioning/dashboards/neo4j-estate.yaml",
      "/etc/grafana/provisioning/dashboards/neo4j.json",
    ])
      expect([file, onKubernetes[fileKey(file)]]).toEqual([file, onDocker[file]]);
  });
});

describe("kubernetes.MonitoringStack for a Prometheus Operator: the dashboard", () => {
  it("goes in a ConfigMap the Grafana sidecar loads, reading the operator Grafana's Prometheus", async () => {
    const stack = new kubernetes.MonitoringStack("graph-monitoring", {
      cluster: cluster(),
      mode: "operator",
      monitorLabels: { release: "kube-prometheus-stack" },
    });
    for (const output of [stack.grafanaUrl, stack.grafanaAdminPassword, stack.alertmanagerUrl])
      expect(await valueOf(output)).toBeUndefined();
    await settle();
    const map = one("kubernetes:core/v1:ConfigMap", "graph-monitoring-dashboards");
    expect(map.metadata.labels).toEqual(
      expect.objectContaining({ ...GRAFANA_DASHBOARD_LABEL, release: "kube-prometheus-stack" }),
    );
    expect(map.metadata.labels.grafana_dashboard).toBe("1");
    const dashboard = JSON.parse(map.data["neo4j.json"]);
    expect(dashboard.uid).toBe(neo4jDashboard().uid);
    expect(dashboard.templating.list[0]).toEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    );
    // No panel or variable is left pointing at a data source the operator's Grafana does not have.
    expect(map.data["neo4j.json"]).not.toContain("neo4j-estate-prometheus");
    expect(map.data["neo4j.json"]).toContain('"uid": "${datasource}"');
    expect(dashboard.panels).toHaveLength(neo4jDashboard().panels.length);
    expect(recorded.filter((r) => /grafana|alertmanager/.test(r.name))).toEqual([]);
  });
});

describe("file placement", () => {
  it("keys each file by its directory and name, placed relative to where its object is mounted", () => {
    expect(fileKey("/etc/grafana/provisioning/datasources/neo4j-estate.yaml")).toBe(
      "datasources.neo4j-estate.yaml",
    );
    expect(filesUnder("/etc/alertmanager", ["/etc/alertmanager/secrets/0-webhook-0-url"])).toEqual([
      { key: "secrets.0-webhook-0-url", path: "secrets/0-webhook-0-url" },
    ]);
    expect(() => filesUnder("/etc/alertmanager", ["/run/secrets/x"])).toThrow("not under");
  });
});
