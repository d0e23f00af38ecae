import * as pulumi from "@pulumi/pulumi";
import { byType, recordResources, settle, unwrapSecretInput } from "./support/pulumi-mocks";
import { graphCluster } from "./support/kubernetes";

const recorded = recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kubernetes } = require("../../components") as typeof import("../../components");

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

function policyInputs(name: string) {
  const found = byType(recorded, "pulumi-nodejs:dynamic:Resource").filter((r) => r.name === `${name}-policy`);
  expect(found).toHaveLength(1);
  return found[0].inputs;
}

describe("kubernetes.RbacPolicy under the mock runtime", () => {
  it("connects to the cluster's in-cluster URI as its admin, the password a secret, unless given a uri", async () => {
    const graph = graphCluster({ namespace: "data" });
    new kubernetes.RbacPolicy("access", {
      cluster: graph,
      users: [{ name: "alice", password: pulumi.secret("alice-secret-password") }],
    });
    await settle();
    const inputs = policyInputs("access");
    expect(inputs.uri).toBe("neo4j://graph.data.svc.cluster.local:7687");
    expect(inputs.username).toBe("neo4j");
    expect(unwrapSecretInput(inputs.adminPassword)).toBe("password123");
    expect(unwrapSecretInput(inputs.passwords)).toEqual([
      { name: "alice", password: "alice-secret-password" },
    ]);

    recorded.splice(0);
    new kubernetes.RbacPolicy("outside", { cluster: graph, uri: "neo4j://neo4j.example.com:7687" });
    await settle();
    expect(policyInputs("outside").uri).toBe("neo4j://neo4j.example.com:7687");
  });

  it("refuses, by field, what the cluster supplies and what RbacPolicy refuses on Docker", async () => {
    const graph = graphCluster();
    type Args = ConstructorParameters<typeof kubernetes.RbacPolicy>[1];
    expect(() => new kubernetes.RbacPolicy("p", { users: [] } as unknown as Args)).toThrow(
      'RbacPolicy "p": cluster is required',
    );
    expect(
      () => new kubernetes.RbacPolicy("p", { cluster: graph, adminPassword: "x" } as unknown as Args),
    ).toThrow('RbacPolicy "p": adminPassword comes from the cluster');
    expect(() => new kubernetes.RbacPolicy("p", { cluster: graph, uri: "http://graph:7474" })).toThrow(
      'RbacPolicy "p": uri must be a Bolt URI',
    );
    expect(
      () =>
        new kubernetes.RbacPolicy("p", {
          cluster: graph,
          users: [{ name: "neo4j", password: "password123" }],
        }),
    ).toThrow('RbacPolicy "p": users');
    expect(() => new kubernetes.RbacPolicy("p", { cluster: graph, access: "tunnel" as "direct" })).toThrow(
      'RbacPolicy "p": access must be one of "portForward", "direct"',
    );
    expect(
      () => new kubernetes.RbacPolicy("p", { cluster: graph, access: "portForward", uri: "neo4j://x:7687" }),
    ).toThrow('RbacPolicy "p": uri is for access "direct"');
    await settle();
    // Only the cluster's own resources (record, admin password, scale-in): no policy was registered.
    expect(byType(recorded, "pulumi-nodejs:dynamic:Resource").map((r) => r.name)).toEqual([
      "graph-record",
      "graph-admin",
      "graph-scale-in",
    ]);
  });

  it("reaches the cluster through a port-forward to its member pods by default, with the cluster's kubeconfig as a secret", async () => {
    const graph = graphCluster({
      namespace: "data",
      kubeconfig: pulumi.secret("apiVersion: v1"),
      context: "prod",
    });
    new kubernetes.RbacPolicy("access", { cluster: graph });
    await settle();
    const inputs = policyInputs("access");
    expect(unwrapSecretInput(inputs.portForward)).toEqual({
      namespace: "data",
      podSelector: "neo4j-estate.cluster=graph",
      port: 7687,
      context: "prod",
      kubeconfig: "apiVersion: v1",
    });

    recorded.splice(0);
    new kubernetes.RbacPolicy("inside", { cluster: graphCluster(), access: "direct" });
    await settle();
    expect(policyInputs("inside").portForward).toBeUndefined();
    expect(policyInputs("inside").uri).toBe("neo4j://graph.graph.svc.cluster.local:7687");
  });
});
