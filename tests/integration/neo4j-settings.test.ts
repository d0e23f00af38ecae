import { execFileSync } from "child_process";
import * as path from "path";
import { planCluster } from "../../components/neo4j/cluster-spec";
import { memberSettings, settingProblem } from "../../components/neo4j/settings";
import { atLeast, parseVersion } from "../../components/neo4j/version";
import { policySettings } from "../../components/neo4j/tls";
import { renderAdminConfig } from "../../components/backup/spec";
import { recommendedHeap, recommendedPageCache, recommendedReserve } from "../../components/neo4j/resources";
import { prepareNeo4jTestServer } from "../helpers/neo4j-test-server";

import catalogJson from "../../components/neo4j/settings-catalog.json";

const catalog: {
  settings: { name: string; edition: string; since: string; removedIn?: string; pattern?: boolean }[];
} = catalogJson;

const PROBE = path.join(__dirname, "settings-probe", "Neo4jSettingsProbe.java");
const { classpath } = prepareNeo4jTestServer();

/** Runs the probe with Neo4j Community 5.26's own jars (the ones the test server runs). */
function probe(mode: "list" | "validate" | "memory", input = ""): string {
  return execFileSync("java", ["-cp", classpath, PROBE, mode], { input, encoding: "utf8" }).trim();
}

const declared = new Set(probe("list").split("\n"));
const v526 = parseVersion("5.26")!;
const acceptedOn526 = (e: { since: string; removedIn?: string }) =>
  atLeast(v526, e.since) && !(e.removedIn && atLeast(v526, e.removedIn));

describe("the settings catalog against Neo4j Community 5.26 itself", () => {
  it("declares every setting the catalog says Community 5.26 accepts", () => {
    const claimed = catalog.settings
      .filter((e) => !e.pattern && e.edition === "all" && acceptedOn526(e))
      .map((e) => e.name);
    expect(claimed.length).toBeGreaterThan(150);
    expect(claimed.filter((name) => !declared.has(name))).toEqual([]);
  });

  it("knows every public setting Community 5.26 declares", () => {
    const names = new Set(catalog.settings.map((e) => e.name));
    const publicSettings = [...declared].filter((n) => !/^(internal|unsupported)\./.test(n));
    expect(publicSettings.filter((n) => !names.has(n))).toEqual([]);
  });

  it("marks no setting Enterprise-only that Community declares", () => {
    const enterprise = catalog.settings.filter((e) => e.edition === "enterprise").map((e) => e.name);
    expect(enterprise.filter((n) => declared.has(n))).toEqual([]);
  });

  it("has no setting arriving after 5.26 that 5.26 already declares", () => {
    expect(
      catalog.settings.filter((e) => !acceptedOn526(e) && declared.has(e.name)).map((e) => e.name),
    ).toEqual([]);
  });
});

describe("Neo4j's strict validation on what the library renders", () => {
  it("accepts a Community member's settings exactly as rendered", () => {
    const spec = planCluster("solo", {
      image: "neo4j:5.26-community",
      heapSize: "1g",
      pageCacheSize: "256m",
    }).spec;
    const settings = memberSettings(spec, spec.members[0]);
    const lines = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
    expect(probe("validate", lines.join("\n"))).toBe("ACCEPTED");
  });

  it("accepts the memory split and JVM arguments a memory limit gives", () => {
    const spec = planCluster("solo", {
      image: "neo4j:5.26-community",
      resources: { memory: "3g", cpus: 2 },
      jvmAdditionalArgs: ["-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.formatMsgNoLookups=true"],
    }).spec;
    const lines = Object.entries(memberSettings(spec, spec.members[0])).map(([k, v]) => `${k}=${v}`);
    expect(lines).toEqual(expect.arrayContaining(["server.memory.heap.max_size=1280m"]));
    expect(probe("validate", lines.join("\n"))).toBe("ACCEPTED");
  });

  it("accepts a TLS member's settings, every SSL policy and the backup runner's neo4j-admin policy", () => {
    const spec = planCluster("solo", {
      image: "neo4j:5.26-community",
      tls: { bolt: "optional", https: "optional" },
      hostPorts: { https: 7480 },
      plugins: [{ name: "apoc", version: "5.26.0" }],
      licenses: { "gds.license": "licence text" },
    }).spec;
    const member = memberSettings(spec, spec.members[0]);
    expect(Object.keys(member)).toEqual(
      expect.arrayContaining(["server.bolt.tls_level", "dbms.ssl.policy.https.base_directory"]),
    );
    // Community has no cluster or backup port, but declares their policies: Enterprise members use them.
    const lines = [
      ...Object.entries(member),
      ...Object.entries(policySettings("cluster")),
      ...Object.entries(policySettings("backup", "/opt/neo4j-backup/tls")),
    ].map(([k, v]) => `${k}=${v}`);
    expect(probe("validate", lines.join("\n"))).toBe("ACCEPTED");
    expect(probe("validate", renderAdminConfig())).toBe("ACCEPTED");
  });

  it("refuses the blog post's Neo4j 4 names and Enterprise settings, as the library says it would", () => {
    const community = { version: v526, edition: "community" as const };
    for (const name of [
      "metrics.prometheus.enabled",
      "dbms.backup.enabled",
      "server.backup.enabled",
      "server.metrics.prometheus.enabled",
    ]) {
      expect(settingProblem(name, community)).toBeDefined();
      expect(probe("validate", `${name}=true`)).toMatch(/^REFUSED .*No declared setting with name/);
    }
  });
});

describe("the memory split against neo4j-admin server memory-recommendation's own numbers", () => {
  it("keeps the same reserve, heap and page cache from 256 MiB to 1 TiB", () => {
    const MIB = 1024 ** 2;
    const sizes = [
      256, 700, 1024, 1500, 2048, 3000, 4096, 6000, 8192, 12288, 16384, 30000, 65536, 200000, 1048576,
      2097152,
    ].map((m) => m * MIB);
    const neo4j = probe("memory", sizes.join("\n"))
      .split("\n")
      .map((line) => line.split(" ").map(Number));
    expect(
      sizes.map((total) => [
        total,
        recommendedReserve(total),
        recommendedHeap(total),
        recommendedPageCache(total),
      ]),
    ).toEqual(neo4j);
  });
});
