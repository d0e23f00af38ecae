/**
 * Alertmanager's configuration as data: receivers, routing and inhibition in Alertmanager's own
 * shapes (the keys of `alertmanager.yml`, snake_case and all), checked here and serialized with the
 * `yaml` library. Platform-neutral: it knows Alertmanager, not Docker. Every secret in a receiver
 * (a webhook URL carrying a token, an SMTP password, a Slack webhook URL, a PagerDuty key) is
 * delivered as a file at a path chosen here, named by Alertmanager's `*_file` field; the platform
 * writes the files (Docker uploads today, a Secret volume on Kubernetes).
 */
import { stringify } from "yaml";
import { Checks, isDeferred, shown } from "../neo4j/checks";

export const ALERTMANAGER_CONFIG_FILE = "/etc/alertmanager/alertmanager.yml";
/** One file per secret, beside the config. */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
/** Silences and the notification log: kept on a volume so a replaced container does not re-notify. */
export const ALERTMANAGER_DATA_DIR = "/alertmanager";
/** The user the upstream image and Debian's package both run Alertmanager as (`nobody`). */
export const ALERTMANAGER_UID = 65534;
/** The receiver every alert goes to when no receiver is given: Alertmanager shows alerts, sends nothing. */
export const NULL_RECEIVER = "none";

/** A version as `[major, minor]`. */
export type MinorVersion = readonly [number, number];
/**
 * The oldest Alertmanager whose configuration this module writes: 0.25 (Debian bookworm's) reads
 * the SMTP password (`auth_password_file`), the Slack URL (`api_url_file`) and the PagerDuty keys
 * (`routing_key_file`, `service_key_file`) from files; older ones miss some of these.
 */
export const MIN_ALERTMANAGER: MinorVersion = [0, 25];
/**
 * `webhook_configs[].url_file` arrived in Alertmanager 0.26; 0.25 refuses the field. Before it, a
 * webhook URL is written into alertmanager.yml itself, and the whole file is then handled as a secret.
 */
export const WEBHOOK_URL_FILE_SINCE: MinorVersion = [0, 26];

// ---------------------------------------------------------------------------------------------
// The arguments, in Alertmanager's shapes. `S` is the type of a secret: a plain string in the core,
// `pulumi.Input<string>` in the component's arguments.

/** HTTP credentials of a webhook: `basic_auth` or an `Authorization` header, passwords as secrets. */
export interface AlertHttpConfig<S = string> {
  basic_auth?: { username: string; password: S };
  /** `Authorization: <type> <credentials>`; `type` defaults to `Bearer` (Alertmanager's default). */
  authorization?: { type?: string; credentials: S };
}

export interface WebhookReceiverConfig<S = string> {
  /** Where Alertmanager POSTs its JSON; a secret, since such URLs often carry a token. */
  url: S;
  send_resolved?: boolean;
  /** The most alerts in one message; 0 (the default) for all. */
  max_alerts?: number;
  http_config?: AlertHttpConfig<S>;
}

export interface EmailReceiverConfig<S = string> {
  /** The recipients, comma-separated. */
  to: string;
  from: string;
  /** The SMTP server as `host:port`. */
  smarthost: string;
  hello?: string;
  auth_username?: string;
  /** The SMTP password; a secret, delivered as `auth_password_file`. */
  auth_password?: S;
  auth_identity?: string;
  require_tls?: boolean;
  send_resolved?: boolean;
  headers?: Record<string, string>;
  html?: string;
  text?: string;
}

export interface SlackReceiverConfig<S = string> {
  /** The Slack incoming-webhook URL; a secret, delivered as `api_url_file`. */
  api_url: S;
  channel?: string;
  username?: string;
  color?: string;
  title?: string;
  title_link?: string;
  pretext?: string;
  text?: string;
  footer?: string;
  fallback?: string;
  icon_emoji?: string;
  icon_url?: string;
  link_names?: boolean;
  send_resolved?: boolean;
}

export interface PagerdutyReceiverConfig<S = string> {
  /** An Events API v2 integration key; a secret, delivered as `routing_key_file`. Exactly one of the two keys. */
  routing_key?: S;
  /** An Events API v1 (Prometheus integration) key; a secret, delivered as `service_key_file`. */
  service_key?: S;
  url?: string;
  client?: string;
  client_url?: string;
  description?: string;
  severity?: string;
  class?: string;
  component?: string;
  group?: string;
  details?: Record<string, string>;
  send_resolved?: boolean;
}

/** A receiver in Alertmanager's shape: a unique name and any number of notifier configs. */
export interface AlertReceiver<S = string> {
  name: string;
  webhook_configs?: WebhookReceiverConfig<S>[];
  email_configs?: EmailReceiverConfig<S>[];
  slack_configs?: SlackReceiverConfig<S>[];
  pagerduty_configs?: PagerdutyReceiverConfig<S>[];
}

/** A routing node in Alertmanager's shape; the top one takes no matchers. */
export interface AlertRoute {
  /** A receiver's name. Top route default: the first receiver; child routes inherit their parent's. */
  receiver?: string;
  /** Labels that split alerts into notifications, or `["..."]` for every label. Default `["alertname"]`. */
  group_by?: string[];
  /** How long a new group waits for more alerts before its first notification. Alertmanager's default `30s`. */
  group_wait?: string;
  /** How long before a group that changed notifies again. Alertmanager's default `5m`. */
  group_interval?: string;
  /** How long before an unchanged, still firing group notifies again. Alertmanager's default `4h`; at most `5d`. */
  repeat_interval?: string;
  /** Alertmanager matchers such as `severity="critical"` or `database=~"sales.*"`. */
  matchers?: string[];
  /** Keep matching sibling routes after this one matched. */
  continue?: boolean;
  routes?: AlertRoute[];
}

/** Mutes alerts matching `target_matchers` while an alert matching `source_matchers` fires, with the same `equal` labels. */
export interface AlertInhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

/** What the Alertmanager arguments of MonitoringStack hold, as the core checks them. */
export interface AlertmanagerShapeArgs {
  alertReceivers?: unknown;
  alertRoute?: unknown;
  alertInhibitRules?: unknown;
}

// ---------------------------------------------------------------------------------------------
// The plan

/** A secret in a receiver: where the user gave it, where Alertmanager reads it, and its value as given. */
export interface ReceiverSecret {
  /** The argument path, for messages: `alertReceivers[0].webhook_configs[0].url`. */
  field: string;
  /** The file Alertmanager reads it from; undefined when this version reads it only inline in the config. */
  file?: string;
  /** Whether the value must be an http(s) URL. */
  url: boolean;
  /** A string, or a Pulumi Output or Promise that the component resolves (and checks) at deployment. */
  value: unknown;
}

export interface AlertmanagerPlan {
  /** The Alertmanager version the config is written for. */
  version: MinorVersion;
  /** alertmanager.yml as data; secrets written inline appear as InlineSecret placeholders. */
  config: Record<string, unknown>;
  secrets: ReceiverSecret[];
  /** Whether alertmanager.yml itself holds a secret (a webhook URL before 0.26), and so must be handled as one. */
  configHoldsSecrets: boolean;
  /** Things a user should hear about at preview, without failing it. */
  warnings: string[];
}

/** Where a secret goes inline in alertmanager.yml: replaced by `secrets[index]`'s value when rendering. */
export class InlineSecret {
  constructor(readonly index: number) {}
}

type Field =
  | { kind: "text" | "template" | "boolean" | "count" | "url" | "address" | "labelNames" | "textMap" }
  | {
      kind: "secret";
      /** Alertmanager's field that names a file holding the value. */
      fileField: string;
      /** The first version with `fileField`; inline in the config before it. */
      fileSince?: MinorVersion;
      url?: boolean;
    }
  | { kind: "object"; schema: Schema };

interface Schema {
  fields: Record<string, Field>;
  required?: string[];
  /** Exactly one of these must be given. */
  exactlyOne?: string[];
}

const text = { kind: "text" } as const;
const template = { kind: "template" } as const;
const boolean = { kind: "boolean" } as const;

const HTTP_CONFIG: Schema = {
  fields: {
    basic_auth: {
      kind: "object",
      schema: {
        fields: { username: text, password: { kind: "secret", fileField: "password_file" } },
        required: ["username", "password"],
      },
    },
    authorization: {
      kind: "object",
      schema: {
        fields: { type: text, credentials: { kind: "secret", fileField: "credentials_file" } },
        required: ["credentials"],
      },
    },
  },
};

/** The notifiers this module writes, each with the fields it accepts; anything else is refused as a typo. */
const NOTIFIERS: Record<string, Schema> = {
  webhook_configs: {
    fields: {
      url: { kind: "secret", fileField: "url_file", fileSince: WEBHOOK_URL_FILE_SINCE, url: true },
      send_resolved: boolean,
      max_alerts: { kind: "count" },
      http_config: { kind: "object", schema: HTTP_CONFIG },
    },
    required: ["url"],
  },
  email_configs: {
    fields: {
      to: text,
      from: text,
      smarthost: { kind: "address" },
      hello: text,
      auth_username: text,
      auth_password: { kind: "secret", fileField: "auth_password_file" },
      auth_identity: text,
      require_tls: boolean,
      send_resolved: boolean,
      headers: { kind: "textMap" },
      html: template,
      text: template,
    },
    // Alertmanager also takes these from `global`, which this module does not write.
    required: ["to", "from", "smarthost"],
  },
  slack_configs: {
    fields: {
      api_url: { kind: "secret", fileField: "api_url_file", url: true },
      channel: text,
      username: text,
      color: text,
      title: template,
      title_link: text,
      pretext: template,
      text: template,
      footer: template,
      fallback: template,
      icon_emoji: text,
      icon_url: text,
      link_names: boolean,
      send_resolved: boolean,
    },
    required: ["api_url"],
  },
  pagerduty_configs: {
    fields: {
      routing_key: { kind: "secret", fileField: "routing_key_file" },
      service_key: { kind: "secret", fileField: "service_key_file" },
      url: { kind: "url" },
      client: text,
      client_url: text,
      description: template,
      severity: text,
      class: text,
      component: text,
      group: text,
      details: { kind: "textMap" },
      send_resolved: boolean,
    },
    exactlyOne: ["routing_key", "service_key"],
  },
};

export const NOTIFIER_KEYS = Object.keys(NOTIFIERS);
const RECEIVER_KEYS = ["name", ...NOTIFIER_KEYS];
const ROUTE_KEYS = [
  "receiver",
  "group_by",
  "group_wait",
  "group_interval",
  "repeat_interval",
  "matchers",
  "continue",
  "routes",
] satisfies (keyof AlertRoute)[];
const INHIBIT_KEYS = ["source_matchers", "target_matchers", "equal"] satisfies (keyof AlertInhibitRule)[];

/** What the top route groups by unless told: one notification per alert name, all databases together. */
export const DEFAULT_GROUP_BY = ["alertname"];

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Alertmanager's matcher syntax: a label name, an operator, and a value quoted or bare. */
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^"\s{},]*)\s*$/;

/**
 * Checks the receivers, route and inhibit rules of a MonitoringStack's Alertmanager and plans its
 * configuration for Alertmanager `version`: throws an InputError naming the field on the first
 * problem. Secrets may be Pulumi outputs; they are checked here when plain, by the component when
 * they resolve (see checkReceiverSecret), and never shown in a message.
 */
export function planAlertmanager(
  check: Checks,
  args: AlertmanagerShapeArgs,
  version: MinorVersion,
): AlertmanagerPlan {
  const secrets: ReceiverSecret[] = [];
  const warnings: string[] = [];
  const given =
    args.alertReceivers === undefined ? [] : check.list("alertReceivers", args.alertReceivers, "receivers");
  const receivers = given.map((r, i) => receiver(check, `alertReceivers[${i}]`, r, version, secrets));
  const names = new Map<string, number>();
  receivers.forEach((r, i) => {
    const name = r.name as string;
    if (names.has(name))
      throw check.fail(
        `alertReceivers[${i}].name`,
        `${JSON.stringify(name)} is already the name of alertReceivers[${names.get(name)}]; receiver names must be unique`,
      );
    names.set(name, i);
  });
  if (receivers.length === 0) {
    if (args.alertRoute !== undefined)
      throw check.fail(
        "alertRoute",
        "routes to receivers, but alertReceivers is empty: give the receivers the route names",
      );
    receivers.push({ name: NULL_RECEIVER });
    names.set(NULL_RECEIVER, 0);
    warnings.push(
      `alerts reach nobody: the Alertmanager has no receivers, so it only shows alerts at its URL. Give alertReceivers (a webhook, email, Slack or PagerDuty), or set alertmanager: false`,
    );
  }

  const routeArgs =
    args.alertRoute === undefined
      ? {}
      : check.object<Record<string, unknown>>(
          "alertRoute",
          args.alertRoute,
          ROUTE_KEYS,
          'an object such as { receiver: "ops", group_wait: "30s" }',
        );
  if (routeArgs.matchers !== undefined)
    throw check.fail(
      "alertRoute.matchers",
      "is not allowed on the top route, which takes every alert; put matchers on a child route in alertRoute.routes",
    );
  if (routeArgs.continue !== undefined)
    throw check.fail("alertRoute.continue", "is not allowed on the top route, which has no siblings");
  const top = route(check, "alertRoute", routeArgs, names);
  const config: Record<string, unknown> = {
    route: {
      receiver: top.receiver ?? receivers[0].name,
      group_by: top.group_by ?? DEFAULT_GROUP_BY,
      ...top,
    },
  };
  if (args.alertInhibitRules !== undefined)
    config.inhibit_rules = check
      .list("alertInhibitRules", args.alertInhibitRules, "inhibit rules")
      .map((rule, i) => inhibitRule(check, `alertInhibitRules[${i}]`, rule));
  config.receivers = receivers;
  const inline = secrets.filter((s) => s.file === undefined);
  if (inline.length > 0)
    warnings.push(
      `Alertmanager ${version.join(".")} reads a webhook URL only from alertmanager.yml and shows it on its status page and API (/api/v2/status) to anyone who reaches alertmanagerUrl (${inline.map((s) => s.field).join(", ")}): keep a token out of the URL (http_config.authorization.credentials is read from a file and never shown), or use Alertmanager ${WEBHOOK_URL_FILE_SINCE.join(".")} or later, which reads the URL from url_file`,
    );
  return { version, config, secrets, configHoldsSecrets: inline.length > 0, warnings };
}

function receiver(
  check: Checks,
  field: string,
  value: unknown,
  version: MinorVersion,
  secrets: ReceiverSecret[],
): Record<string, unknown> {
  const given = check.object<Record<string, unknown>>(
    field,
    value,
    RECEIVER_KEYS,
    'a receiver such as { name: "ops", webhook_configs: [{ url: secret }] }',
  );
  const name = check.text(`${field}.name`, given.name, '"ops"');
  const rendered: Record<string, unknown> = { name };
  for (const kind of NOTIFIER_KEYS) {
    if (given[kind] === undefined) continue;
    const configs = check.list(`${field}.${kind}`, given[kind], `${kind.replace(/_configs$/, "")} configs`);
    rendered[kind] = configs.map((c, i) =>
      section(check, `${field}.${kind}[${i}]`, c, NOTIFIERS[kind], version, secrets),
    );
  }
  return rendered;
}

/** Checks one object against its schema and renders it, secrets turned into files (or placeholders). */
function section(
  check: Checks,
  field: string,
  value: unknown,
  schema: Schema,
  version: MinorVersion,
  secrets: ReceiverSecret[],
): Record<string, unknown> {
  const keys = Object.keys(schema.fields);
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    for (const key of Object.keys(value)) {
      const stem = key.replace(/_file$/, "");
      const field_ = schema.fields[stem];
      if (key !== stem && field_?.kind === "secret")
        throw check.fail(
          `${field}.${key}`,
          `is written by MonitoringStack itself: pass the value as a Pulumi secret in ${stem}, and it reaches Alertmanager as the file ${key} names`,
        );
    }
  const given = check.object<Record<string, unknown>>(field, value, keys);
  for (const key of schema.required ?? [])
    if (given[key] === undefined) throw check.fail(`${field}.${key}`, "is required");
  if (schema.exactlyOne) {
    const present = schema.exactlyOne.filter((k) => given[k] !== undefined);
    if (present.length !== 1)
      throw check.fail(
        field,
        `needs exactly one of ${schema.exactlyOne.join(" or ")} (got ${present.length === 0 ? "none" : present.join(" and ")})`,
      );
  }
  const rendered: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema.fields)) {
    const v = given[key];
    if (v === undefined) continue;
    const at = `${field}.${key}`;
    if (spec.kind === "secret") {
      const byFile = !spec.fileSince || !older(version, spec.fileSince);
      const secret: ReceiverSecret = {
        field: at,
        file: byFile ? `${ALERTMANAGER_SECRETS_DIR}/${secretFileName(at)}` : undefined,
        url: spec.url === true,
        value: v,
      };
      if (!isDeferred(v)) checkSecretValue(check, secret, v);
      secrets.push(secret);
      if (secret.file) rendered[spec.fileField] = secret.file;
      else rendered[key] = new InlineSecret(secrets.length - 1);
    } else if (spec.kind === "object") {
      rendered[key] = section(check, at, v, spec.schema, version, secrets);
    } else {
      if (isDeferred(v))
        throw check.fail(
          at,
          "must be a plain value, not a Pulumi Output or Promise: only the secret fields (URLs, passwords, keys) may be outputs",
        );
      rendered[key] = plainField(check, at, spec.kind, v);
    }
  }
  return rendered;
}

/** `alertReceivers[0].webhook_configs[1].url` → `0-webhook-1-url`: unique per field, a plain file name. */
function secretFileName(field: string): string {
  return field
    .replace(/^alertReceivers/, "")
    .replace(/_configs\[/g, "-")
    .replace(/[[\].]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function plainField(check: Checks, field: string, kind: string, value: unknown): unknown {
  switch (kind) {
    case "boolean":
      return check.boolean(field, value);
    case "count":
      return check.wholeNumber(field, value, { min: 0 });
    case "textMap":
      return check.stringMap(field, value, "header or detail names and values");
    case "labelNames":
      return labelNames(check, field, value);
    case "url": {
      const url = check.text(field, value, "https://events.pagerduty.com/v2/enqueue");
      if (!isHttpUrl(url)) throw check.fail(field, `must be an http:// or https:// URL (got ${shown(url)})`);
      return url;
    }
    case "address": {
      const address = check.text(field, value, "smtp.example.com:587");
      if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/.test(address))
        throw check.fail(field, `must be host:port, such as smtp.example.com:587 (got ${shown(address)})`);
      return address;
    }
    case "template":
      if (typeof value !== "string") throw check.fail(field, `must be a string (got ${shown(value)})`);
      return value;
    default:
      if (typeof value !== "string" || value.trim() === "" || /[\n\r\0]/.test(value))
        throw check.fail(field, `must be a non-empty string on one line (got ${shown(value)})`);
      return value;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/**
 * Checks a receiver's secret once its value is known: a plain argument at construction, an output
 * when it resolves. The message never shows the value.
 */
export function checkSecretValue(check: Checks, secret: ReceiverSecret, value: unknown): string {
  if (typeof value !== "string") throw check.fail(secret.field, `must be a string (got a ${typeof value})`);
  if (value.trim() === "") throw check.fail(secret.field, "must not be empty");
  if (/[\n\r\0]/.test(value))
    throw check.fail(secret.field, "must be on one line (the value is a secret and not shown)");
  if (secret.url && !isHttpUrl(value))
    throw check.fail(
      secret.field,
      "must be an http:// or https:// URL with a host (the value is a secret and not shown)",
    );
  return value;
}

function route(
  check: Checks,
  field: string,
  given: Record<string, unknown>,
  receivers: Map<string, number>,
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  if (given.receiver !== undefined) {
    const name = check.text(`${field}.receiver`, given.receiver, '"ops"');
    if (!receivers.has(name))
      throw check.fail(
        `${field}.receiver`,
        `names no receiver: ${JSON.stringify(name)} is not in alertReceivers (known: ${[...receivers.keys()].map((n) => JSON.stringify(n)).join(", ")})`,
      );
    rendered.receiver = name;
  }
  if (given.group_by !== undefined) {
    const labels = check.list(`${field}.group_by`, given.group_by, "label names");
    rendered.group_by =
      labels.length === 1 && labels[0] === "..." ? ["..."] : labelNames(check, `${field}.group_by`, labels);
  }
  const durations = [
    ["group_wait", "0s"],
    ["group_interval", "1s"],
    ["repeat_interval", "1s"],
  ] as const;
  for (const [key, min] of durations)
    if (given[key] !== undefined) {
      // Alertmanager forgets its notification log after 5 days (--data.retention, 120h): a longer
      // repeat interval would repeat sooner than asked, so it is refused rather than ignored.
      check.duration(
        `${field}.${key}`,
        given[key],
        { min, max: key === "repeat_interval" ? "5d" : "1d" },
        "30s or 5m",
      );
      rendered[key] = given[key];
    }
  if (given.matchers !== undefined) rendered.matchers = matchers(check, `${field}.matchers`, given.matchers);
  if (given.continue !== undefined) rendered.continue = check.boolean(`${field}.continue`, given.continue);
  if (given.routes !== undefined)
    rendered.routes = check.list(`${field}.routes`, given.routes, "routes").map((child, i) => {
      const at = `${field}.routes[${i}]`;
      const childArgs = check.object<Record<string, unknown>>(
        at,
        child,
        ROUTE_KEYS,
        'a route such as { matchers: [\'severity="critical"\'], receiver: "pager" }',
      );
      return route(check, at, childArgs, receivers);
    });
  return rendered;
}

function inhibitRule(check: Checks, field: string, value: unknown): Record<string, unknown> {
  const given = check.object<Record<string, unknown>>(
    field,
    value,
    INHIBIT_KEYS,
    'a rule such as { source_matchers: [\'severity="critical"\'], target_matchers: [\'severity="warning"\'], equal: ["instance"] }',
  );
  const rendered: Record<string, unknown> = {};
  for (const key of ["source_matchers", "target_matchers"] as const) {
    if (given[key] === undefined) throw check.fail(`${field}.${key}`, "is required");
    rendered[key] = matchers(check, `${field}.${key}`, given[key]);
    if ((rendered[key] as string[]).length === 0)
      throw check.fail(
        `${field}.${key}`,
        "must list at least one matcher: an empty list matches every alert",
      );
  }
  if (given.equal !== undefined) rendered.equal = labelNames(check, `${field}.equal`, given.equal);
  return rendered;
}

function labelNames(check: Checks, field: string, value: unknown): string[] {
  return check.list(field, value, "label names").map((label, i) => {
    if (typeof label !== "string" || !LABEL_NAME.test(label))
      throw check.fail(`${field}[${i}]`, `must be a label name such as database (got ${shown(label)})`);
    return label;
  });
}

function matchers(check: Checks, field: string, value: unknown): string[] {
  return check.list(field, value, 'matchers such as severity="critical"').map((m, i) => {
    const at = `${field}[${i}]`;
    const parsed = typeof m === "string" ? MATCHER.exec(m) : null;
    if (!parsed)
      throw check.fail(
        at,
        `must be an Alertmanager matcher: a label name, one of = != =~ !~, and a value, such as severity="critical" (got ${shown(m)})`,
      );
    if (parsed[2].includes("~")) {
      const raw = parsed[3].startsWith('"') ? (JSON.parse(parsed[3]) as string) : parsed[3];
      try {
        new RegExp(`^(?:${raw})$`);
      } catch {
        throw check.fail(at, `has a regular expression that does not parse (got ${shown(m)})`);
      }
    }
    return m as string;
  });
}

function older(version: MinorVersion, than: MinorVersion): boolean {
  return version[0] < than[0] || (version[0] === than[0] && version[1] < than[1]);
}

/** Whether the config can be written for this Alertmanager at all. */
export function alertmanagerTooOld(version: MinorVersion): boolean {
  return older(version, MIN_ALERTMANAGER);
}

/**
 * alertmanager.yml as data, with the inline secrets (`values[i]` for `plan.secrets[i]`) in place;
 * secrets delivered as files appear only as their paths.
 */
export function alertmanagerConfig(
  plan: AlertmanagerPlan,
  values: readonly (string | undefined)[] = [],
): unknown {
  const fill = (node: unknown): unknown => {
    if (node instanceof InlineSecret) {
      const value = values[node.index];
      if (value === undefined)
        throw new Error(`alertmanagerConfig: the value of ${plan.secrets[node.index].field} was not given`);
      return value;
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === "object")
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  return fill(plan.config);
}

/** alertmanager.yml as text, serialized with the `yaml` library. */
export function renderAlertmanagerConfig(
  plan: AlertmanagerPlan,
  values: readonly (string | undefined)[] = [],
): string {
  return stringify(alertmanagerConfig(plan, values), { lineWidth: 0 });
}

/** Alertmanager's command line: the image's entrypoint is the binary, so these replace its default flags. */
export function alertmanagerCommand(externalUrl: string): string[] {
  return [
    `--config.file=${ALERTMANAGER_CONFIG_FILE}`,
    `--storage.path=${ALERTMANAGER_DATA_DIR}`,
    // One Alertmanager, not a gossiping cluster: nothing listens on 9094 or looks for peers.
    "--cluster.listen-address=",
    // Links in notifications point here rather than at the container's name.
    `--web.external-url=${externalUrl}`,
  ];
}
