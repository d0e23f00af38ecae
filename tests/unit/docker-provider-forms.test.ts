/**
 * The Docker provider stores what it reads back from the Engine API, in its own forms: durations as
 * Go's `time.Duration.String()` prints them, published ports ordered by container port. An input in
 * any other form differs from the refreshed state, so every `pulumi preview` after `up` would propose
 * an update and `pulumi refresh --expect-no-changes` would fail. These tests hold every container the
 * components register to the provider's forms.
 */
import { goDuration } from "../../components/common/docker-health";
import { byType, recordResources, settle } from "./support/pulumi-mocks";

const recorded = recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jEnterprise } = require("../../components") as typeof import("../../components");

/** Go's ParseDuration for the units a health check uses, written independently of goDuration. */
function parseGoDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)$/.exec(text);
  if (!m) throw new Error(`not a Go duration: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

describe("goDuration", () => {
  it.each([
    [0, "0s"],
    [5, "5s"],
    [59, "59s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [180, "3m0s"],
    [3600, "1h0m0s"],
    [3661, "1h1m1s"],
    [86400, "24h0m0s"],
    [95405, "26h30m5s"],
  ])("prints %i seconds as Go does: %s", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
  });

  it("round-trips every whole number of seconds up to two days, in Go's grammar", () => {
    // Go prints no unit above the largest non-zero one, and every unit below it, zero or not.
    const grammar = /^([1-9]\d*h[1-5]?\dm[1-5]?\ds|([1-5]\d|[1-9])m[1-5]?\ds|[1-5]?\ds)$/;
    const wrong: string[] = [];
    for (let s = 0; s <= 2 * 86400; s++) {
      const text = goDuration(s);
      if (!grammar.test(text) || parseGoDuration(text) !== s) wrong.push(`${s} -> ${text}`);
    }
    expect(wrong).toEqual([]);
  });

  it("refuses fractions and negatives", () => {
    expect(() => goDuration(1.5)).toThrow(/whole/);
    expect(() => goDuration(-1)).toThrow(/non-negative/);
  });
});

describe("every container the estate registers", () => {
  it("passes health check durations and published ports in the form the provider reads back", async () => {
    new Neo4jEnterprise("graph", {
      cluster: { acceptLicenseAgreement: "yes", adminPassword: "password123", hostPorts: { metrics: 2004 } },
    });
    await settle();
    const containers = byType(recorded, "docker:index/container:Container");
    expect(containers.map((c) => c.name).sort()).toEqual([
      "graph-1",
      "graph-2",
      "graph-3",
      "graph-backups-runner",
      "graph-monitoring-alertmanager",
      "graph-monitoring-grafana",
      "graph-monitoring-prometheus",
      "graph-monitoring-pushgateway",
    ]);
    for (const c of containers) {
      const health = c.inputs.healthcheck as Record<string, unknown>;
      for (const field of ["interval", "timeout", "startPeriod"]) {
        const value = health[field] as string;
        expect([c.name, field, goDuration(parseGoDuration(value))]).toEqual([c.name, field, value]);
      }
      const ports = ((c.inputs.ports as { internal: number }[] | undefined) ?? []).map((p) => p.internal);
      expect([c.name, ports]).toEqual([c.name, [...ports].sort((a, b) => a - b)]);
    }
    const member = containers.find((c) => c.name === "graph-1")!;
    expect((member.inputs.ports as { internal: number }[]).map((p) => p.internal)).toEqual([
      2004, 7474, 7687,
    ]);
    expect(member.inputs.healthcheck).toMatchObject({ interval: "10s", timeout: "5s", startPeriod: "3m0s" });
  });
});
