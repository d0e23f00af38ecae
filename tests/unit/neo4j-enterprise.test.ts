import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { seedAccess } from "../../examples/rbac/seed";
import {
  RecordedResource,
  recordResources,
  settle,
  unwrapSecretInput,
  valueOf,
} from "./support/pulumi-mocks";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jEnterprise } = require("../../components") as typeof import("../../components");

const seedRbac = seedAccess({
  alice: pulumi.secret("alice-password"),
  bob: pulumi.secret("bob-password1"),
  carol: pulumi.secret("carol-password"),
});

function estate(name: string) {
  return new Neo4jEnterprise(name, {
    cluster: { acceptLicenseAgreement: "eval", adminPassword: pulumi.secret("admin-password-1") },
    rbac: seedRbac,
  });
}

const ofName = (name: string): RecordedResource[] => recorded.filter((r) => r.name.startsWith(name));
const one = (name: string, type: string): RecordedResource => {
  const found = recorded.filter((r) => r.name === name && r.type === type);
  expect(found).toHaveLength(1);
  return found[0];
};
const uploadContent = (container: RecordedResource, file: string): string => {
  const raw = container.inputs.uploads;
  const uploads = (Array.isArray(raw) ? raw : unwrapSecretInput(raw)) as { file: string; content: string }[];
  const upload = uploads.find((u) => u.file === file);
  if (!upload) throw new Error(`no upload ${file} in ${container.name}`);
  return upload.content;
};

describe("Neo4jEnterprise under the mock runtime", () => {
  it("builds the cluster, RBAC, backups and monitoring with consistent, unique Docker names", async () => {
    const e = estate("graph");
    await valueOf(e.boltUri);
    await settle();
    const dockerNames = ofName("graph")
      .filter((r) => r.type.startsWith("docker:") && r.type !== "docker:index/remoteImage:RemoteImage")
      .map((r) => r.inputs.name as string)
      .sort();
    expect(new Set(dockerNames).size).toBe(dockerNames.length);
    expect(dockerNames).toEqual(
      expect.arrayContaining([
        "graph-1",
        "graph-2",
        "graph-3",
        "graph-network",
        "graph-1-data",
        "graph-backups-runner",
        "graph-monitoring-prometheus",
        "graph-monitoring-grafana",
        "graph-monitoring-pushgateway",
      ]),
    );
    expect(dockerNames.every((n) => n.startsWith("graph-"))).toBe(true);
  });

  it("points RBAC at the cluster's routing URI with its admin secret", async () => {
    const e = estate("rbacwired");
    await valueOf(e.boltUri);
    await settle();
    const policy = recorded.find(
      (r) => r.type === "pulumi-nodejs:dynamic:Resource" && r.name.startsWith("rbacwired-rbac"),
    );
    expect(policy).toBeDefined();
    expect(policy!.inputs.uri).toBe("neo4j://localhost:7688");
    expect(policy!.inputs.username).toBe("neo4j");
    expect(unwrapSecretInput(policy!.inputs.adminPassword)).toBe("admin-password-1");
    expect(JSON.stringify(policy!.inputs)).not.toMatch(/"adminPassword":"admin-password-1"/);
  });

  it("has Prometheus scrape every member and the backup runner reach every member", async () => {
    const e = estate("wired");
    await valueOf(e.boltUri);
    await settle();
    const prometheus = one("wired-monitoring-prometheus", "docker:index/container:Container");
    const config = parse(uploadContent(prometheus, "/etc/prometheus/prometheus.yml"));
    const targets = JSON.stringify(config.scrape_configs);
    for (const member of ["wired-1", "wired-2", "wired-3"]) expect(targets).toContain(`${member}:2004`);

    const runner = one("wired-backups-runner", "docker:index/container:Container");
    // No secret among the runner's files: they read as a plain diff.
    expect(Array.isArray(runner.inputs.uploads)).toBe(true);
    const runnerFiles = JSON.stringify(runner.inputs.uploads);
    expect(runnerFiles).toContain("wired-1:6362,wired-2:6362,wired-3:6362");
    expect(runnerFiles).toContain("http://wired-monitoring-pushgateway:9091");
  });

  it("asks the members for the metrics the bundled dashboard reads", async () => {
    const e = estate("filtered");
    await valueOf(e.boltUri);
    await settle();
    const member = one("filtered-1", "docker:index/container:Container");
    expect(
      (member.inputs.envs as string[]).find((v) => v.startsWith("NEO4J_server_metrics_filter=")),
    ).toContain("*vm.heap.max");
  });

  it("keeps every secret secret at the composite's outputs", async () => {
    const e = estate("secrets");
    expect(await pulumi.isSecret(e.adminPassword)).toBe(true);
    expect(await pulumi.isSecret(e.grafanaAdminPassword)).toBe(true);
    expect(await pulumi.isSecret(e.boltUri)).toBe(false);
    expect(await valueOf(e.prometheusUrl)).toBe("http://localhost:9090");
    expect(await valueOf(e.grafanaUrl)).toBe("http://localhost:3000");
    expect(await valueOf(e.backupLocation)).toBe("volume:secrets-backups-data");
    expect(await valueOf(e.browserUrl)).toBe("http://localhost:7475");
  });

  it("refuses host ports that collide across components, naming both fields, before registering anything", () => {
    const before = recorded.length;
    expect(
      () =>
        new Neo4jEnterprise("clash", {
          cluster: { acceptLicenseAgreement: "eval" },
          monitoring: { grafanaHostPort: 7690 },
        }),
    ).toThrow(
      /^Neo4jEnterprise "clash": monitoring.grafanaHostPort collides with cluster.hostPorts.bolt: host port 7690 would be published for both the bolt port of clash-3 and Grafana/,
    );
    expect(recorded.length).toBe(before);
  });

  it("leaves out what a Community cluster cannot have, and each part can be switched off", async () => {
    const community = new Neo4jEnterprise("ce", {
      cluster: { image: "neo4j:5.26-community", adminPassword: "password123" },
    });
    expect([community.backup, community.monitoring, community.rbac]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(await valueOf(community.prometheusUrl)).toBeUndefined();
    const bare = new Neo4jEnterprise("bare", {
      cluster: { acceptLicenseAgreement: "yes" },
      backup: false,
      monitoring: false,
    });
    expect([bare.backup, bare.monitoring]).toEqual([undefined, undefined]);
    expect(
      () => new Neo4jEnterprise("ce2", { cluster: { image: "neo4j:5.26-community" }, backup: true }),
    ).toThrow(
      /^Neo4jEnterprise "ce2": backup is on, but the cluster runs Neo4j Community, which has no online backup/,
    );
  });

  it("requires the cluster arguments", () => {
    expect(() => new Neo4jEnterprise("none", {} as never)).toThrow(
      /Neo4jEnterprise "none": cluster is required/,
    );
  });
});

type EstateModule = typeof import("../../components/neo4j-enterprise");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const estateModule = require("../../components/neo4j-enterprise") as EstateModule;

describe("the metrics the estate's monitoring reads", () => {
  const planEstate = estateModule.planEstate;

  it("adds them to Neo4j's default filter, and leaves a filter the user chose alone", () => {
    const { clusterArgs } = planEstate("graph", {
      cluster: { acceptLicenseAgreement: "yes", extraMetrics: ["*bolt.messages_done*"] },
    });
    expect(clusterArgs.extraMetrics).toEqual(
      expect.arrayContaining(["*bolt.messages_done*", "*vm.heap.max"]),
    );
    expect(clusterArgs.settings).toBeUndefined();
    const own = planEstate("graph", {
      cluster: { acceptLicenseAgreement: "yes", settings: { "server.metrics.filter": "*" } },
    }).clusterArgs;
    expect([own.extraMetrics, own.settings]).toEqual([undefined, { "server.metrics.filter": "*" }]);
    expect(
      planEstate("graph", { cluster: { acceptLicenseAgreement: "yes" }, monitoring: false }).clusterArgs
        .extraMetrics,
    ).toBeUndefined();
  });
});
