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
  valueOf,
} from "./support/pulumi-mocks";
import { KubeObject, oneObject } from "./support/kubernetes";
import { RecordInputs, recordProvider } from "../../components/lifecycle/record";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kubernetes } = require("../../components") as typeof import("../../components");

const STS = "kubernetes:apps/v1:StatefulSet";
const SERVICE = "kubernetes:core/v1:Service";
type Obj = KubeObject;

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

const one = (type: string, name: string) => oneObject(recorded, type, name);

function envOf(sts: Obj): Obj[] {
  return sts.spec.template.spec.containers[0].env;
}

describe("kubernetes.Neo4jCluster under the mock runtime", () => {
  it("registers only standard Kubernetes objects, plus the generated password when none is given and the admin password's rotation", async () => {
    const cluster = new kubernetes.Neo4jCluster("graph", { acceptLicenseAgreement: "eval" });
    await valueOf(cluster.members);
    await settle();
    const types = new Set(recorded.map((r) => r.type));
    for (const type of types)
      expect(type).toMatch(
        /^(kubernetes:|random:index\/randomPassword|neo4j-estate:kubernetes:Neo4jCluster$|pulumi-nodejs:dynamic:Resource$)/,
      );
    expect(byType(recorded, STS).map((r) => r.name)).toEqual(["graph"]);
    expect(
      byType(recorded, SERVICE)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["graph-1-service", "graph-2-service", "graph-3-service", "graph-client", "graph-headless"]);
    expect(byType(recorded, "kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata)).toEqual([
      expect.objectContaining({ name: "graph" }),
    ]);
  });

  it("runs three primaries from one StatefulSet, ordinals from 1, rolling one pod at a time", async () => {
    new kubernetes.Neo4jCluster("graph", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
    await settle();
    const sts = one(STS, "graph");
    expect(sts.metadata).toEqual(expect.objectContaining({ name: "graph", namespace: "graph" }));
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.ordinals).toEqual({ start: 1 });
    expect(sts.spec.updateStrategy).toEqual({ type: "RollingUpdate" });
    expect(sts.spec.podManagementPolicy).toBe("Parallel");
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("10Gi");
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
  });

  it("mounts the admin password from a Secret as a file and keeps it out of the environment", async () => {
    const cluster = new kubernetes.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "s3cret-password",
    });
    await settle();
    const secret = one("kubernetes:core/v1:Secret", "graph-auth");
    const stringData = unwrapSecretInput(secret.stringData) as Obj;
    expect(stringData["neo4j-auth"]).toEqual(expect.anything());
    expect(JSON.stringify(stringData)).toContain("neo4j/s3cret-password");
    const sts = one(STS, "graph");
    const env = envOf(sts);
    expect(env).toContainEqual({ name: "NEO4J_AUTH_PATH", value: "/run/secrets/neo4j-estate/neo4j-auth" });
    expect(JSON.stringify(sts)).not.toContain("s3cret-password");
    expect(env.map((e) => e.name)).not.toContain("NEO4J_AUTH");
    const pod = sts.spec.template.spec;
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({
        name: "auth",
        secret: expect.objectContaining({ secretName: "graph-auth" }),
      }),
    );
    expect(pod.containers[0].volumeMounts).toContainEqual(
      expect.objectContaining({ name: "auth", mountPath: "/run/secrets/neo4j-estate", readOnly: true }),
    );
    const password = await secretAndValue(cluster.adminPassword);
    expect(password).toEqual({ secret: true, value: "s3cret-password" });
  });

  it("rotates a new admin password through a port-forward to its pods, with the kubeconfig and context given", async () => {
    new kubernetes.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "s3cret-password",
      kubeconfig: "apiVersion: v1\nkind: Config\n",
      context: "prod",
    });
    await settle();
    const admin = byType(recorded, "pulumi-nodejs:dynamic:Resource").find((r) => r.name === "graph-admin");
    const inputs = admin?.inputs as Obj;
    expect(inputs.target).toEqual({
      scheme: "neo4j",
      addresses: [1, 2, 3].map((i) => `graph-${i}.graph.svc.cluster.local:7687`),
      username: "neo4j",
    });
    expect(unwrapSecretInput(inputs.portForward)).toEqual({
      namespace: "graph",
      podSelector: "neo4j-estate.cluster=graph",
      port: 7687,
      context: "prod",
      kubeconfig: "apiVersion: v1\nkind: Config\n",
    });
    expect(unwrapSecretInput(inputs.adminPassword)).toBe("s3cret-password");
    // The members' Secret is written from the password the admin resource keeps as the first one.
    const secret = one("kubernetes:core/v1:Secret", "graph-auth");
    expect(JSON.stringify(unwrapSecretInput(secret.stringData))).toContain("neo4j/s3cret-password");
    expect(() => new kubernetes.Neo4jCluster("bad", { acceptLicenseAgreement: "eval", context: "" })).toThrow(
      'Neo4jCluster "bad": context must be the name of a kubeconfig context',
    );
    expect(
      () =>
        new kubernetes.Neo4jCluster("bad", {
          acceptLicenseAgreement: "eval",
          kubeconfig: 42 as unknown as string,
        }),
    ).toThrow('Neo4jCluster "bad": kubeconfig must be a kubeconfig\'s contents or path (got a number)');
  });

  it("runs as the neo4j user (7474) with probes for start, readiness and liveness", async () => {
    new kubernetes.Neo4jCluster("graph", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
    await settle();
    const pod = one(STS, "graph").spec.template.spec;
    expect(pod.securityContext).toEqual(
      expect.objectContaining({ runAsUser: 7474, runAsGroup: 7474, fsGroup: 7474, runAsNonRoot: true }),
    );
    const container = pod.containers[0];
    expect(container.startupProbe.tcpSocket).toEqual({ port: 7687 });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/", port: 7474 });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 7687 });
    expect(pod.terminationGracePeriodSeconds).toBe(300);
  });

  it("keeps a write quorum with its PodDisruptionBudget and spreads primaries over nodes", async () => {
    new kubernetes.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "password123",
      primaries: 5,
    });
    await settle();
    const pdb = one("kubernetes:policy/v1:PodDisruptionBudget", "graph-primaries");
    expect(pdb.spec.maxUnavailable).toBe(2);
    expect(pdb.spec.selector.matchLabels).toEqual({
      "neo4j-estate.cluster": "graph",
      "neo4j-estate.server-mode": "PRIMARY",
    });
    const affinity = one(STS, "graph").spec.template.spec.affinity;
    expect(
      affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm,
    ).toEqual({
      labelSelector: { matchLabels: pdb.spec.selector.matchLabels },
      topologyKey: "kubernetes.io/hostname",
    });
  });

  it("gives discovery a ServiceAccount that may read Services, and each member a headless Service it selects", async () => {
    new kubernetes.Neo4jCluster("graph", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
    await settle();
    const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "graph-discovery");
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
    ]);
    const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "graph-discovery");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "graph", namespace: "graph" }]);
    expect(one(STS, "graph").spec.template.spec.serviceAccountName).toBe("graph");
    const member = one(SERVICE, "graph-2-service");
    expect(member.metadata.labels["neo4j-estate.discovery"]).toBe("graph");
    expect(member.spec).toEqual(
      expect.objectContaining({
        clusterIP: "None",
        publishNotReadyAddresses: true,
        selector: { "neo4j-estate.cluster": "graph", "statefulset.kubernetes.io/pod-name": "graph-2" },
      }),
    );
    expect(member.spec.ports.map((p: Obj) => p.name)).toContain("tcp-cluster");
    // The provider's await on a Service update kept the object from before it in the state (pod
    // tier: a renamed port came back in every preview); headless Services take the apply's answer.
    for (const headless of ["graph-2-service", "graph-headless"])
      expect(one(SERVICE, headless).metadata.annotations).toEqual({
        "pulumi.com/patchForce": "true",
        "pulumi.com/skipAwait": "true",
      });
    expect(one(SERVICE, "graph-client").metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
  });

  it("keeps the formation's settings in a ConfigMap that ignores later changes", async () => {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    new kubernetes.Neo4jCluster(
      "graph",
      { acceptLicenseAgreement: "eval", adminPassword: "password123" },
      {
        transformations: [
          (args) => {
            options.set(args.name, args.opts);
            return undefined;
          },
        ],
      },
    );
    await settle();
    const formation = one("kubernetes:core/v1:ConfigMap", "graph-formation");
    expect(formation.data).toEqual({
      "initial.dbms.default_primaries_count": "3",
      "initial.dbms.default_secondaries_count": "0",
      "dbms.cluster.minimum_initial_system_primaries_count": "3",
    });
    expect(options.get("graph-formation")?.ignoreChanges).toEqual(["data"]);
    expect(envOf(one(STS, "graph"))).toContainEqual({
      name: "NEO4J_dbms_cluster_minimum__initial__system__primaries__count",
      valueFrom: {
        configMapKeyRef: {
          name: "graph-formation",
          key: "dbms.cluster.minimum_initial_system_primaries_count",
        },
      },
    });
  });

  it("scaling changes the replica count and nothing else in the pod template", async () => {
    new kubernetes.Neo4jCluster("graph", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
    await settle();
    const three = one(STS, "graph");
    recorded.splice(0);
    new kubernetes.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "password123",
      primaries: 5,
    });
    await settle();
    const five = one(STS, "graph");
    expect(five.spec.replicas).toBe(5);
    expect(five.spec.template).toEqual(three.spec.template);
  });

  it("starts secondaries after the primaries, from a StatefulSet of their own", async () => {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    new kubernetes.Neo4jCluster(
      "graph",
      { acceptLicenseAgreement: "eval", adminPassword: "password123", secondaries: 2 },
      {
        transformations: [
          (args) => {
            options.set(args.name, args.opts);
            return undefined;
          },
        ],
      },
    );
    await settle();
    const sts = one(STS, "graph-secondary");
    expect(sts.spec.replicas).toBe(2);
    expect(envOf(sts)).toContainEqual({ name: "NEO4J_initial_server_mode__constraint", value: "SECONDARY" });
    expect(sts.spec.template.spec.affinity).toBeUndefined();
    const dependsOn = options.get("graph-secondary")?.dependsOn as pulumi.Resource[];
    expect(dependsOn.map((r) => (r as unknown as { __name: string }).__name)).toContain("graph");
  });

  it("takes removed members' servers out before any StatefulSet shrinks: both depend on the scale-in resource", async () => {
    const options = recordOptions();
    new kubernetes.Neo4jCluster(
      "graph",
      {
        acceptLicenseAgreement: "eval",
        adminPassword: "s3cret-password",
        secondaries: 2,
        kubeconfig: "apiVersion: v1\nkind: Config\n",
      },
      { transformations: [options.transformation] },
    );
    await settle();
    for (const sts of ["graph", "graph-secondary"])
      expect(dependsOnNames(options.byName.get(sts))).toContain("graph-scale-in");
    const scaleIn = byType(recorded, "pulumi-nodejs:dynamic:Resource").find(
      (r) => r.name === "graph-scale-in",
    );
    const inputs = scaleIn?.inputs as Obj;
    const address = (m: string) => `${m}.graph.svc.cluster.local:7687`;
    expect(inputs.members).toEqual([
      ...[1, 2, 3].map((i) => ({ name: `graph-${i}`, mode: "PRIMARY", boltAddress: address(`graph-${i}`) })),
      ...[1, 2].map((i) => ({
        name: `graph-secondary-${i}`,
        mode: "SECONDARY",
        boltAddress: address(`graph-secondary-${i}`),
      })),
    ]);
    expect(inputs.target).toEqual(expect.objectContaining({ scheme: "neo4j", username: "neo4j" }));
    // The password in effect, after any rotation: the admin resource's output, secret.
    expect(unwrapSecretInput(inputs.adminPassword)).toBe("s3cret-password");
    expect(unwrapSecretInput(inputs.portForward)).toEqual(
      expect.objectContaining({ kubeconfig: "apiVersion: v1\nkind: Config\n", namespace: "graph" }),
    );
    expect(options.byName.get("graph-scale-in")?.additionalSecretOutputs).toEqual([
      "adminPassword",
      "portForward",
    ]);
  });

  it("drains with the password in effect: the admin resource's output, not the one just asked for", async () => {
    // The admin resource's output is the password Neo4j has; it moves to a new one only after the rotation.
    mockedOutputs.set("graph-admin", { adminPassword: "password-in-effect" });
    try {
      new kubernetes.Neo4jCluster("graph", {
        acceptLicenseAgreement: "eval",
        adminPassword: "asked-for-password",
      });
      await settle();
      const scaleIn = byType(recorded, "pulumi-nodejs:dynamic:Resource").find(
        (r) => r.name === "graph-scale-in",
      );
      expect(unwrapSecretInput(scaleIn?.inputs.adminPassword)).toBe("password-in-effect");
    } finally {
      mockedOutputs.delete("graph-admin");
    }
  });

  it("registers the cluster's record first, and every object waits for it", async () => {
    const options = recordOptions();
    new kubernetes.Neo4jCluster(
      "graph",
      { acceptLicenseAgreement: "eval", adminPassword: "password123", secondaries: 1 },
      { transformations: [options.transformation] },
    );
    await settle();
    const record = byType(recorded, "pulumi-nodejs:dynamic:Resource").find((r) => r.name === "graph-record");
    expect(record?.inputs).toEqual(
      expect.objectContaining({
        resourceName: "graph",
        shape: expect.objectContaining({ edition: "enterprise", clustered: true }),
        members: [
          { name: "graph-1", mode: "PRIMARY" },
          { name: "graph-2", mode: "PRIMARY" },
          { name: "graph-3", mode: "PRIMARY" },
          { name: "graph-secondary-1", mode: "SECONDARY" },
        ],
        formation: expect.objectContaining({ seeds: ["graph-1", "graph-2", "graph-3"], primaries: 3 }),
      }),
    );
    const waitsForRecord = (name: string) => {
      const waiting = recorded.filter((r) => r.type.startsWith("kubernetes:"));
      expect(waiting.length).toBeGreaterThan(8);
      for (const r of waiting)
        expect([r.name, dependsOnNames(options.byName.get(r.name))]).toEqual([
          r.name,
          expect.arrayContaining([name]),
        ]);
    };
    waitsForRecord("graph-record");
    // In a namespace of the user's, which the component does not create, too.
    recorded.splice(0);
    new kubernetes.Neo4jCluster(
      "given",
      { acceptLicenseAgreement: "eval", adminPassword: "password123", namespace: "theirs" },
      { transformations: [options.transformation] },
    );
    await settle();
    expect(recorded.map((r) => r.type)).not.toContain("kubernetes:core/v1:Namespace");
    waitsForRecord("given-record");
  });

  it("refuses at preview, through the record, what Neo4j cannot do to a running cluster in place", async () => {
    const recordOf = async (args: Record<string, unknown>) => {
      new kubernetes.Neo4jCluster("graph", { adminPassword: "password123", ...args });
      await settle();
      const inputs = byType(recorded, "pulumi-nodejs:dynamic:Resource").find(
        (r) => r.name === "graph-record",
      )!.inputs as unknown as RecordInputs;
      recorded.splice(0);
      return inputs;
    };
    const enterprise = { acceptLicenseAgreement: "eval" as const };
    const three = await recordOf(enterprise);
    const failures = async (args: Record<string, unknown>) =>
      (await recordProvider.check!(three, await recordOf(args))).failures?.map((f) => f.reason) ?? [];
    // A cluster cannot become a single server, nor lose a primary it formed with.
    expect(await failures({ ...enterprise, primaries: 1 })).toEqual(
      expect.arrayContaining([expect.stringContaining("going from a cluster to a single server")]),
    );
    expect(await failures({ ...enterprise, primaries: 2 })).toEqual([
      expect.stringContaining("removing graph-3 cannot be applied to the running cluster"),
    ]);
    // No version goes back, and Enterprise does not go back to Community.
    expect(await failures({ ...enterprise, image: "neo4j:5.20-enterprise" })).toEqual([
      expect.stringContaining("that is a downgrade"),
    ]);
    expect(await failures({ image: "neo4j:5.26-community", primaries: 1 })).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Neo4j Community cannot open the stores of Neo4j Enterprise"),
      ]),
    );
    // What Neo4j does in place passes: members added after formation come and go, secondaries too.
    const four = await recordOf({ ...enterprise, primaries: 4, secondaries: 1 });
    const checked = await recordProvider.check!(three, four);
    expect(checked.failures).toEqual([]);
    expect((await recordProvider.check!(checked.inputs, await recordOf(enterprise))).failures).toEqual([]);
  });

  it("has no scale-in resource for a single server, which has no cluster to leave", async () => {
    for (const args of [
      { image: "neo4j:5.26-community", adminPassword: "password123" },
      { acceptLicenseAgreement: "eval" as const, adminPassword: "password123", primaries: 1 },
    ]) {
      const options = recordOptions();
      new kubernetes.Neo4jCluster("solo", args, { transformations: [options.transformation] });
      await settle();
      expect(recorded.map((r) => r.name)).not.toContain("solo-scale-in");
      expect(dependsOnNames(options.byName.get("solo"))).not.toContain("solo-scale-in");
      recorded.splice(0);
    }
  });

  it("reports in-cluster addresses: the client Service's URI, members' Services, backup and metrics endpoints", async () => {
    const cluster = new kubernetes.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "password123",
      namespace: "data",
    });
    expect(await valueOf(cluster.boltUri)).toBe("neo4j://graph.data.svc.cluster.local:7687");
    expect(await valueOf(cluster.backupEndpoints)).toEqual([
      "graph-1.data.svc.cluster.local:6362",
      "graph-2.data.svc.cluster.local:6362",
      "graph-3.data.svc.cluster.local:6362",
    ]);
    expect((await valueOf(cluster.metricsEndpoints))[0]).toBe("graph-1.data.svc.cluster.local:2004");
    expect((await valueOf(cluster.members))[1]).toEqual(
      expect.objectContaining({
        name: "graph-2",
        mode: "PRIMARY",
        boltAddress: "graph-2.data.svc.cluster.local:7687",
      }),
    );
    await settle();
    expect(byType(recorded, "kubernetes:core/v1:Namespace")).toHaveLength(0);
  });

  it("runs a Community server alone: bolt://, no discovery account, no budget", async () => {
    const cluster = new kubernetes.Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
    });
    expect(await valueOf(cluster.boltUri)).toBe("bolt://solo.solo.svc.cluster.local:7687");
    await settle();
    expect(byType(recorded, "kubernetes:rbac.authorization.k8s.io/v1:Role")).toHaveLength(0);
    expect(byType(recorded, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
    const pod = one(STS, "solo").spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].env.map((e: Obj) => e.name)).not.toContain("NEO4J_ACCEPT_LICENSE_AGREEMENT");
  });

  it("lays the user's settings over its own, secret values included", async () => {
    new kubernetes.Neo4jCluster("graph", {
      acceptLicenseAgreement: "eval",
      adminPassword: "password123",
      settings: {
        "db.logs.query.enabled": "INFO",
        "server.default_listen_address": pulumi.output("0.0.0.0"),
      },
    });
    await settle();
    const env = envOf(one(STS, "graph"));
    expect(env).toContainEqual({ name: "NEO4J_db_logs_query_enabled", value: "INFO" });
    expect(env.filter((e) => e.name === "NEO4J_server_default__listen__address")).toHaveLength(1);
  });

  it("refuses a bad argument before registering anything", async () => {
    expect(
      () => new kubernetes.Neo4jCluster("graph", { acceptLicenseAgreement: "eval", storageSize: "ten gigs" }),
    ).toThrow('Neo4jCluster "graph": storageSize must be a Kubernetes quantity');
    await settle();
    expect(recorded).toHaveLength(0);
  });
});
