/**
 * Every argument of Neo4jCluster checked at once, with no Pulumi in it: the shape the cluster
 * plan needs (cluster-spec.ts), and the rest (password, network, settings, restart policy,
 * health wait, labels). The component calls this before `super()`, and Neo4jEnterprise calls it
 * before it registers any part, so a bad argument never leaves a partial deploy.
 */
import { Checks, argChecks, isDeferred, orDefault, shown } from "./checks";
import { ClusterShapeArgs, ClusterSpec, MIN_PASSWORD_LENGTH, planCluster } from "./cluster-spec";
import { authDeliveryWarning } from "./container";
import { dockerObjectNameProblem } from "./names";
import { checkContainerArgs } from "./container-args";
import { checkSettings } from "./settings";

export const NEO4J_CLUSTER_COMPONENT = "Neo4jCluster";
/** The administrator every member is born with; the cluster's adminUsername. */
export const CLUSTER_ADMIN_USERNAME = "neo4j";

/** Every key Neo4jCluster takes; the compiler keeps it complete, and unknown keys are refused as typos. */
export const CLUSTER_ARG_KEYS = Object.keys({
  acceptLicenseAgreement: true,
  image: true,
  neo4jVersion: true,
  edition: true,
  primaries: true,
  secondaries: true,
  discovery: true,
  hostPorts: true,
  hostAddress: true,
  advertisedHost: true,
  onlineBackup: true,
  prometheusMetrics: true,
  extraMetrics: true,
  heapSize: true,
  pageCacheSize: true,
  resources: true,
  jvmAdditionalArgs: true,
  tls: true,
  tlsCertificates: true,
  plugins: true,
  pluginRepository: true,
  licenses: true,
  defaultDatabase: true,
  stopGracePeriodSeconds: true,
  settings: true,
  adminPassword: true,
  networkName: true,
  restart: true,
  waitForHealthy: true,
  healthyTimeoutSeconds: true,
  retainDataVolumes: true,
  labels: true,
} satisfies Record<keyof ClusterShapeArgs, true>);

/** Arguments that may be Pulumi outputs; every other one shapes the resource graph and must be plain. */
const INPUT_KEYS = ["adminPassword", "networkName", "settings"];

/** A member usually needs 30 to 120 s to start; a shorter wait fails `pulumi up` on a healthy cluster. */
const SHORT_HEALTH_WAIT_SECONDS = 60;

/**
 * Checks every argument of a Neo4jCluster named `name`: throws an InputError naming the field on
 * the first problem, returns the plan and the warnings (legal but likely mistakes) to log.
 */
export function validateClusterArgs(name: string, args: unknown): { spec: ClusterSpec; warnings: string[] } {
  const check = argChecks(NEO4J_CLUSTER_COMPONENT, name);
  const given = check.args<ClusterShapeArgs>(
    args,
    CLUSTER_ARG_KEYS,
    INPUT_KEYS,
    '{ acceptLicenseAgreement: "eval" }',
  );

  const { spec, warnings } = planCluster(name, given);
  const authWarning = authDeliveryWarning(spec);
  if (authWarning) warnings.push(authWarning);

  if (given.adminPassword !== undefined && !isDeferred(given.adminPassword))
    checkAdminPassword(name, given.adminPassword);
  if (given.networkName !== undefined && !isDeferred(given.networkName))
    checkNetworkName(name, given.networkName);
  const settings = orDefault(given.settings, {}, (v) => checkSettingValues(check, v));
  warnings.push(...checkSettings(name, spec, Object.keys(settings)));

  checkContainerArgs(check, given);
  orDefault(given.waitForHealthy, undefined, (v) => check.boolean("waitForHealthy", v));
  orDefault(given.retainDataVolumes, undefined, (v) => check.boolean("retainDataVolumes", v));
  const timeout = orDefault(given.healthyTimeoutSeconds, undefined, (v) =>
    check.wholeNumber("healthyTimeoutSeconds", v, { min: 10, max: 86400 }),
  );
  if (timeout !== undefined && timeout < SHORT_HEALTH_WAIT_SECONDS)
    warnings.push(
      `Neo4jCluster "${name}": healthyTimeoutSeconds is ${timeout}: a Neo4j member usually needs 30 to 120 s to start, and a cluster longer, so pulumi up may fail on members that are fine`,
    );
  return { spec, warnings };
}

/** Setting values: strings, or outputs checked by checkSettingValue once they resolve. */
function checkSettingValues(check: Checks, value: unknown): Record<string, unknown> {
  const settings = check.record(
    "settings",
    value,
    'an object of Neo4j settings by name, such as { "db.logs.query.enabled": "INFO" }',
  );
  for (const [key, entry] of Object.entries(settings))
    if (!isDeferred(entry)) checkSettingValue(check, key, entry);
  return settings;
}

/**
 * A setting value: a string (Neo4j reads every setting as text, and `true` or `512` written as a
 * JavaScript value would be guessed at) on one line (it becomes an environment variable and a
 * line of neo4j.conf).
 */
export function checkSettingValue(check: Checks, key: string, value: unknown): string {
  if (typeof value !== "string" || /[\0\n\r]/.test(value))
    throw check.fail(
      `settings[${JSON.stringify(key)}]`,
      `must be a string on one line, as neo4j.conf has it, such as "true" or "512m" (got ${shown(value)})`,
    );
  return value;
}

/** Checks a Docker network name, plain or once an output resolves. */
export function checkNetworkName(name: string, value: unknown): string {
  const problem = dockerObjectNameProblem(value);
  if (problem) throw argChecks(NEO4J_CLUSTER_COMPONENT, name).fail("networkName", problem);
  return value as string;
}

/** Validates an admin password, plain or once an output resolves, without ever putting it in the message. */
export function checkAdminPassword(name: string, password: unknown): string {
  const fail = argChecks(NEO4J_CLUSTER_COMPONENT, name).fail;
  if (typeof password !== "string")
    throw fail("adminPassword", `must be a string (got a ${typeof password})`);
  if (password.length < MIN_PASSWORD_LENGTH)
    throw fail(
      "adminPassword",
      `must be at least ${MIN_PASSWORD_LENGTH} characters (Neo4j's minimum password length)`,
    );
  if (password === "neo4j") throw fail("adminPassword", "must not be the default password neo4j");
  // The image reads the initial password from `neo4j/<password>` and rejects one with a slash in it.
  if (password.includes("/"))
    throw fail("adminPassword", "must not contain '/': the Neo4j image cannot read such a password");
  return password;
}
