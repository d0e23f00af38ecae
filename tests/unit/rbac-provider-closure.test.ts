import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { passwordHash } from "../../components/rbac/engine";
import { RbacProviderInputs, RbacProviderOutputs, rbacProvider } from "../../components/rbac/provider";

/**
 * Measured with @pulumi/pulumi 3.270 on tsc's and ts-jest's output: 89 KB (74 KB before the
 * planner numbered parameters and the provider gained its check), most of it the privilege
 * parser's tables; 117 KB since it reaches Kubernetes clusters through a port-forward
 * (kubernetes/port-forward.ts). The bound leaves room for growth, not for a dependency's source
 * being inlined.
 */
const MAX_SERIALIZED_CHARS = 130_000;

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
  ["check", "create", "diff", "read", "update", "delete"].map((name) => [name, typeof provider[name]]),
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

  it("is small, requires only the driver and Node built-ins, and rebuilds into a working provider", async () => {
    const { text } = await pulumi.runtime.serializeFunction(() => rbacProvider);
    expect(text).not.toContain("language-support");
    expect(text.length).toBeLessThan(MAX_SERIALIZED_CHARS);
    const required = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    // fs, os and path write the authority file a +s URI with the estate's own CA needs.
    // ws, yaml and the network built-ins are the port-forward's (kubernetes/port-forward.ts).
    expect(required).toEqual([
      "child_process",
      "crypto",
      "fs",
      "http",
      "https",
      "neo4j-driver",
      "net",
      "os",
      "path",
      "util",
      "ws",
      "yaml",
    ]);

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
      passwordHashes: [{ name: "alice", hash: passwordHash("alice", "first-password") }],
    };
    const news: RbacProviderInputs = {
      ...connection,
      passwords: [{ name: "alice", password: "second-password" }],
    };
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
        check: "function",
        create: "function",
        diff: "function",
        read: "function",
        update: "function",
        delete: "function",
      });
      expect(result.diff.changes).toBe(true);
      expect(result.diff.detailedDiff).toEqual({ "passwords[0]": { kind: "UPDATE", inputDiff: true } });
      expect(result.parserLoaded).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the provider's inputs on Pulumi's wire format", () => {
  it("keep every user, whatever the name, through the Struct round trip the dynamic-provider host does", async () => {
    // The host reads inputs with google-protobuf's Struct.toJavaScript, which assigns key by key:
    // an object keyed by user name would lose "__proto__" and answer for "constructor".
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const names = ["__proto__", "constructor", "toString", "alice"];
    const users = names.map((name) => ({ name, roles: [], passwordChangeRequired: false, suspended: false }));
    const news: RbacProviderInputs = {
      resourceName: "keys",
      uri: "neo4j://localhost:7688",
      username: "neo4j",
      adminPassword: "admin-password",
      users,
      roles: [],
      passwords: names.map((name) => ({ name, password: `${name}-password` })),
      waitTimeoutSeconds: 300,
    };
    const wire = (value: unknown) => Struct.fromJavaScript(JSON.parse(JSON.stringify(value))).toJavaScript();
    const received = wire(news) as RbacProviderInputs;
    expect(received.passwords.map((p) => p.name)).toEqual(names);
    expect((await rbacProvider.check!({}, received)).failures).toEqual([]);

    const olds: RbacProviderOutputs = {
      ...news,
      passwordHashes: names.map((name) => ({ name, hash: passwordHash(name, `${name}-password`) })),
    };
    const diff = await rbacProvider.diff!("keys", wire(olds), received);
    expect(diff.changes).toBe(false);
  });
});

describe("the provider's check, which runs at preview", () => {
  const news = (users: string[], extra: Partial<RbacProviderInputs> = {}): RbacProviderInputs => ({
    resourceName: "access",
    uri: "neo4j://localhost:7688",
    username: "ops",
    adminPassword: "admin-password",
    users: users.map((name) => ({ name, roles: [], passwordChangeRequired: false, suspended: false })),
    roles: [],
    passwords: users.map((name) => ({ name, password: `${name}-secret-password` })),
    waitTimeoutSeconds: 300,
    ...extra,
  });

  it("refuses the connecting user, a suspended neo4j and a password too long to log in with", async () => {
    const inputs = news(["alice", "ops", "neo4j"]);
    inputs.users[2].suspended = true;
    inputs.passwords[0].password = "é".repeat(4100);
    const { failures } = await rbacProvider.check!({}, inputs);
    expect(failures).toEqual([
      {
        property: "passwords",
        reason: expect.stringMatching(
          /^RbacPolicy "access": users\[0\]\.password is too long to log in with: .* user "alice" with this password needs 8247; use at most 8145 bytes/,
        ),
      },
      {
        property: "users",
        reason: expect.stringContaining(
          'RbacPolicy "access": users[1].name "ops" is the user RbacPolicy connects as',
        ),
      },
      {
        property: "users",
        reason: expect.stringContaining(
          'RbacPolicy "access": users[2].suspended must not be true for "neo4j"',
        ),
      },
    ]);
    expect(JSON.stringify(failures)).not.toContain("secret-password");
  });

  it("lets values pass that are not known yet during preview", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const inputs = news(["alice"], { username: unknown });
    inputs.passwords[0].password = unknown;
    expect((await rbacProvider.check!({}, inputs)).failures).toEqual([]);
  });
});
