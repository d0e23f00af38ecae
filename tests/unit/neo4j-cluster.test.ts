import * as pulumi from "@pulumi/pulumi";
import {
  byType,
  dependsOnNames,
  recordOptions,
  recordResources,
  secretAndValue,
  settle,
  unwrapSecretInput,
  valueOf,
} from "./support/pulumi-mocks";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jCluster } = require("../../components") as typeof import("../../components");

const CONTAINER = "docker:index/container:Container";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
type Env = string[];

async function containerInputs(name: string) {
  await settle();
  const found = byType(recorded, CONTAINER).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0].inputs as Record<string, unknown> & { envs: Env };
}

// Registrations finish asynchronously: let each test's land before the next test starts.
afterEach(async () => {
  await settle();
  recorded.splice(0);
});

describe("Neo4jCluster under the mock runtime", () => {
  it("creates the seed's three primaries on one bridge network with their own volumes", async () => {
    const cluster = new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    await valueOf(cluster.members);
    await settle();
    expect(byType(recorded, CONTAINER).map((r) => r.name)).toEqual(["core-1", "core-2", "core-3"]);
    const networks = byType(recorded, "docker:index/network:Network");
    expect(networks.map((n) => [n.inputs.name, n.inputs.driver])).toEqual([["core-network", "bridge"]]);
    expect(byType(recorded, "docker:index/volume:Volume").map((v) => v.inputs.name)).toEqual([
      "core-1-data",
      "core-1-logs",
      "core-2-data",
      "core-2-logs",
      "core-3-data",
      "core-3-logs",
    ]);
    const image = byType(recorded, "docker:index/remoteImage:RemoteImage");
    expect(image.map((i) => [i.inputs.name, i.inputs.keepLocally])).toEqual([
      ["neo4j:5.23-enterprise", true],
    ]);
  });

  it("mounts the data volume at /data, joins the network under its host name and restarts on failure", async () => {
    new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    const c = await containerInputs("core-2");
    expect(c.hostname).toBe("core-2");
    expect(c.volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ volumeName: "core-2-data", containerPath: "/data" }),
        expect.objectContaining({ volumeName: "core-2-logs", containerPath: "/logs" }),
      ]),
    );
    expect(c.networksAdvanced).toEqual([
      expect.objectContaining({ name: "core-network", aliases: ["core-2"] }),
    ]);
    expect(c.restart).toBe("unless-stopped");
    expect(c.image).toBe("sha256:mock-neo4j:5.23-enterprise");
  });

  it("binds published ports to 127.0.0.1 unless told otherwise", async () => {
    new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    const c = await containerInputs("core-3");
    expect(c.ports).toEqual([
      expect.objectContaining({ internal: 7474, external: 7477, ip: "127.0.0.1" }),
      expect.objectContaining({ internal: 7687, external: 7690, ip: "127.0.0.1" }),
    ]);
    recorded.splice(0);
    new Neo4jCluster("wide", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      hostAddress: "0.0.0.0",
      advertisedHost: "graph.example.com",
      primaries: 1,
    });
    const wide = await containerInputs("wide-1");
    expect((wide.ports as { ip: string }[]).map((p) => p.ip)).toEqual(["0.0.0.0", "0.0.0.0"]);
  });

  it("has a health check, and labels say which cluster and member", async () => {
    new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    const c = await containerInputs("core-1");
    expect(c.healthcheck).toMatchObject({
      tests: ["CMD", "bash", "-c", expect.stringContaining("/dev/tcp/127.0.0.1/7474")],
    });
    // A cluster member cannot turn healthy before the others start: Bolt-level gates wait instead.
    expect(c.wait).toBe(false);
    expect(c.labels).toEqual(
      expect.arrayContaining([
        { label: "neo4j-estate.cluster", value: "core" },
        { label: "neo4j-estate.member", value: "core-1" },
        { label: "neo4j-estate.server-mode", value: "PRIMARY" },
      ]),
    );
  });

  it("stops members with Neo4j's clean shutdown: SIGTERM, then five minutes before a kill, unless told otherwise", async () => {
    new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    // destroyGraceSeconds governs Pulumi's replacements and removals, stopTimeout every `docker stop`.
    expect(await containerInputs("core-1")).toMatchObject({ destroyGraceSeconds: 300, stopTimeout: 300 });
    expect((await containerInputs("core-1")).stopSignal).toBeUndefined();
    recorded.splice(0);
    new Neo4jCluster("slow", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      stopGracePeriodSeconds: 1800,
    });
    expect(await containerInputs("slow-2")).toMatchObject({ destroyGraceSeconds: 1800, stopTimeout: 1800 });
  });

  it("encodes Neo4j 5 settings into the image's NEO4J_* variables and accepts the license", async () => {
    new Neo4jCluster("core", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
    const c = await containerInputs("core-1");
    expect(c.envs).toEqual(
      expect.arrayContaining([
        "NEO4J_ACCEPT_LICENSE_AGREEMENT=eval",
        "NEO4J_dbms_cluster_discovery_v2_endpoints=core-1:6000,core-2:6000,core-3:6000",
        "NEO4J_server_bolt_advertised__address=localhost:7688",
        "NEO4J_server_backup_listen__address=0.0.0.0:6362",
        "NEO4J_server_metrics_prometheus_endpoint=0.0.0.0:2004",
      ]),
    );
  });

  it("adds the user's extra settings to every member", async () => {
    new Neo4jCluster("core", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      settings: { "db.logs.query.enabled": pulumi.output("INFO") },
    });
    expect((await containerInputs("core-3")).envs).toContain("NEO4J_db_logs_query_enabled=INFO");
  });

  it("limits every member's memory (without swap) and CPUs, and sizes heap and page cache within it", async () => {
    new Neo4jCluster("core", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      resources: { memory: "4g", cpus: 2 },
    });
    for (const name of ["core-1", "core-3"]) {
      const c = await containerInputs(name);
      expect([c.memory, c.memorySwap, c.cpus]).toEqual([4096, 4096, "2"]);
      expect(c.envs).toEqual(
        expect.arrayContaining([
          "NEO4J_server_memory_heap_max__size=2g",
          "NEO4J_server_memory_pagecache_size=512m",
        ]),
      );
    }
  });

  it("keeps the admin password out of the environment and delivers it as a secret upload", async () => {
    const cluster = new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    const c = await containerInputs("core-1");
    expect(c.envs.join("\n")).not.toContain("password123");
    expect(c.envs).toContain("NEO4J_AUTH_PATH=/run/secrets/neo4j-auth");
    // Readable by the neo4j user alone: the image's entrypoint refuses a 0400 file it does not own.
    expect(unwrapSecretInput(c.uploads)).toEqual([
      {
        file: "/run/secrets/neo4j-auth",
        content: "neo4j/password123",
        permissions: "0400",
        owner: "7474",
        group: "7474",
      },
    ]);
    expect(await secretAndValue(cluster.adminPassword)).toEqual({ secret: true, value: "password123" });
  });

  it("puts the password in a secret environment on images before 5.14, which cannot read a file", async () => {
    new Neo4jCluster("core", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      image: "neo4j:5.13-enterprise",
    });
    await settle();
    const c = byType(recorded, CONTAINER).find((r) => r.name === "core-1")!.inputs;
    const envs = unwrapSecretInput(c.envs) as string[];
    expect(envs).toContain("NEO4J_AUTH=neo4j/password123");
    expect(envs.some((e) => e.startsWith("NEO4J_AUTH_PATH"))).toBe(false);
    expect(c.uploads).toEqual([]);
  });

  it("generates a strong password with @pulumi/random when none is given, and keeps it secret", async () => {
    const cluster = new Neo4jCluster("core", { acceptLicenseAgreement: "yes" });
    await settle();
    const passwords = byType(recorded, "random:index/randomPassword:RandomPassword");
    expect(passwords).toHaveLength(1);
    expect(passwords[0].inputs).toMatchObject({ length: 32, special: false });
    expect(await secretAndValue(cluster.adminPassword)).toEqual({
      secret: true,
      value: "generated-password-0123456789abcdef",
    });
  });

  it("fails at construction, before registering anything, on bad input", () => {
    expect(() => new Neo4jCluster("core", { primaries: 0, acceptLicenseAgreement: "yes" })).toThrow(
      /primaries must be/,
    );
    expect(() => new Neo4jCluster("core", {})).toThrow(/acceptLicenseAgreement/);
    expect(() => new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "short" })).toThrow(
      /adminPassword must be at least 8/,
    );
    expect(
      () =>
        new Neo4jCluster("core", {
          acceptLicenseAgreement: "yes",
          settings: { "metrics.prometheus.enabled": "true" },
        }),
    ).toThrow(/settings\["metrics.prometheus.enabled"\] is refused: .*Neo4j 4 name/);
    expect(recorded).toEqual([]);
  });

  it("joins an existing network instead of creating one", async () => {
    const cluster = new Neo4jCluster("core", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      networkName: "shared-net",
    });
    expect(await valueOf(cluster.networkName)).toBe("shared-net");
    const c = await containerInputs("core-1");
    expect(byType(recorded, "docker:index/network:Network")).toEqual([]);
    expect(c.networksAdvanced).toEqual([expect.objectContaining({ name: "shared-net" })]);
  });

  it("outputs what host clients and later components need", async () => {
    const cluster = new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    expect(await valueOf(cluster.boltUri)).toBe("neo4j://localhost:7688");
    expect(await valueOf(cluster.adminUsername)).toBe("neo4j");
    expect(await valueOf(cluster.backupEndpoints)).toEqual(["core-1:6362", "core-2:6362", "core-3:6362"]);
    expect(await valueOf(cluster.metricsEndpoints)).toEqual(["core-1:2004", "core-2:2004", "core-3:2004"]);
    const members = await valueOf(cluster.members);
    expect(members[1]).toEqual({
      name: "core-2",
      hostname: "core-2",
      mode: "PRIMARY",
      boltAddress: "localhost:7689",
      httpUrl: "http://localhost:7476",
      internalBoltAddress: "core-2:7687",
      backupAddress: "core-2:6362",
      metricsAddress: "core-2:2004",
    });
    expect([cluster.edition, cluster.neo4jVersion, cluster.onlineBackup, cluster.prometheusMetrics]).toEqual([
      "enterprise",
      "5.23",
      true,
      true,
    ]);
  });

  it("hands out addresses that depend on the cluster being ready, so users of them wait for it", async () => {
    const options = recordOptions();
    const cluster = new Neo4jCluster(
      "core",
      { acceptLicenseAgreement: "yes", adminPassword: "password123" },
      { transformations: [options.transformation] },
    );
    // Output.resources() is what Pulumi turns into dependencies of a resource that takes the output.
    const dependsOn = (output: unknown) =>
      [...(output as { resources(): Set<pulumi.Resource> }).resources()].map(
        (r) => (r as unknown as { __name: string }).__name,
      );
    for (const output of [
      cluster.boltUri,
      cluster.members,
      cluster.backupEndpoints,
      cluster.metricsEndpoints,
    ])
      expect(dependsOn(output)).toEqual(["core-servers"]);
    // The servers resource comes after every member's gate, and each gate after its container.
    await settle();
    expect(dependsOnNames(options.byName.get("core-servers"))).toEqual([
      "core-1-rollout",
      "core-2-rollout",
      "core-3-rollout",
    ]);
    for (const member of ["core-1", "core-2", "core-3"]) {
      const gate = byType(recorded, DYNAMIC).find((r) => r.name === `${member}-rollout`);
      expect(gate?.inputs.containerId).toBe(`${member}-id`);
    }
  });

  it("waits for a single server's own health check, with no gate", async () => {
    new Neo4jCluster("solo", { image: "neo4j:5.26-community", adminPassword: "password123" });
    const c = await containerInputs("solo-1");
    expect(c.wait).toBe(true);
    expect(byType(recorded, DYNAMIC).map((r) => r.name)).toEqual(["solo-record", "solo-admin"]);
  });

  it("runs a Community image as one bolt:// server without backup or metrics endpoints", async () => {
    const cluster = new Neo4jCluster("solo", { image: "neo4j:5.26-community", adminPassword: "password123" });
    expect(await valueOf(cluster.boltUri)).toBe("bolt://localhost:7688");
    expect(await valueOf(cluster.backupEndpoints)).toEqual([]);
    const c = await containerInputs("solo-1");
    expect(c.envs.some((e) => e.startsWith("NEO4J_ACCEPT_LICENSE_AGREEMENT"))).toBe(false);
    expect(c.envs.some((e) => /cluster|backup|metrics/.test(e))).toBe(false);
  });
});
