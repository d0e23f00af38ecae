import { byType, recordResources, secretAndValue, settle, valueOf } from "./support/pulumi-mocks";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
/* eslint-disable @typescript-eslint/no-require-imports */
const components = require("../../components") as typeof import("../../components");
const { planEstate } =
  require("../../components/neo4j-enterprise") as typeof import("../../components/neo4j-enterprise");
const { planKubernetesEstate } =
  require("../../components/kubernetes/neo4j-enterprise") as typeof import("../../components/kubernetes/neo4j-enterprise");
/* eslint-enable @typescript-eslint/no-require-imports */
const { kubernetes, docker } = components;

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

const cluster = { acceptLicenseAgreement: "eval" as const, adminPassword: "password123" };

describe("one part shape on both platforms: { enabled?, ...arguments }", () => {
  const plans = [
    ["docker", (args: object) => planEstate("graph", { cluster, ...args })],
    ["kubernetes", (args: object) => planKubernetesEstate("graph", { cluster, ...args })],
  ] as const;

  it.each(plans)("%s: enabled false turns a part off, and is not passed on to the part", (_, plan) => {
    expect(plan({ backup: { enabled: false }, monitoring: { enabled: false } })).toEqual(
      expect.objectContaining({ backupArgs: undefined, monitoringArgs: undefined }),
    );
    const on = plan({ backup: { enabled: true, schedule: "6h" }, monitoring: { scrapeInterval: "30s" } });
    expect(on.backupArgs).toEqual({ schedule: "6h" });
    expect(on.monitoringArgs).toEqual({ scrapeInterval: "30s" });
    expect(plan({}).backupArgs).toEqual({});
  });

  it.each(plans)(
    "%s: refuses enabled that is not a boolean, and a part the cluster cannot have",
    (_, plan) => {
      expect(() => plan({ backup: { enabled: "no" } })).toThrow(
        'Neo4jEnterprise "graph": backup.enabled must be',
      );
      expect(() =>
        planEstate("graph", { cluster: { image: "neo4j:5.26-community" }, backup: { enabled: true } }),
      ).toThrow("backup is on");
      expect(() =>
        planKubernetesEstate("graph", {
          cluster: { image: "neo4j:5.26-community", adminPassword: "password123" },
          backup: { enabled: true },
        }),
      ).toThrow("backup.enabled is true, but the cluster's onlineBackup is off");
    },
  );

  it("still takes the deprecated booleans on Docker", () => {
    expect(planEstate("graph", { cluster, backup: false }).backupArgs).toBeUndefined();
    expect(planEstate("graph", { cluster, backup: true }).backupArgs).toEqual({});
  });

  it("exports the Docker components as docker.* too", () => {
    expect(docker.Neo4jCluster).toBe(components.Neo4jCluster);
    expect(docker.Neo4jEnterprise).toBe(components.Neo4jEnterprise);
  });
});

describe("kubernetes.Neo4jEnterprise under the mock runtime", () => {
  it("wires the cluster, monitoring with backup health, backups and RBAC, named after the composite", async () => {
    const estate = new kubernetes.Neo4jEnterprise("graph", {
      cluster,
      backup: { schedule: "6h" },
      monitoring: { grafanaAdminPassword: "grafana-password" },
      rbac: { users: [{ name: "alice", password: "alice-password" }] },
    });
    expect(await valueOf(estate.boltUri)).toBe("neo4j://graph.graph.svc.cluster.local:7687");
    // Monitoring's outputs, as the Docker composite has them, with in-cluster addresses.
    expect(await valueOf(estate.grafanaUrl)).toBe(
      "http://graph-monitoring-grafana.graph.svc.cluster.local:3000",
    );
    expect(await valueOf(estate.grafanaAdminUsername)).toBe("admin");
    expect(await secretAndValue(estate.grafanaAdminPassword)).toEqual({
      secret: true,
      value: "grafana-password",
    });
    expect(await valueOf(estate.alertmanagerUrl)).toBe(
      "http://graph-monitoring-alertmanager.graph.svc.cluster.local:9093",
    );
    expect(await secretAndValue(estate.adminPassword)).toEqual({ secret: true, value: "password123" });
    expect(await valueOf(estate.backupLocation)).toBe("pvc:graph/graph-backups-data");
    await settle();
    expect(byType(recorded, "kubernetes:batch/v1:CronJob").map((r) => r.name)).toEqual(["graph-backups"]);
    expect(byType(recorded, "kubernetes:apps/v1:Deployment").map((r) => r.name)).toEqual([
      "graph-monitoring-pushgateway",
      "graph-monitoring-grafana",
    ]);
    expect(byType(recorded, "kubernetes:apps/v1:StatefulSet").map((r) => r.name)).toContain(
      "graph-monitoring-alertmanager",
    );
    const runner = byType(recorded, "kubernetes:core/v1:ConfigMap").find(
      (r) => r.name === "graph-backups-runner",
    )!;
    expect((runner.inputs.data as Record<string, string>)["config.sh"]).toContain(
      "PUSHGATEWAY_URL='http://graph-monitoring-pushgateway.graph.svc.cluster.local:9091'",
    );
    const policy = byType(recorded, "pulumi-nodejs:dynamic:Resource").find(
      (r) => r.name === "graph-rbac-policy",
    );
    expect(policy?.inputs.uri).toBe("neo4j://graph.graph.svc.cluster.local:7687");
    // The alerts' heap metric is added to Neo4j's filter, as on Docker.
    const sts = byType(recorded, "kubernetes:apps/v1:StatefulSet").find((r) => r.name === "graph")!;
    expect(JSON.stringify(sts.inputs)).toContain("NEO4J_server_metrics_filter");
  });

  it("marks every Kubernetes object it registers so that up puts back what was edited by hand", async () => {
    // TLS, operator-less monitoring and backups: every kind of object the components render.
    new kubernetes.Neo4jEnterprise("graph", {
      cluster: { ...cluster, primaries: 3, tls: {} },
      backup: { schedule: "6h" },
      monitoring: { grafanaAdminPassword: "grafana-password" },
    });
    await settle();
    const objects = recorded.filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.length).toBeGreaterThan(20);
    const unmarked = objects
      .filter((r) => {
        const metadata = r.inputs.metadata as { annotations?: Record<string, string> } | undefined;
        return metadata?.annotations?.["pulumi.com/patchForce"] !== "true";
      })
      .map((r) => `${r.type}::${r.name}`);
    expect(unmarked).toEqual([]);
    // Annotations of our own stay beside it.
    const headless = objects.find((r) => r.name === "graph-headless")!;
    expect((headless.inputs.metadata as { annotations: object }).annotations).toEqual({
      "pulumi.com/patchForce": "true",
      "pulumi.com/skipAwait": "true",
    });
  });

  it("refuses a bad part, in the composite's words, before registering anything", async () => {
    expect(() => new kubernetes.Neo4jEnterprise("graph", { cluster, backup: { schedule: "1h30m" } })).toThrow(
      'Neo4jEnterprise "graph": backup.schedule is the interval "1h30m"',
    );
    expect(
      () =>
        new kubernetes.Neo4jEnterprise("graph", { cluster, monitoring: { mode: "sidecar" as "operator" } }),
    ).toThrow('Neo4jEnterprise "graph": monitoring.mode must be');
    expect(
      () =>
        new kubernetes.Neo4jEnterprise("graph", {
          cluster,
          monitoring: { alertReceivers: [{ name: "ops", webhook_configs: [{ url: "ftp://x" }] }] },
        }),
    ).toThrow('Neo4jEnterprise "graph": monitoring.alertReceivers[0].webhook_configs[0].url must be');
    expect(
      () =>
        new kubernetes.Neo4jEnterprise("graph", {
          cluster,
          rbac: { users: [{ name: "neo4j", password: "password123" }] },
        }),
    ).toThrow('Neo4jEnterprise "graph": rbac');
    await settle();
    expect(recorded).toHaveLength(0);
  });
});
