/**
 * Validation and planning for MonitoringStack, with no Pulumi in it: the cluster's plain facts and
 * the plain arguments go in, a spec of the three containers comes out, or an InputError naming the
 * field. It runs in the component's constructor, so a bad argument fails `pulumi preview` before
 * anything is registered.
 */
import { isIPv4 } from "net";
import { RestartPolicy, hostForUrls, imageReferenceProblem, resourceNameProblem } from "../neo4j/names";
import { inputErrors } from "../neo4j/errors";
import { Checks, argChecks, isDeferred, orDefault, shown } from "../neo4j/checks";
import { checkContainerArgs } from "../neo4j/container-args";
import { Edition } from "../neo4j/version";
import { DockerHealthcheck, dockerHealthcheck } from "../common/docker-health";
import {
  AlertmanagerPlan,
  AlertmanagerShapeArgs,
  MIN_ALERTMANAGER,
  MinorVersion,
  alertmanagerTooOld,
  planAlertmanager,
} from "./alertmanager";

export const MONITORING_STACK = "MonitoringStack";

/** Pinned images: a tag that moves would change dashboards and flags under a running stack. */
export const DEFAULT_IMAGES = {
  prometheus: "prom/prometheus:v3.4.1",
  grafana: "grafana/grafana:12.0.1",
  pushgateway: "prom/pushgateway:v1.11.1",
  alertmanager: "prom/alertmanager:v0.28.1",
} as const;

/** Ports inside the containers: each image's default. */
export const CONTAINER_PORTS = {
  prometheus: 9090,
  grafana: 3000,
  pushgateway: 9091,
  alertmanager: 9093,
} as const;

/** Alert thresholds; every one has a default a Neo4j operator can start from. */
export interface AlertThresholds {
  /** Query execution latency p95 above which an alert fires after 10 minutes, in milliseconds. Default 1000. */
  queryLatencyP95Millis: number;
  /** Page cache hit ratio (0-1) over 10 minutes below which an alert fires. Default 0.95. */
  pageCacheHitRatio: number;
  /** Used heap as a share of the maximum heap (0-1) above which an alert fires after 10 minutes. Default 0.9. */
  heapUsedRatio: number;
  /** Transactions a member may trail the most advanced member of a database for 5 minutes. Default 1000. */
  transactionLag: number;
  /** Hours after the last successful backup of a database before it counts as stale. Default 26 (daily backups with slack). */
  backupStaleAfterHours: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  queryLatencyP95Millis: 1000,
  pageCacheHitRatio: 0.95,
  heapUsedRatio: 0.9,
  transactionLag: 1000,
  backupStaleAfterHours: 26,
};

/**
 * Every argument of MonitoringStack as the core checks it; MonitoringStackArgs documents them.
 * A new argument goes here too: validateMonitoringArgs refuses keys it does not know.
 */
export interface MonitoringShapeArgs extends AlertmanagerShapeArgs {
  cluster?: unknown;
  scrapeInterval?: string;
  retention?: string;
  hostAddress?: string;
  prometheusHostPort?: number;
  grafanaHostPort?: number;
  grafanaAdminPassword?: unknown;
  backupMetrics?: boolean;
  alertThresholds?: Partial<AlertThresholds>;
  prometheusImage?: string;
  prometheusVersion?: string;
  grafanaImage?: string;
  pushgatewayImage?: string;
  alertmanager?: boolean;
  alertmanagerHostPort?: number;
  alertmanagerImage?: string;
  alertmanagerVersion?: string;
  restart?: RestartPolicy;
  labels?: Record<string, string>;
}

/** Every key MonitoringStack takes; the compiler keeps it complete, and unknown keys are refused as typos. */
export const MONITORING_ARG_KEYS = Object.keys({
  cluster: true,
  scrapeInterval: true,
  retention: true,
  hostAddress: true,
  prometheusHostPort: true,
  grafanaHostPort: true,
  grafanaAdminPassword: true,
  backupMetrics: true,
  alertThresholds: true,
  prometheusImage: true,
  prometheusVersion: true,
  grafanaImage: true,
  pushgatewayImage: true,
  alertmanager: true,
  alertReceivers: true,
  alertRoute: true,
  alertInhibitRules: true,
  alertmanagerHostPort: true,
  alertmanagerImage: true,
  alertmanagerVersion: true,
  restart: true,
  labels: true,
} satisfies Record<keyof MonitoringShapeArgs, true>);

/** Arguments that may be Pulumi outputs (or, for the cluster, a resource); every other one must be plain. */
const NOT_PLAIN_KEYS = ["cluster", "grafanaAdminPassword", "alertReceivers"];

/**
 * Checks every argument of a MonitoringStack named `name`, and the cluster's facts (`undefined`
 * when no cluster was given): throws an InputError naming the field on the first problem, returns
 * the plan. The component calls it before `super()`, Neo4jEnterprise before it registers any part.
 */
export function validateMonitoringArgs(
  name: string,
  args: unknown,
  cluster: ClusterFacts | undefined,
): MonitoringSpec {
  const check = argChecks(MONITORING_STACK, name);
  const given = check.args<MonitoringShapeArgs>(args, MONITORING_ARG_KEYS, NOT_PLAIN_KEYS, "{ cluster }");
  if (!cluster)
    throw check.fail(
      "cluster",
      `is required: pass the Neo4jCluster to monitor (got ${shown(given.cluster)})`,
    );
  const spec = planMonitoring(name, cluster, given);
  if (given.grafanaAdminPassword !== undefined && !isDeferred(given.grafanaAdminPassword))
    checkGrafanaAdminPassword(name, given.grafanaAdminPassword);
  checkContainerArgs(check, given);
  return spec;
}

/** Checks Grafana's admin password, plain or once an output resolves, without ever putting it in the message. */
export function checkGrafanaAdminPassword(name: string, password: unknown): string {
  const fail = argChecks(MONITORING_STACK, name).fail;
  if (typeof password !== "string")
    throw fail("grafanaAdminPassword", `must be a string (got a ${typeof password})`);
  if (password === "") throw fail("grafanaAdminPassword", "must not be empty");
  if (/[\0\n\r]/.test(password))
    throw fail("grafanaAdminPassword", "must be on one line: it is passed in Grafana's environment");
  return password;
}

/** What MonitoringStack needs to know about the cluster at construction. */
export interface ClusterFacts {
  edition: Edition;
  prometheusMetrics: boolean;
  memberNames: string[];
}

export interface MonitoringSpec {
  name: string;
  scrapeInterval: string;
  retention: string;
  hostAddress: string;
  /** The host name in URLs for the host: `localhost` for a loopback or wildcard address. */
  urlHost: string;
  prometheusHostPort: number;
  grafanaHostPort: number;
  /** Undefined when the Alertmanager is off. */
  alertmanagerHostPort?: number;
  backupMetrics: boolean;
  thresholds: AlertThresholds;
  images: { prometheus: string; grafana: string; pushgateway: string; alertmanager: string };
  /** Prometheus's major version, which decides what prometheus.yml may say. */
  prometheusMajor: number;
  /** Container names, which are also their host names on the cluster's network. */
  hostnames: { prometheus: string; grafana: string; pushgateway: string; alertmanager: string };
  memberNames: string[];
  /** The Alertmanager's configuration; undefined when it is off. */
  alertmanager?: AlertmanagerPlan;
}

/**
 * What each threshold accepts. Ratios are between 0 and 1; the others are counts or times a rule
 * compares with, the stale-backup hours becoming a Prometheus `for:` duration, which takes no fractions.
 */
const THRESHOLD_RULES: Record<
  keyof AlertThresholds,
  (check: Checks, field: string, value: unknown) => number
> = {
  queryLatencyP95Millis: (check, field, v) => check.number(field, v, { min: 1, max: 3_600_000 }),
  pageCacheHitRatio: (check, field, v) => check.number(field, v, { min: 0.01, max: 1 }),
  heapUsedRatio: (check, field, v) => check.number(field, v, { min: 0.01, max: 1 }),
  transactionLag: (check, field, v) => check.wholeNumber(field, v, { min: 1 }),
  backupStaleAfterHours: (check, field, v) => check.wholeNumber(field, v, { min: 1, max: 8760 }),
};

/**
 * `v3.4.1`, `2.42.0`, `v3.5.0-rc.0`, `v2.53.4-distroless`: the version the Prometheus project's
 * tags carry (Alertmanager's too, `v0.28.1`).
 */
const PROMETHEUS_VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-[A-Za-z0-9.-]+)?$/;

/** The version in an image reference's tag, or undefined when the tag does not carry one (or there is none). */
export function imageTagVersion(image: string): string | undefined {
  const withoutDigest = image.split("@")[0];
  const colon = withoutDigest.indexOf(":", withoutDigest.lastIndexOf("/") + 1);
  const tag = colon >= 0 ? withoutDigest.slice(colon + 1) : undefined;
  return tag && PROMETHEUS_VERSION.test(tag) ? tag : undefined;
}

function majorOf(version: string): number {
  return Number(PROMETHEUS_VERSION.exec(version)![1]);
}

export function planMonitoring(
  name: string,
  cluster: ClusterFacts,
  args: MonitoringShapeArgs,
): MonitoringSpec {
  const check = argChecks(MONITORING_STACK, name);
  const fail = check.fail;
  const nameProblem = resourceNameProblem(name);
  if (nameProblem) throw fail("name", nameProblem);

  if (cluster.edition === "community")
    throw fail(
      "cluster",
      "runs Neo4j Community, which has no Prometheus endpoint; use an Enterprise image to monitor it",
    );
  if (!cluster.prometheusMetrics)
    throw fail(
      "cluster",
      "has prometheusMetrics off, so its members serve no metrics to scrape; set prometheusMetrics: true on the Neo4jCluster",
    );
  if (cluster.memberNames.length === 0) throw fail("cluster", "has no members to scrape");

  // The bundled rules take rates over 10 minutes, which need two samples, and Prometheus forgets
  // a series 5 minutes after its last sample: a longer interval leaves the alerts blind.
  const scrapeInterval = args.scrapeInterval ?? "15s";
  check.duration("scrapeInterval", scrapeInterval, { min: "1s", max: "5m" }, "15s or 1m");
  const retention = args.retention ?? "15d";
  check.duration("retention", retention, { min: "1h", max: "100y" }, "15d or 12w");

  const hostAddress = args.hostAddress ?? "127.0.0.1";
  if (typeof hostAddress !== "string" || !isIPv4(hostAddress))
    throw fail(
      "hostAddress",
      `must be an IPv4 address to bind published ports to, such as 127.0.0.1 or 0.0.0.0 (got ${shown(hostAddress)})`,
    );

  const alertmanagerOn = orDefault(args.alertmanager, true, (v) => check.boolean("alertmanager", v));
  if (!alertmanagerOn)
    for (const key of ALERTMANAGER_ONLY_KEYS)
      if (args[key] !== undefined)
        throw fail(key, "is given, but alertmanager is false: leave it out, or turn the Alertmanager on");

  const prometheusHostPort = args.prometheusHostPort ?? CONTAINER_PORTS.prometheus;
  const grafanaHostPort = args.grafanaHostPort ?? CONTAINER_PORTS.grafana;
  const alertmanagerHostPort = alertmanagerOn
    ? (args.alertmanagerHostPort ?? CONTAINER_PORTS.alertmanager)
    : undefined;
  const published = [
    ["prometheusHostPort", "Prometheus", prometheusHostPort],
    ["grafanaHostPort", "Grafana", grafanaHostPort],
    ...(alertmanagerHostPort === undefined
      ? []
      : [["alertmanagerHostPort", "the Alertmanager", alertmanagerHostPort] as const]),
  ] as const;
  published.forEach(([field, owner, port], i) => {
    check.port(field, port);
    const earlier = published.slice(0, i).find(([, , other]) => other === port);
    if (earlier)
      throw fail(
        field,
        `collides with ${earlier[0]}: both would publish host port ${port}; give ${owner} another port`,
      );
  });

  const given = orDefault(args.alertThresholds, {}, (v) =>
    check.object<Partial<AlertThresholds>>(
      "alertThresholds",
      v,
      Object.keys(THRESHOLD_RULES),
      "an object such as { heapUsedRatio: 0.8 }",
    ),
  );
  const thresholds = { ...DEFAULT_THRESHOLDS, ...definedOnly(given) };
  for (const key of Object.keys(THRESHOLD_RULES) as (keyof AlertThresholds)[])
    THRESHOLD_RULES[key](check, `alertThresholds.${key}`, thresholds[key]);

  const images = {
    prometheus: image(check, "prometheusImage", args.prometheusImage, DEFAULT_IMAGES.prometheus),
    grafana: image(check, "grafanaImage", args.grafanaImage, DEFAULT_IMAGES.grafana),
    pushgateway: image(check, "pushgatewayImage", args.pushgatewayImage, DEFAULT_IMAGES.pushgateway),
    alertmanager: image(check, "alertmanagerImage", args.alertmanagerImage, DEFAULT_IMAGES.alertmanager),
  };

  const prometheusImage = images.prometheus;
  const fromTag = imageTagVersion(prometheusImage);
  if (args.prometheusVersion !== undefined && !PROMETHEUS_VERSION.test(String(args.prometheusVersion)))
    throw fail(
      "prometheusVersion",
      `must look like 3.4.1 or v2.53.4 (got ${JSON.stringify(args.prometheusVersion)})`,
    );
  const prometheusVersion = args.prometheusVersion ?? fromTag;
  if (prometheusVersion === undefined)
    throw fail(
      "prometheusImage",
      `tag must carry Prometheus's version (like prom/prometheus:v3.4.1), or prometheusVersion must say it: Prometheus 3 needs a setting in prometheus.yml that Prometheus 2 refuses to load (got ${JSON.stringify(prometheusImage)})`,
    );
  if (
    args.prometheusVersion !== undefined &&
    fromTag !== undefined &&
    majorOf(fromTag) !== majorOf(args.prometheusVersion)
  )
    throw fail(
      "prometheusVersion",
      `says ${args.prometheusVersion} but the image tag says ${fromTag}; leave prometheusVersion out or make them agree`,
    );

  const alertmanager = alertmanagerOn
    ? planAlertmanager(check, args, alertmanagerVersion(check, images.alertmanager, args.alertmanagerVersion))
    : undefined;

  return {
    name,
    scrapeInterval,
    retention,
    hostAddress,
    urlHost: hostForUrls(hostAddress),
    prometheusHostPort,
    grafanaHostPort,
    alertmanagerHostPort,
    backupMetrics: orDefault(args.backupMetrics, false, (v) => check.boolean("backupMetrics", v)),
    thresholds,
    images,
    prometheusMajor: majorOf(prometheusVersion),
    hostnames: {
      prometheus: `${name}-prometheus`,
      grafana: `${name}-grafana`,
      pushgateway: `${name}-pushgateway`,
      alertmanager: `${name}-alertmanager`,
    },
    memberNames: [...cluster.memberNames],
    alertmanager,
  };
}

/** The arguments that only mean something with the Alertmanager on. */
const ALERTMANAGER_ONLY_KEYS = [
  "alertReceivers",
  "alertRoute",
  "alertInhibitRules",
  "alertmanagerHostPort",
  "alertmanagerImage",
  "alertmanagerVersion",
] as const satisfies (keyof MonitoringShapeArgs)[];

/**
 * The Alertmanager version the config is written for, from `alertmanagerVersion` or the image tag:
 * which secrets can be files depends on it (a webhook URL only from 0.26 on).
 */
function alertmanagerVersion(check: Checks, image: string, given: unknown): MinorVersion {
  if (given !== undefined && !PROMETHEUS_VERSION.test(String(given)))
    throw check.fail("alertmanagerVersion", `must look like 0.28.1 or v0.25.0 (got ${shown(given)})`);
  const fromTag = imageTagVersion(image);
  const version = (given as string | undefined) ?? fromTag;
  if (version === undefined)
    throw check.fail(
      "alertmanagerImage",
      `tag must carry Alertmanager's version (like prom/alertmanager:v0.28.1), or alertmanagerVersion must say it: which receiver secrets Alertmanager reads from files depends on it (got ${JSON.stringify(image)})`,
    );
  const minor = (v: string): MinorVersion => {
    const m = PROMETHEUS_VERSION.exec(v)!;
    return [Number(m[1]), Number(m[2])];
  };
  if (given !== undefined && fromTag !== undefined && minor(fromTag).join(".") !== minor(version).join("."))
    throw check.fail(
      "alertmanagerVersion",
      `says ${version} but the image tag says ${fromTag}; leave alertmanagerVersion out or make them agree`,
    );
  const parsed = minor(version);
  if (alertmanagerTooOld(parsed))
    throw check.fail(
      given !== undefined ? "alertmanagerVersion" : "alertmanagerImage",
      `is Alertmanager ${version}, older than ${MIN_ALERTMANAGER.join(".")}, which cannot read the SMTP password or PagerDuty keys from files; use ${MIN_ALERTMANAGER.join(".")} or later`,
    );
  return parsed;
}

/** A member to scrape: its address inside the network and the `instance` label it gets. */
export interface ScrapeTarget {
  instance: string;
  address: string;
}

/**
 * Pairs member names with the cluster's metrics endpoints, which the cluster lists in member
 * order, so that each target's `instance` label is the readable member name.
 */
export function scrapeTargets(
  name: string,
  memberNames: string[],
  metricsEndpoints: string[],
): ScrapeTarget[] {
  if (memberNames.length !== metricsEndpoints.length)
    throw inputErrors(MONITORING_STACK, name)(
      "cluster",
      `lists ${memberNames.length} members but ${metricsEndpoints.length} metrics endpoints; every member must serve metrics`,
    );
  return memberNames.map((instance, i) => ({ instance, address: metricsEndpoints[i] }));
}

function image(check: Checks, field: string, value: unknown, fallback: string): string {
  return orDefault(value, fallback, (v) => {
    const text = check.text(field, v, fallback);
    const problem = imageReferenceProblem(text, fallback);
    if (problem) throw check.fail(field, problem);
    return text;
  });
}

function definedOnly<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Readiness endpoints inside the containers, for Docker health checks. By address, not
 * `localhost`: BusyBox's wget may try `::1` first, and Prometheus listens on IPv4 only.
 */
export const READINESS_URLS = {
  prometheus: `http://127.0.0.1:${CONTAINER_PORTS.prometheus}/-/ready`,
  grafana: `http://127.0.0.1:${CONTAINER_PORTS.grafana}/api/health`,
  pushgateway: `http://127.0.0.1:${CONTAINER_PORTS.pushgateway}/-/ready`,
  alertmanager: `http://127.0.0.1:${CONTAINER_PORTS.alertmanager}/-/ready`,
} as const;

/**
 * A Docker health check that fetches a readiness URL with wget, which every image carries
 * (BusyBox in the Prometheus project's images, Alpine in Grafana's).
 */
export function httpHealthcheck(url: string): DockerHealthcheck {
  return dockerHealthcheck({
    tests: ["CMD", "wget", "-q", "-O", "/dev/null", url],
    intervalSeconds: 10,
    timeoutSeconds: 5,
    startPeriodSeconds: 30,
    retries: 6,
  });
}
