/**
 * kubernetes.MonitoringStack's validation and objects, with no Pulumi calls. The scrape
 * configuration, the alert rules and their thresholds are the core's (monitoring/prometheus.ts),
 * so an alert means the same on both platforms; Kubernetes decides only where they go: a Prometheus
 * of our own in the cluster's namespace, or ServiceMonitor and PrometheusRule objects for a
 * Prometheus Operator the cluster already runs.
 */
import * as crypto from "crypto";
import * as path from "path";
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
import {
  ALERTMANAGER_CONFIG_FILE,
  ALERTMANAGER_DATA_DIR,
  ALERTMANAGER_UID,
  alertmanagerCommand,
} from "../monitoring/alertmanager";
import {
  DASHBOARD_FILE,
  GRAFANA_ADMIN_PASSWORD_FILE,
  GRAFANA_UID,
  grafanaEnv,
  portableNeo4jDashboard,
} from "../monitoring/grafana";
import { CONTAINER_SECURITY, DISCOVERY_LABEL, PORT_NAMES } from "./cluster-objects";
import { checkLabels, checkStorage, labelProblem, refuseDockerOnly } from "./cluster-spec";

/** The arguments that configure our own Alertmanager, which operator mode does not run. */
const ALERTMANAGER_KEYS = [
  "alertmanager",
  "alertReceivers",
  "alertRoute",
  "alertInhibitRules",
  "alertmanagerImage",
  "alertmanagerVersion",
] as const;
/** The arguments that configure our own Grafana, which operator mode does not run. */
const GRAFANA_KEYS = ["grafanaImage", "grafanaAdminPassword"] as const;

/** The arguments Docker's MonitoringStack has too, with the same names, types and meaning. */
export const COMMON_MONITORING_ARG_KEYS = [
  "scrapeInterval",
  "retention",
  "backupMetrics",
  "alertThresholds",
  "prometheusImage",
  "prometheusVersion",
  "pushgatewayImage",
  ...GRAFANA_KEYS,
  ...ALERTMANAGER_KEYS,
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
  /** The StorageClass of the bundled Prometheus's and Alertmanager's volumes. Default: the cluster's default. */
  storageClassName?: string;
  /** The bundled Prometheus's volume size. Default `10Gi`. */
  storageSize?: string;
}

/** Arguments that may be Pulumi outputs (or, for the cluster, a resource); every other one must be plain. */
const INPUT_KEYS = ["cluster", "grafanaAdminPassword", "alertReceivers"];

const KEYS = [
  ...COMMON_MONITORING_ARG_KEYS,
  "cluster",
  "mode",
  "monitorLabels",
  "storageClassName",
  "storageSize",
];
const DOCKER_ONLY: Record<string, string> = {
  hostAddress:
    "Prometheus, Grafana and the Alertmanager are reached through their Services inside the cluster",
  prometheusHostPort: "Prometheus is reached through its Service inside the cluster",
  grafanaHostPort: "Grafana is reached through its Service inside the cluster",
  alertmanagerHostPort: "the Alertmanager is reached through its Service inside the cluster",
  restart: "the kubelet restarts failed containers",
};

/**
 * The label and value kube-prometheus-stack's Grafana watches for with its dashboard sidecar
 * (the Grafana chart's `sidecar.dashboards.label` and `labelValue` as that stack sets them).
 */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

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
  const given = check.args<KubernetesMonitoringShapeArgs>(args, KEYS, INPUT_KEYS, "{ cluster }");
  const mode = orDefault(given.mode, "bundled" as MonitoringMode, (v) =>
    check.oneOf("mode", v, MONITORING_MODES),
  );
  if (mode === "operator") {
    const alerting = ALERTMANAGER_KEYS.find((key) => given[key] !== undefined);
    if (alerting)
      throw check.fail(
        alerting,
        'configures an Alertmanager of ours, which mode "operator" does not run: the PrometheusRule\'s alerts go to the Alertmanager the operator\'s Prometheus sends to; route them there (an AlertmanagerConfig, or that Alertmanager\'s own configuration), matching alertname=~"Neo4j.*"',
      );
    const grafana = GRAFANA_KEYS.find((key) => given[key] !== undefined);
    if (grafana)
      throw check.fail(
        grafana,
        `configures a Grafana of ours, which mode "operator" does not run: the Neo4j dashboard goes in a ConfigMap labelled grafana_dashboard="1" for the Grafana sidecar (kube-prometheus-stack's), whose own settings apply`,
      );
  }
  const common: Record<string, unknown> = { cluster: given.cluster };
  for (const key of COMMON_MONITORING_ARG_KEYS) if (given[key] !== undefined) common[key] = given[key];
  // The operator's Prometheus sends alerts where it is configured to: the core plans no Alertmanager.
  if (mode === "operator") common.alertmanager = false;
  const monitoring = validateMonitoringArgs(name, common, cluster);
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
      selector: { matchLabels: selectorOf(spec, "pushgateway") },
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

/** The programs of the stack, each a Deployment or StatefulSet with a Service of its name. */
export type MonitoringService = keyof MonitoringSpec["hostnames"];

/** The labels that select one program's pods: the stack's and the program's name. */
function selectorOf(spec: KubernetesMonitoringSpec, which: MonitoringService) {
  return { "neo4j-estate.monitoring": spec.monitoring.name, "app.kubernetes.io/name": which };
}

/** Where the configuration ConfigMap is mounted: the directory of the core's config file. */
const CONFIG_DIRECTORY = PROMETHEUS_CONFIG_FILE.slice(0, PROMETHEUS_CONFIG_FILE.lastIndexOf("/"));

/** A hash of the configuration in the pod template, so that a new configuration restarts the program. */
export function configChecksum(files: Record<string, string>): string {
  const hash = crypto.createHash("sha256");
  for (const key of Object.keys(files).sort()) hash.update(`${key}\0${files[key]}\0`);
  return hash.digest("hex").slice(0, 16);
}

/** Prometheus, the Pushgateway and the Alertmanager run as nobody, as their images do. */
const NOBODY = 65534;

/**
 * What each program asks the scheduler to reserve. Requests only, no limits: a monitoring pod
 * killed at a memory limit stops scraping or notifying exactly when a struggling estate needs it.
 */
export const MONITORING_REQUESTS: Record<MonitoringService, { cpu: string; memory: string }> = {
  prometheus: { cpu: "100m", memory: "256Mi" },
  alertmanager: { cpu: "10m", memory: "32Mi" },
  grafana: { cpu: "50m", memory: "128Mi" },
  pushgateway: { cpu: "10m", memory: "16Mi" },
};

/** The Alertmanager's volume for its silences and notification log: they are small. */
export const ALERTMANAGER_STORAGE_SIZE = "1Gi";

/** How a program says it is up: its readiness path and, where it has one, its liveness path. */
const HEALTH: Record<MonitoringService, { ready: string; live?: string }> = {
  prometheus: { ready: "/-/ready", live: "/-/healthy" },
  alertmanager: { ready: "/-/ready", live: "/-/healthy" },
  grafana: { ready: "/api/health", live: "/api/health" },
  pushgateway: { ready: "/-/ready" },
};

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type Workload<Spec> = { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: Spec };

/**
 * One program's pod: its image on its port, probes on its health paths, its requests, no
 * privileges and no service-account token, running as `user` (the image's) with its volumes made
 * readable by it (fsGroup).
 */
function programPod(
  spec: KubernetesMonitoringSpec,
  which: MonitoringService,
  user: { uid: number; gid: number },
  container: Omit<Container, "name" | "image">,
  volumes: Volume[],
): k8s.types.input.core.v1.PodSpec {
  const port = CONTAINER_PORTS[which];
  const health = HEALTH[which];
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsUser: user.uid, runAsGroup: user.gid, fsGroup: user.uid, runAsNonRoot: true },
    containers: [
      {
        name: which,
        image: spec.monitoring.images[which],
        imagePullPolicy: "IfNotPresent",
        ports: [{ name: "http", containerPort: port }],
        readinessProbe: { httpGet: { path: health.ready, port }, periodSeconds: 10 },
        ...(health.live && {
          livenessProbe: { httpGet: { path: health.live, port }, periodSeconds: 15, failureThreshold: 6 },
        }),
        resources: { requests: MONITORING_REQUESTS[which] },
        securityContext: CONTAINER_SECURITY,
        ...container,
      },
    ],
    volumes,
  };
}

/** A one-replica workload of a program: its pods selected by the program's labels, a checksum in their template. */
function programWorkload(
  spec: KubernetesMonitoringSpec,
  which: MonitoringService,
  namespace: string,
  labels: Record<string, string>,
  pod: k8s.types.input.core.v1.PodSpec,
  checksum?: pulumi.Input<string>,
) {
  const selector = selectorOf(spec, which);
  return {
    metadata: { name: spec.monitoring.hostnames[which], namespace, labels: { ...labels, ...selector } },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...labels, ...selector },
          ...(checksum !== undefined && { annotations: { "neo4j-estate.config-checksum": checksum } }),
        },
        spec: pod,
      },
    },
  };
}

/** A one-replica StatefulSet of a program, its volume `data` claimed per pod. */
function programStatefulSet(
  spec: KubernetesMonitoringSpec,
  which: MonitoringService,
  namespace: string,
  labels: Record<string, string>,
  pod: k8s.types.input.core.v1.PodSpec,
  checksum: pulumi.Input<string>,
  storageSize: string,
): Workload<k8s.types.input.apps.v1.StatefulSetSpec> {
  const workload = programWorkload(spec, which, namespace, labels, pod, checksum);
  return {
    metadata: workload.metadata,
    spec: {
      ...workload.spec,
      serviceName: spec.monitoring.hostnames[which],
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: spec.storageClassName,
            resources: { requests: { storage: storageSize } },
          },
        },
      ],
    },
  };
}

/** Our own Prometheus: one replica with a volume, the core's command line and files from a ConfigMap. */
export function prometheusStatefulSet(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
  checksum: pulumi.Input<string>,
): Workload<k8s.types.input.apps.v1.StatefulSetSpec> {
  const pod = programPod(
    spec,
    "prometheus",
    { uid: NOBODY, gid: NOBODY },
    {
      args: prometheusCommand(spec.monitoring),
      volumeMounts: [
        { name: "config", mountPath: CONFIG_DIRECTORY, readOnly: true },
        { name: "data", mountPath: PROMETHEUS_DATA_DIR },
      ],
    },
    [{ name: "config", configMap: { name: spec.monitoring.hostnames.prometheus } }],
  );
  return programStatefulSet(spec, "prometheus", namespace, labels, pod, checksum, spec.storageSize);
}

/** The Pushgateway the backup runs push to; its file keeps the last push across container restarts. */
export function pushgatewayDeployment(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
): Workload<k8s.types.input.apps.v1.DeploymentSpec> {
  const dataDir = pushgatewayCommand()[0]
    .replace(/^--persistence\.file=/, "")
    .replace(/\/[^/]+$/, "");
  const pod = programPod(
    spec,
    "pushgateway",
    { uid: NOBODY, gid: NOBODY },
    { args: pushgatewayCommand(), volumeMounts: [{ name: "data", mountPath: dataDir }] },
    [{ name: "data", emptyDir: {} }],
  );
  return programWorkload(spec, "pushgateway", namespace, labels, pod);
}

/** A ClusterIP Service for one program of the stack, named after it so it resolves as on Docker. */
export function monitoringService(
  spec: KubernetesMonitoringSpec,
  which: MonitoringService,
  namespace: string,
  labels: Record<string, string>,
): { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.core.v1.ServiceSpec } {
  const selector = selectorOf(spec, which);
  const port = CONTAINER_PORTS[which];
  return {
    metadata: { name: spec.monitoring.hostnames[which], namespace, labels: { ...labels, ...selector } },
    spec: { selector, ports: [{ name: "http", port, targetPort: port }] },
  };
}

/**
 * The ConfigMap or Secret key a file of the stack is stored under: its directory's name and its
 * own (`datasources.neo4j-estate.yaml`, `secrets.0-webhook-0-url`), unique across the files of
 * one object, and a valid key.
 */
export function fileKey(path: string): string {
  return path.split("/").slice(-2).join(".");
}

/** The items that place files at their paths under `root`, where their object is mounted. */
export function filesUnder(root: string, paths: string[]): { key: string; path: string }[] {
  return paths.map((path) => {
    if (!path.startsWith(`${root}/`)) throw new Error(`${path} is not under ${root}`);
    return { key: fileKey(path), path: path.slice(root.length + 1) };
  });
}

/** The directory a file is in. */
export function directoryOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

/**
 * Our own Alertmanager, as on Docker: the core's command line and files, its silences and
 * notification log on a volume so a new pod does not notify again. alertmanager.yml and every
 * receiver secret come from one Secret mounted as files (`*_file` fields); the pod restarts when
 * the configuration changes (`checksum`), while a new secret value reaches the file in place,
 * where the Alertmanager reads it at each notification.
 */
export function alertmanagerStatefulSet(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
  files: { secretName: pulumi.Input<string>; paths: string[] },
  checksum: pulumi.Input<string>,
  externalUrl: string,
): Workload<k8s.types.input.apps.v1.StatefulSetSpec> {
  const configRoot = directoryOf(ALERTMANAGER_CONFIG_FILE);
  const pod = programPod(
    spec,
    "alertmanager",
    { uid: ALERTMANAGER_UID, gid: ALERTMANAGER_UID },
    {
      args: alertmanagerCommand(externalUrl),
      volumeMounts: [
        { name: "config", mountPath: configRoot, readOnly: true },
        { name: "data", mountPath: ALERTMANAGER_DATA_DIR },
      ],
    },
    [
      {
        name: "config",
        // Readable by the Alertmanager's group only (fsGroup), as Docker's uploads are 0400.
        secret: {
          secretName: files.secretName,
          defaultMode: 0o440,
          items: filesUnder(configRoot, files.paths),
        },
      },
    ],
  );
  return programStatefulSet(
    spec,
    "alertmanager",
    namespace,
    labels,
    pod,
    checksum,
    ALERTMANAGER_STORAGE_SIZE,
  );
}

/** The mount point of the Secret holding Grafana's admin password file. */
const GRAFANA_SECRET_DIR = directoryOf(GRAFANA_ADMIN_PASSWORD_FILE.path);

/** Where Grafana keeps its database; not kept across pods, as on Docker: everything it shows is provisioned. */
const GRAFANA_DATA_DIR = "/var/lib/grafana";

/**
 * Our own Grafana, as on Docker: the core's settings as environment variables, the data source
 * and dashboards provisioned from a ConfigMap (one mount per provisioning directory, so the
 * image's other provisioning directories stay), the admin password from a Secret as the file
 * `GF_SECURITY_ADMIN_PASSWORD__FILE` names.
 */
export function grafanaDeployment(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
  provisioning: { configMapName: string; paths: string[] },
  passwordSecretName: pulumi.Input<string>,
  checksum: pulumi.Input<string>,
): Workload<k8s.types.input.apps.v1.DeploymentSpec> {
  const directories = [...new Set(provisioning.paths.map(directoryOf))];
  const provisioningVolumes = directories.map((directory) => ({
    name: `provisioning-${directory.split("/").pop()}`,
    directory,
    items: filesUnder(
      directory,
      provisioning.paths.filter((p) => directoryOf(p) === directory),
    ),
  }));
  // The image's user, uid 472 in group root.
  const pod = programPod(
    spec,
    "grafana",
    { uid: GRAFANA_UID, gid: GRAFANA_ADMIN_PASSWORD_FILE.gid },
    {
      env: grafanaEnv().map((entry) => {
        const at = entry.indexOf("=");
        return { name: entry.slice(0, at), value: entry.slice(at + 1) };
      }),
      volumeMounts: [
        ...provisioningVolumes.map((v) => ({ name: v.name, mountPath: v.directory, readOnly: true })),
        { name: "admin-password", mountPath: GRAFANA_SECRET_DIR, readOnly: true },
        { name: "data", mountPath: GRAFANA_DATA_DIR },
      ],
    },
    [
      ...provisioningVolumes.map((v) => ({
        name: v.name,
        configMap: { name: provisioning.configMapName, items: v.items },
      })),
      {
        name: "admin-password",
        secret: {
          secretName: passwordSecretName,
          defaultMode: 0o440,
          items: filesUnder(GRAFANA_SECRET_DIR, [GRAFANA_ADMIN_PASSWORD_FILE.path]),
        },
      },
      { name: "data", emptyDir: {} },
    ],
  );
  return programWorkload(spec, "grafana", namespace, labels, pod, checksum);
}

/**
 * The Neo4j dashboard for the operator's Grafana: a ConfigMap its dashboard sidecar loads, labelled
 * as kube-prometheus-stack's sidecar looks for (and with monitorLabels), reading whichever
 * Prometheus data source that Grafana has.
 */
export function dashboardConfigMap(
  spec: KubernetesMonitoringSpec,
  namespace: string,
  labels: Record<string, string>,
): { metadata: k8s.types.input.meta.v1.ObjectMeta; data: Record<string, string> } {
  return {
    metadata: {
      name: `${spec.monitoring.name}-dashboards`,
      namespace,
      labels: { ...labels, ...spec.monitorLabels, ...GRAFANA_DASHBOARD_LABEL },
    },
    data: { [path.basename(DASHBOARD_FILE)]: `${JSON.stringify(portableNeo4jDashboard(), null, 2)}\n` },
  };
}
