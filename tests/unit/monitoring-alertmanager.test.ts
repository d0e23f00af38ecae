/**
 * The Alertmanager's configuration, pure: what planAlertmanager accepts and refuses, what it
 * renders, and amtool's verdict on it (Debian package `prometheus-alertmanager`, installed by
 * scripts/install-promtool.sh; these tests fail without amtool, since a skipped check would pass a
 * config Alertmanager refuses).
 */
import { spawnSync } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import {
  AlertmanagerPlan,
  AlertmanagerShapeArgs,
  MinorVersion,
  planAlertmanager,
  renderAlertmanagerConfig,
} from "../../components/monitoring/alertmanager";
import { argChecks } from "../../components/neo4j/checks";

const check = argChecks("MonitoringStack", "monitoring");
const V025: MinorVersion = [0, 25];
const V028: MinorVersion = [0, 28];

function plan(args: AlertmanagerShapeArgs, version: MinorVersion = V028): AlertmanagerPlan {
  return planAlertmanager(check, args, version);
}

/** The rendered file with every inline secret filled in from the plan's plain values. */
function rendered(p: AlertmanagerPlan): string {
  return renderAlertmanagerConfig(
    p,
    p.secrets.map((s) => (s.file === undefined ? String(s.value) : undefined)),
  );
}

function refusal(args: AlertmanagerShapeArgs, version: MinorVersion = V028): string {
  try {
    plan(args, version);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
}

/** Every notifier, a routing tree and an inhibit rule: the widest config this module writes. */
const EVERYTHING: AlertmanagerShapeArgs = {
  alertReceivers: [
    {
      name: "ops",
      webhook_configs: [
        {
          url: "https://hooks.example.com/neo4j?token=t0k3n",
          send_resolved: true,
          max_alerts: 10,
          http_config: { basic_auth: { username: "alerts", password: "basic-secret" } },
        },
        {
          url: "http://10.0.0.5:8080/alerts",
          http_config: { authorization: { credentials: "bearer-secret" } },
        },
      ],
      email_configs: [
        {
          to: "oncall@example.com, dba@example.com",
          from: "neo4j@example.com",
          smarthost: "smtp.example.com:587",
          auth_username: "neo4j",
          auth_password: "smtp-secret",
          require_tls: true,
          headers: { Subject: "Neo4j: {{ .GroupLabels.alertname }}" },
          text: "{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}",
        },
      ],
    },
    {
      name: "pager",
      slack_configs: [
        { api_url: "https://hooks.slack.com/services/T0/B0/xyz", channel: "#neo4j", send_resolved: true },
      ],
      pagerduty_configs: [
        { routing_key: "pd-routing-key", severity: "critical", details: { runbook: "https://wiki/neo4j" } },
        { service_key: "pd-service-key" },
      ],
    },
    { name: "ui-only" },
  ],
  alertRoute: {
    receiver: "ops",
    group_by: ["alertname", "database"],
    group_wait: "10s",
    group_interval: "1m",
    repeat_interval: "12h",
    routes: [
      { matchers: ['severity="critical"'], receiver: "pager", continue: true },
      { matchers: ['alertname=~"Neo4jBackup.*"', 'database!="system"'], repeat_interval: "1h" },
      { matchers: ['severity="info"'], receiver: "ui-only" },
    ],
  },
  alertInhibitRules: [
    {
      source_matchers: ['alertname="Neo4jMemberDown"'],
      target_matchers: ['severity="warning"'],
      equal: ["instance"],
    },
  ],
};

describe("planAlertmanager renders alertmanager.yml in Alertmanager's own shapes", () => {
  it("routes everything to a receiver named none, grouped by alert name, when no receiver is given, and says so", () => {
    const p = plan({});
    expect(parse(rendered(p))).toEqual({
      route: { receiver: "none", group_by: ["alertname"] },
      receivers: [{ name: "none" }],
    });
    expect(p.warnings).toEqual([expect.stringContaining("alerts reach nobody")]);
    expect(p.secrets).toEqual([]);
  });

  it("sends to the first receiver unless the route names one, and keeps the route's settings and children", () => {
    const config = parse(rendered(plan(EVERYTHING)));
    expect(config.route.receiver).toBe("ops");
    expect(config.route.routes[1]).toEqual({
      matchers: ['alertname=~"Neo4jBackup.*"', 'database!="system"'],
      repeat_interval: "1h",
    });
    expect(config.inhibit_rules).toEqual(EVERYTHING.alertInhibitRules);
    expect(parse(rendered(plan({ alertReceivers: [{ name: "b" }, { name: "a" }] }))).route.receiver).toBe(
      "b",
    );
  });

  it("names a file for every secret from Alertmanager 0.26 on, so the config itself holds none", () => {
    const p = plan(EVERYTHING, [0, 26]);
    expect(p.configHoldsSecrets).toBe(false);
    expect(p.warnings).toEqual([]);
    expect(p.secrets.map((s) => [s.field, s.file])).toEqual([
      ["alertReceivers[0].webhook_configs[0].url", "/etc/alertmanager/secrets/0-webhook-0-url"],
      [
        "alertReceivers[0].webhook_configs[0].http_config.basic_auth.password",
        "/etc/alertmanager/secrets/0-webhook-0-http_config-basic_auth-password",
      ],
      ["alertReceivers[0].webhook_configs[1].url", "/etc/alertmanager/secrets/0-webhook-1-url"],
      [
        "alertReceivers[0].webhook_configs[1].http_config.authorization.credentials",
        "/etc/alertmanager/secrets/0-webhook-1-http_config-authorization-credentials",
      ],
      [
        "alertReceivers[0].email_configs[0].auth_password",
        "/etc/alertmanager/secrets/0-email-0-auth_password",
      ],
      ["alertReceivers[1].slack_configs[0].api_url", "/etc/alertmanager/secrets/1-slack-0-api_url"],
      [
        "alertReceivers[1].pagerduty_configs[0].routing_key",
        "/etc/alertmanager/secrets/1-pagerduty-0-routing_key",
      ],
      [
        "alertReceivers[1].pagerduty_configs[1].service_key",
        "/etc/alertmanager/secrets/1-pagerduty-1-service_key",
      ],
    ]);
    const config = parse(rendered(p));
    expect(config.receivers[0].webhook_configs[0]).toEqual({
      url_file: "/etc/alertmanager/secrets/0-webhook-0-url",
      send_resolved: true,
      max_alerts: 10,
      http_config: {
        basic_auth: {
          username: "alerts",
          password_file: "/etc/alertmanager/secrets/0-webhook-0-http_config-basic_auth-password",
        },
      },
    });
    expect(config.receivers[1].pagerduty_configs[1]).toEqual({
      service_key_file: "/etc/alertmanager/secrets/1-pagerduty-1-service_key",
    });
  });

  it("writes a webhook URL inline for Alertmanager 0.25, which has no url_file, and says the config holds a secret", () => {
    const p = plan(EVERYTHING, V025);
    expect(p.configHoldsSecrets).toBe(true);
    // Alertmanager 0.25 shows that URL on its status page: said at preview, with the way out.
    expect(p.warnings).toEqual([
      "Alertmanager 0.25 reads a webhook URL only from alertmanager.yml and shows it on its status page and API (/api/v2/status) to anyone who reaches alertmanagerUrl (alertReceivers[0].webhook_configs[0].url, alertReceivers[0].webhook_configs[1].url): keep a token out of the URL (http_config.authorization.credentials is read from a file and never shown), or use Alertmanager 0.26 or later, which reads the URL from url_file",
    ]);
    expect(p.secrets.filter((s) => s.file === undefined).map((s) => s.field)).toEqual([
      "alertReceivers[0].webhook_configs[0].url",
      "alertReceivers[0].webhook_configs[1].url",
    ]);
    const config = parse(rendered(p));
    expect(config.receivers[0].webhook_configs[0].url).toBe("https://hooks.example.com/neo4j?token=t0k3n");
    expect(config.receivers[0].email_configs[0].auth_password_file).toBe(
      "/etc/alertmanager/secrets/0-email-0-auth_password",
    );
    expect(() => renderAlertmanagerConfig(p)).toThrow(
      "alertmanagerConfig: the value of alertReceivers[0].webhook_configs[0].url was not given",
    );
  });

  it("never writes a secret delivered as a file into the config, whatever its value (property)", () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 8 })
          .filter((s) => !/[\n\r\0]/.test(s))
          .map((s) => `pw:${s}`),
        fc.webUrl({ withQueryParameters: true }),
        (password, url) => {
          const p = plan({
            alertReceivers: [
              {
                name: "r",
                webhook_configs: [{ url }],
                email_configs: [{ to: "a@b.c", from: "x@y.z", smarthost: "h:25", auth_password: password }],
              },
            ],
          });
          const text = rendered(p);
          return !text.includes(password) && !text.includes(url);
        },
      ),
    );
  });

  it("keeps any set of unique receiver names and routes to the first (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ minLength: 1 }).filter((s) => s.trim() !== "" && !/[\n\r\0]/.test(s)),
          { minLength: 1, maxLength: 5 },
        ),
        (names) => {
          const config = parse(rendered(plan({ alertReceivers: names.map((name) => ({ name })) })));
          return (
            config.route.receiver === names[0] &&
            JSON.stringify(config.receivers.map((r: { name: string }) => r.name)) === JSON.stringify(names)
          );
        },
      ),
    );
  });
});

describe("planAlertmanager refuses what Alertmanager would refuse at start, naming the field", () => {
  const M = 'MonitoringStack "monitoring": ';
  it.each<[string, AlertmanagerShapeArgs, string]>([
    [
      "receivers not a list",
      { alertReceivers: { name: "ops" } },
      'alertReceivers must be a list of receivers (got {"name":"ops"})',
    ],
    [
      "a misspelled notifier",
      { alertReceivers: [{ name: "ops", webhook_config: [] } as never] },
      "alertReceivers[0].webhook_config is not a field of alertReceivers[0]; did you mean webhook_configs?",
    ],
    [
      "a *_file field, which the component writes itself",
      { alertReceivers: [{ name: "ops", slack_configs: [{ api_url_file: "/x" }] } as never] },
      "alertReceivers[0].slack_configs[0].api_url_file is written by MonitoringStack itself: pass the value as a Pulumi secret in api_url, and it reaches Alertmanager as the file api_url_file names",
    ],
    [
      "a receiver without name",
      { alertReceivers: [{}] },
      'alertReceivers[0].name must be a non-empty string such as "ops" (got undefined)',
    ],
    [
      "a webhook without url",
      { alertReceivers: [{ name: "ops", webhook_configs: [{ send_resolved: true }] }] },
      "alertReceivers[0].webhook_configs[0].url is required",
    ],
    [
      "a secret URL that is not one, without showing it",
      { alertReceivers: [{ name: "ops", slack_configs: [{ api_url: "ftp://hooks/s3cr3t" }] }] },
      "alertReceivers[0].slack_configs[0].api_url must be an http:// or https:// URL with a host (the value is a secret and not shown)",
    ],
    [
      "an empty SMTP password",
      {
        alertReceivers: [
          {
            name: "ops",
            email_configs: [{ to: "a@b.c", from: "x@y.z", smarthost: "h:25", auth_password: " " }],
          },
        ],
      },
      "alertReceivers[0].email_configs[0].auth_password must not be empty",
    ],
    [
      "an email without smarthost",
      { alertReceivers: [{ name: "ops", email_configs: [{ to: "a@b.c", from: "x@y.z" }] }] },
      "alertReceivers[0].email_configs[0].smarthost is required",
    ],
    [
      "a smarthost without port",
      {
        alertReceivers: [
          { name: "ops", email_configs: [{ to: "a@b.c", from: "x@y.z", smarthost: "smtp.example.com" }] },
        ],
      },
      'alertReceivers[0].email_configs[0].smarthost must be host:port, such as smtp.example.com:587 (got "smtp.example.com")',
    ],
    [
      "PagerDuty with both keys",
      { alertReceivers: [{ name: "ops", pagerduty_configs: [{ routing_key: "a", service_key: "b" }] }] },
      "alertReceivers[0].pagerduty_configs[0] needs exactly one of routing_key or service_key (got routing_key and service_key)",
    ],
    [
      "PagerDuty with no key",
      { alertReceivers: [{ name: "ops", pagerduty_configs: [{ severity: "critical" }] }] },
      "alertReceivers[0].pagerduty_configs[0] needs exactly one of routing_key or service_key (got none)",
    ],
    [
      "a route without receivers",
      { alertRoute: { group_wait: "5s" } },
      "alertRoute routes to receivers, but alertReceivers is empty: give the receivers the route names",
    ],
    [
      "matchers on the top route",
      { alertReceivers: [{ name: "ops" }], alertRoute: { matchers: ['severity="critical"'] } },
      "alertRoute.matchers is not allowed on the top route, which takes every alert; put matchers on a child route in alertRoute.routes",
    ],
    [
      "a top route receiver that does not exist",
      { alertReceivers: [{ name: "ops" }], alertRoute: { receiver: "pager" } },
      'alertRoute.receiver names no receiver: "pager" is not in alertReceivers (known: "ops")',
    ],
    [
      "a matcher without operator",
      { alertReceivers: [{ name: "ops" }], alertRoute: { routes: [{ matchers: ["severity critical"] }] } },
      'alertRoute.routes[0].matchers[0] must be an Alertmanager matcher: a label name, one of = != =~ !~, and a value, such as severity="critical" (got "severity critical")',
    ],
    [
      "a regex that does not parse",
      { alertReceivers: [{ name: "ops" }], alertRoute: { routes: [{ matchers: ['alertname=~"Neo4j("'] }] } },
      'alertRoute.routes[0].matchers[0] has a regular expression that does not parse (got "alertname=~\\"Neo4j(\\"")',
    ],
    [
      "a repeat interval beyond the notification log's retention",
      { alertReceivers: [{ name: "ops" }], alertRoute: { repeat_interval: "1w" } },
      'alertRoute.repeat_interval must be a duration such as 30s or 5m (units ms, s, m, h, d, w, y, largest first) from 1s to 5d (got "1w")',
    ],
    [
      "a group_by that is not a label",
      { alertReceivers: [{ name: "ops" }], alertRoute: { group_by: ["data-base"] } },
      'alertRoute.group_by[0] must be a label name such as database (got "data-base")',
    ],
    [
      "an inhibit rule matching everything",
      { alertInhibitRules: [{ source_matchers: ['severity="critical"'], target_matchers: [] }] },
      "alertInhibitRules[0].target_matchers must list at least one matcher: an empty list matches every alert",
    ],
    [
      "an Output where only secrets may be one",
      {
        alertReceivers: [
          {
            name: "ops",
            slack_configs: [{ api_url: "https://h/x", channel: Promise.resolve("#a") as never }],
          },
        ],
      },
      "alertReceivers[0].slack_configs[0].channel must be a plain value, not a Pulumi Output or Promise: only the secret fields (URLs, passwords, keys) may be outputs",
    ],
  ])("%s", (_what, args, problem) => {
    expect(refusal(args)).toBe(M + problem);
  });

  it("leaves secrets that are outputs for the component to check when they resolve", () => {
    const p = plan({
      alertReceivers: [{ name: "ops", webhook_configs: [{ url: Promise.resolve("not a url") }] }],
    });
    expect(p.secrets).toHaveLength(1);
  });
});

describe("amtool check-config, Alertmanager's own parser", () => {
  let dir: string;
  let amtoolVersion: MinorVersion;
  beforeAll(() => {
    const probe = spawnSync("amtool", ["--version"], { encoding: "utf8" });
    if (probe.error || probe.status !== 0)
      throw new Error(
        "amtool is missing: run scripts/install-promtool.sh (as root it installs Debian's `prometheus-alertmanager` package), or put amtool on PATH",
      );
    const m = /version (\d+)\.(\d+)/.exec(`${probe.stdout}${probe.stderr}`)!;
    amtoolVersion = [Number(m[1]), Number(m[2])];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "monitoring-amtool-"));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function amtool(name: string, text: string): { ok: boolean; output: string } {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const run = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
    if (run.error) throw run.error;
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  }

  it.each([
    ["the default, without receivers", {}],
    ["every notifier, a routing tree and an inhibit rule", EVERYTHING],
  ])("accepts %s, written for its own version", (_what, args) => {
    const result = amtool("am.yml", rendered(plan(args, amtoolVersion)));
    expect(result.output).toContain("SUCCESS");
    expect(result.ok).toBe(true);
  });

  it("refuses url_file before 0.26, the reason the config is written per version", () => {
    const newer: MinorVersion = [0, 26];
    const result = amtool("am-newer.yml", rendered(plan(EVERYTHING, newer)));
    if (amtoolVersion[1] < 26) {
      expect(result.ok).toBe(false);
      expect(result.output).toContain("field url_file not found");
    } else expect(result.ok).toBe(true);
  });
});
