/**
 * kubernetes.MonitoringStack's validation and objects, with no Pulumi calls. The scrape
 * configuration, the alert rules and their thresholds are the core's (monitoring/prometheus.ts),
 * so an alert means the same on both platforms; Kubernetes decides only where they go: a Prometheus
 * of our own in the cluster's namespace, or ServiceMonitor and PrometheusRule objects for a
 * Prometheus Operator the cluster already runs.
 */
import * as crypto from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { argChecks, orDefault } from "../neo4j/checks";
import {
  CONTAINER_PORTS,
  ClusterFacts,
  MONITORING_STACK,
  MonitoringShapeArgs,
  MonitoringSpec,
  validateMonitoringArgs,
} from "../monitoring/spec";
import {
  PROMETHEUS_CONFIG_FILE,
  PROMETHEUS_DATA_DIR,
  PUSHGATEWAY_JOB,
  alertRuleGroups,
  prometheusCommand,
  pushgatewayCommand,
} from "../monitoring/prometheus";
import { DATABASE_RELABEL, GC_RELABEL, NEO4J_JOB } from "../monitoring/metrics";
import { CONTAINER_SECURITY, DISCOVERY_LABEL, PORT_NAMES } from "./cluster-objects";
import { checkLabels, checkStorage, labelProblem, refuseDockerOnly } from "./cluster-spec";

/** The arguments Docker's MonitoringStack has too, with the same names, types and meaning. */
export const COMMON_MONITORING_ARG_KEYS = [
  "scrapeInterval",
  "retention",
  "backupMetrics",
  "alertThresholds",
  "prometheusImage",
  "prometheusVersion",
  "pushgatewayImage",
  "labels",
] as const satisfies readonly (keyof MonitoringShapeArgs)[];

export const MONITORING_MODES = ["bundled", "operator"] as const;
export type MonitoringMode = (typeof MONITORING_MODES)[number];

export interface KubernetesMonitoringShapeArgs extends Pick<
  MonitoringShapeArgs,
  (typeof COMMON_MONITORING_ARG_KEYS)[number]
> {
  /** The kubernetes.Neo4jCluster to monitor; everything goes in its namespace. */
  cluster?: unknown;
  /**
   * `bundled` (default): a Prometheus of our own, with our scrape configuration and alert rules.
   * `operator`: a ServiceMonitor and a PrometheusRule (monitoring.coreos.com/v1) for the Prometheus
   * Operator the cluster already runs; its Prometheus must select them (see monitorLabels).
   */
  mode?: MonitoringMode;
  /**
   * Labels on the ServiceMonitor and PrometheusRule, for the operator's Prometheus to select them,
   * such as `{ release: "kube-prometheus-stack" }`. Default: none. Operator mode only.
   */
  monitorLabels?: Record<string, string>;
  /** The bundled Prometheus's volume: its StorageClass. Default: the cluster's default. */
  storageClassName?: string;
  /** The bundled Prometheus's volume size. Default `10Gi`. */
  storageSize?: string;
}

const KEYS = [
  ...COMMON_MONITORING_ARG_KEYS,
  "cluster",
  "mode",
  "monitorLabels",
  "storageClassName",
  "storageSize",
];
const DOCKER_ONLY: Record<string, string> = {
  hostAddress: "Prometheus is reached through its Service inside the cluster",
  prometheusHostPort: "Prometheus is reached through its Service inside the cluster",
  grafanaHostPort: "Grafana is not deployed on Kubernetes by this version",
  grafanaAdminPassword: "Grafana is not deployed on Kubernetes by this version",
  grafanaImage: "Grafana is not deployed on Kubernetes by this version",
  restart: "the kubelet restarts failed containers",
  alertmanager: "the Alertmanager is not deployed on Kubernetes by this version",
  alertReceivers: "the Alertmanager is not deployed on Kubernetes by this version",
  alertRoute: "the Alertmanager is not deployed on Kubernetes by this version",
  alertInhibitRules: "the Alertmanager is not deployed on Kubernetes by this version",
  alertmanagerHostPort: "the Alertmanager is not deployed on Kubernetes by this version",
  alertmanagerImage: "the Alertmanager is not deployed on Kubernetes by this version",
  alertmanagerVersion: "the Alertmanager is not deployed on Kubernetes by this version",
};

export interface KubernetesMonitoringSpec {
  monitoring: MonitoringSpec;
  mode: MonitoringMode;
  monitorLabels: Record<string, string>;
  storageClassName?: string;
  storageSize: string;
  labels: Record<string, string>;
}

/** Checks every argument against each other and the cluster; throws an InputError naming the field. */
export function validateKubernetesMonitoringArgs(
  name: string,
  args: unknown,
  cluster: ClusterFacts | undefined,
): KubernetesMonitoringSpec {
  const check = argChecks(MONITORING_STACK, name);
  refuseDockerOnly(check, args, DOCKER_ONLY);
  const given = check.args<KubernetesMonitoringShapeArgs>(args, KEYS, ["cluster"], "{ cluster }");
  // No Alertmanager here yet, so the core's Prometheus config must not point at one.
  const common: Record<string, unknown> = { cluster: given.cluster, alertmanager: false };
  for (const key of COMMON_MONITORING_ARG_KEYS) if (given[key] !== undefined) common[key] = given[key];
  const monitoring = validateMonitoringArgs(name, common, cluster);
  const mode = orDefault(given.mode, "bundled" as MonitoringMode, (v) =>
    check.oneOf("mode", v, MONITORING_MODES),
  );
  const monitorLabels = orDefault(given.monitorLabels, {}, (v) => {
    const labels = check.stringMap("monitorLabels", v, "label names and string values");
    for (const [key, value] of Object.entries(labels)) {
      const problem = labelProblem(key, value);
      if (problem) throw check.fail(`monitorLabels[${JSON.stringify(key)}]`, problem);
    }
    return labels;
  });
  if (mode === "bundled" && given.monitorLabels !== undefined)
    throw check.fail(
      "monitorLabels",
      'selects the operator\'s objects; it applies with mode "operator" only',
    );
  if (mode === "operator" && (given.storageSize !== undefined || given.storageClassName !== undefined))
    throw check.fail(
      given.storageSize !== undefined ? "storageSize" : "storageClassName",
      "sizes the bundled Prometheus's volume; with mode \"operator\" the operator's Prometheus keeps the data",
    );
  const { storageClassName, storageSize } = checkStorage(check, given, "10Gi");
  return {
    monitoring,
    mode,
    monitorLabels,
    storageClassName,
    storageSize,
    labels: checkLabels(check, given.labels),
  };
}

export function monitoringLabels(spec: KubernetesMonitoringSpec, clusterName: string, component: string) {
  return {
    ...spec.labels,
    "app.kubernetes.io/name": component,
    "app.kubernetes.io/instance": spec.monitoring.name,
    "app.kubernetes.io/part-of": "neo4j-estate",
    "app.kubernetes.io/managed-by": "pulumi",
    "neo4j-estate.cluster": clusterName,
    "neo4j-estate.monitoring": spec.monitoring.name,
  };
}

/** Operator relabelings of the core's metric relabel rules (snake_case in prometheus.yml, camelCase in CRDs). */
function operatorRelabel(rule: typeof DATABASE_RELABEL | typeof GC_RELABEL) {
  return {
    sourceLabels: [...rule.source_labels],
    regex: rule.regex,
    targetLabel: rule.target_label,
    replacement: rule.replacement,
    action: "replace",
  };
}

/**
 * A ServiceMonitor for the members' Services, found by the label discovery uses: the same job name
 * and `instance` (the member's name, which is its Service's name) as our own Prometheus gives them,
 * so the core's alert rules and dashboards work unchanged.
 */
export function serviceMonitor(
  spec: KubernetesMonitoringSpec,
  clusterName: string,
  namespace: string,
  labels: Record<string, string>,
) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: spec.monitoring.name, namespace, labels: { ...labels, ...spec.monitorLabels } },
    spec: {
      selector: { matchLabels: { [DISCOVERY_LABEL]: clusterName } },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [
        {
          port: PORT_NAMES.metrics,
          path: "/metrics",
          interval: spec.monitoring.scrapeInterval,
          relabelings: [
            { targetLabel: "job", replacement: NEO4J_JOB, action: "replace" },
            { sourceLabels: ["__meta_kubernetes_service_name"], targetLabel: "instance", action: "replace" },
          ],
          metricRelabelings: [operatorRelabel(DATABASE_RELABEL), operatorRelabel(GC_RELABEL)],
        },
      ],
    },
  };
}

/** The Pushgateway's ServiceMonitor: its pushed labels (job `neo4j_backup`, database) kept as pushed. */
export function pushgatewayMonitor(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: `${spec.monitoring.name}-pushgateway`,
      namespace,
      labels: { ...labels, ...spec.monitorLabels },
    },
    spec: {
      selector: { matchLabels: { ...pushgatewaySelector(spec) } },
      endpoints: [
        {
          port: "http",
          honorLabels: true,
          interval: spec.monitoring.scrapeInterval,
          relabelings: [{ targetLabel: "job", replacement: PUSHGATEWAY_JOB, action: "replace" }],
        },
      ],
    },
  };
}

/** The core's alert rules as a PrometheusRule. */
export function prometheusRule(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: spec.monitoring.name, namespace, labels: { ...labels, ...spec.monitorLabels } },
    spec: alertRuleGroups(spec.monitoring.thresholds, spec.monitoring.backupMetrics),
  };
}

function pushgatewaySelector(spec: KubernetesMonitoringSpec) {
  return { "neo4j-estate.monitoring": spec.monitoring.name, "app.kubernetes.io/name": "pushgateway" };
}

function prometheusSelector(spec: KubernetesMonitoringSpec) {
  return { "neo4j-estate.monitoring": spec.monitoring.name, "app.kubernetes.io/name": "prometheus" };
}

/** Where the configuration ConfigMap is mounted: the directory of the core's config file. */
const CONFIG_DIRECTORY = PROMETHEUS_CONFIG_FILE.slice(0, PROMETHEUS_CONFIG_FILE.lastIndexOf("/"));

/** A hash of the configuration in the pod template, so that a new configuration restarts Prometheus. */
export function configChecksum(files: Record<string, string>): string {
  const hash = crypto.createHash("sha256");
  for (const key of Object.keys(files).sort()) hash.update(`${key}\0${files[key]}\0`);
  return hash.digest("hex").slice(0, 16);
}

/** Prometheus and the Pushgateway run as nobody, as their images do. */
const NOBODY = 65534;

/** Our own Prometheus: one replica with a volume, the core's command line and files from a ConfigMap. */
export function prometheusStatefulSet(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
  checksum: pulumi.Input<string>,
): { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.apps.v1.StatefulSetSpec } {
  const name = spec.monitoring.hostnames.prometheus;
  const selector = prometheusSelector(spec);
  return {
    metadata: { name, namespace, labels: { ...labels, ...selector } },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...labels, ...selector },
          annotations: { "neo4j-estate.config-checksum": checksum },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY, runAsNonRoot: true },
          containers: [
            {
              name: "prometheus",
              image: spec.monitoring.images.prometheus,
              imagePullPolicy: "IfNotPresent",
              args: prometheusCommand(spec.monitoring),
              ports: [{ name: "http", containerPort: CONTAINER_PORTS.prometheus }],
              readinessProbe: {
                httpGet: { path: "/-/ready", port: CONTAINER_PORTS.prometheus },
                periodSeconds: 10,
              },
              livenessProbe: {
                httpGet: { path: "/-/healthy", port: CONTAINER_PORTS.prometheus },
                periodSeconds: 15,
                failureThreshold: 6,
              },
              volumeMounts: [
                { name: "config", mountPath: CONFIG_DIRECTORY, readOnly: true },
                { name: "data", mountPath: PROMETHEUS_DATA_DIR },
              ],
              securityContext: CONTAINER_SECURITY,
            },
          ],
          volumes: [{ name: "config", configMap: { name } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: spec.storageClassName,
            resources: { requests: { storage: spec.storageSize } },
          },
        },
      ],
    },
  };
}

/** The Pushgateway the backup runs push to; its file keeps the last push across container restarts. */
export function pushgatewayDeployment(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
): { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.apps.v1.DeploymentSpec } {
  const selector = pushgatewaySelector(spec);
  const dataDir = pushgatewayCommand()[0]
    .replace(/^--persistence\.file=/, "")
    .replace(/\/[^/]+$/, "");
  return {
    metadata: { name: spec.monitoring.hostnames.pushgateway, namespace, labels: { ...labels, ...selector } },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...labels, ...selector } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsUser: NOBODY, runAsGroup: NOBODY, fsGroup: NOBODY, runAsNonRoot: true },
          containers: [
            {
              name: "pushgateway",
              image: spec.monitoring.images.pushgateway,
              imagePullPolicy: "IfNotPresent",
              args: pushgatewayCommand(),
              ports: [{ name: "http", containerPort: CONTAINER_PORTS.pushgateway }],
              readinessProbe: {
                httpGet: { path: "/-/ready", port: CONTAINER_PORTS.pushgateway },
                periodSeconds: 10,
              },
              volumeMounts: [{ name: "data", mountPath: dataDir }],
              securityContext: CONTAINER_SECURITY,
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    },
  };
}

/** A ClusterIP Service for Prometheus or the Pushgateway, named after it so it resolves as on Docker. */
export function monitoringService(
  spec: KubernetesMonitoringSpec,
  which: "prometheus" | "pushgateway",
  namespace: string,
  labels: Record<string, string>,
): { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.core.v1.ServiceSpec } {
  const selector = which === "prometheus" ? prometheusSelector(spec) : pushgatewaySelector(spec);
  const port = CONTAINER_PORTS[which];
  return {
    metadata: { name: spec.monitoring.hostnames[which], namespace, labels: { ...labels, ...selector } },
    spec: { selector, ports: [{ name: "http", port, targetPort: port }] },
  };
}
