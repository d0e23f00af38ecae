/**
 * The blog post's "Verification" sections, automated against a real deployment of examples/full.
 * Tests run in order and share one deployment; the last one destroys it and checks nothing is left.
 */
import { execFileSync, spawnSync } from "child_process";
import * as path from "path";
import neo4j, { Driver } from "neo4j-driver";

const ROOT = path.resolve(__dirname, "..", "..");
const STACK = "dev";
const env = {
  ...process.env,
  PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${path.join(ROOT, ".pulumi-state")}`,
  PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "neo4j-estate-local-only",
};

interface Member {
  name: string;
  boltAddress: string;
}
interface Outputs {
  boltUri: string;
  members: Member[];
  adminPassword: string;
  userPasswords: Record<"alice" | "bob" | "carol", string>;
  prometheusUrl: string;
  grafanaUrl: string;
  grafanaAdminUsername: string;
  grafanaAdminPassword: string;
  backupRunner: string;
  backupNowCommand: string;
  backupStatusCommand: string;
  restoreCommand: string;
}

function sh(
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  return execFileSync(command, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: options.env ?? env,
    input: options.input,
  });
}

function npmRun(script: "up" | "down"): void {
  const result = spawnSync("npm", ["run", script], { cwd: ROOT, env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run ${script} failed with ${result.status}`);
}

/** Prometheus's and Grafana's JSON answers, read loosely: the assertions say what must be there. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(url: string, headers: Record<string, string> = {}): Promise<any> {
  return (await fetch(url, { headers })).json();
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, seconds = 180): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

let out: Outputs;
const drivers: Driver[] = [];
function driver(uri: string, user: string, password: string, routers?: string[]): Driver {
  const d = neo4j.driver(uri, neo4j.auth.basic(user, password), routers ? { resolver: () => routers } : {});
  drivers.push(d);
  return d;
}
const admin = () =>
  driver(
    out.boltUri,
    "neo4j",
    out.adminPassword,
    out.members.map((m) => m.boltAddress),
  );

async function query(d: Driver, cypher: string, database = "neo4j") {
  return (await d.executeQuery(cypher, {}, { database })).records;
}

async function writer(): Promise<Member | undefined> {
  for (const m of out.members) {
    try {
      const d = driver(`bolt://${m.boltAddress}`, "neo4j", out.adminPassword);
      const rows = await query(d, "SHOW DATABASE neo4j YIELD address, writer, currentStatus", "system");
      const w = rows.find((r) => r.get("writer") === true && r.get("currentStatus") === "online");
      if (w) return out.members.find((x) => x.boltAddress === w.get("address"));
    } catch {
      // that member is down; ask the next
    }
  }
  return undefined;
}

beforeAll(async () => {
  npmRun("up");
  out = JSON.parse(sh("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
});

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
});

describe("the deployed estate", () => {
  it("has every member up, one leader, and data written through the leader readable on every member", async () => {
    const leader = await eventually("a leader for neo4j", writer);
    expect(out.members.map((m) => m.name)).toContain(leader.name);
    await admin().executeQuery("CREATE (:E2E {id: 'replicated'})", {}, { database: "neo4j" });
    for (const m of out.members) {
      const d = driver(`bolt://${m.boltAddress}`, "neo4j", out.adminPassword);
      const count = await eventually(`the write on ${m.name}`, async () => {
        const n = (await query(d, "MATCH (n:E2E {id: 'replicated'}) RETURN count(n) AS n"))[0]
          .get("n")
          .toNumber();
        return n === 1 ? n : undefined;
      });
      expect(count).toBe(1);
    }
  });

  it("elects a new leader when the leader stops, and writes go on", async () => {
    const before = await eventually("a leader", writer);
    sh("docker", ["stop", before.name]);
    try {
      const after = await eventually("a new leader", async () => {
        const w = await writer();
        return w && w.name !== before.name ? w : undefined;
      });
      expect(after.name).not.toBe(before.name);
      await eventually("a write after failover", async () => {
        await admin().executeQuery("CREATE (:E2E {id: 'after-failover'})", {}, { database: "neo4j" });
        return true;
      });
    } finally {
      sh("docker", ["start", before.name]);
    }
  });

  describe("the blog post's three logins", () => {
    const as = (user: "alice" | "bob" | "carol") =>
      driver(
        out.boltUri,
        user,
        out.userPasswords[user],
        out.members.map((m) => m.boltAddress),
      );
    const denied = /permission|not allowed|denied|unauthori[sz]ed/i;

    it("bob (developer) reads and writes but cannot create users", async () => {
      const bob = as("bob");
      expect((await query(bob, "MATCH (n) RETURN count(n) AS n"))[0].get("n").toNumber()).toBeGreaterThan(0);
      await query(bob, "CREATE (p:Person {name: 'Bob Test', role: 'developer'}) RETURN p");
      await expect(query(bob, "CREATE USER testuser SET PASSWORD 'test12345'", "system")).rejects.toThrow(
        denied,
      );
    });

    it("alice (analyst) only reads", async () => {
      const alice = as("alice");
      expect((await query(alice, "MATCH (n) RETURN count(n) AS n"))[0].get("n").toNumber()).toBeGreaterThan(
        0,
      );
      await expect(query(alice, "CREATE (p:Person {name: 'Alice Test'})")).rejects.toThrow(denied);
      await expect(query(alice, "CREATE USER testuser SET PASSWORD 'test12345'", "system")).rejects.toThrow(
        denied,
      );
    });

    it("carol (admin_assistant) manages users but reads no data", async () => {
      const carol = as("carol");
      await query(carol, "CREATE USER e2e_testuser SET PASSWORD 'test12345' CHANGE NOT REQUIRED", "system");
      await query(carol, "DROP USER e2e_testuser", "system");
      expect((await query(carol, "MATCH (n) RETURN count(n) AS n"))[0].get("n").toNumber()).toBe(0);
    });
  });

  it("takes backups, and a restore brings deleted data back", async () => {
    await admin().executeQuery("CREATE (:E2E {id: 'precious'})", {}, { database: "neo4j" });
    sh("bash", ["-c", out.backupNowCommand]);
    const artifacts = sh("docker", ["exec", out.backupRunner, "bash", "-c", "ls /backups/neo4j"]);
    expect(artifacts).toMatch(/neo4j-.*\.backup/);
    expect(sh("bash", ["-c", out.backupStatusCommand])).toMatch(/neo4j/);

    await admin().executeQuery("MATCH (n:E2E {id: 'precious'}) DETACH DELETE n", {}, { database: "neo4j" });
    const restore = out.restoreCommand.replace("<database>", "neo4j").split(" ").slice(1);
    sh("node", [path.join(ROOT, "bin", "backup", "restore-cli.js"), ...restore, "--yes"], {
      env: { ...env, NEO4J_PASSWORD: out.adminPassword },
    });
    const n = await eventually("the restored node", async () => {
      const rows = await query(admin(), "MATCH (n:E2E {id: 'precious'}) RETURN count(n) AS n");
      const count = rows[0].get("n").toNumber();
      return count === 1 ? count : undefined;
    });
    expect(n).toBe(1);
  });

  it("has Prometheus see every member up and answer the p95 query-latency query", async () => {
    const targets = await eventually("every member scraped", async () => {
      const body = await json(`${out.prometheusUrl}/api/v1/targets?state=active`);
      const neo4jTargets = body.data.activeTargets.filter(
        (t: { labels: { job: string } }) => t.labels.job === "neo4j",
      );
      return neo4jTargets.length === out.members.length &&
        neo4jTargets.every((t: { health: string }) => t.health === "up")
        ? neo4jTargets
        : undefined;
    });
    expect(targets.map((t: { labels: { instance: string } }) => t.labels.instance).sort()).toEqual(
      out.members.map((m) => m.name).sort(),
    );
    const q = encodeURIComponent('neo4j_database_neo4j_db_query_execution_latency_millis{quantile="0.95"}');
    const result = await eventually("p95 latency samples", async () => {
      const body = await json(`${out.prometheusUrl}/api/v1/query?query=${q}`);
      return body.data.result.length > 0 ? body.data.result : undefined;
    });
    expect(result.length).toBeGreaterThan(0);
  });

  it("has Grafana's data source healthy and the Neo4j dashboard provisioned", async () => {
    const auth = {
      Authorization: `Basic ${Buffer.from(`${out.grafanaAdminUsername}:${out.grafanaAdminPassword}`).toString("base64")}`,
    };
    const health = await json(`${out.grafanaUrl}/api/datasources/uid/neo4j-estate-prometheus/health`, auth);
    expect(health.status).toBe("OK");
    const dashboard = await fetch(`${out.grafanaUrl}/api/dashboards/uid/neo4j-estate-overview`, {
      headers: auth,
    });
    expect(dashboard.status).toBe(200);
    expect((await fetch(`${out.grafanaUrl}/api/dashboards/uid/neo4j-estate-overview`)).status).toBe(401);
  });

  it("rolls a settings change and scales 3 to 4 primaries and back while a client writes through neo4j://, with no failed write", async () => {
    // executeQuery retries what a leader switch makes transient: a write that still fails is a
    // write the client lost.
    const client = admin();
    let writes = 0;
    const failures: string[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        try {
          await client.executeQuery("CREATE (:Day2Write {at: timestamp()})", {}, { database: "neo4j" });
          writes++;
        } catch (e) {
          failures.push(String(e));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const config = (...args: string[]) => sh("pulumi", ["config", ...args, "--stack", STACK, "--cwd", ROOT]);
    try {
      config("set", "--path", 'settings["db.transaction.timeout"]', "45s");
      npmRun("up");
      config("set", "primaries", "4");
      npmRun("up");
      config("rm", "primaries");
      npmRun("up");
    } finally {
      running = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(writes).toBeGreaterThan(0);
    out = JSON.parse(sh("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", STACK]));
    expect(out.members).toHaveLength(3);
    const rows = await query(
      admin(),
      "SHOW SETTINGS YIELD name, value WHERE name = 'db.transaction.timeout' RETURN value",
    );
    expect(rows.map((r) => r.get("value"))).toEqual(["45s"]);
  });

  it("reads back exactly what it applied: a refresh finds no drift, RBAC's read included", () => {
    const refresh = spawnSync(
      "pulumi",
      ["refresh", "--expect-no-changes", "--yes", "--stack", STACK, "--cwd", ROOT],
      {
        env,
        stdio: "inherit",
      },
    );
    expect(refresh.status).toBe(0);
  });

  it("changes nothing on a second pulumi up", () => {
    const up = spawnSync("pulumi", ["up", "--expect-no-changes", "--yes", "--stack", STACK, "--cwd", ROOT], {
      env,
      stdio: "inherit",
    });
    expect(up.status).toBe(0);
  });

  it("leaves no container, network or volume behind after destroy", () => {
    npmRun("down");
    const left = (args: string[]) => sh("docker", args).trim();
    expect(left(["ps", "-a", "--filter", "label=neo4j-estate.cluster=neo4j", "--format", "{{.Names}}"])).toBe(
      "",
    );
    expect(left(["network", "ls", "--filter", "name=^neo4j-", "--format", "{{.Name}}"])).toBe("");
    expect(left(["volume", "ls", "--filter", "name=^neo4j-", "--format", "{{.Name}}"])).toBe("");
  });
});
