import {
  argChecks,
  closestName,
  formatDuration,
  formatSize,
  orDefault,
  parseDuration,
  parseSize,
  shown,
} from "../../components/neo4j/checks";

const check = argChecks("Neo4jCluster", "graph");
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
};

describe("argument checkers", () => {
  it('name the component, the resource and the field, and show strings quoted so 3 and "3" differ', () => {
    expect(messageOf(() => check.wholeNumber("primaries", "3", { min: 1, max: 11 }))).toBe(
      'Neo4jCluster "graph": primaries must be a whole number from 1 to 11 (got "3")',
    );
    expect(messageOf(() => check.wholeNumber("primaries", 2.5, { min: 1 }))).toBe(
      'Neo4jCluster "graph": primaries must be a whole number, at least 1 (got 2.5)',
    );
    expect(check.wholeNumber("primaries", 3, { min: 1, max: 11 })).toBe(3);
  });

  it("refuse NaN and infinities as numbers", () => {
    for (const bad of [NaN, Infinity, -Infinity, "0.5"])
      expect(() => check.number("ratio", bad, { min: 0, max: 1 })).toThrow(
        /ratio must be a number from 0 to 1/,
      );
  });

  it('take only real booleans: the string "false" is truthy and must not mean on', () => {
    expect(messageOf(() => check.boolean("onlineBackup", "false"))).toBe(
      'Neo4jCluster "graph": onlineBackup must be true or false (got "false")',
    );
    expect(check.boolean("onlineBackup", false)).toBe(false);
  });

  it("list the accepted values of an enum and suggest the closest", () => {
    expect(messageOf(() => check.oneOf("discovery", "v3", ["v1", "v2"]))).toBe(
      'Neo4jCluster "graph": discovery must be one of "v1", "v2"; did you mean "v1"? (got "v3")',
    );
    expect(check.oneOf("discovery", "v2", ["v1", "v2"])).toBe("v2");
  });

  it("refuse unknown keys in an object argument, suggesting the one that was meant", () => {
    expect(messageOf(() => check.object("", { primary: 3 }, ["primaries", "secondaries"]))).toBe(
      'Neo4jCluster "graph": primary is not an argument of Neo4jCluster; did you mean primaries?',
    );
    expect(messageOf(() => check.object("hostPorts", { blot: 1 }, ["bolt", "http"]))).toMatch(
      /hostPorts.blot is not a field of hostPorts; did you mean bolt\?/,
    );
    expect(messageOf(() => check.object("hostPorts", [7687], ["bolt"]))).toMatch(
      /hostPorts must be an object \(got \[7687\]\)/,
    );
  });

  it("refuse a Pulumi Output or Promise where the value must be known at preview", () => {
    expect(() => check.plain("primaries", Promise.resolve(3))).toThrow(
      /primaries must be a plain value, not a Pulumi Output or Promise/,
    );
    expect(shown({ apply: () => 1 })).toBe("a Pulumi Output or Promise");
  });

  it("keep defaults for arguments left out, and check the ones given", () => {
    expect(orDefault(undefined, 3, (v) => check.wholeNumber("primaries", v, { min: 1 }))).toBe(3);
    expect(() => orDefault(null, 3, (v) => check.wholeNumber("primaries", v, { min: 1 }))).toThrow(
      /got null/,
    );
  });

  it("check string maps value by value", () => {
    expect(messageOf(() => check.stringMap("labels", { team: 7 }, "label values"))).toBe(
      'Neo4jCluster "graph": labels["team"] must be a string (got 7)',
    );
  });
});

describe("durations", () => {
  it("read Prometheus's grammar: largest unit first, each unit once", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1w2d")).toBe(9 * 86_400_000);
    expect(parseDuration("250ms")).toBe(250);
    for (const bad of ["", "30m1h", "1m1m", "1 h", "-5m", "1.5h", "15", "5M"])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it("print back as the shortest text", () => {
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(400 * 86_400_000)).toBe("400d");
    expect(formatDuration(14 * 86_400_000)).toBe("2w");
  });

  it("refuse zero, negative and out-of-range values, saying the range", () => {
    expect(messageOf(() => check.duration("scrapeInterval", "0s", { min: "1s", max: "1h" }, "15s"))).toBe(
      'Neo4jCluster "graph": scrapeInterval must be a duration such as 15s (units ms, s, m, h, d, w, y, largest first) from 1s to 1h (got "0s")',
    );
    expect(() => check.duration("x", "-5m", { min: "1s" }, "15s")).toThrow(/at least 1s \(got "-5m"\)/);
    expect(check.duration("x", "1m", { min: "1s" }, "15s")).toBe(60_000);
  });
});

describe("memory sizes", () => {
  it("read k, m and g, in either case, and nothing else", () => {
    expect(parseSize("512m")).toBe(512 * 1024 ** 2);
    expect(parseSize("2G")).toBe(2 * 1024 ** 3);
    for (const bad of ["1.5g", "512", "1 g", "lots", "1t", "-1g"]) expect(parseSize(bad)).toBeUndefined();
    expect(formatSize(1024 ** 3)).toBe("1g");
  });

  it("refuse sizes no host has, and sizes too small to mean anything", () => {
    expect(messageOf(() => check.size("heapSize", "999999g"))).toBe(
      'Neo4jCluster "graph": heapSize must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from 1m to 65536g (got "999999g")',
    );
    expect(() => check.size("heapSize", "0g")).toThrow(/heapSize must be a memory size/);
    expect(() => check.size("heapSize", 512)).toThrow(/\(got 512\)/);
    expect(check.size("heapSize", "2g")).toBe(2 * 1024 ** 3);
  });
});

describe("host directories", () => {
  it.each([
    ["/", "is the root directory"],
    ["/etc", "is inside the system directory /etc"],
    ["/etc/neo4j", "is inside the system directory /etc"],
    ["/usr/local/backups", "is inside the system directory /usr"],
    ["/var/lib/docker/volumes/x", "is inside the system directory /var/lib/docker"],
    ["/proc/1", "is inside the system directory /proc"],
    ["/home", "is the shared directory /home itself"],
    ["/var/", "is the shared directory /var itself"],
    ["//tmp//", "is the shared directory /tmp itself"],
  ])("refuse %j", (path, problem) => {
    expect(messageOf(() => check.hostDirectory("hostPath", path))).toBe(
      `Neo4jCluster "graph": hostPath ${problem}: use a directory of its own such as /srv/neo4j-backups, since the directory is handed to the container's user (got ${JSON.stringify(path)})`,
    );
  });

  it.each(["backups", "/srv/../etc", "/srv/a,b", "/srv/a:b", "", 42])(
    "refuse %j as not an absolute path",
    (path) => {
      expect(() => check.hostDirectory("hostPath", path)).toThrow(
        /hostPath must be an absolute host directory/,
      );
    },
  );

  it("accept and normalise a directory of its own", () => {
    expect(check.hostDirectory("hostPath", "/srv/neo4j-backups/")).toBe("/srv/neo4j-backups");
    expect(check.hostDirectory("hostPath", "/home/ops//backups")).toBe("/home/ops/backups");
    expect(check.hostDirectory("hostPath", "/var/backups/neo4j")).toBe("/var/backups/neo4j");
  });
});

describe("closestName", () => {
  it("suggests names a typo, a swap or a truncation away", () => {
    expect(closestName("primary", ["primaries", "secondaries"])).toBe("primaries");
    expect(closestName("blot", ["http", "bolt"])).toBe("bolt");
    expect(closestName("monitor", ["cluster", "monitoring"])).toBe("monitoring");
    expect(closestName("enterpise", ["enterprise", "community"])).toBe("enterprise");
  });

  it("suggests nothing rather than something wrong", () => {
    expect(closestName("uri", ["roles", "users", "waitTimeoutSeconds"])).toBeUndefined();
    expect(closestName("zzz", ["primaries"])).toBeUndefined();
  });
});
