import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { byType, recordResources, settle, unwrapSecretInput, unwrapSecrets } from "./support/pulumi-mocks";
import { mavenRepository } from "../helpers/maven-repository";

const recorded = recordResources();
const { Neo4jCluster } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../components") as typeof import("../../components");

interface Upload {
  file: string;
  content?: unknown;
  source?: string;
  sourceHash?: string;
  permissions?: string;
  owner?: string;
}

const apoc = { group: "org.neo4j.procedure", artifact: "apoc-core", version: "5.26.0", classifier: "core" };
const jar = Buffer.from("PK\u0003\u0004 stand-in for apoc-core-5.26.0-core.jar");
let cache: string;
let repo: Awaited<ReturnType<typeof mavenRepository>>;

beforeAll(async () => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), "estate-cache-"));
  process.env.NEO4J_ESTATE_CACHE = cache;
  repo = await mavenRepository(apoc, jar);
});
afterAll(async () => {
  await repo.close();
  delete process.env.NEO4J_ESTATE_CACHE;
  fs.rmSync(cache, { recursive: true, force: true });
});
afterEach(async () => {
  await settle();
  recorded.splice(0);
});

async function member(name: string) {
  // The jar is fetched before the container registers: wait for it.
  for (
    let i = 0;
    i < 50 && !byType(recorded, "docker:index/container:Container").some((r) => r.name === name);
    i++
  )
    await settle();
  const found = byType(recorded, "docker:index/container:Container").find((r) => r.name === name)!;
  return found.inputs as { envs: string[]; uploads: unknown };
}

describe("Neo4jCluster with plugins and licence files, under the mock runtime", () => {
  it("uploads the fetched jar into /plugins of every member by path and hash, not by content", async () => {
    new Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
      plugins: [{ name: "apoc", version: "5.26.0" }],
      pluginRepository: repo.url,
    });
    const c = await member("solo-1");
    const uploads = unwrapSecrets(c.uploads) as Upload[];
    expect(uploads.find((u) => u.file === "/plugins/apoc-core-5.26.0-core.jar")).toEqual({
      file: "/plugins/apoc-core-5.26.0-core.jar",
      source: path.join(
        cache,
        "maven",
        "org",
        "neo4j",
        "procedure",
        "apoc-core",
        "5.26.0",
        "apoc-core-5.26.0-core.jar",
      ),
      sourceHash: createHash("sha256").update(jar).digest("hex"),
      permissions: "0444",
      owner: "7474",
      group: "7474",
    });
    expect(c.envs).toEqual(
      expect.arrayContaining([
        "NEO4J_server_directories_plugins=/plugins",
        "NEO4J_dbms_security_procedures_allowlist=apoc.*",
        "NEO4J_dbms_security_procedures_unrestricted=apoc.*",
      ]),
    );
    expect(c.envs.filter((e) => e.startsWith("NEO4J_PLUGINS"))).toEqual([]);
  });

  it("uploads licence files as secrets readable by Neo4j's user alone", async () => {
    new Neo4jCluster("core", {
      acceptLicenseAgreement: "yes",
      adminPassword: "password123",
      licenses: { "gds.license": "the licence" },
      settings: { "gds.enterprise.license_file": "/licenses/gds.license" },
    });
    const c = await member("core-2");
    // A secret among the uploads makes them secret as a whole, in state and in preview diffs.
    const uploads = unwrapSecretInput(c.uploads) as Upload[];
    expect(uploads.find((u) => u.file === "/licenses/gds.license")).toMatchObject({
      content: "the licence",
      permissions: "0400",
      owner: "7474",
    });
    expect(c.envs).toContain("NEO4J_server_directories_licenses=/licenses");
  });

  it("accepts the settings a known plugin declares, which Neo4j's catalog alone would refuse", async () => {
    const bloom = path.join(cache, "bloom.jar");
    fs.writeFileSync(bloom, jar);
    const sha256 = createHash("sha256").update(jar).digest("hex");
    expect(
      () =>
        new Neo4jCluster("core", {
          acceptLicenseAgreement: "yes",
          adminPassword: "password123",
          plugins: [{ name: "bloom", version: "2.15.0", file: bloom, sha256 }],
          settings: { "dbms.bloom.license_file": "/licenses/bloom.license" },
          licenses: { "bloom.license": "x" },
        }),
    ).not.toThrow();
    expect(
      () =>
        new Neo4jCluster("core2", {
          acceptLicenseAgreement: "yes",
          adminPassword: "password123",
          settings: { "dbms.bloom.license_file": "/licenses/bloom.license" },
        }),
    ).toThrow(/settings\["dbms.bloom.license_file"\] is refused/);
  });

  it("refuses a local jar that is missing or not the one pinned, before anything registers", () => {
    const file = path.join(cache, "other.jar");
    fs.writeFileSync(file, "not the jar");
    for (const [jarFile, message] of [
      [
        path.join(cache, "missing.jar"),
        /plugins\[0\] \(bloom 2.15.0\) cannot be had: .*missing.jar does not exist on this machine/,
      ],
      [
        file,
        /plugins\[0\] \(bloom 2.15.0\) cannot be had: .*other.jar: SHA-256 [0-9a-f]{64} does not match the pinned c{64}/,
      ],
    ] as const)
      expect(
        () =>
          new Neo4jCluster("solo", {
            image: "neo4j:5.26-community",
            adminPassword: "password123",
            plugins: [{ name: "bloom", version: "2.15.0", file: jarFile, sha256: "c".repeat(64) }],
          }),
      ).toThrow(message);
    expect(recorded).toEqual([]);
  });
});
