import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { argChecks } from "../../components/neo4j/checks";
import { planLicenses, planPlugins, pluginSettings, licenseSettings } from "../../components/neo4j/plugins";
import { parseVersion } from "../../components/neo4j/version";
import { checkLocalJar, fetchMavenJar } from "../../components/common/maven";
import { mavenRepository } from "../helpers/maven-repository";

const check = argChecks("Neo4jCluster", "core");
const v526 = parseVersion("5.26")!;

describe("planPlugins", () => {
  it("knows APOC Core by name: Maven Central's self-contained jar, its namespace allowed and unrestricted", () => {
    const [apoc] = planPlugins([{ name: "apoc", version: "5.26.0" }], v526, check);
    expect(apoc).toMatchObject({
      source: { kind: "maven", group: "org.neo4j.procedure", artifact: "apoc-core", classifier: "core" },
      jarName: "apoc-core-5.26.0-core.jar",
      procedures: ["apoc.*"],
      unrestricted: ["apoc.*"],
    });
  });

  it("allow-lists exactly the plugins' procedures, so nothing else in /plugins loads", () => {
    const plugins = planPlugins(
      [
        { name: "apoc", version: "5.26.0", unrestricted: [] },
        {
          name: "my-procedures",
          version: "1.2.0",
          maven: "org.example:my-procedures",
          procedures: ["example.*", "apoc.*"],
        },
      ],
      v526,
      check,
    );
    expect(pluginSettings(plugins)).toEqual({
      "server.directories.plugins": "/plugins",
      "dbms.security.procedures.allowlist": "apoc.*,example.*",
    });
    expect(pluginSettings([])).toEqual({});
  });

  it("takes a local jar pinned by its SHA-256, for plugins that are not on Maven Central", () => {
    const sha256 = "a".repeat(64);
    const [bloom] = planPlugins(
      [{ name: "bloom", version: "2.15.0", file: "/srv/bloom.jar", sha256 }],
      v526,
      check,
    );
    expect(bloom.source).toEqual({ kind: "file", path: "/srv/bloom.jar", sha256 });
    expect(pluginSettings([bloom])["server.unmanaged_extension_classes"]).toBe(
      "com.neo4j.bloom.server=/browser/bloom",
    );
  });

  it.each([
    [
      [{ name: "apoc", version: "5.25.1" }],
      /plugins\[0\].version is 5.25.1, built for Neo4j 5.25; apoc loads only on the Neo4j version it was built for, so use a 5.26.x version/,
    ],
    [
      [
        { name: "apoc", version: "5.26.0" },
        { name: "apoc", version: "5.26.1" },
      ],
      /plugins\[1\] repeats plugins\[0\] \(apoc\)/,
    ],
    [
      [{ name: "gds", version: "2.6.0" }],
      /plugins\[0\] names "gds", which is not on Maven Central or not known/,
    ],
    [[{ name: "graph-data-science", version: "2.13.0" }], /give maven coordinates or a file/],
    [
      [{ name: "bloom", version: "2.15.0", file: "/srv/bloom.jar" }],
      /plugins\[0\].sha256 is required with file/,
    ],
    [
      [{ name: "x", version: "1.0", maven: "org.example:x" }],
      /plugins\[0\].procedures is required for a plugin this library does not know/,
    ],
    [
      [{ name: "x", version: "1.0", maven: "org.example", procedures: ["x.*"] }],
      /plugins\[0\].maven must be group:artifact/,
    ],
    [
      [{ name: "apoc", version: "5.26.0", procedures: ["apoc.*; DROP"] }],
      /plugins\[0\].procedures\[0\] must be a procedure or function name/,
    ],
    [
      [{ name: "apoc", version: "5.26.0", sha256: "ABC" }],
      /plugins\[0\].sha256 must be 64 lowercase hex digits/,
    ],
    [
      [{ name: "apoc", versoin: "5.26.0" }],
      /plugins\[0\].versoin is not a field of plugins\[0\]; did you mean version\?/,
    ],
  ])("refuses %j", (plugins, message) => {
    expect(() => planPlugins(plugins, v526, check)).toThrow(message);
  });
});

describe("licence files", () => {
  it("go to /licenses under their own names", () => {
    expect(planLicenses({ "gds.license": "secret", "bloom.license": "secret" }, check)).toEqual([
      "gds.license",
      "bloom.license",
    ]);
    expect(licenseSettings(["gds.license"])).toEqual({ "server.directories.licenses": "/licenses" });
  });

  it("refuse names that are not plain file names", () => {
    expect(() => planLicenses({ "../etc/passwd": "x" }, check)).toThrow(
      /licenses\["..\/etc\/passwd"\] must be a plain file name/,
    );
  });
});

describe("fetching plugin jars", () => {
  const artifact = { group: "org.example", artifact: "demo", version: "1.0.0", classifier: "core" };
  const jar = Buffer.from("PK\u0003\u0004 a jar, as far as this test is concerned");
  const sha256 = createHash("sha256").update(jar).digest("hex");
  let cache: string;
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), "estate-cache-"));
    process.env.NEO4J_ESTATE_CACHE = cache;
  });
  afterEach(() => {
    delete process.env.NEO4J_ESTATE_CACHE;
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it("downloads once, checks the repository's SHA-1, and serves the cache afterwards", async () => {
    const repo = await mavenRepository(artifact, jar);
    try {
      const first = await fetchMavenJar(repo.url, artifact);
      expect(first).toEqual({
        path: path.join(cache, "maven", "org", "example", "demo", "1.0.0", "demo-1.0.0-core.jar"),
        sha256,
      });
      expect(fs.readFileSync(first.path)).toEqual(jar);
      const second = await fetchMavenJar(repo.url, artifact, sha256);
      expect(second).toEqual(first);
      expect(repo.requests).toHaveLength(2);
    } finally {
      await repo.close();
    }
  });

  it("refuses a jar whose SHA-1 is not the repository's, and keeps nothing of it", async () => {
    const repo = await mavenRepository(artifact, jar, { wrongSha1: true });
    try {
      await expect(fetchMavenJar(repo.url, artifact)).rejects.toThrow(
        /org.example:demo:1.0.0:core: SHA-1 [0-9a-f]{40} does not match the [0-9a-f]{40} the repository publishes/,
      );
      expect(fs.readdirSync(path.join(cache, "maven", "org", "example", "demo", "1.0.0"))).toEqual([]);
    } finally {
      await repo.close();
    }
  });

  it("refuses a jar that is not the one pinned, even from the cache", async () => {
    const repo = await mavenRepository(artifact, jar);
    try {
      await fetchMavenJar(repo.url, artifact);
      await expect(fetchMavenJar(repo.url, artifact, "0".repeat(64))).rejects.toThrow(
        /SHA-256 [0-9a-f]{64} does not match the pinned 0{64}/,
      );
    } finally {
      await repo.close();
    }
  });

  it("says which artifact is missing", async () => {
    const repo = await mavenRepository(artifact, jar);
    try {
      await expect(fetchMavenJar(repo.url, { ...artifact, version: "9.9.9" })).rejects.toThrow(
        /answered 404/,
      );
    } finally {
      await repo.close();
    }
  });

  it("checks a local jar against its pinned SHA-256", () => {
    const file = path.join(cache, "bloom.jar");
    fs.writeFileSync(file, jar);
    expect(checkLocalJar(file, sha256)).toEqual({ path: file, sha256 });
    expect(() => checkLocalJar(file, "1".repeat(64))).toThrow(/does not match the pinned/);
    expect(() => checkLocalJar(`${file}.missing`, sha256)).toThrow(/does not exist on this machine/);
  });
});
