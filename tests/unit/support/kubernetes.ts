import { RecordedResource, byType } from "./pulumi-mocks";

/** A Kubernetes object's registered inputs, loosely typed: the tests read deep paths of them. */
export type KubeObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The inputs of the one resource of this type and name; fails the test unless there is exactly one. */
export function oneObject(recorded: RecordedResource[], type: string, name: string): KubeObject {
  const found = byType(recorded, type).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0].inputs as KubeObject;
}

/**
 * An Enterprise kubernetes.Neo4jCluster named `graph` with a known password. The components are
 * required here, after the test file installed Pulumi's mocks, as Pulumi's testing guide does.
 */
export function graphCluster(args: Record<string, unknown> = {}) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kubernetes } = require("../../../components") as typeof import("../../../components");
  return new kubernetes.Neo4jCluster("graph", {
    acceptLicenseAgreement: "eval",
    adminPassword: "password123",
    ...args,
  });
}
