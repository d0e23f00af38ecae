import { parse } from "yaml";
import {
  DASHBOARD_FILE,
  PROMETHEUS_DATASOURCE_UID,
  grafanaEnv,
  grafanaFiles,
  neo4jDashboard,
} from "../../components/monitoring/grafana";
import {
  DATABASE_METRICS,
  DBMS_METRICS,
  BACKUP_METRICS,
  GC_TIME_PATTERN,
} from "../../components/monitoring/metrics";
import { planMonitoring } from "../../components/monitoring/spec";

const spec = planMonitoring(
  "monitoring",
  { edition: "enterprise", prometheusMetrics: true, memberNames: ["graph-1"] },
  { scrapeInterval: "20s" },
);

type Target = { refId: string; expr: string; datasource: { type: string; uid: string } };
type Panel = {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
};
const dashboard = neo4jDashboard() as unknown as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
};
const queryPanels = dashboard.panels.filter((p) => p.type !== "row");
const exprs = queryPanels.flatMap((p) => p.targets!.map((t) => t.expr));

describe("the bundled dashboard", () => {
  it("has what Grafana's file provisioning needs: uid, title, schemaVersion, panels", () => {
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).toBe("Neo4j cluster");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(queryPanels.length).toBeGreaterThanOrEqual(12);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("points every panel, query and variable at the provisioned data source", () => {
    for (const panel of queryPanels) {
      expect(panel.datasource).toEqual({ type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID });
      expect(panel.targets!.length).toBeGreaterThan(0);
      for (const target of panel.targets!) expect(target.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
    }
    for (const variable of dashboard.templating.list)
      expect(variable.datasource.uid).toBe(PROMETHEUS_DATASOURCE_UID);
  });

  it("gives every query a unique refId within its panel and a non-empty expression", () => {
    for (const panel of queryPanels) {
      const refIds = panel.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets!) expect(target.expr.trim()).not.toBe("");
    }
  });

  it("lays panels out within Grafana's 24-column grid without overlap", () => {
    const cells = new Set<string>();
    for (const { gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("shows latency, transactions, page cache, heap and GC, Bolt, store size, membership and leader", () => {
    const all = exprs.join("\n");
    for (const metric of [
      DATABASE_METRICS.queryLatency,
      DATABASE_METRICS.committed,
      DATABASE_METRICS.rollbacks,
      DATABASE_METRICS.storeSize,
      DATABASE_METRICS.raftIsLeader,
      DBMS_METRICS.pageCacheHits,
      DBMS_METRICS.pageCacheFaults,
      DBMS_METRICS.heapUsed,
      DBMS_METRICS.boltConnectionsRunning,
      GC_TIME_PATTERN,
      'up{job="neo4j"',
    ])
      expect(all).toContain(metric);
  });

  it("names only metrics that Neo4j 5 exposes (as catalogued in metrics.ts) or the backup job pushes", () => {
    const known = new Set<string>([...Object.values(DBMS_METRICS), ...Object.values(BACKUP_METRICS)]);
    const perDatabase = new Set<string>(Object.values(DATABASE_METRICS));
    for (const expr of exprs) {
      for (const [, suffix] of expr.matchAll(/__name__=~"neo4j_database_\.\+_(\w+)"/g))
        expect(perDatabase).toContain(suffix);
      const plainNames = expr.replace(/"[^"]*"/g, '""').match(/\bneo4j_\w+/g) ?? [];
      for (const name of plainNames) expect(known).toContain(name);
    }
  });

  it("filters per-database panels by a database variable that the relabelled `database` label feeds", () => {
    const database = dashboard.templating.list.find((v) => v.name === "database")!;
    expect(database.query).toContain(", database)");
    for (const expr of exprs.filter((e) => e.includes("neo4j_database_")))
      expect(expr).toContain('database=~"$database"');
  });
});

describe("the provisioning files", () => {
  const files = Object.fromEntries(grafanaFiles(spec).map((f) => [f.file, f.content]));

  it("provision the Prometheus data source under the uid the dashboard uses, inside the network", () => {
    const datasources = parse(files["/etc/grafana/provisioning/datasources/neo4j-estate.yaml"]);
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        type: "prometheus",
        uid: PROMETHEUS_DATASOURCE_UID,
        url: "http://monitoring-prometheus:9090",
        isDefault: true,
        jsonData: { timeInterval: "20s" },
      }),
    ]);
  });

  it("provision the dashboard from the directory it is uploaded to", () => {
    const providers = parse(files["/etc/grafana/provisioning/dashboards/neo4j-estate.yaml"]).providers;
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      type: "file",
      options: { path: "/etc/grafana/provisioning/dashboards" },
    });
    expect(DASHBOARD_FILE.startsWith(`${providers[0].options.path}/`)).toBe(true);
    expect(JSON.parse(files[DASHBOARD_FILE])).toEqual(neo4jDashboard());
  });
});

describe("Grafana's environment", () => {
  it("turns anonymous access and sign-up off and everything that calls the internet", () => {
    const env = grafanaEnv();
    expect(env).toEqual(
      expect.arrayContaining([
        "GF_SECURITY_ADMIN_USER=admin",
        "GF_AUTH_ANONYMOUS_ENABLED=false",
        "GF_USERS_ALLOW_SIGN_UP=false",
        "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
        "GF_PLUGINS_PREINSTALL_DISABLED=true",
      ]),
    );
    // The password comes from a file; the environment names the file, never the password.
    expect(env.filter((e) => e.startsWith("GF_SECURITY_ADMIN_PASSWORD"))).toEqual([
      "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password",
    ]);
  });
});
