import { clientUris, planCluster } from "../../components/neo4j/cluster-spec";
import { checkAdminPassword } from "../../components/neo4j/cluster-args";
import { authDelivery, authDeliveryWarning } from "../../components/neo4j/container";

const enterprise = { acceptLicenseAgreement: "yes" as const };

describe("planCluster", () => {
  it("gives the seed's cluster by default: three primaries on 7475-7477 and 7688-7690", () => {
    const { spec } = planCluster("core", enterprise);
    expect(spec.image.image).toBe("neo4j:5.23-enterprise");
    expect(spec.members.map((m) => [m.name, m.mode, m.hostPorts.http, m.hostPorts.bolt])).toEqual([
      ["core-1", "PRIMARY", 7475, 7688],
      ["core-2", "PRIMARY", 7476, 7689],
      ["core-3", "PRIMARY", 7477, 7690],
    ]);
    expect(spec.clustered).toBe(true);
    expect(spec.hostAddress).toBe("127.0.0.1");
    expect(spec.advertisedHost).toBe("localhost");
    expect(spec.onlineBackup).toBe(true);
    expect(spec.prometheusMetrics).toBe(true);
  });

  it("gives secondaries ports after the room for 11 primaries, so a member's ports never depend on the counts", () => {
    const { spec } = planCluster("g", { ...enterprise, primaries: 3, secondaries: 2 });
    expect(spec.members.slice(3).map((m) => [m.name, m.mode, m.hostPorts.http, m.hostPorts.bolt])).toEqual([
      ["g-secondary-1", "SECONDARY", 7486, 7699],
      ["g-secondary-2", "SECONDARY", 7487, 7700],
    ]);
    const grown = planCluster("g", { ...enterprise, primaries: 5, secondaries: 3 }).spec.members;
    const shrunk = planCluster("g", { ...enterprise, primaries: 1, secondaries: 1 }).spec.members;
    for (const before of spec.members)
      for (const after of [...grown, ...shrunk].filter((m) => m.name === before.name))
        expect(after.hostPorts).toEqual(before.hostPorts);
  });

  it.each([
    [{ primaries: 0 }, /primaries must be a whole number from 1 to 11 \(got 0\)/],
    [{ primaries: 12 }, /primaries must be a whole number from 1 to 11 \(got 12\)/],
    [{ primaries: 2.5 }, /primaries must be a whole number/],
    [{ secondaries: -1 }, /secondaries must be a whole number from 0 to 20/],
  ])("refuses member counts Neo4j does not allow: %j", (counts, message) => {
    expect(() => planCluster("core", { ...enterprise, ...counts })).toThrow(message);
  });

  it.each([0, 9, 86_401, 12.5])("refuses a stop grace period Docker and Neo4j cannot use: %j", (seconds) => {
    expect(() => planCluster("core", { ...enterprise, stopGracePeriodSeconds: seconds })).toThrow(
      /^Neo4jCluster "core": stopGracePeriodSeconds must be a whole number from 10 to 86400/,
    );
  });

  it("names the component and the resource in every error", () => {
    expect(() => planCluster("graph", { ...enterprise, primaries: 0 })).toThrow(
      /^Neo4jCluster "graph": primaries/,
    );
  });

  it("refuses an Enterprise image without an explicit license acceptance", () => {
    expect(() => planCluster("core", {})).toThrow(/acceptLicenseAgreement must be "yes" .* or "eval"/);
    expect(() => planCluster("core", { acceptLicenseAgreement: "no" as "yes" })).toThrow(
      /acceptLicenseAgreement must be one of "yes", "eval" \(got "no"\)/,
    );
  });

  it("runs a Community image as one server without asking for a license", () => {
    const { spec } = planCluster("solo", { image: "neo4j:5.26-community" });
    expect(spec.edition).toBe("community");
    expect(spec.members).toHaveLength(1);
    expect(spec.clustered).toBe(false);
    expect(spec.onlineBackup).toBe(false);
    expect(spec.prometheusMetrics).toBe(false);
  });

  it("explains that Community has no clustering, online backup or Prometheus endpoint", () => {
    const community = { image: "neo4j:5.26-community" };
    expect(() => planCluster("solo", { ...community, primaries: 3 })).toThrow(
      /primaries must be 1 for a Community image/,
    );
    expect(() => planCluster("solo", { ...community, secondaries: 1 })).toThrow(/secondaries must be 0/);
    expect(() => planCluster("solo", { ...community, onlineBackup: true })).toThrow(
      /onlineBackup needs an Enterprise image/,
    );
    expect(() => planCluster("solo", { ...community, prometheusMetrics: true })).toThrow(
      /prometheusMetrics needs an Enterprise/,
    );
    expect(() => planCluster("solo", { ...community, discovery: "v2" })).toThrow(
      /discovery applies to Enterprise clusters only/,
    );
  });

  it("warns about an even number of primaries", () => {
    expect(planCluster("core", { ...enterprise, primaries: 4 }).warnings[0]).toMatch(
      /4 primaries tolerate no more failures than 3/,
    );
    expect(planCluster("core", enterprise).warnings).toEqual([]);
  });

  it("refuses colliding host ports and names both owners", () => {
    expect(() => planCluster("core", { ...enterprise, hostPorts: { http: 7687, bolt: 7688 } })).toThrow(
      /hostPorts.http collides with hostPorts.bolt: host port 7688 would be published for both the bolt port of core-1 and the http port of core-2/,
    );
    expect(() => planCluster("core", { ...enterprise, hostPorts: { metrics: 7476 } })).toThrow(
      /hostPorts.http collides with hostPorts.metrics: host port 7476/,
    );
  });

  it("refuses ports out of range, counting every member", () => {
    expect(() => planCluster("core", { ...enterprise, hostPorts: { bolt: 65534 } })).toThrow(
      /hostPorts.bolt must leave room for the members' ports between 1 and 65535 \(got 65534, which needs up to 65536\)/,
    );
    expect(() => planCluster("core", { ...enterprise, secondaries: 1, hostPorts: { bolt: 65530 } })).toThrow(
      /got 65530, which needs up to 65541/,
    );
    expect(() => planCluster("core", { ...enterprise, hostPorts: { http: 0 } })).toThrow(/hostPorts.http/);
  });

  it("refuses to publish backup or metrics ports that are switched off", () => {
    expect(() =>
      planCluster("core", { ...enterprise, onlineBackup: false, hostPorts: { backup: 6362 } }),
    ).toThrow(/hostPorts.backup publishes the online-backup port, but onlineBackup is off/);
  });

  it("publishes backup and metrics ports only when asked", () => {
    const { spec } = planCluster("core", enterprise);
    expect(spec.members[0].hostPorts).toEqual({ http: 7475, bolt: 7688 });
    const published = planCluster("core", { ...enterprise, hostPorts: { backup: 6362, metrics: 2004 } }).spec;
    expect(published.members[2].hostPorts).toEqual({ http: 7477, bolt: 7690, backup: 6364, metrics: 2006 });
  });

  it("refuses names that cannot prefix Docker resources", () => {
    expect(() => planCluster("Core_1", enterprise)).toThrow(/name must be 1-41 lowercase letters/);
  });

  it("refuses versions it cannot render settings for", () => {
    expect(() => planCluster("core", { ...enterprise, image: "neo4j:4.4-enterprise" })).toThrow(
      /image Neo4j 4.4 is not supported/,
    );
    expect(() => planCluster("core", { ...enterprise, image: "neo4j:enterprise" })).toThrow(
      /image tag must carry the Neo4j version/,
    );
    expect(
      planCluster("core", { ...enterprise, image: "neo4j:enterprise", neo4jVersion: "5.26" }).spec.version,
    ).toEqual({
      major: 5,
      minor: 26,
    });
    expect(() => planCluster("core", { ...enterprise, neo4jVersion: "five" })).toThrow(
      /neo4jVersion must look like 5.23/,
    );
  });

  it("chooses discovery by version: v2 from 5.23 unless told, v1 before, v2 only from 5.22 and on calendar versions", () => {
    expect(planCluster("core", enterprise).spec.discovery).toBe("v2");
    expect(planCluster("core", { ...enterprise, discovery: "v1" }).spec.discovery).toBe("v1");
    expect(planCluster("core", { ...enterprise, image: "neo4j:5.22-enterprise" }).spec.discovery).toBe("v1");
    expect(
      planCluster("core", { ...enterprise, image: "neo4j:5.22-enterprise", discovery: "v2" }).spec.discovery,
    ).toBe("v2");
    expect(() =>
      planCluster("core", { ...enterprise, image: "neo4j:5.20-enterprise", discovery: "v2" }),
    ).toThrow(/discovery "v2" needs Neo4j 5.22 or later/);
    expect(planCluster("core", { ...enterprise, image: "neo4j:2025.01-enterprise" }).spec.discovery).toBe(
      "v2",
    );
    expect(() =>
      planCluster("core", { ...enterprise, image: "neo4j:2025.01-enterprise", discovery: "v1" }),
    ).toThrow(/"v1" was removed in Neo4j 2025.01/);
  });

  it("offers Neo4j's two in-between discovery steps from 5.23, for moving a running cluster from v1 to v2", () => {
    const at = (image: string, discovery: string) =>
      planCluster("core", { ...enterprise, image, discovery: discovery as "v1" }).spec.discovery;
    expect(at("neo4j:5.23-enterprise", "v1-over-v2")).toBe("v1-over-v2");
    expect(at("neo4j:5.26-enterprise", "v2-over-v1")).toBe("v2-over-v1");
    expect(() => at("neo4j:5.22-enterprise", "v1-over-v2")).toThrow(
      /discovery "v1-over-v2" moves a running cluster from v1 to v2, which Neo4j supports from 5.23/,
    );
    expect(() => at("neo4j:2025.01-enterprise", "v2-over-v1")).toThrow(
      /discovery "v2-over-v1" runs v1, which was removed in Neo4j 2025.01/,
    );
    expect(() => at("neo4j:5.26-enterprise", "v3")).toThrow(
      /discovery must be one of "v1", "v1-over-v2", "v2-over-v1", "v2"/,
    );
  });

  it("checks addresses, memory sizes and the database name", () => {
    expect(() => planCluster("core", { ...enterprise, hostAddress: "localhost" })).toThrow(
      /hostAddress must be an IPv4/,
    );
    expect(() => planCluster("core", { ...enterprise, hostAddress: "300.1.1.1" })).toThrow(/hostAddress/);
    expect(planCluster("core", { ...enterprise, hostAddress: "192.168.1.5" }).spec.advertisedHost).toBe(
      "192.168.1.5",
    );
    expect(() => planCluster("core", { ...enterprise, advertisedHost: "bad host" })).toThrow(
      /advertisedHost must be a host name/,
    );
    expect(() => planCluster("core", { ...enterprise, extraMetrics: ["*vm.heap.max,*"] })).toThrow(
      /extraMetrics entry "\*vm.heap.max,\*" is not a metric glob/,
    );
    expect(() =>
      planCluster("core", { ...enterprise, prometheusMetrics: false, extraMetrics: ["*vm.heap.max"] }),
    ).toThrow(/extraMetrics enables metrics, but prometheusMetrics is off/);
    // A fraction would become an -Xmx flag the JVM refuses.
    expect(() => planCluster("core", { ...enterprise, pageCacheSize: "1.5g" })).toThrow(
      /pageCacheSize must be a memory size/,
    );
    expect(() => planCluster("core", { ...enterprise, heapSize: "lots" })).toThrow(
      /heapSize must be a memory size: a whole number with a unit k, m or g, such as 512m/,
    );
    expect(() => planCluster("core", { ...enterprise, defaultDatabase: "Bad Name" })).toThrow(
      /defaultDatabase must be/,
    );
  });
});

describe("the license and the advertised address", () => {
  it("refuses eval before 5.5, whose images accept only yes", () => {
    expect(() =>
      planCluster("core", { acceptLicenseAgreement: "eval", image: "neo4j:5.4-enterprise" }),
    ).toThrow(
      /Neo4jCluster "core": acceptLicenseAgreement "eval" needs Neo4j 5.5 or later: earlier images accept only "yes" .*\(the image is 5.4\)/,
    );
    expect(
      planCluster("core", { ...enterprise, image: "neo4j:5.4-enterprise" }).spec.acceptLicenseAgreement,
    ).toBe("yes");
    for (const image of ["neo4j:5.5-enterprise", "neo4j:2025.01-enterprise"])
      expect(planCluster("core", { acceptLicenseAgreement: "eval", image }).spec.acceptLicenseAgreement).toBe(
        "eval",
      );
  });

  it("requires an advertised host for a wildcard bind, where localhost would be wrong for every remote client", () => {
    expect(() => planCluster("core", { ...enterprise, hostAddress: "0.0.0.0" })).toThrow(
      /Neo4jCluster "core": advertisedHost is required when hostAddress is 0.0.0.0/,
    );
    const spec = planCluster("core", {
      ...enterprise,
      hostAddress: "0.0.0.0",
      advertisedHost: "db.example.com",
    }).spec;
    expect([spec.advertisedHost, spec.routesInNetwork]).toEqual(["db.example.com", true]);
  });

  it("routes in the Docker network only when neither the bind nor the advertised host is loopback", () => {
    const routes = (args: object) => planCluster("core", { ...enterprise, ...args }).spec.routesInNetwork;
    expect(routes({})).toBe(false);
    expect(routes({ hostAddress: "192.168.1.5" })).toBe(true);
    expect(routes({ hostAddress: "192.168.1.5", advertisedHost: "localhost" })).toBe(false);
  });

  it("warns when a loopback bind advertises a name that may not resolve to it", () => {
    const { warnings } = planCluster("core", { ...enterprise, advertisedHost: "graph.example.com" });
    expect(warnings).toEqual([
      expect.stringMatching(/advertisedHost graph.example.com .* bound to 127.0.0.1 only/),
    ]);
  });

  it("gives host clients and in-network clients the URI that works for them", () => {
    const uris = (args: object) => clientUris(planCluster("core", { ...enterprise, ...args }).spec);
    expect(uris({})).toEqual({ boltUri: "neo4j://localhost:7688", networkBoltUri: "bolt://core-1:7687" });
    expect(uris({ hostAddress: "0.0.0.0", advertisedHost: "db.example.com" })).toEqual({
      boltUri: "neo4j://db.example.com:7688",
      networkBoltUri: "neo4j://db.example.com:7688",
    });
    expect(clientUris(planCluster("solo", { image: "neo4j:5.26-community" }).spec)).toEqual({
      boltUri: "bolt://localhost:7688",
      networkBoltUri: "bolt://solo-1:7687",
    });
  });
});

describe("checkAdminPassword", () => {
  it("refuses passwords shorter than Neo4j's minimum without echoing them", () => {
    expect(() => checkAdminPassword("core", "short12")).toThrow(
      /adminPassword must be at least 8 characters/,
    );
    try {
      checkAdminPassword("core", "s3cr3t!");
    } catch (e) {
      expect(String(e)).not.toContain("s3cr3t!");
    }
    expect.assertions(2);
  });

  it("refuses a slash, which the image's NEO4J_AUTH format cannot carry", () => {
    expect(() => checkAdminPassword("core", "abc/defghij")).toThrow(/adminPassword must not contain '\/'/);
  });

  it("accepts a long enough password", () => {
    expect(() => checkAdminPassword("core", "correct-horse-battery")).not.toThrow();
  });
});

describe("how the admin password reaches a member", () => {
  const spec = (image: string) => planCluster("core", { acceptLicenseAgreement: "yes", image }).spec;

  it("uses a file from 5.14, where the image learned NEO4J_AUTH_PATH, and on calendar versions", () => {
    expect(authDelivery(spec("neo4j:5.14-enterprise"))).toBe("file");
    expect(authDelivery(spec("neo4j:2025.01-enterprise"))).toBe("file");
    expect(authDeliveryWarning(spec("neo4j:5.23-enterprise"))).toBeUndefined();
  });

  it("falls back to the environment before 5.14, and says what that costs", () => {
    expect(authDelivery(spec("neo4j:5.13-enterprise"))).toBe("environment");
    expect(authDeliveryWarning(spec("neo4j:5.0-enterprise"))).toMatch(/visible to docker inspect/);
  });
});
