import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Neo4jCluster } from "../../components/neo4j-cluster";
import { DockerApi } from "./support/docker-api";
import { DOCKER, Replay, capture } from "./support/replay";
import { NEO4J_IMAGE, freePort, query, runId } from "./support/env";

/**
 * Neo4jCluster's day-2 resources through the real Pulumi CLI and its Node dynamic-provider host.
 * The Docker provider plugin cannot be had, so the member is a Community container replayed on the
 * real Docker engine, and the program registers the cluster's record and admin resources itself,
 * with the inputs Neo4jCluster gives them, beside an RbacPolicy on the admin password. Checked:
 * a refused upgrade fails `pulumi preview` with the steps; an allowed one says how it rolls; a new
 * admin password rotates in the running member and RbacPolicy applies with it in the same
 * `pulumi up`, replacing nothing; the state holds no password in plaintext.
 */
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const docker = new DockerApi();
const id = runId();
const replay = new Replay(id, docker);
const first = `first-${id}-Secret1`;
const second = `second-${id}-Secret2`;
const alice = `alice-${id}-Secret3`;
const dir = path.join(REPO_ROOT, ".neo4j-test", `day2-${id}`);
let bolt: number;

const PROGRAM = `"use strict";
// The program loads the components' TypeScript as Pulumi's Node host would load a compiled package.
require("tsx/cjs");
const pulumi = require("@pulumi/pulumi");
const { ClusterRecord, AdminPassword } = require(${JSON.stringify(path.join(REPO_ROOT, "components/lifecycle/resources.ts"))});
const { RbacPolicy } = require(${JSON.stringify(path.join(REPO_ROOT, "components/rbac-policy.ts"))});

const config = new pulumi.Config();
const image = config.require("image");
const members = ["core-1", "core-2", "core-3"].map((name) => ({ name, mode: "PRIMARY" }));
const record = new ClusterRecord("core-record", {
  resourceName: "core",
  shape: {
    image,
    neo4jVersion: image.split(":")[1].split("-")[0],
    edition: "enterprise",
    clustered: true,
    discovery: config.require("discovery"),
  },
  members,
  formation: { seeds: members.map((m) => m.name), primaries: 3, secondaries: 0 },
}, {});
const password = config.requireSecret("adminPassword");
const admin = new AdminPassword("core-admin", {
  resourceName: "core",
  target: { scheme: "bolt", addresses: [config.require("bolt")], username: "neo4j" },
  adminPassword: password,
  initialPassword: password,
  waitTimeoutSeconds: 120,
}, { dependsOn: [record] });
new RbacPolicy("access", {
  uri: "bolt://" + config.require("bolt"),
  adminUsername: "neo4j",
  adminPassword: admin.adminPassword,
  users: [{ name: "alice", password: config.requireSecret("alicePassword") }],
});
`;

function cli(args: string[], allowFailure = false): { status: number; output: string } {
  const engine = process.env.PULUMI_ENGINE_DIR;
  if (!engine)
    throw new Error("PULUMI_ENGINE_DIR is not set: run the real-engine suite with npm run test:real");
  // Flags go before a `--`, after which every word is a value.
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  const argv = [...args.slice(0, end), "--cwd", dir, "--non-interactive", ...args.slice(end)];
  const result = spawnSync("pulumi", argv, {
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: [
        engine,
        path.join(REPO_ROOT, "node_modules/@pulumi/pulumi"),
        path.join(REPO_ROOT, "node_modules/.bin"),
        process.env.PATH,
      ].join(path.delimiter),
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: `passphrase-${id}`,
      PULUMI_SKIP_UPDATE_CHECK: "1",
    },
    timeout: 300_000,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0 && !allowFailure)
    throw new Error(`pulumi ${args.join(" ")} exited ${result.status}:\n${output.slice(-4000)}`);
  return { status: result.status ?? -1, output };
}

const config = (key: string, value: string, secret = false) =>
  cli(["config", "set", key, ...(secret ? ["--secret"] : []), "--", value]);

beforeAll(async () => {
  bolt = await freePort();
  const http = await freePort();
  // The member Neo4jCluster renders, started with the first password, as the component would.
  const resources = await capture(() => {
    new Neo4jCluster(id, {
      image: NEO4J_IMAGE,
      adminPassword: pulumi.secret(first),
      hostPorts: { http, bolt },
      healthyTimeoutSeconds: 300,
      settings: { "dbms.usage_report.enabled": "false" },
    });
  }, docker);
  await replay.apply(resources, (r) => r.type !== DOCKER.dynamic);

  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: day2-real\nruntime: nodejs\nmain: index.js\n");
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
  fs.mkdirSync(path.join(dir, "state"));
  cli(["stack", "init", "real"]);
  config("image", "neo4j:5.26-enterprise");
  config("discovery", "v1");
  config("bolt", `localhost:${bolt}`);
  config("adminPassword", first, true);
  config("alicePassword", alice, true);
}, 600_000);

afterAll(async () => {
  if (fs.existsSync(path.join(dir, "state"))) cli(["destroy", "--yes"], true);
  await replay.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the day-2 resources through the real Pulumi CLI", () => {
  it("deploys the record, the admin password and a policy on it", () => {
    cli(["up", "--yes", "--skip-preview"]);
  });

  it("refuses 5.x to 2025.x with discovery v1 at preview, with the steps, and changes nothing", () => {
    config("image", "neo4j:2025.01-enterprise");
    config("discovery", "v2");
    try {
      const { status, output } = cli(["preview"], true);
      expect(status).not.toBe(0);
      expect(output).toContain(
        "resource 'core-record' has a problem: Neo4jCluster \"core\": image neo4j:5.26-enterprise -> neo4j:2025.01-enterprise (Neo4j 5.26 -> 2025.01) cannot be applied to the running cluster",
      );
      expect(output).toContain('1. set discovery: "v1-over-v2" and run pulumi up');
      expect(output).toContain("4. then set image to neo4j:2025.01-enterprise");
    } finally {
      config("image", "neo4j:5.26-enterprise");
      config("discovery", "v1");
    }
  });

  it("says at preview that a patch upgrade rolls", () => {
    config("image", "neo4j:5.26.1-enterprise");
    try {
      const { output } = cli(["preview"]);
      expect(output).toContain("image neo4j:5.26-enterprise -> neo4j:5.26.1-enterprise");
      expect(output).toContain(
        "members are replaced one at a time, each back in the cluster before the next",
      );
    } finally {
      config("image", "neo4j:5.26-enterprise");
    }
  });

  it("rotates the admin password in the running member: the preview shows no value, RbacPolicy follows, nothing is replaced", async () => {
    config("adminPassword", second, true);
    const preview = cli(["preview", "--diff"]).output;
    expect(preview).toContain('the password of "neo4j" rotates in the running DBMS');
    expect(preview).not.toContain(first);
    expect(preview).not.toContain(second);

    const up = cli(["up", "--yes", "--skip-preview"]).output;
    // No replacement in Pulumi's own terms: no `+-` (replace) step; the rotation's message itself
    // says "no member is replaced".
    expect(up).not.toMatch(/^\s*\+-\s/m);
    expect(up).not.toMatch(/\breplaced \(/);
    expect(up).toMatch(/core-admin\s+updated/);

    const uri = `bolt://127.0.0.1:${bolt}`;
    await expect(query(uri, "neo4j", first, "RETURN 1")).rejects.toThrow(/unauthorized|authentication/i);
    expect(await query(uri, "neo4j", second, "SHOW CURRENT USER YIELD user RETURN user")).toEqual([
      { user: "neo4j" },
    ]);
    expect(await query(uri, "alice", alice, "SHOW CURRENT USER YIELD user RETURN user")).toEqual([
      { user: "alice" },
    ]);
  });

  it("keeps every password encrypted in the state, and the members' initial password as it was", () => {
    const exported = cli(["stack", "export"]).output;
    for (const secret of [first, second, alice]) expect(exported).not.toContain(secret);
    const shown = JSON.parse(
      cli(["stack", "export", "--show-secrets"]).output.split("\n\n")[0].trim() || "{}",
    );
    const adminState = (shown.deployment?.resources ?? []).find((r: { urn: string }) =>
      r.urn.endsWith("::core-admin"),
    );
    // Secret outputs come back as Pulumi's secret envelope, the value JSON-encoded in `plaintext`.
    const reveal = (v: { plaintext?: string } | string) =>
      typeof v === "string" ? v : JSON.parse(v.plaintext ?? "null");
    expect(reveal(adminState.outputs.adminPassword)).toBe(second);
    expect(reveal(adminState.outputs.initialPassword)).toBe(first);
  });
});
