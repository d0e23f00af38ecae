import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { recordResources, settle } from "./support/pulumi-mocks";

const recorded = recordResources();
const ROOT = path.resolve(__dirname, "../..");

/** The SDK's own package-manifest lookup, which cmd/run uses (internal, so untyped). */
interface ManifestModule {
  searchupPackageManifest(dir: string): string | undefined;
  readPackageManifest(dir: string): { data: { exports?: unknown; main?: string } };
}
const MANIFEST = "@pulumi/pulumi/runtime/manifest";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readPackageManifest, searchupPackageManifest } = require(MANIFEST) as ManifestModule;

/**
 * The file Pulumi's Node.js host runs for a project, as @pulumi/pulumi's cmd/run decides it: the
 * language host passes Pulumi.yaml's `main` (or `.` without one); without one, the nearest
 * package.json's `exports` or `main` wins when that file exists. `exists` lets a test say which
 * files exist, such as the library's `bin/index.js` after `npm run build`.
 */
function programPulumiRuns(projectDir: string, exists: (file: string) => boolean): string {
  const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { main?: string };
  let program = path.join(projectDir, project.main ?? ".");
  if (project.main === undefined) {
    const manifest = searchupPackageManifest(projectDir);
    const packageRoot = manifest ? path.dirname(manifest) : projectDir;
    const pkg = readPackageManifest(packageRoot).data;
    const entry = typeof pkg.exports === "string" ? pkg.exports : pkg.main;
    if (entry && exists(path.join(packageRoot, entry))) program = path.join(packageRoot, entry);
  }
  // A directory runs its index file, as `node <dir>` does.
  return fs.existsSync(program) && fs.statSync(program).isDirectory()
    ? path.join(program, "index.ts")
    : program;
}

/** As after `npm run build`: the library's own entry point exists. */
const afterBuild = (file: string) => file === path.join(ROOT, "bin/index.js") || fs.existsSync(file);

/**
 * Every example is a real Pulumi program: run each under the mock runtime, the file Pulumi's host
 * would run, with the config its README sets, and check that it builds its resources and exports
 * what its README reads.
 */
function runExample(dir: string): Record<string, unknown> {
  pulumi.runtime.setAllConfig({ "project:acceptLicenseAgreement": "eval" });
  const projectDir = dir === "full" ? ROOT : path.join(ROOT, "examples", dir);
  const file = programPulumiRuns(projectDir, afterBuild);
  let program: Record<string, unknown> = {};
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = require(file);
  });
  return program;
}

const types = () => new Set(recorded.map((r) => r.type));

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

describe("the example programs", () => {
  it.each(["cluster", "rbac", "backup", "monitoring"])(
    "examples/%s names the file it runs, so a built library never runs in its place",
    (dir) => {
      const projectDir = path.join(ROOT, "examples", dir);
      expect(programPulumiRuns(projectDir, afterBuild)).toBe(path.join(projectDir, "index.ts"));
    },
  );

  it("runs the full example from the repository root", () => {
    expect(programPulumiRuns(ROOT, afterBuild)).toBe(path.join(ROOT, "examples/full/index.ts"));
  });

  it.each([
    ["cluster", ["boltUri", "browserUrls", "adminPassword"], ["docker:index/container:Container"]],
    ["rbac", ["boltUri", "users", "roles"], ["pulumi-nodejs:dynamic:Resource"]],
    ["backup", ["boltUri", "backupLocation", "restoreCommand"], ["docker:index/container:Container"]],
    ["monitoring", ["prometheusUrl", "grafanaUrl", "grafanaPassword"], ["docker:index/container:Container"]],
    [
      "full",
      ["boltUri", "userPasswords", "grafanaUrl", "backupNowCommand", "restoreCommand"],
      ["pulumi-nodejs:dynamic:Resource", "neo4j-estate:index:Neo4jEnterprise"],
    ],
  ])(
    "examples/%s builds its estate and exports what its README reads",
    async (dir, outputs, expectedTypes) => {
      const program = runExample(dir);
      for (const name of outputs) expect(program[name]).toBeDefined();
      await settle();
      for (const type of expectedTypes) expect(types()).toContain(type);
    },
  );

  it("refuses to run without the license acceptance", () => {
    pulumi.runtime.setAllConfig({});
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require("../../examples/full/index")).toThrow(/acceptLicenseAgreement/);
    });
  });
});
