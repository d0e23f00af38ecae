import * as pulumi from "@pulumi/pulumi";
import { recordResources, settle } from "./support/pulumi-mocks";
import { refusalsRegisteredNothing, refusedBeforeRegistering } from "./support/bad-input";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MonitoringStack, Neo4jCluster } = require("../../components") as typeof import("../../components");

const E = 'MonitoringStack "monitoring": ';
const SCRAPE =
  "scrapeInterval must be a duration such as 15s or 1m (units ms, s, m, h, d, w, y, largest first) from 1s to 5m";
const RETENTION =
  "retention must be a duration such as 15d or 12w (units ms, s, m, h, d, w, y, largest first) from 1h to 100y";

let cluster: InstanceType<typeof Neo4jCluster>;
let baseline: number;
beforeAll(async () => {
  cluster = new Neo4jCluster("graph", { acceptLicenseAgreement: "eval", adminPassword: "password123" });
  await settle();
  baseline = recorded.length;
});

describe("MonitoringStack refuses bad input before registering anything", () => {
  afterAll(() => refusalsRegisteredNothing(recorded, baseline));

  const table: [string, (c: unknown) => unknown, string][] = [
    // Missing or wrong things where the arguments or the cluster belong.
    ["no arguments", () => undefined, "takes an object of arguments such as { cluster } (got undefined)"],
    ["no cluster", () => ({}), "cluster is required: pass the Neo4jCluster to monitor (got undefined)"],
    [
      "a cluster's name instead of the cluster",
      () => ({ cluster: "graph" }),
      'cluster is required: pass the Neo4jCluster to monitor (got "graph")',
    ],
    // Wrong type.
    ["scrapeInterval as a number", (c) => ({ cluster: c, scrapeInterval: 15 }), `${SCRAPE} (got 15)`],
    ["retention without a unit", (c) => ({ cluster: c, retention: "15" }), `${RETENTION} (got "15")`],
    [
      "a host port as a string",
      (c) => ({ cluster: c, grafanaHostPort: "3000" }),
      'grafanaHostPort must be a whole number from 1 to 65535 (got "3000")',
    ],
    [
      "hostAddress as a number",
      (c) => ({ cluster: c, hostAddress: 0 }),
      "hostAddress must be an IPv4 address to bind published ports to, such as 127.0.0.1 or 0.0.0.0 (got 0)",
    ],
    [
      "backupMetrics as a string",
      (c) => ({ cluster: c, backupMetrics: "true" }),
      'backupMetrics must be true or false (got "true")',
    ],
    [
      "a threshold as a string",
      (c) => ({ cluster: c, alertThresholds: { heapUsedRatio: "0.9" } }),
      'alertThresholds.heapUsedRatio must be a number from 0.01 to 1 (got "0.9")',
    ],
    [
      "alertThresholds as a list",
      (c) => ({ cluster: c, alertThresholds: [0.9] }),
      "alertThresholds must be an object such as { heapUsedRatio: 0.8 } (got [0.9])",
    ],
    [
      "an image as a number",
      (c) => ({ cluster: c, grafanaImage: 12 }),
      "grafanaImage must be a non-empty string such as grafana/grafana:12.0.1 (got 12)",
    ],
    [
      "grafanaAdminPassword as a number",
      (c) => ({ cluster: c, grafanaAdminPassword: 12345678 }),
      "grafanaAdminPassword must be a string (got a number)",
    ],
    [
      "restart misspelled",
      (c) => ({ cluster: c, restart: "on-failiure" }),
      'restart must be one of "no", "on-failure", "always", "unless-stopped"; did you mean "on-failure"? (got "on-failiure")',
    ],
    [
      "a label value that is not a string",
      (c) => ({ cluster: c, labels: { team: 1 } }),
      'labels["team"] must be a string (got 1)',
    ],
    // Out of range.
    ["a zero scrape interval", (c) => ({ cluster: c, scrapeInterval: "0s" }), `${SCRAPE} (got "0s")`],
    ["a negative scrape interval", (c) => ({ cluster: c, scrapeInterval: "-15s" }), `${SCRAPE} (got "-15s")`],
    [
      "a scrape interval the rules cannot use",
      (c) => ({ cluster: c, scrapeInterval: "10m" }),
      `${SCRAPE} (got "10m")`,
    ],
    ["a zero retention", (c) => ({ cluster: c, retention: "0d" }), `${RETENTION} (got "0d")`],
    ["units in the wrong order", (c) => ({ cluster: c, retention: "30m1h" }), `${RETENTION} (got "30m1h")`],
    [
      "a port of zero",
      (c) => ({ cluster: c, prometheusHostPort: 0 }),
      "prometheusHostPort must be a whole number from 1 to 65535 (got 0)",
    ],
    [
      "a ratio as a percentage",
      (c) => ({ cluster: c, alertThresholds: { pageCacheHitRatio: 95 } }),
      "alertThresholds.pageCacheHitRatio must be a number from 0.01 to 1 (got 95)",
    ],
    [
      "a negative lag",
      (c) => ({ cluster: c, alertThresholds: { transactionLag: -1 } }),
      "alertThresholds.transactionLag must be a whole number, at least 1 (got -1)",
    ],
    [
      "fractional hours for a Prometheus for:",
      (c) => ({ cluster: c, alertThresholds: { backupStaleAfterHours: 1.5 } }),
      "alertThresholds.backupStaleAfterHours must be a whole number from 1 to 8760 (got 1.5)",
    ],
    [
      "NaN as a threshold",
      (c) => ({ cluster: c, alertThresholds: { queryLatencyP95Millis: NaN } }),
      "alertThresholds.queryLatencyP95Millis must be a number from 1 to 3600000 (got NaN)",
    ],
    [
      "an empty Grafana password",
      (c) => ({ cluster: c, grafanaAdminPassword: "" }),
      "grafanaAdminPassword must not be empty",
    ],
    // Meaning.
    [
      "the same port twice",
      (c) => ({ cluster: c, prometheusHostPort: 3000 }),
      "grafanaHostPort collides with prometheusHostPort: both would publish host port 3000; give Grafana another port",
    ],
    [
      "a host name as hostAddress",
      (c) => ({ cluster: c, hostAddress: "localhost" }),
      'hostAddress must be an IPv4 address to bind published ports to, such as 127.0.0.1 or 0.0.0.0 (got "localhost")',
    ],
    [
      "not an image reference",
      (c) => ({ cluster: c, prometheusImage: "Prometheus 3" }),
      'prometheusImage must be an image reference such as prom/prometheus:v3.4.1 or registry.example.com:5000/prom/prometheus:v3.4.1 (got "Prometheus 3")',
    ],
    [
      "a label in the components' namespace",
      (c) => ({ cluster: c, labels: { "neo4j-estate.monitoring": "x" } }),
      'labels["neo4j-estate.monitoring"] is in the neo4j-estate. namespace, which the components use for their own labels; choose another name',
    ],
    // Unknown keys and values that must be known at preview.
    [
      "a misspelled argument",
      (c) => ({ cluster: c, scrapeIntervall: "15s" }),
      "scrapeIntervall is not an argument of MonitoringStack; did you mean scrapeInterval?",
    ],
    [
      "a misspelled threshold",
      (c) => ({ cluster: c, alertThresholds: { heapUsageRatio: 0.8 } }),
      "alertThresholds.heapUsageRatio is not a field of alertThresholds; did you mean heapUsedRatio?",
    ],
    [
      "an Output where the plan depends on the value",
      (c) => ({ cluster: c, backupMetrics: pulumi.output(true) }),
      "backupMetrics must be a plain value, not a Pulumi Output or Promise: it decides which resources are created, so it must be known at preview",
    ],
  ];
  it.each(table)("%s", async (_case, args, problem) => {
    const message = await refusedBeforeRegistering(
      recorded,
      () => new MonitoringStack("monitoring", args(cluster) as never),
    );
    expect(message).toBe(E + problem);
  });

  it("refuses a cluster that serves no metrics", async () => {
    const quiet = new Neo4jCluster("quiet", {
      acceptLicenseAgreement: "eval",
      adminPassword: "password123",
      prometheusMetrics: false,
    });
    await settle();
    baseline = recorded.length;
    expect(
      await refusedBeforeRegistering(recorded, () => new MonitoringStack("monitoring", { cluster: quiet })),
    ).toBe(
      E +
        "cluster has prometheusMetrics off, so its members serve no metrics to scrape; set prometheusMetrics: true on the Neo4jCluster",
    );
  });
});
