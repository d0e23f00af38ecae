import { DeployedShape, judgeChange, judgeMembers } from "../../components/neo4j/changes";

const cluster = (image: string, discovery: DeployedShape["discovery"] = "v1"): DeployedShape => {
  const tag = image.split(":")[1];
  return {
    image,
    neo4jVersion: tag.split("-")[0],
    edition: tag.includes("enterprise") ? "enterprise" : "community",
    clustered: true,
    discovery,
  };
};
const judge = (from: DeployedShape, to: DeployedShape) => judgeChange("core", from, to);

describe("judgeChange: image upgrades", () => {
  it("rolls patch and minor upgrades within 5.x, and says so", () => {
    const patch = judge(cluster("neo4j:5.26.0-enterprise"), cluster("neo4j:5.26.1-enterprise"));
    expect(patch.refusal).toBeUndefined();
    expect(patch.summary).toEqual([
      "Neo4j 5.26.0 -> 5.26.1 is a patch upgrade, which Neo4j supports as a rolling upgrade: members are replaced one at a time, each back in the cluster before the next",
    ]);
    const minor = judge(cluster("neo4j:5.23-enterprise"), cluster("neo4j:5.26-enterprise"));
    expect(minor.refusal).toBeUndefined();
    expect(minor.summary[0]).toMatch(/^Neo4j 5.23 -> 5.26 is a minor upgrade/);
  });

  it("rolls 5.26 LTS on discovery v2 to a calendar version, and calendar versions forward", () => {
    const lts = judge(cluster("neo4j:5.26-enterprise", "v2"), cluster("neo4j:2025.01-enterprise", "v2"));
    expect(lts.refusal).toBeUndefined();
    expect(lts.summary[0]).toMatch(/is the upgrade from 5.26 LTS to a calendar version/);
    const calendar = judge(
      cluster("neo4j:2025.01-enterprise", "v2"),
      cluster("neo4j:2025.06-enterprise", "v2"),
    );
    expect(calendar.refusal).toBeUndefined();
  });

  it("refuses 5.x to 2025.x with discovery v1 still on, with the steps through Neo4j's two in-between modes", () => {
    const { refusal } = judge(
      cluster("neo4j:5.26-enterprise", "v1"),
      cluster("neo4j:2025.01-enterprise", "v2"),
    );
    expect(refusal?.field).toBe("image");
    expect(refusal?.message).toBe(
      [
        'Neo4jCluster "core": image neo4j:5.26-enterprise -> neo4j:2025.01-enterprise (Neo4j 5.26 -> 2025.01) cannot be applied to the running cluster: the cluster still runs discovery v1, and discovery v1 is gone from 2025.01 on',
        "The way there:",
        '  1. set discovery: "v1-over-v2" and run pulumi up (members restart one at a time)',
        '  2. set discovery: "v2-over-v1" and run pulumi up (members restart one at a time)',
        '  3. set discovery: "v2" and run pulumi up (members restart one at a time)',
        "  4. then set image to neo4j:2025.01-enterprise and run pulumi up: a rolling upgrade",
      ].join("\n"),
    );
  });

  it("sends 5.x before 5.26 through 5.26 LTS first", () => {
    const { refusal } = judge(
      cluster("neo4j:5.23-enterprise", "v2"),
      cluster("neo4j:2025.01-enterprise", "v2"),
    );
    expect(refusal?.message).toMatch(/Neo4j upgrades to calendar versions only from 5.26 LTS/);
    expect(refusal?.message).toMatch(
      /1\. set image to the 5.26 image of the same edition \(for example neo4j:5.26-enterprise\)/,
    );
    expect(refusal?.message).toMatch(/2\. then set image to neo4j:2025.01-enterprise/);
    const both = judge(cluster("neo4j:5.23-enterprise", "v1"), cluster("neo4j:2025.02-enterprise", "v2"));
    expect(both.refusal?.message.split("\n").filter((l) => /^ {2}\d\./.test(l))).toHaveLength(5);
  });

  it("lets a single server go from 5.26 to a calendar version: it has no discovery to move", () => {
    const solo = (image: string): DeployedShape => ({ ...cluster(image, "v1"), clustered: false });
    expect(judge(solo("neo4j:5.26-community"), solo("neo4j:2025.01-community")).refusal).toBeUndefined();
  });

  it("refuses downgrades, but reads a tag without a patch as the same release line", () => {
    const down = judge(cluster("neo4j:5.26.1-enterprise"), cluster("neo4j:5.26.0-enterprise"));
    expect(down.refusal?.message).toMatch(
      /that is a downgrade; Neo4j cannot open a store a newer version has written/,
    );
    expect(down.refusal?.message).toMatch(/1\. set image back to neo4j:5.26.1-enterprise/);
    expect(
      judge(cluster("neo4j:2025.06-enterprise", "v2"), cluster("neo4j:2025.01-enterprise", "v2")).refusal,
    ).toBeDefined();
    expect(
      judge(cluster("neo4j:5.26.3-enterprise"), cluster("neo4j:5.26-enterprise")).refusal,
    ).toBeUndefined();
  });

  it("refuses Enterprise to Community, and Community to Enterprise straight into a cluster", () => {
    const solo = (image: string, clustered = false): DeployedShape => ({ ...cluster(image), clustered });
    expect(judge(solo("neo4j:5.26-enterprise"), solo("neo4j:5.26-community")).refusal?.message).toMatch(
      /Neo4j Community cannot open the stores of Neo4j Enterprise/,
    );
    const up = judge(solo("neo4j:5.26-community"), solo("neo4j:5.26-enterprise"));
    expect(up.refusal).toBeUndefined();
    expect(up.summary[0]).toMatch(/Community to Enterprise, which Neo4j supports in place/);
    expect(judge(solo("neo4j:5.26-community"), solo("neo4j:5.26-enterprise", true)).refusal?.message).toMatch(
      /a standalone server becomes a cluster only offline/,
    );
  });

  it("refuses turning a single server into a cluster or back", () => {
    const solo = { ...cluster("neo4j:5.26-enterprise"), clustered: false };
    expect(judge(solo, cluster("neo4j:5.26-enterprise")).refusal?.message).toMatch(
      /going from a single server to a cluster cannot be applied/,
    );
  });
});

describe("judgeChange: discovery", () => {
  it("takes one of Neo4j's steps between v1 and v2 at a time, in either direction", () => {
    const at = (d: DeployedShape["discovery"]) => cluster("neo4j:5.26-enterprise", d);
    expect(judge(at("v1"), at("v1-over-v2")).summary).toEqual([
      "discovery v1 -> v1-over-v2: one of Neo4j's steps between discovery v1 and v2; members restart one at a time",
    ]);
    expect(judge(at("v2"), at("v2-over-v1")).refusal).toBeUndefined();
    const jump = judge(at("v1"), at("v2")).refusal;
    expect(jump?.field).toBe("discovery");
    expect(jump?.message).toMatch(/discovery v1 -> v2 cannot be applied to the running cluster/);
    expect(jump?.message.match(/set discovery: "[^"]+"/g)).toEqual([
      'set discovery: "v1-over-v2"',
      'set discovery: "v2-over-v1"',
      'set discovery: "v2"',
    ]);
    expect(judge(at("v2"), at("v1")).refusal?.message.match(/set discovery: "[^"]+"/g)).toEqual([
      'set discovery: "v2-over-v1"',
      'set discovery: "v1-over-v2"',
      'set discovery: "v1"',
    ]);
  });

  it("refuses a discovery step and an upgrade in the same pulumi up", () => {
    const { refusal } = judge(
      cluster("neo4j:5.26.0-enterprise", "v1"),
      cluster("neo4j:5.26.1-enterprise", "v1-over-v2"),
    );
    expect(refusal?.field).toBe("discovery");
    expect(refusal?.message).toMatch(
      /1\. first the image neo4j:5.26.0-enterprise -> neo4j:5.26.1-enterprise alone, with discovery: "v1"/,
    );
  });
});

describe("judgeMembers", () => {
  const formation = { seeds: ["core-1", "core-2", "core-3"], primaries: 3, secondaries: 0 };
  const primaries = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `core-${i + 1}`, mode: "PRIMARY" as const }));

  it("adds and removes members beyond the formation, and says what Neo4j does for each", () => {
    const grow = judgeMembers("core", formation, primaries(3), primaries(4));
    expect(grow.refusal).toBeUndefined();
    expect(grow.summary).toEqual([
      "core-4 (PRIMARY) is added: created, then enabled in the cluster once it joins; no existing member changes",
    ]);
    const shrink = judgeMembers("core", formation, primaries(4), primaries(3));
    expect(shrink.refusal).toBeUndefined();
    expect(shrink.summary[0]).toMatch(
      /^core-4 \(PRIMARY\) is removed: its databases move to other members \(DEALLOCATE DATABASES FROM SERVER\), it leaves the cluster \(DROP SERVER\), then its container stops/,
    );
  });

  it("refuses removing a primary the cluster formed with", () => {
    const { refusal } = judgeMembers("core", formation, primaries(4), primaries(2));
    expect(refusal?.field).toBe("primaries");
    expect(refusal?.message).toMatch(/^Neo4jCluster "core": removing core-3 cannot be applied/);
    expect(refusal?.message).toMatch(/keep primaries at 3 or more/);
  });
});
