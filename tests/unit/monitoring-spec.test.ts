import { DEFAULT_IMAGES, planMonitoring } from "../../components/monitoring/spec";

const cluster = {
  edition: "enterprise" as const,
  prometheusMetrics: true,
  memberNames: ["graph-1", "graph-2", "graph-3"],
};

describe("planMonitoring", () => {
  it("defaults to 15s scrapes, 15d retention, ports 9090 and 3000 on 127.0.0.1 and pinned images", () => {
    const spec = planMonitoring("monitoring", cluster, {});
    expect(spec).toMatchObject({
      scrapeInterval: "15s",
      retention: "15d",
      hostAddress: "127.0.0.1",
      urlHost: "localhost",
      prometheusHostPort: 9090,
      grafanaHostPort: 3000,
      backupMetrics: false,
      images: DEFAULT_IMAGES,
      hostnames: {
        prometheus: "monitoring-prometheus",
        grafana: "monitoring-grafana",
        pushgateway: "monitoring-pushgateway",
      },
    });
    for (const image of Object.values(spec.images)) expect(image).toMatch(/:v?\d+\.\d+\.\d+$/);
  });

  it.each([
    ["prom/prometheus:v3.4.1", undefined, 3],
    ["neo4j-estate/prometheus:2.42.0", undefined, 2],
    ["registry.example.com:5000/prom/prometheus:v2.53.4-distroless", undefined, 2],
    [`prom/prometheus@sha256:${"0".repeat(64)}`, "3.4.1", 3],
    ["mirror.example.com/prometheus:ours", "v2.45.0", 2],
  ])("reads Prometheus's major version from %s (prometheusVersion %s): %i", (image, version, major) => {
    expect(
      planMonitoring("m", cluster, { prometheusImage: image, prometheusVersion: version }).prometheusMajor,
    ).toBe(major);
  });

  it("refuses a Prometheus image whose version nobody says, or says twice differently", () => {
    expect(() => planMonitoring("m", cluster, { prometheusImage: "prom/prometheus:latest" })).toThrow(
      /MonitoringStack "m": prometheusImage tag must carry Prometheus's version .*or prometheusVersion must say it/,
    );
    expect(() =>
      planMonitoring("m", cluster, {
        prometheusImage: "prom/prometheus:v3.4.1",
        prometheusVersion: "2.42.0",
      }),
    ).toThrow(/prometheusVersion says 2.42.0 but the image tag says v3.4.1/);
    expect(() => planMonitoring("m", cluster, { prometheusVersion: "three" })).toThrow(
      /prometheusVersion must look like 3.4.1/,
    );
  });

  it("uses a routable host address in URLs as given", () => {
    expect(planMonitoring("m", cluster, { hostAddress: "192.168.1.20" }).urlHost).toBe("192.168.1.20");
  });

  it("refuses a Community cluster, which has no metrics endpoint", () => {
    expect(() =>
      planMonitoring("monitoring", { ...cluster, edition: "community", prometheusMetrics: false }, {}),
    ).toThrow('MonitoringStack "monitoring": cluster runs Neo4j Community, which has no Prometheus endpoint');
  });

  it("refuses a cluster with prometheusMetrics off", () => {
    expect(() => planMonitoring("monitoring", { ...cluster, prometheusMetrics: false }, {})).toThrow(
      'MonitoringStack "monitoring": cluster has prometheusMetrics off, so its members serve no metrics to scrape; set prometheusMetrics: true on the Neo4jCluster',
    );
  });

  it.each([
    [{ scrapeInterval: "15" }, "scrapeInterval must be a duration such as 15s or 1m"],
    [{ retention: "two weeks" }, "retention must be a duration such as 15d or 12w"],
    [{ hostAddress: "localhost" }, "hostAddress must be an IPv4 address"],
    [{ hostAddress: "300.1.1.1" }, "hostAddress must be an IPv4 address"],
    [{ prometheusHostPort: 0 }, "prometheusHostPort must be a whole number from 1 to 65535 (got 0)"],
    [{ grafanaHostPort: 70000 }, "grafanaHostPort must be a whole number from 1 to 65535 (got 70000)"],
    [
      { prometheusHostPort: 3000 },
      "grafanaHostPort collides with prometheusHostPort: both would publish host port 3000",
    ],
    [
      { alertThresholds: { heapUsedRatio: 90 } },
      "alertThresholds.heapUsedRatio must be a number from 0.01 to 1 (got 90)",
    ],
    [
      { alertThresholds: { transactionLag: -1 } },
      "alertThresholds.transactionLag must be a whole number, at least 1 (got -1)",
    ],
  ])("refuses %j", (args, message) => {
    expect(() => planMonitoring("monitoring", cluster, args)).toThrow(
      `MonitoringStack "monitoring": ${message}`,
    );
  });

  it("lays given thresholds over the defaults, ignoring undefined ones", () => {
    const spec = planMonitoring("m", cluster, {
      alertThresholds: { transactionLag: 10, heapUsedRatio: undefined },
    });
    expect(spec.thresholds.transactionLag).toBe(10);
    expect(spec.thresholds.heapUsedRatio).toBe(0.9);
  });
});
