import * as pulumi from "@pulumi/pulumi";
import {
  byType,
  dependsOnNames,
  mockedOutputs,
  recordOptions,
  recordResources,
  secretAndValue,
  settle,
  unwrapSecretInput,
} from "./support/pulumi-mocks";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jCluster } = require("../../components") as typeof import("../../components");

const CONTAINER = "docker:index/container:Container";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const base = { acceptLicenseAgreement: "yes" as const, adminPassword: "password123" };

function deploy(args: Record<string, unknown> = {}) {
  const options = recordOptions();
  const cluster = new Neo4jCluster(
    "core",
    { ...base, ...args },
    { transformations: [options.transformation] },
  );
  return { cluster, options };
}

const inputsOf = (name: string) => recorded.find((r) => r.name === name)!.inputs;
const envsOf = (name: string) => inputsOf(name).envs as string[];

afterEach(async () => {
  await settle();
  recorded.splice(0);
  mockedOutputs.clear();
});

describe("Neo4jCluster's day-2 resources under the mock runtime", () => {
  it("registers the record first, with the deployed shape, the members and the formation", async () => {
    const { options } = deploy({ image: "neo4j:5.26.1-enterprise", discovery: "v1", secondaries: 1 });
    await settle();
    expect(inputsOf("core-record")).toMatchObject({
      resourceName: "core",
      shape: {
        image: "neo4j:5.26.1-enterprise",
        neo4jVersion: "5.26.1",
        edition: "enterprise",
        clustered: true,
        discovery: "v1",
      },
      members: [
        { name: "core-1", mode: "PRIMARY" },
        { name: "core-2", mode: "PRIMARY" },
        { name: "core-3", mode: "PRIMARY" },
        { name: "core-secondary-1", mode: "SECONDARY" },
      ],
      formation: { seeds: ["core-1", "core-2", "core-3"], primaries: 3, secondaries: 1 },
    });
    // A refused change fails at the record, before a password rotates or anything Docker is touched:
    // everything else waits for it, by dependsOn or (the containers) through the formation it outputs.
    for (const r of recorded.filter((r) => !["core", "core-record"].includes(r.name))) {
      const direct = dependsOnNames(options.byName.get(r.name)).includes("core-record");
      const viaFormation = r.type === CONTAINER || r.name.endsWith("-rollout") || r.name === "core-servers";
      expect({ name: r.name, waitsForRecord: direct || viaFormation }).toEqual({
        name: r.name,
        waitsForRecord: true,
      });
    }
  });

  it("replaces members one at a time, secondaries first: each container waits for the previous member's gate", async () => {
    const { options } = deploy({ secondaries: 2 });
    await settle();
    const order = byType(recorded, CONTAINER).map((r) => r.name);
    expect(order).toEqual(["core-secondary-1", "core-secondary-2", "core-1", "core-2", "core-3"]);
    expect(order.map((name) => dependsOnNames(options.byName.get(name)))).toEqual([
      [],
      ["core-secondary-1-rollout"],
      ["core-secondary-2-rollout"],
      ["core-1-rollout"],
      ["core-2-rollout"],
    ]);
    expect(inputsOf("core-2-rollout")).toMatchObject({
      member: { name: "core-2", mode: "PRIMARY", boltAddress: "localhost:7689", dataVolume: "core-2-data" },
      target: {
        scheme: "neo4j",
        addresses: ["localhost:7688", "localhost:7689", "localhost:7690", "localhost:7699", "localhost:7700"],
        username: "neo4j",
      },
      containerId: "core-2-id",
      wait: true,
      waitTimeoutSeconds: 600,
    });
  });

  it("adds a member without changing any other: settings come from the formation the record kept", async () => {
    deploy({ secondaries: 1, discovery: "v1" });
    await settle();
    const before = Object.fromEntries(
      ["core-1", "core-2", "core-3", "core-secondary-1"].map((n) => [n, inputsOf(n)]),
    );
    recorded.splice(0);

    mockedOutputs.set("core-record", {
      formation: { seeds: ["core-1", "core-2", "core-3"], primaries: 3, secondaries: 1 },
    });
    deploy({ primaries: 4, secondaries: 2, discovery: "v1" });
    await settle();
    for (const name of Object.keys(before))
      expect({ name, inputs: inputsOf(name) }).toEqual({ name, inputs: before[name] });
    expect(envsOf("core-4")).toEqual(
      expect.arrayContaining([
        "NEO4J_dbms_cluster_discovery_endpoints=core-1:5000,core-2:5000,core-3:5000",
        "NEO4J_server_cluster_system__database__mode=SECONDARY",
        "NEO4J_initial_server_mode__constraint=PRIMARY",
      ]),
    );
    expect(inputsOf("core-servers").members).toHaveLength(6);
  });

  it("rotates the admin password without touching a member: they keep the initial password the admin resource kept", async () => {
    mockedOutputs.set("core-admin", { initialPassword: "first-password" });
    const { cluster } = deploy({ adminPassword: pulumi.secret("second-password") });
    await settle();
    for (const member of ["core-1", "core-2", "core-3"])
      expect(unwrapSecretInput(inputsOf(member).uploads)).toEqual([
        expect.objectContaining({ file: "/run/secrets/neo4j-auth", content: "neo4j/first-password" }),
      ]);
    expect(await secretAndValue(cluster.adminPassword)).toEqual({ secret: true, value: "second-password" });
    const admin = inputsOf("core-admin");
    expect(unwrapSecretInput(admin.adminPassword)).toBe("second-password");
    // The value sent is a placeholder the provider's check replaces; it must be secret in state too.
    expect(unwrapSecretInput(admin.initialPassword)).toBe("second-password");
    for (const gate of ["core-1-rollout", "core-servers"])
      expect(unwrapSecretInput(inputsOf(gate).adminPassword)).toBe("second-password");
  });

  it("never puts a password in a provider or a non-secret input", async () => {
    deploy({ adminPassword: pulumi.secret("visible-if-leaked") });
    await settle();
    for (const r of byType(recorded, DYNAMIC)) {
      const plain = JSON.stringify({ ...r.inputs, adminPassword: undefined, initialPassword: undefined });
      expect({ name: r.name, leaks: plain.includes("visible-if-leaked") }).toEqual({
        name: r.name,
        leaks: false,
      });
    }
  });

  it("keeps a removed member's data volume unless asked, and never its logs", async () => {
    const kept = deploy();
    await settle();
    expect(kept.options.byName.get("core-2-data")?.retainOnDelete).toBe(true);
    expect(kept.options.byName.get("core-2-logs")?.retainOnDelete).toBeUndefined();
    recorded.splice(0);
    const dropped = deploy({ retainDataVolumes: false });
    await settle();
    expect(dropped.options.byName.get("core-2-data")?.retainOnDelete).toBe(false);
  });

  it("gives a single Enterprise server no gates: it has nothing to roll", async () => {
    deploy({ primaries: 1 });
    await settle();
    expect(byType(recorded, DYNAMIC).map((r) => r.name)).toEqual(["core-record", "core-admin"]);
    expect(inputsOf("core-admin").target).toEqual({
      scheme: "bolt",
      addresses: ["localhost:7688"],
      username: "neo4j",
    });
  });
});
