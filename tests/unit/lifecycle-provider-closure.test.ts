import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { adminProvider } from "../../components/lifecycle/admin";
import { gateProvider, serversProvider } from "../../components/lifecycle/members";
import { recordProvider } from "../../components/lifecycle/record";
import { scaleInProvider } from "../../components/lifecycle/scale-in";

/**
 * Pulumi stores each dynamic provider as the text of a closure and rebuilds it in its Node host
 * with nothing else loaded. These check that the lifecycle providers survive that: small, needing
 * only the driver, and working once rebuilt.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The bound catches a dependency's source being inlined; measured sizes are printed by the test. */
const MAX_SERIALIZED_CHARS = 60_000;

/** Rebuilds the provider as Pulumi's host does and calls one method with the given arguments. */
const HOST = `
const fs = require("fs");
const requireFromString = require("require-from-string");
const [file, method, args] = process.argv.slice(1);
const provider = requireFromString(fs.readFileSync(file, "utf8")).handler();
Promise.resolve(provider[method](...JSON.parse(args))).then((result) => {
  process.stdout.write("\\nRESULT " + JSON.stringify({ result, methods: Object.keys(provider).sort() }));
});
`;

async function rebuiltCall(provider: pulumi.dynamic.ResourceProvider, method: string, args: unknown[]) {
  const { text } = await pulumi.runtime.serializeFunction(() => provider);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifecycle-provider-"));
  try {
    const file = path.join(dir, "provider.js");
    fs.writeFileSync(file, text);
    const output = execFileSync(process.execPath, ["-e", HOST, file, method, JSON.stringify(args)], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const parsed = JSON.parse(output.slice(output.lastIndexOf("\nRESULT ") + "\nRESULT ".length));
    return { output, result: parsed.result, methods: parsed.methods as string[] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const shape = (image: string, discovery: string) => ({
  image,
  neo4jVersion: image.split(":")[1].split("-")[0],
  edition: "enterprise",
  clustered: true,
  discovery,
});

describe("the serialized lifecycle providers", () => {
  it.each([
    ["record", recordProvider, ["check", "create", "diff", "update"]],
    ["admin password", adminProvider, ["check", "create", "diff", "update"]],
    ["rollout gate", gateProvider, ["create", "diff", "update"]],
    ["servers", serversProvider, ["create", "diff", "update"]],
    ["scale-in", scaleInProvider, ["create", "diff", "update"]],
  ] as const)(
    "the %s provider is small, requires only the driver, and rebuilds with its methods",
    async (name, provider, methods) => {
      const { text } = await pulumi.runtime.serializeFunction(() => provider);
      console.log(`${name} provider: ${text.length} characters serialized`);
      expect(text.length).toBeLessThan(MAX_SERIALIZED_CHARS);
      expect(text).not.toContain("language-support");
      const required = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
      // Node's built-ins write the authority file a +s URI with the estate's own CA needs
      // (neo4j/connection.ts); the admin password's rotation on Kubernetes adds the port-forward's
      // (kubernetes/port-forward.ts): ws and yaml, and the network built-ins; so does the scale-in.
      const builtIns = ["crypto", "fs", "os", "path", "child_process", "util", "http", "https", "net"];
      const forwarded = name === "admin password" || name === "scale-in";
      const packages = forwarded ? ["neo4j-driver", "ws", "yaml"] : ["neo4j-driver"];
      expect(required.filter((m) => !packages.includes(m) && !builtIns.includes(m))).toEqual([]);
      const members = [{ name: "core-1", mode: "PRIMARY" }];
      const same = {
        resourceName: "core",
        members,
        member: members[0],
        shape: shape("neo4j:5.26-enterprise", "v1"),
      };
      const rebuilt = await rebuiltCall(provider, "diff", ["id", same, same]);
      expect(rebuilt.methods).toEqual([...methods]);
      expect(rebuilt.result).toEqual({ changes: false });
    },
  );

  it("rebuilt, the record refuses an unsupported upgrade at check", async () => {
    const members = [{ name: "core-1", mode: "PRIMARY" }];
    const formation = { seeds: ["core-1"], primaries: 1, secondaries: 0 };
    const olds = { resourceName: "core", shape: shape("neo4j:5.26-enterprise", "v1"), members, formation };
    const news = { ...olds, shape: shape("neo4j:2025.01-enterprise", "v2") };
    const { result } = await rebuiltCall(recordProvider, "check", [olds, news]);
    expect(result.failures[0].reason).toMatch(/discovery v1 is gone from 2025.01 on/);
  });

  it("rebuilt, the admin provider says the password rotates without the password", async () => {
    const target = { scheme: "bolt", addresses: ["localhost:7688"], username: "neo4j" };
    const olds = {
      resourceName: "core",
      target,
      adminPassword: "first-secret",
      initialPassword: "first-secret",
      waitTimeoutSeconds: 5,
    };
    const { output, result } = await rebuiltCall(adminProvider, "diff", [
      "id",
      olds,
      { ...olds, adminPassword: "second-secret" },
    ]);
    expect(result).toEqual({ changes: true });
    expect(output).toContain('the password of "neo4j" rotates in the running DBMS');
    expect(output).not.toMatch(/first-secret|second-secret/);
  });
});
