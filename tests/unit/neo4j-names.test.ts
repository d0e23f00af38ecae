import { databaseNameProblem, resourceNameProblem } from "../../components/neo4j/names";
import { planMonitoring } from "../../components/monitoring/spec";

describe("names", () => {
  it("accepts component names that can prefix Docker resources, and refuses the rest", () => {
    expect(resourceNameProblem("core")).toBeUndefined();
    expect(resourceNameProblem("graph-2")).toBeUndefined();
    for (const bad of ["", "Core", "core_1", "-core", "a".repeat(42), 7])
      expect(resourceNameProblem(bad)).toMatch(/must be 1-41 lowercase letters/);
  });

  it("follows Neo4j's rule for database names", () => {
    expect(databaseNameProblem("neo4j")).toBeUndefined();
    expect(databaseNameProblem("sales.eu-1")).toBeUndefined();
    for (const bad of ["ab", "Sales", "*", "neo4j;DROP", "x".repeat(64)])
      expect(databaseNameProblem(bad)).toMatch(/must be 3-63 lowercase letters/);
  });

  it("is applied by every component that names Docker resources", () => {
    const cluster = { edition: "enterprise" as const, prometheusMetrics: true, memberNames: ["core-1"] };
    expect(() => planMonitoring("Monitoring", cluster, {})).toThrow(
      /MonitoringStack "Monitoring": name must be 1-41/,
    );
  });
});
