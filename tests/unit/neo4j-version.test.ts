import { compareVersions, parseImage, parseVersion, unsupportedReason } from "../../components/neo4j/version";

describe("parseImage", () => {
  it("reads version and edition from the official tags", () => {
    expect(parseImage("neo4j:5.23-enterprise")).toMatchObject({
      edition: "enterprise",
      version: { major: 5, minor: 23 },
    });
    expect(parseImage("neo4j:5.26.3-community-bullseye")).toMatchObject({
      edition: "community",
      version: { major: 5, minor: 26, patch: 3 },
    });
    expect(parseImage("neo4j:2025.01-enterprise")).toMatchObject({
      edition: "enterprise",
      version: { major: 2025, minor: 1 },
    });
  });

  it("treats an image without an edition suffix as Community, as the official image does", () => {
    expect(parseImage("neo4j:5.23").edition).toBe("community");
  });

  it("keeps registry ports apart from the tag", () => {
    expect(parseImage("registry.local:5000/neo4j:5.24-enterprise")).toMatchObject({
      tag: "5.24-enterprise",
      version: { major: 5, minor: 24 },
    });
  });

  it("reports tag parts that are neither version, edition nor base-image variant, so typos are not read as Community", () => {
    expect(parseImage("neo4j:5.26-enterpise")).toMatchObject({
      unknownTagParts: ["enterpise"],
      edition: "community",
    });
    expect(parseImage("neo4j:5.26.3-enterprise-ubi9")).toMatchObject({
      unknownTagParts: [],
      editionInTag: "enterprise",
    });
    expect(parseImage("neo4j-estate/neo4j:5.26.30-community")).toMatchObject({
      unknownTagParts: [],
      editionInTag: "community",
      version: { major: 5, minor: 26, patch: 30 },
    });
    expect(parseImage("neo4j:5-enterprise")).toMatchObject({
      unknownTagParts: [],
      editionInTag: "enterprise",
    });
    expect(parseImage("neo4j:5-enterprise").version).toBeUndefined();
    expect(parseImage("registry.example.com/neo4j:prod-2")).toMatchObject({ unknownTagParts: ["prod", "2"] });
  });

  it("leaves the version unknown for tags that do not carry one", () => {
    expect(parseImage("neo4j:enterprise").version).toBeUndefined();
    expect(parseImage("neo4j").version).toBeUndefined();
    expect(parseImage("neo4j@sha256:abc").version).toBeUndefined();
  });
});

describe("versions", () => {
  it("orders calendar versions after every 5.x", () => {
    expect(compareVersions(parseVersion("2025.01")!, parseVersion("5.26")!)).toBeGreaterThan(0);
    expect(compareVersions(parseVersion("5.9")!, parseVersion("5.23")!)).toBeLessThan(0);
  });

  it("refuses versions the library cannot render settings for", () => {
    expect(unsupportedReason(parseVersion("4.4")!)).toMatch(/targets Neo4j 5/);
    expect(unsupportedReason(parseVersion("5.27")!)).toMatch(/5\.26 is the last/);
    expect(unsupportedReason(parseVersion("2025.13")!)).toMatch(/not a calendar version/);
    expect(unsupportedReason(parseVersion("5.23")!)).toBeUndefined();
    expect(unsupportedReason(parseVersion("2026.02")!)).toBeUndefined();
  });
});
