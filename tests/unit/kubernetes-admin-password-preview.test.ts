import * as pulumi from "@pulumi/pulumi";

/**
 * kubernetes.Neo4jCluster's adminPassword in a preview of a stack already deployed: the live auth
 * Secret has `data` only (the API server turns stringData into data), and in a preview an output
 * the resource does not have is unknown. The password must still be known there, or every preview
 * plans an update of what consumes it (found by the pod-level suite: kubernetes.RbacPolicy planned
 * "the admin password is recomputed" on every preview).
 */
const FILE = Buffer.from("neo4j/first-password-1").toString("base64");
pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      // As the live objects are read back: the Secret with data and no stringData.
      if (args.type === "kubernetes:core/v1:Secret") {
        const state: Record<string, unknown> = { ...args.inputs, data: { "neo4j-auth": FILE } };
        delete state.stringData;
        return { id: `${args.name}-id`, state };
      }
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
  },
  "project",
  "stack",
  true, // preview
);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kubernetes } = require("../../components") as typeof import("../../components");

function known<T>(output: pulumi.Output<T>): Promise<{ known: boolean; value: T }> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const o = output as any;
  return Promise.all([o.isKnown as Promise<boolean>, o.promise() as Promise<T>]).then(([k, value]) => ({
    known: k,
    value,
  }));
}

test("in a preview, adminPassword is known: never made unknown by the Secret's missing stringData", async () => {
  const cluster = new kubernetes.Neo4jCluster("graph", {
    image: "neo4j-estate/neo4j:5.26.30-community",
    primaries: 1,
    // A password changed after the first deployment: the preview plans its rotation in the running
    // DBMS (the Secret keeps the first, which Neo4j reads at a member's first start only).
    adminPassword: "changed-password-2",
  });
  expect(await known(cluster.adminPassword)).toEqual({ known: true, value: "changed-password-2" });
});
