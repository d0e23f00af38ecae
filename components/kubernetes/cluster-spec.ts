/**
 * Validation and planning for kubernetes.Neo4jCluster, with no Pulumi in it. The arguments Docker
 * and Kubernetes share (version and image, member counts, settings, memory, backup and metrics)
 * are checked by the same core as on Docker (planCluster, checkSettings), so they accept and refuse
 * the same values with the same words; the Kubernetes ones (namespace, storage, Service type,
 * scheduling) are checked here.
 */
import { Checks, argChecks, isDeferred, orDefault, shown } from "../neo4j/checks";
import { ClusterShapeArgs, ClusterSpec, planCluster } from "../neo4j/cluster-spec";
import { NEO4J_CLUSTER_COMPONENT, checkAdminPassword, checkSettingValue } from "../neo4j/cluster-args";
import { checkSettings } from "../neo4j/settings";
import { OWN_LABEL_PREFIX } from "../neo4j/names";
import { planTls } from "../neo4j/tls";

/**
 * The arguments both platforms take, with the same names, types and meaning: Docker's
 * ClusterShapeArgs is their one declaration, so the two cannot drift apart.
 */
export const COMMON_CLUSTER_ARG_KEYS = [
  "acceptLicenseAgreement",
  "image",
  "neo4jVersion",
  "edition",
  "primaries",
  "secondaries",
  "discovery",
  "onlineBackup",
  "prometheusMetrics",
  "extraMetrics",
  "heapSize",
  "pageCacheSize",
  "resources",
  "jvmAdditionalArgs",
  "tls",
  "tlsCertificates",
  "defaultDatabase",
  "stopGracePeriodSeconds",
  "settings",
  "adminPassword",
  "waitForHealthy",
  "healthyTimeoutSeconds",
  "retainDataVolumes",
  "labels",
] as const satisfies readonly (keyof ClusterShapeArgs)[];

export type CommonClusterArgs = Pick<ClusterShapeArgs, (typeof COMMON_CLUSTER_ARG_KEYS)[number]>;

/** Docker's own arguments, with what takes their place on Kubernetes. */
const DOCKER_ONLY: Record<string, string> = {
  hostPorts: "members are reached through Services; choose serviceType",
  hostAddress: "members are reached through Services; choose serviceType",
  advertisedHost: "members advertise their Service's DNS name",
  networkName: "members share the namespace; set namespace",
  restart: "the kubelet restarts failed containers",
};

export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export const ANTI_AFFINITY = ["preferred", "required", "none"] as const;
export type AntiAffinity = (typeof ANTI_AFFINITY)[number];

/** A toleration, as the Kubernetes API has it. */
export interface KubernetesToleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

/** The plain (non-Output) arguments of kubernetes.Neo4jCluster that shape the objects. */
export interface KubernetesClusterShapeArgs extends CommonClusterArgs {
  /**
   * An existing namespace to deploy into. Default: a namespace named after the component, created
   * and deleted with it.
   */
  namespace?: string;
  /** The StorageClass of each member's data volume. Default: the cluster's default StorageClass. */
  storageClassName?: string;
  /** Each member's data volume size, a Kubernetes quantity such as `10Gi`. Default `10Gi`. */
  storageSize?: string;
  /**
   * The client Service's type: `ClusterIP` (default: reachable inside the cluster), `NodePort` or
   * `LoadBalancer` (reachable from outside, where the cluster offers it).
   */
  serviceType?: ServiceType;
  /** Node labels a member's node must carry. Default: none. */
  nodeSelector?: Record<string, string>;
  /** Taints the members tolerate. Default: none. */
  tolerations?: KubernetesToleration[];
  /**
   * Spread primaries over nodes (`kubernetes.io/hostname`) so that one node lost costs one member:
   * `preferred` (default: spread where the scheduler can), `required` (never two primaries on one
   * node; needs as many nodes as primaries), `none`.
   */
  antiAffinity?: AntiAffinity;
  /** The cluster's DNS domain, used in members' addresses. Default `cluster.local`. */
  clusterDomain?: string;
  /**
   * The kubeconfig (contents or path; a secret) with which the day-2 operations (rotating the admin
   * password, taking removed members' servers out) reach the members through the API server from
   * where `pulumi up` runs. Default: as the Kubernetes provider finds one, `KUBECONFIG`, then
   * `~/.kube/config`, then the pod's service account. Give the same as to the provider when that
   * one is configured explicitly.
   */
  kubeconfig?: unknown;
  /** The kubeconfig context for the day-2 operations. Default: its current context. */
  context?: string;
}

/** Every key kubernetes.Neo4jCluster takes: the shared ones and its own; unknown keys are refused as typos. */
export const KUBERNETES_CLUSTER_ARG_KEYS: readonly string[] = [
  ...COMMON_CLUSTER_ARG_KEYS,
  ...Object.keys({
    namespace: true,
    storageClassName: true,
    storageSize: true,
    serviceType: true,
    nodeSelector: true,
    tolerations: true,
    antiAffinity: true,
    clusterDomain: true,
    kubeconfig: true,
    context: true,
  } satisfies Record<Exclude<keyof KubernetesClusterShapeArgs, keyof CommonClusterArgs>, true>),
];

const INPUT_KEYS = ["adminPassword", "settings", "kubeconfig"];
const TLS_KEYS: readonly string[] = ["tls", "tlsCertificates"];

export interface KubernetesClusterSpec {
  /** The core's plan; every member's hostname is its Service's DNS name. */
  cluster: ClusterSpec;
  namespace: string;
  /** Whether the component creates the namespace (none was given). */
  createNamespace: boolean;
  storageClassName?: string;
  storageSize: string;
  serviceType: ServiceType;
  nodeSelector: Record<string, string>;
  tolerations: KubernetesToleration[];
  antiAffinity: AntiAffinity;
  clusterDomain: string;
  /** The kubeconfig context for the day-2 operations, when one is named. */
  context?: string;
  retainDataVolumes: boolean;
  waitForHealthy: boolean;
  healthyTimeoutSeconds: number;
  /** The user's labels, checked against Kubernetes' rules. */
  labels: Record<string, string>;
}

/** A DNS-1123 label: namespace and object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS-1123 subdomain: StorageClass names, domains. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A Kubernetes storage quantity: a whole number with a binary or decimal suffix. */
const QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Why a label key or value would be refused by the API server, or undefined. */
export function labelProblem(key: string, value: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `has the prefix ${JSON.stringify(prefix)}, which is not a DNS subdomain`;
  if (!LABEL_NAME.test(name))
    return "must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, after an optional DNS prefix and '/'";
  if (!LABEL_VALUE.test(value))
    return `has the value ${JSON.stringify(value)}: a label value is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

/** `<member>.<namespace>.svc.<domain>`: the member's own Service, which resolves to its pod. */
export function memberServiceHost(member: string, namespace: string, clusterDomain: string): string {
  return `${member}.${namespace}.svc.${clusterDomain}`;
}

/**
 * Checks every argument of a kubernetes.Neo4jCluster named `name`: throws an InputError naming the
 * field on the first problem, returns the plan and the warnings to log.
 */
export function validateKubernetesClusterArgs(
  name: string,
  args: unknown,
): { spec: KubernetesClusterSpec; warnings: string[] } {
  const check = argChecks(NEO4J_CLUSTER_COMPONENT, name);
  refuseDockerOnly(check, args, DOCKER_ONLY);
  const given = check.args<KubernetesClusterShapeArgs>(
    args,
    KUBERNETES_CLUSTER_ARG_KEYS,
    INPUT_KEYS,
    '{ acceptLicenseAgreement: "eval" }',
  );

  // TLS is planned below, with Kubernetes' ports: HTTPS always has its own (7473), no host port.
  const common: Record<string, unknown> = {};
  for (const key of COMMON_CLUSTER_ARG_KEYS)
    if (given[key] !== undefined && !TLS_KEYS.includes(key)) common[key] = given[key];
  const { spec: planned, warnings } = planCluster(name, common as ClusterShapeArgs);
  const tls = planTls(
    given,
    {
      edition: planned.edition,
      clustered: planned.clustered,
      onlineBackup: planned.onlineBackup,
      memberNames: planned.members.map((m) => m.name),
    },
    check,
  );
  const docker: ClusterSpec = { ...planned, tls };

  if (given.adminPassword !== undefined && !isDeferred(given.adminPassword))
    checkAdminPassword(name, given.adminPassword);
  const settings = orDefault(given.settings, {}, (v) =>
    check.record(
      "settings",
      v,
      'an object of Neo4j settings by name, such as { "db.logs.query.enabled": "INFO" }',
    ),
  );
  for (const [key, entry] of Object.entries(settings))
    if (!isDeferred(entry)) checkSettingValue(check, key, entry);
  warnings.push(...checkSettings(name, docker, Object.keys(settings)));

  const namespace = orDefault(given.namespace, undefined, (v) => dnsLabel(check, "namespace", v));
  const clusterDomain = orDefault(given.clusterDomain, "cluster.local", (v) => {
    if (typeof v !== "string" || !DNS_SUBDOMAIN.test(v))
      throw check.fail("clusterDomain", `must be a DNS domain such as cluster.local (got ${shown(v)})`);
    return v;
  });
  if (given.kubeconfig !== undefined && !isDeferred(given.kubeconfig) && typeof given.kubeconfig !== "string")
    throw check.fail(
      "kubeconfig",
      `must be a kubeconfig's contents or path (got a ${typeof given.kubeconfig})`,
    );
  const context = orDefault(given.context, undefined, (v) => {
    if (typeof v !== "string" || v === "")
      throw check.fail("context", `must be the name of a kubeconfig context (got ${shown(v)})`);
    return v;
  });
  const { storageClassName, storageSize } = checkStorage(check, given, "10Gi");
  const labels = checkLabels(check, given.labels);
  const nodeSelector = orDefault(given.nodeSelector, {}, (v) =>
    kubernetesLabels(check, "nodeSelector", v, false),
  );
  const tolerations = orDefault(given.tolerations, [], (v) =>
    check
      .list(
        "tolerations",
        v,
        'tolerations such as [{ key: "dedicated", operator: "Equal", value: "neo4j", effect: "NoSchedule" }]',
      )
      .map((entry, i) => toleration(check, `tolerations[${i}]`, entry)),
  );
  const antiAffinity = orDefault(given.antiAffinity, "preferred" as AntiAffinity, (v) =>
    check.oneOf("antiAffinity", v, ANTI_AFFINITY),
  );
  const serviceType = orDefault(given.serviceType, "ClusterIP" as ServiceType, (v) =>
    check.oneOf("serviceType", v, SERVICE_TYPES),
  );
  const waitForHealthy = orDefault(given.waitForHealthy, true, (v) => check.boolean("waitForHealthy", v));
  const retainDataVolumes = orDefault(given.retainDataVolumes, true, (v) =>
    check.boolean("retainDataVolumes", v),
  );
  const healthyTimeoutSeconds = orDefault(given.healthyTimeoutSeconds, 600, (v) =>
    check.wholeNumber("healthyTimeoutSeconds", v, { min: 10, max: 86400 }),
  );
  if (antiAffinity === "required" && docker.primaries > 1)
    warnings.push(
      `Neo4jCluster "${name}": antiAffinity is "required": the ${docker.primaries} primaries need ${docker.primaries} schedulable nodes, and a primary stays Pending while fewer are`,
    );

  const ns = namespace ?? name;
  const cluster: ClusterSpec = {
    ...docker,
    members: docker.members.map((m) => ({ ...m, hostname: memberServiceHost(m.name, ns, clusterDomain) })),
  };
  return {
    spec: {
      cluster,
      namespace: ns,
      createNamespace: namespace === undefined,
      storageClassName,
      storageSize,
      serviceType,
      nodeSelector,
      tolerations,
      antiAffinity,
      clusterDomain,
      ...(context === undefined ? {} : { context }),
      retainDataVolumes,
      waitForHealthy,
      healthyTimeoutSeconds,
      labels,
    },
    warnings,
  };
}

/** Refuses the arguments only the Docker component takes, saying what replaces each on Kubernetes. */
export function refuseDockerOnly(check: Checks, args: unknown, dockerOnly: Record<string, string>): void {
  if (typeof args === "object" && args !== null)
    for (const key of Object.keys(args))
      if (dockerOnly[key])
        throw check.fail(key, `is a Docker argument that Kubernetes does not take: ${dockerOnly[key]}`);
}

/** A volume's StorageClass (default: the cluster's) and size, as a Kubernetes quantity. */
export function checkStorage(
  check: Checks,
  given: { storageClassName?: unknown; storageSize?: unknown },
  defaultSize: string,
): { storageClassName?: string; storageSize: string } {
  const storageClassName = orDefault(given.storageClassName, undefined, (v) => {
    if (typeof v !== "string" || v.length > 253 || !DNS_SUBDOMAIN.test(v))
      throw check.fail("storageClassName", `must be a StorageClass name such as standard (got ${shown(v)})`);
    return v;
  });
  const storageSize = orDefault(given.storageSize, defaultSize, (v) => {
    if (typeof v !== "string" || !QUANTITY.test(v))
      throw check.fail(
        "storageSize",
        `must be a Kubernetes quantity such as ${defaultSize} or 500Mi (got ${shown(v)})`,
      );
    return v;
  });
  return { storageClassName, storageSize };
}

/** Labels of the user's for Kubernetes objects: valid for the API server, none of the components' own. */
export function checkLabels(check: Checks, value: unknown): Record<string, string> {
  return orDefault(value, {}, (v) => kubernetesLabels(check, "labels", v, true));
}

function dnsLabel(check: Checks, field: string, value: unknown): string {
  if (typeof value !== "string" || !DNS_LABEL.test(value))
    throw check.fail(
      field,
      `must be a Kubernetes name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit (got ${shown(value)})`,
    );
  return value;
}

function kubernetesLabels(
  check: Checks,
  field: string,
  value: unknown,
  refuseOwn: boolean,
): Record<string, string> {
  const labels = check.stringMap(field, value, "label names and string values");
  for (const [key, v] of Object.entries(labels)) {
    if (refuseOwn && key.startsWith(OWN_LABEL_PREFIX))
      throw check.fail(
        `${field}[${JSON.stringify(key)}]`,
        `is in the ${OWN_LABEL_PREFIX} namespace, which the components use for their own labels; choose another name`,
      );
    const problem = labelProblem(key, v);
    if (problem) throw check.fail(`${field}[${JSON.stringify(key)}]`, problem);
  }
  return labels;
}

function toleration(check: Checks, field: string, value: unknown): KubernetesToleration {
  const t = check.object<KubernetesToleration>(field, value, [
    "key",
    "operator",
    "value",
    "effect",
    "tolerationSeconds",
  ]);
  if (t.operator !== undefined) check.oneOf(`${field}.operator`, t.operator, ["Exists", "Equal"] as const);
  if (t.effect !== undefined)
    check.oneOf(`${field}.effect`, t.effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const);
  for (const key of ["key", "value"] as const)
    if (t[key] !== undefined && typeof t[key] !== "string")
      throw check.fail(`${field}.${key}`, `must be a string (got ${shown(t[key])})`);
  if (t.operator === "Exists" && t.value !== undefined)
    throw check.fail(`${field}.value`, 'must be left out with operator "Exists", which matches any value');
  if (t.tolerationSeconds !== undefined) {
    check.wholeNumber(`${field}.tolerationSeconds`, t.tolerationSeconds, { min: 0, max: 31_536_000 });
    if (t.effect !== "NoExecute")
      throw check.fail(`${field}.tolerationSeconds`, 'applies only with effect "NoExecute"');
  }
  return { ...t };
}
