import { planCluster } from "../../components/neo4j/cluster-spec";
import { checkSettings, memberSettings, settingProblem } from "../../components/neo4j/settings";
import { parseVersion } from "../../components/neo4j/version";

const plan = (args: Parameters<typeof planCluster>[1]) =>
  planCluster("core", { acceptLicenseAgreement: "yes", ...args }).spec;

describe("memberSettings", () => {
  it("renders the seed's 5.23 cluster with discovery v2 on the cluster port, as Neo4j recommends from 5.23", () => {
    const spec = plan({});
    const s = memberSettings(spec, spec.members[1]);
    expect(s).toMatchObject({
      "dbms.cluster.discovery.v2.endpoints": "core-1:6000,core-2:6000,core-3:6000",
      "dbms.cluster.discovery.resolver_type": "LIST",
      "dbms.cluster.discovery.version": "V2_ONLY",
      "server.cluster.advertised_address": "core-2:6000",
      "server.cluster.raft.advertised_address": "core-2:7000",
      "server.routing.advertised_address": "core-2:7688",
      "initial.server.mode_constraint": "PRIMARY",
      "initial.dbms.default_primaries_count": "3",
      "dbms.cluster.minimum_initial_system_primaries_count": "3",
      "initial.dbms.automatically_enable_free_servers": "true",
      "server.default_listen_address": "0.0.0.0",
    });
    expect(s).not.toHaveProperty("dbms.cluster.discovery.endpoints");
    expect(s).not.toHaveProperty("server.discovery.advertised_address");
  });

  it("keeps discovery v1 on port 5000 when chosen, and by default before 5.23", () => {
    for (const spec of [plan({ discovery: "v1" }), plan({ image: "neo4j:5.22-enterprise" })]) {
      expect(memberSettings(spec, spec.members[1])).toMatchObject({
        "dbms.cluster.discovery.endpoints": "core-1:5000,core-2:5000,core-3:5000",
        "dbms.cluster.discovery.version": "V1_ONLY",
        "server.discovery.advertised_address": "core-2:5000",
      });
    }
    const old = plan({ image: "neo4j:5.20-enterprise" });
    expect(memberSettings(old, old.members[0])).not.toHaveProperty("dbms.cluster.discovery.version");
  });

  it("advertises Bolt and HTTP at the host-published ports so host clients can follow routing tables", () => {
    const spec = plan({});
    expect(memberSettings(spec, spec.members[2])).toMatchObject({
      "server.bolt.advertised_address": "localhost:7690",
      "server.http.advertised_address": "localhost:7477",
      "server.default_advertised_address": "core-3",
    });
  });

  it.each([
    [{ hostAddress: "192.168.1.5" }, "192.168.1.5:7689"],
    [{ hostAddress: "0.0.0.0", advertisedHost: "graph.example.com" }, "graph.example.com:7689"],
    [{ hostAddress: "10.0.0.7", advertisedHost: "db.internal" }, "db.internal:7689"],
  ])("advertises Bolt where the ports are published: %j -> %s", (args, bolt) => {
    const spec = plan(args);
    const s = memberSettings(spec, spec.members[1]);
    expect(s["server.bolt.advertised_address"]).toBe(bolt);
    expect(s["server.http.advertised_address"]).toBe(bolt.replace(":7689", ":7476"));
    // Cluster traffic stays on the Docker network whatever the clients use.
    expect(s["server.cluster.advertised_address"]).toBe("core-2:6000");
  });

  it("extends Neo4j's default metrics filter with extraMetrics instead of replacing it", () => {
    const spec = plan({ extraMetrics: ["*vm.heap.max", "*vm.heap.used"] });
    const filter = memberSettings(spec, spec.members[0])["server.metrics.filter"].split(",");
    expect(filter).toContain("*check_point.*");
    expect(filter).toContain("*cluster.raft.commit_index");
    expect(filter).toContain("*vm.file.descriptors.count");
    expect(filter.slice(-1)).toEqual(["*vm.heap.max"]);
    expect(filter.filter((g) => g === "*vm.heap.used")).toHaveLength(1);
    expect(memberSettings(plan({}), plan({}).members[0])).not.toHaveProperty("server.metrics.filter");
  });

  it("uses discovery v2 on the cluster port when chosen on 5.22-5.26", () => {
    const spec = plan({ image: "neo4j:5.26-enterprise", discovery: "v2" });
    const s = memberSettings(spec, spec.members[0]);
    expect(s["dbms.cluster.discovery.version"]).toBe("V2_ONLY");
    expect(s["dbms.cluster.discovery.v2.endpoints"]).toBe("core-1:6000,core-2:6000,core-3:6000");
    expect(s).not.toHaveProperty("dbms.cluster.discovery.endpoints");
    expect(s).not.toHaveProperty("server.discovery.advertised_address");
  });

  it("runs both discovery services while a running cluster moves from v1 to v2, the leading one named first", () => {
    for (const [discovery, mode] of [
      ["v1-over-v2", "V1_OVER_V2"],
      ["v2-over-v1", "V2_OVER_V1"],
    ] as const) {
      const spec = plan({ image: "neo4j:5.26-enterprise", discovery });
      expect(memberSettings(spec, spec.members[1])).toMatchObject({
        "dbms.cluster.discovery.version": mode,
        "dbms.cluster.discovery.endpoints": "core-1:5000,core-2:5000,core-3:5000",
        "dbms.cluster.discovery.v2.endpoints": "core-1:6000,core-2:6000,core-3:6000",
        "server.discovery.advertised_address": "core-2:5000",
      });
    }
  });

  it("renders a member's settings the same whatever members are added or removed, from the cluster's formation", () => {
    const first = plan({ primaries: 3, secondaries: 1 });
    const formation = {
      seeds: ["core-1", "core-2", "core-3"],
      primaries: first.primaries,
      secondaries: first.secondaries,
    };
    const before = new Map(first.members.map((m) => [m.name, memberSettings(first, m, formation)]));
    for (let primaries = 3; primaries <= 11; primaries++)
      for (let secondaries = 0; secondaries <= 4; secondaries++) {
        const spec = plan({ primaries, secondaries });
        for (const member of spec.members)
          if (before.has(member.name))
            expect({
              member: member.name,
              primaries,
              secondaries,
              s: memberSettings(spec, member, formation),
            }).toEqual({
              member: member.name,
              primaries,
              secondaries,
              s: before.get(member.name),
            });
      }
  });

  it("lets members added after formation join through the seeds and host the system database as secondaries", () => {
    const spec = plan({ primaries: 4, discovery: "v1" });
    const formation = { seeds: ["core-1", "core-2", "core-3"], primaries: 3, secondaries: 0 };
    const added = memberSettings(spec, spec.members[3], formation);
    expect(added).toMatchObject({
      "dbms.cluster.discovery.endpoints": "core-1:5000,core-2:5000,core-3:5000",
      "initial.server.mode_constraint": "PRIMARY",
      "server.cluster.system_database_mode": "SECONDARY",
      "dbms.cluster.minimum_initial_system_primaries_count": "3",
      "initial.dbms.default_primaries_count": "3",
    });
    expect(memberSettings(spec, spec.members[0], formation)["server.cluster.system_database_mode"]).toBe(
      "PRIMARY",
    );
  });

  it("uses dbms.cluster.endpoints and no v1 setting on calendar versions", () => {
    const spec = plan({ image: "neo4j:2025.01-enterprise" });
    const s = memberSettings(spec, spec.members[0]);
    expect(s["dbms.cluster.endpoints"]).toBe("core-1:6000,core-2:6000,core-3:6000");
    for (const gone of [
      "dbms.cluster.discovery.version",
      "dbms.cluster.discovery.endpoints",
      "server.discovery.advertised_address",
    ])
      expect(s).not.toHaveProperty(gone);
  });

  it("lists only primaries as discovery endpoints and constrains secondaries to SECONDARY", () => {
    const spec = plan({ secondaries: 1 });
    const s = memberSettings(spec, spec.members[3]);
    expect(s["initial.server.mode_constraint"]).toBe("SECONDARY");
    expect(s["server.cluster.system_database_mode"]).toBe("SECONDARY");
    expect(s["dbms.cluster.discovery.v2.endpoints"]).toBe("core-1:6000,core-2:6000,core-3:6000");
    expect(s["initial.dbms.default_secondaries_count"]).toBe("1");
  });

  it("opens backup and Prometheus on all interfaces with Neo4j 5 names, never the Neo4j 4 ones", () => {
    const spec = plan({});
    const s = memberSettings(spec, spec.members[0]);
    expect(s).toMatchObject({
      "server.backup.enabled": "true",
      "server.backup.listen_address": "0.0.0.0:6362",
      "server.metrics.prometheus.enabled": "true",
      "server.metrics.prometheus.endpoint": "0.0.0.0:2004",
    });
    for (const old of ["dbms.backup.enabled", "metrics.prometheus.enabled", "metrics.prometheus.endpoint"])
      expect(s).not.toHaveProperty(old);
  });

  it("gives a Community server no cluster, backup or metrics settings", () => {
    const spec = planCluster("solo", { image: "neo4j:5.26-community" }).spec;
    const names = Object.keys(memberSettings(spec, spec.members[0]));
    expect(names.filter((n) => /cluster|backup|metrics|mode_constraint/.test(n))).toEqual([]);
  });

  it("sets heap and page cache when asked", () => {
    const spec = plan({ heapSize: "1g", pageCacheSize: "512m" });
    expect(memberSettings(spec, spec.members[0])).toMatchObject({
      "server.memory.heap.initial_size": "1g",
      "server.memory.heap.max_size": "1g",
      "server.memory.pagecache.size": "512m",
    });
  });

  it.each(["5.0", "5.21", "5.23", "5.26", "2025.01"])("renders only settings Neo4j %s accepts", (version) => {
    const spec = plan({
      image: `neo4j:${version}-enterprise`,
      secondaries: 1,
      heapSize: "1g",
      pageCacheSize: "1g",
      extraMetrics: ["*vm.heap.max"],
    });
    for (const member of spec.members)
      for (const name of Object.keys(memberSettings(spec, member)))
        expect([name, settingProblem(name, spec)]).toEqual([name, undefined]);
  });
});

describe("settingProblem and checkSettings", () => {
  const v523 = { version: parseVersion("5.23")!, edition: "enterprise" as const };

  it("explains Neo4j 4 names from old blog posts", () => {
    expect(settingProblem("metrics.prometheus.enabled", v523)).toMatch(
      /Neo4j 4 name .* use server.metrics.prometheus.enabled/,
    );
    expect(settingProblem("dbms.backup.enabled", v523)).toMatch(/use server.backup.enabled/);
  });

  it("suggests the closest real name for a misspelling", () => {
    expect(settingProblem("db.logs.query.enabeld", v523)).toMatch(/did you mean db.logs.query.enabled\?/);
  });

  it("knows when a setting arrived and when it left", () => {
    expect(settingProblem("dbms.cluster.endpoints", v523)).toMatch(/needs Neo4j 2025.01 or later/);
    expect(
      settingProblem("dbms.cluster.discovery.endpoints", { ...v523, version: parseVersion("2025.01")! }),
    ).toMatch(/removed in Neo4j 2025.01/);
  });

  it("refuses Enterprise settings on Community", () => {
    expect(settingProblem("server.backup.enabled", { ...v523, edition: "community" })).toMatch(
      /Enterprise setting/,
    );
  });

  it("matches placeholder settings and leaves plugin namespaces alone", () => {
    expect(settingProblem("dbms.ssl.policy.bolt.enabled", v523)).toBeUndefined();
    expect(settingProblem("gds.enterprise.license_file", v523)).toBeUndefined();
  });

  it("turns a refused extra setting into an error naming the field", () => {
    const spec = plan({});
    expect(() => checkSettings("core", spec, ["server.metrics.prometheus.endpiont"])).toThrow(
      /Neo4jCluster "core": settings\["server.metrics.prometheus.endpiont"\] is refused: .*did you mean server.metrics.prometheus.endpoint/,
    );
    expect(checkSettings("core", spec, ["db.logs.query.enabled"])).toEqual([]);
  });

  it("only warns about unknown names on versions newer than the catalog", () => {
    const spec = plan({ image: "neo4j:2026.01-enterprise" });
    expect(checkSettings("core", spec, ["db.brand_new.setting"])[0]).toMatch(/not in this library's catalog/);
    expect(() => checkSettings("core", spec, ["metrics.prometheus.enabled"])).toThrow(/Neo4j 4 name/);
  });
});
