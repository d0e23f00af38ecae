import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  RecordedResource,
  byType,
  recordResources,
  settle,
  unwrapSecretInput,
  valueOf,
} from "./support/pulumi-mocks";
import { refusedBeforeRegistering } from "./support/bad-input";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jCluster, MonitoringStack } = require("../../components") as typeof import("../../components");

const CONTAINER = "docker:index/container:Container";
type Upload = { file: string; content: string; permissions?: string; owner?: string; group?: string };

/** Secrets as a user passes them: a token in a webhook URL, an SMTP password, a Slack URL, a PagerDuty key. */
const SECRETS = {
  webhook: "https://hooks.example.com/neo4j?token=webhook-token-4711",
  bearer: "bearer-credentials-4712",
  smtp: "smtp-password-4713",
  slack: "https://hooks.slack.com/services/T000/B000/slack-secret-4714",
  pagerduty: "pagerduty-routing-key-4715",
};

function receivers(secret: (value: string) => pulumi.Input<string> = (v) => pulumi.secret(v)) {
  return [
    {
      name: "ops",
      webhook_configs: [
        {
          url: secret(SECRETS.webhook),
          http_config: { authorization: { credentials: secret(SECRETS.bearer) } },
        },
      ],
      email_configs: [
        {
          to: "oncall@example.com",
          from: "neo4j@example.com",
          smarthost: "smtp.example.com:587",
          auth_username: "neo4j",
          auth_password: secret(SECRETS.smtp),
        },
      ],
    },
    {
      name: "pager",
      slack_configs: [{ api_url: secret(SECRETS.slack), channel: "#neo4j" }],
      pagerduty_configs: [{ routing_key: secret(SECRETS.pagerduty) }],
    },
  ];
}

let clusters = 0;
function cluster() {
  clusters += 1;
  return new Neo4jCluster(`graph${clusters}`, {
    acceptLicenseAgreement: "yes",
    adminPassword: "password123",
  });
}

async function container(name: string): Promise<Record<string, unknown>> {
  await settle();
  const found = byType(recorded, CONTAINER).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0].inputs;
}

/** Uploads whether or not the list turned secret, and whether it did. */
function uploads(c: Record<string, unknown>): { secret: boolean; files: Upload[] } {
  if (Array.isArray(c.uploads)) return { secret: false, files: c.uploads as Upload[] };
  return { secret: true, files: unwrapSecretInput(c.uploads) as Upload[] };
}

function file(c: Record<string, unknown>, path: string): Upload {
  const found = uploads(c).files.find((u) => u.file === path);
  expect(found).toBeDefined();
  return found!;
}

/**
 * Every recorded input as the engine would store it, with Pulumi's secret envelopes cut out: what
 * is left is what state and previews show in plain text.
 */
function plainText(resources: RecordedResource[]): string {
  const SECRET_SIG = "4dabf18193072939515e22adb298388d";
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      if (SECRET_SIG in (v as object)) return "[secret]";
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return JSON.stringify(resources.map((r) => ({ name: r.name, inputs: strip(r.inputs) })));
}

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
});
afterEach(async () => {
  await settle();
  warn.mockRestore();
  recorded.splice(0);
});

describe("MonitoringStack's Alertmanager under the mock runtime", () => {
  it("runs by default, published on 127.0.0.1:9093, with its state on a volume, and Prometheus sends it alerts", async () => {
    const stack = new MonitoringStack("monitoring", { cluster: cluster() });
    const alertmanager = await container("monitoring-alertmanager");
    expect(alertmanager.ports).toEqual([
      { internal: 9093, external: 9093, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect(alertmanager.volumes).toEqual([
      { volumeName: "monitoring-alertmanager-data", containerPath: "/alertmanager" },
    ]);
    expect(alertmanager.command).toEqual([
      "--config.file=/etc/alertmanager/alertmanager.yml",
      "--storage.path=/alertmanager",
      "--cluster.listen-address=",
      "--web.external-url=http://localhost:9093",
    ]);
    expect(alertmanager.networksAdvanced).toEqual([
      { name: "graph1-network", aliases: ["monitoring-alertmanager"] },
    ]);
    expect((alertmanager.healthcheck as { tests: string[] }).tests).toContain(
      "http://127.0.0.1:9093/-/ready",
    );
    expect(await valueOf(stack.alertmanagerUrl!)).toBe("http://localhost:9093");

    const prometheus = await container("monitoring-prometheus");
    const config = parse(file(prometheus, "/etc/prometheus/prometheus.yml").content);
    expect(config.alerting).toEqual({
      alertmanagers: [{ static_configs: [{ targets: ["monitoring-alertmanager:9093"] }] }],
    });
  });

  it("without receivers, routes every alert to a receiver that notifies nobody, and warns at preview", async () => {
    new MonitoringStack("quiet", { cluster: cluster() });
    const alertmanager = await container("quiet-alertmanager");
    const { secret, files } = uploads(alertmanager);
    // Nothing secret in it: the config reads as a plain diff.
    expect(secret).toBe(false);
    expect(files.map((f) => f.file)).toEqual(["/etc/alertmanager/alertmanager.yml"]);
    expect(parse(files[0].content)).toEqual({
      route: { receiver: "none", group_by: ["alertname"] },
      receivers: [{ name: "none" }],
    });
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'MonitoringStack "quiet": alerts reach nobody: the Alertmanager has no receivers, so it only shows alerts at its URL. Give alertReceivers (a webhook, email, Slack or PagerDuty), or set alertmanager: false',
    ]);
  });

  it("delivers every receiver secret as a file only the Alertmanager's user reads, named by Alertmanager's *_file fields", async () => {
    new MonitoringStack("monitoring", {
      cluster: cluster(),
      alertReceivers: receivers(),
      alertRoute: { group_wait: "10s", routes: [{ matchers: ['severity="critical"'], receiver: "pager" }] },
    });
    const alertmanager = await container("monitoring-alertmanager");
    const { secret, files } = uploads(alertmanager);
    expect(secret).toBe(true);
    const config = parse(file(alertmanager, "/etc/alertmanager/alertmanager.yml").content);
    expect(config.receivers[0].webhook_configs[0]).toEqual({
      url_file: "/etc/alertmanager/secrets/0-webhook-0-url",
      http_config: {
        authorization: {
          credentials_file: "/etc/alertmanager/secrets/0-webhook-0-http_config-authorization-credentials",
        },
      },
    });
    expect(config.receivers[0].email_configs[0].auth_password_file).toBe(
      "/etc/alertmanager/secrets/0-email-0-auth_password",
    );
    expect(config.receivers[1].slack_configs[0].api_url_file).toBe(
      "/etc/alertmanager/secrets/1-slack-0-api_url",
    );
    expect(config.receivers[1].pagerduty_configs[0].routing_key_file).toBe(
      "/etc/alertmanager/secrets/1-pagerduty-0-routing_key",
    );
    expect(config.route).toEqual({
      receiver: "ops",
      group_by: ["alertname"],
      group_wait: "10s",
      routes: [{ receiver: "pager", matchers: ['severity="critical"'] }],
    });
    const byPath = Object.fromEntries(files.map((f) => [f.file, f]));
    expect(byPath["/etc/alertmanager/secrets/0-webhook-0-url"]).toEqual({
      file: "/etc/alertmanager/secrets/0-webhook-0-url",
      content: SECRETS.webhook,
      permissions: "0400",
      owner: "65534",
      group: "65534",
    });
    expect(byPath["/etc/alertmanager/secrets/0-email-0-auth_password"].content).toBe(SECRETS.smtp);
    expect(byPath["/etc/alertmanager/secrets/1-slack-0-api_url"].content).toBe(SECRETS.slack);
    expect(byPath["/etc/alertmanager/secrets/1-pagerduty-0-routing_key"].content).toBe(SECRETS.pagerduty);
    // The config names files, never a secret itself.
    const configText = file(alertmanager, "/etc/alertmanager/alertmanager.yml").content;
    for (const value of Object.values(SECRETS)) expect(configText).not.toContain(value);
    expect(warn).not.toHaveBeenCalled();
  });

  it("never records a receiver secret outside a secret envelope, in any resource, even when given as a plain string", async () => {
    new MonitoringStack("monitoring", { cluster: cluster(), alertReceivers: receivers((v) => v) });
    new MonitoringStack("late", {
      cluster: cluster(),
      alertReceivers: receivers((v) => pulumi.output(v)),
      alertmanagerHostPort: 19093,
      prometheusHostPort: 19090,
      grafanaHostPort: 13000,
    });
    await settle();
    const shown = plainText(recorded);
    expect(shown).toContain("alertmanager.yml");
    expect(Object.values(SECRETS).filter((value) => shown.includes(value))).toEqual([]);
    // And no secret reaches the environment, the command line or labels, where docker inspect shows it.
    for (const name of ["monitoring-alertmanager", "late-alertmanager"]) {
      const c = await container(name);
      const visible = JSON.stringify([c.envs, c.command, c.labels]);
      for (const value of Object.values(SECRETS)) expect(visible).not.toContain(value);
    }
  });

  it("writes a webhook URL into the config for Alertmanager 0.25, which has no url_file, and keeps the config secret", async () => {
    new MonitoringStack("old", {
      cluster: cluster(),
      alertmanagerImage: "neo4j-estate/alertmanager:0.25.0",
      alertReceivers: [
        { name: "ops", webhook_configs: [{ url: pulumi.secret(SECRETS.webhook) }] },
        { name: "pager", pagerduty_configs: [{ service_key: SECRETS.pagerduty }] },
      ],
    });
    const alertmanager = await container("old-alertmanager");
    const { secret } = uploads(alertmanager);
    expect(secret).toBe(true);
    const configFile = file(alertmanager, "/etc/alertmanager/alertmanager.yml");
    expect(configFile).toMatchObject({ permissions: "0400", owner: "65534" });
    const config = parse(configFile.content);
    expect(config.receivers[0].webhook_configs).toEqual([{ url: SECRETS.webhook }]);
    expect(config.receivers[1].pagerduty_configs).toEqual([
      { service_key_file: "/etc/alertmanager/secrets/1-pagerduty-0-service_key" },
    ]);
    expect(plainText(recorded).includes(SECRETS.webhook)).toBe(false);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      expect.stringMatching(
        /^MonitoringStack "old": Alertmanager 0\.25 reads a webhook URL only from alertmanager\.yml and shows it on its status page/,
      ),
    ]);
  });

  it("with alertmanager: false, runs none and leaves Prometheus's alerting section out", async () => {
    const stack = new MonitoringStack("bare", { cluster: cluster(), alertmanager: false });
    await settle();
    expect(byType(recorded, CONTAINER).map((r) => r.name)).not.toContain("bare-alertmanager");
    expect(stack.alertmanagerUrl).toBeUndefined();
    const prometheus = await container("bare-prometheus");
    expect(parse(file(prometheus, "/etc/prometheus/prometheus.yml").content).alerting).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    [
      { alertmanager: false, alertReceivers: [{ name: "ops" }] },
      'MonitoringStack "monitoring": alertReceivers is given, but alertmanager is false: leave it out, or turn the Alertmanager on',
    ],
    [
      { alertReceivers: [{ name: "ops" }, { name: "ops" }] },
      'MonitoringStack "monitoring": alertReceivers[1].name "ops" is already the name of alertReceivers[0]; receiver names must be unique',
    ],
    [
      { alertReceivers: [{ name: "ops" }], alertRoute: { routes: [{ receiver: "opps" }] } },
      'MonitoringStack "monitoring": alertRoute.routes[0].receiver names no receiver: "opps" is not in alertReceivers (known: "ops")',
    ],
    [
      { alertReceivers: [{ name: "ops", webhook_configs: [{ url: "hooks.example.com/token-4711" }] }] },
      'MonitoringStack "monitoring": alertReceivers[0].webhook_configs[0].url must be an http:// or https:// URL with a host (the value is a secret and not shown)',
    ],
    [
      { alertmanagerHostPort: 9090 },
      'MonitoringStack "monitoring": alertmanagerHostPort collides with prometheusHostPort: both would publish host port 9090; give the Alertmanager another port',
    ],
    [
      { alertmanagerImage: "prom/alertmanager:v0.24.0" },
      'MonitoringStack "monitoring": alertmanagerImage is Alertmanager v0.24.0, older than 0.25, which cannot read the SMTP password or PagerDuty keys from files; use 0.25 or later',
    ],
  ])("refuses %j before registering anything", async (args, message) => {
    const watched = cluster();
    await settle();
    expect(
      await refusedBeforeRegistering(
        recorded,
        () => new MonitoringStack("monitoring", { cluster: watched, ...(args as object) }),
      ),
    ).toBe(message);
  });
});
