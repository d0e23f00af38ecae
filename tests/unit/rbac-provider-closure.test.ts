import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { passwordHash } from "../../components/rbac/engine";
import { RbacProviderInputs, RbacProviderOutputs, rbacProvider } from "../../components/rbac/provider";

/**
 * Measured with @pulumi/pulumi 3.270 on tsc's and ts-jest's output: 74 KB, most of it the
 * privilege parser's tables (esbuild's output, as tsx runs it, serializes to 92 KB). The bound
 * leaves room for growth, not for a dependency's source being inlined.
 */
const MAX_SERIALIZED_CHARS = 100_000;

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Loads serialized provider text the way Pulumi's Node dynamic-provider host does
 * (`requireFromString(text).handler()`), in a fresh Node process with nothing else loaded, and calls
 * its pure `diff`: a capture that cannot be rebuilt, or a method lost, fails here.
 */
const HOST = `
const fs = require("fs");
const requireFromString = require("require-from-string");
const [file, olds, news] = process.argv.slice(1);
const provider = requireFromString(fs.readFileSync(file, "utf8")).handler();
const methods = Object.fromEntries(
  ["create", "diff", "read", "update", "delete"].map((name) => [name, typeof provider[name]]),
);
provider.diff("id", JSON.parse(olds), JSON.parse(news)).then((diff) => {
  const parserLoaded = Object.keys(require.cache).some((m) => m.includes("language-support"));
  // After the provider's own log lines.
  process.stdout.write("\\nRESULT " + JSON.stringify({ methods, diff, parserLoaded }));
});
`;

describe("the serialized RbacPolicy provider", () => {
  it("is imported without loading Neo4j's Cypher parser, which only the component's validation needs", () => {
    let parserLoaded = false;
    jest.isolateModules(() => {
      jest.doMock("@neo4j-cypher/language-support", () => {
        parserLoaded = true;
        return jest.requireActual("@neo4j-cypher/language-support");
      });
      jest.requireActual("../../components/rbac/provider");
      expect(parserLoaded).toBe(false);
      // The probe works: validation does load it.
      jest
        .requireActual<typeof import("../../components/rbac/spec")>("../../components/rbac/spec")
        .cypherSyntaxErrors("RETURN 1");
      expect(parserLoaded).toBe(true);
    });
    jest.dontMock("@neo4j-cypher/language-support");
  });

  it("is small, requires only the driver and crypto, and rebuilds into a working provider", async () => {
    const { text } = await pulumi.runtime.serializeFunction(() => rbacProvider);
    expect(text).not.toContain("language-support");
    expect(text.length).toBeLessThan(MAX_SERIALIZED_CHARS);
    const required = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    expect(required).toEqual(["crypto", "neo4j-driver"]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rbac-provider-"));
    const file = path.join(dir, "provider.js");
    fs.writeFileSync(file, text);
    const user = { name: "alice", roles: [], passwordChangeRequired: false, suspended: false };
    const connection = {
      resourceName: "access",
      uri: "neo4j://localhost:7688",
      username: "neo4j",
      adminPassword: "admin-password",
      users: [user],
      roles: [],
      waitTimeoutSeconds: 300,
    };
    const olds: RbacProviderOutputs = {
      ...connection,
      passwordHashes: { alice: passwordHash("alice", "first-password") },
    };
    const news: RbacProviderInputs = { ...connection, passwords: { alice: "second-password" } };
    try {
      const output = execFileSync(
        process.execPath,
        ["-e", HOST, file, JSON.stringify(olds), JSON.stringify(news)],
        {
          cwd: REPO_ROOT,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      expect(output).toContain('RbacPolicy: "access" changes: user "alice": the password changes');
      const result = JSON.parse(output.slice(output.lastIndexOf("\nRESULT ") + "\nRESULT ".length));
      expect(result.methods).toEqual({
        create: "function",
        diff: "function",
        read: "function",
        update: "function",
        delete: "function",
      });
      expect(result.diff.changes).toBe(true);
      expect(result.diff.detailedDiff).toEqual({ 'passwords["alice"]': { kind: "UPDATE", inputDiff: true } });
      expect(result.parserLoaded).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
