import fc from "fast-check";
import { validateKubernetesClusterArgs } from "../../components/kubernetes/cluster-spec";
import {
  clientService,
  disruptionBudget,
  memberService,
  podEnv,
  podSettings,
  primaryAffinity,
  statefulSet,
  writeQuorum,
} from "../../components/kubernetes/cluster-objects";
import { settingProblem } from "../../components/neo4j/settings";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function plan(args: Record<string, unknown>, name = "graph") {
  return validateKubernetesClusterArgs(name, { acceptLicenseAgreement: "eval", ...args }).spec;
}

describe("Kubernetes-native discovery settings per version", () => {
  it("5.x before 5.22: resolver K8S, the label selector and the v1 port's name", () => {
    const settings = podSettings(plan({ image: "neo4j:5.20-enterprise" }), "PRIMARY");
    expect(settings).toEqual(
      expect.objectContaining({
        "dbms.cluster.discovery.resolver_type": "K8S",
        "dbms.kubernetes.label_selector": "neo4j-estate.discovery=graph",
        "dbms.kubernetes.service_port_name": "tcp-discovery",
        "server.discovery.advertised_address": "$(POD_NAME).graph.svc.cluster.local:5000",
      }),
    );
    expect(settings).not.toHaveProperty("dbms.kubernetes.discovery.v2.service_port_name");
    expect(settings).not.toHaveProperty("dbms.cluster.discovery.endpoints");
  });

  it("5.23-5.26: v2 on the cluster port's name, and the discovery version said", () => {
    const settings = podSettings(plan({ image: "neo4j:5.26-enterprise" }), "PRIMARY");
    expect(settings["dbms.kubernetes.discovery.v2.service_port_name"]).toBe("tcp-cluster");
    expect(settings["dbms.cluster.discovery.version"]).toBe("V2_ONLY");
    expect(settings).not.toHaveProperty("dbms.kubernetes.service_port_name");
    expect(settings).not.toHaveProperty("dbms.cluster.discovery.v2.endpoints");
  });

  it("5.26 migrating from v1: both port names", () => {
    const settings = podSettings(
      plan({ image: "neo4j:5.26-enterprise", discovery: "v1-over-v2" }),
      "PRIMARY",
    );
    expect(settings["dbms.kubernetes.service_port_name"]).toBe("tcp-discovery");
    expect(settings["dbms.kubernetes.discovery.v2.service_port_name"]).toBe("tcp-cluster");
    expect(settings["dbms.cluster.discovery.version"]).toBe("V1_OVER_V2");
  });

  it("2025.x: the renamed dbms.kubernetes.discovery.service_port_name, no version setting", () => {
    const settings = podSettings(plan({ image: "neo4j:2025.01-enterprise" }), "PRIMARY");
    expect(settings["dbms.kubernetes.discovery.service_port_name"]).toBe("tcp-cluster");
    expect(settings).not.toHaveProperty("dbms.kubernetes.discovery.v2.service_port_name");
    expect(settings).not.toHaveProperty("dbms.cluster.discovery.version");
    expect(settings).not.toHaveProperty("dbms.cluster.endpoints");
  });

  it.each(["5.20", "5.23", "5.26", "2025.01"])("renders only settings Neo4j %s accepts", (version) => {
    const spec = plan({ image: `neo4j:${version}-enterprise`, secondaries: 1 });
    for (const mode of ["PRIMARY", "SECONDARY"] as const)
      for (const name of Object.keys(podSettings(spec, mode)))
        expect([name, settingProblem(name, spec.cluster)]).toEqual([name, undefined]);
  });

  it("advertises each member's own Service, which the kubelet fills in from the pod's name", () => {
    const settings = podSettings(plan({ namespace: "data", clusterDomain: "example.internal" }), "PRIMARY");
    expect(settings["server.bolt.advertised_address"]).toBe("$(POD_NAME).data.svc.example.internal:7687");
    expect(settings["server.cluster.advertised_address"]).toBe("$(POD_NAME).data.svc.example.internal:6000");
    expect(settings["dbms.kubernetes.cluster_domain"]).toBe("example.internal");
  });
});

describe("the pod's environment", () => {
  it("defines POD_NAME before any setting that refers to it", () => {
    const env = podEnv(plan({}), "PRIMARY", {});
    expect(env[0]).toEqual({ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
  });

  it("takes the password from the Secret by reference on images before 5.14, never as a literal", () => {
    const env = podEnv(plan({ image: "neo4j:5.13-enterprise" }), "PRIMARY", {});
    expect(env).toContainEqual({
      name: "NEO4J_AUTH",
      valueFrom: { secretKeyRef: { name: "graph-auth", key: "neo4j-auth" } },
    });
    expect(env.map((e) => e.name)).not.toContain("NEO4J_AUTH_PATH");
    const sts = statefulSet(plan({ image: "neo4j:5.13-enterprise" }), "PRIMARY", {}) as Obj;
    expect(sts.spec.template.spec.volumes).toEqual([]);
  });
});

describe("the objects", () => {
  it("keeps a write quorum: maxUnavailable is primaries minus a majority", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 11 }), (primaries) => {
        const pdb = disruptionBudget(plan({ primaries })) as Obj;
        expect(pdb.spec.maxUnavailable).toBe(primaries - writeQuorum(primaries));
        expect(primaries - pdb.spec.maxUnavailable).toBeGreaterThan(primaries / 2);
      }),
    );
    expect(disruptionBudget(plan({ primaries: 3 }))!.spec.maxUnavailable).toBe(1);
    expect(disruptionBudget(plan({ primaries: 1 }))).toBeUndefined();
  });

  it("requires anti-affinity when asked, and none when told", () => {
    const required = primaryAffinity(plan({ antiAffinity: "required" })) as Obj;
    expect(required.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(
      "kubernetes.io/hostname",
    );
    expect(primaryAffinity(plan({ antiAffinity: "none" }))).toBeUndefined();
  });

  it("requests what it limits, from the core's memory check", () => {
    const sts = statefulSet(plan({ resources: { cpus: 2, memory: "4g" } }), "PRIMARY", {}) as Obj;
    const container = sts.spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: "2", memory: "4096Mi" },
      limits: { cpu: "2", memory: "4096Mi" },
    });
    const env = container.env as Obj[];
    expect(env).toContainEqual({ name: "NEO4J_server_memory_heap_max__size", value: "2g" });
  });

  it("places members with the node selector and tolerations given, and labels everything", () => {
    const spec = plan({
      nodeSelector: { "node-role/neo4j": "true" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "neo4j", effect: "NoSchedule" }],
      labels: { team: "graph" },
      storageClassName: "fast-ssd",
      storageSize: "50Gi",
      waitForHealthy: false,
    });
    const sts = statefulSet(spec, "PRIMARY", {}) as Obj;
    expect(sts.spec.template.spec.nodeSelector).toEqual({ "node-role/neo4j": "true" });
    expect(sts.spec.template.spec.tolerations[0].key).toBe("dedicated");
    expect(sts.metadata.labels).toEqual(
      expect.objectContaining({ team: "graph", "neo4j-estate.cluster": "graph" }),
    );
    expect(sts.spec.template.metadata.labels.team).toBe("graph");
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual(
      expect.objectContaining({ storageClassName: "fast-ssd", resources: { requests: { storage: "50Gi" } } }),
    );
    expect(sts.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
  });

  it("publishes backup and metrics ports on the member's Service only when the member serves them", () => {
    const ports = (args: Record<string, unknown>) => {
      const spec = plan(args);
      return (memberService(spec, spec.cluster.members[0]).spec.ports as Obj[]).map((p) => p.name);
    };
    expect(ports({})).toEqual(
      expect.arrayContaining(["tcp-backup", "tcp-metrics", "tcp-cluster", "tcp-raft"]),
    );
    expect(ports({ onlineBackup: false, prometheusMetrics: false })).not.toEqual(
      expect.arrayContaining(["tcp-backup"]),
    );
  });

  it("exposes the client Service as asked", () => {
    expect((clientService(plan({ serviceType: "LoadBalancer" })).spec as Obj).type).toBe("LoadBalancer");
  });
});

describe("validation", () => {
  const refused = (args: Record<string, unknown>) => () =>
    validateKubernetesClusterArgs("graph", { acceptLicenseAgreement: "eval", ...args });

  it("names Docker-only arguments and what replaces them", () => {
    expect(refused({ hostPorts: { bolt: 7688 } })).toThrow(
      'Neo4jCluster "graph": hostPorts is a Docker argument that Kubernetes does not take',
    );
    expect(refused({ networkName: "net" })).toThrow("set namespace");
  });

  it("checks the shared arguments with the core's words", () => {
    expect(refused({ primaries: 0 })).toThrow('Neo4jCluster "graph": primaries must be');
    expect(refused({ resources: { memory: "1g" }, heapSize: "2g" })).toThrow("heapSize");
    expect(() => validateKubernetesClusterArgs("graph", {})).toThrow("acceptLicenseAgreement");
    expect(refused({ settings: { "dbms.memory.heap.max_size": "1g" } })).toThrow("Neo4j 4 name");
  });

  it("checks the Kubernetes arguments", () => {
    expect(refused({ namespace: "Data" })).toThrow("namespace must be a Kubernetes name");
    expect(refused({ serviceType: "Ingress" })).toThrow("serviceType");
    expect(refused({ antiAffinity: "strict" })).toThrow("antiAffinity");
    expect(refused({ labels: { "neo4j-estate.cluster": "x" } })).toThrow("neo4j-estate.");
    expect(refused({ labels: { team: "not valid!" } })).toThrow('labels["team"] has the value');
    expect(refused({ tolerations: [{ operator: "Exists", value: "x" }] })).toThrow("tolerations[0].value");
    expect(refused({ tolerations: [{ tolerationSeconds: 30 }] })).toThrow('effect "NoExecute"');
    expect(refused({ storageClassName: "Fast SSD" })).toThrow("storageClassName");
  });

  it("warns when required anti-affinity needs as many nodes as primaries", () => {
    const { warnings } = validateKubernetesClusterArgs("graph", {
      acceptLicenseAgreement: "eval",
      antiAffinity: "required",
    });
    expect(warnings.join("\n")).toContain("3 schedulable nodes");
  });
});
