import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { withOwnFields } from "./field-ownership";
import { OnlyCheckedArgs } from "../neo4j/checks";
import { CONTAINER_PORTS, MONITORING_STACK, scrapeTargets } from "../monitoring/spec";
import { PROMETHEUS_CONFIG_FILE, PROMETHEUS_RULES_FILE, prometheusFiles } from "../monitoring/prometheus";
import { GRAFANA_ADMIN_PASSWORD_FILE, GRAFANA_ADMIN_USERNAME, grafanaFiles } from "../monitoring/grafana";
import {
  ALERTMANAGER_CONFIG_FILE,
  AlertInhibitRule,
  AlertReceiver,
  AlertRoute,
} from "../monitoring/alertmanager";
import { alertmanagerFiles, grafanaPasswordFor } from "../common/monitoring-secrets";
import { Neo4jCluster } from "./neo4j-cluster";
import {
  KubernetesMonitoringShapeArgs,
  KubernetesMonitoringSpec,
  alertmanagerStatefulSet,
  configChecksum,
  dashboardConfigMap,
  fileKey,
  grafanaDeployment,
  monitoringLabels,
  monitoringService,
  prometheusRule,
  prometheusStatefulSet,
  pushgatewayDeployment,
  pushgatewayMonitor,
  serviceMonitor,
  validateKubernetesMonitoringArgs,
} from "./monitoring-objects";

export const KUBERNETES_MONITORING_STACK_TYPE = "neo4j-estate:kubernetes:MonitoringStack";

export interface MonitoringStackArgs extends KubernetesMonitoringShapeArgs {
  /**
   * The cluster to monitor. Its members must serve Prometheus metrics (`prometheusMetrics`, on by
   * default for Enterprise); a Community cluster is refused.
   */
  cluster: Neo4jCluster;
  /**
   * Grafana's `admin` password. Default: a random 32-character password. Always treated as a
   * secret, delivered to Grafana as a file from a Secret. Bundled mode only.
   */
  grafanaAdminPassword?: pulumi.Input<string>;
  /**
   * Where alerts go, in Alertmanager's own receiver shape, exactly as on Docker (see docker
   * MonitoringStack's alertReceivers): the secret fields may be Pulumi outputs, are always secrets,
   * and reach the Alertmanager as files from a Secret. Default: none, which shows alerts at
   * alertmanagerUrl and notifies nobody (with a warning at preview). Bundled mode only: with
   * `mode: "operator"`, route the alerts in the operator's Alertmanager.
   */
  alertReceivers?: AlertReceiver<pulumi.Input<string>>[];
  /** The routing tree, in Alertmanager's shape, as on Docker. Default: everything to the first receiver. */
  alertRoute?: AlertRoute;
  /** Alertmanager inhibit rules, as on Docker. Default: none. */
  alertInhibitRules?: AlertInhibitRule[];
}

/**
 * Monitoring of a kubernetes.Neo4jCluster with the same scrape configuration, alert rules,
 * Alertmanager configuration and dashboard as on Docker: our own Prometheus, Alertmanager and
 * Grafana (and a Pushgateway for backup health) in the cluster's namespace, or, with
 * `mode: "operator"`, ServiceMonitor and PrometheusRule objects for a Prometheus Operator the
 * cluster already runs and the dashboard as a ConfigMap for its Grafana's sidecar.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  /** Our Prometheus inside the cluster, like `http://graph-monitoring-prometheus.graph.svc.cluster.local:9090`; undefined in operator mode. */
  public readonly prometheusUrl: pulumi.Output<string | undefined>;
  /** The Pushgateway for BackupVolume's pushgatewayUrl; undefined without backupMetrics. */
  public readonly pushgatewayUrl: pulumi.Output<string | undefined>;
  /** Our Grafana inside the cluster, like `http://graph-monitoring-grafana.graph.svc.cluster.local:3000`; undefined in operator mode. */
  public readonly grafanaUrl: pulumi.Output<string | undefined>;
  /** Grafana's admin user, `admin`; undefined in operator mode. */
  public readonly grafanaAdminUsername: pulumi.Output<string | undefined>;
  /** Grafana's admin password (secret); undefined in operator mode. */
  public readonly grafanaAdminPassword: pulumi.Output<string | undefined>;
  /**
   * Our Alertmanager inside the cluster, like
   * `http://graph-monitoring-alertmanager.graph.svc.cluster.local:9093`; undefined when alertmanager
   * is false and in operator mode.
   */
  public readonly alertmanagerUrl: pulumi.Output<string | undefined>;
  /** `bundled` or `operator`. */
  public readonly mode: string;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const given: unknown = args?.cluster;
    const cluster = given instanceof Neo4jCluster ? given : undefined;
    const spec = validateKubernetesMonitoringArgs(
      name,
      args satisfies OnlyCheckedArgs<MonitoringStackArgs, KubernetesMonitoringShapeArgs>,
      cluster && {
        edition: cluster.edition,
        prometheusMetrics: cluster.prometheusMetrics,
        memberNames: cluster.memberNames,
      },
    );
    super(KUBERNETES_MONITORING_STACK_TYPE, name, {}, withOwnFields(opts));
    this.mode = spec.mode;
    const target = args.cluster;
    const clusterName = target.podSelector["neo4j-estate.cluster"];
    const namespace = target.namespaceName;
    const child = { parent: this, dependsOn: [target] };
    const host = (service: string, port: number) =>
      `http://${service}.${namespace}.svc.${target.clusterDomain}:${port}`;
    const hostnames = spec.monitoring.hostnames;

    let pushgatewayUrl: string | undefined;
    if (spec.monitoring.backupMetrics) {
      const labels = monitoringLabels(spec, clusterName, "pushgateway");
      new k8s.apps.v1.Deployment(
        hostnames.pushgateway,
        pushgatewayDeployment(spec, namespace, labels),
        child,
      );
      new k8s.core.v1.Service(
        `${hostnames.pushgateway}-service`,
        monitoringService(spec, "pushgateway", namespace, labels),
        child,
      );
      pushgatewayUrl = host(hostnames.pushgateway, CONTAINER_PORTS.pushgateway);
    }

    if (spec.mode === "operator") {
      const labels = monitoringLabels(spec, clusterName, "neo4j-monitoring");
      new k8s.apiextensions.CustomResource(
        `${name}-monitor`,
        serviceMonitor(spec, clusterName, namespace, labels),
        child,
      );
      new k8s.apiextensions.CustomResource(`${name}-rules`, prometheusRule(spec, namespace, labels), child);
      if (spec.monitoring.backupMetrics)
        new k8s.apiextensions.CustomResource(
          `${name}-pushgateway-monitor`,
          pushgatewayMonitor(spec, namespace, labels),
          child,
        );
      new k8s.core.v1.ConfigMap(`${name}-dashboards`, dashboardConfigMap(spec, namespace, labels), child);
      const none = pulumi.output<string | undefined>(undefined);
      this.prometheusUrl = none;
      this.grafanaUrl = none;
      this.grafanaAdminUsername = none;
      this.grafanaAdminPassword = none;
      this.alertmanagerUrl = none;
    } else {
      let alertmanagerUrl: string | undefined;
      if (spec.monitoring.alertmanager) {
        alertmanagerUrl = host(hostnames.alertmanager, CONTAINER_PORTS.alertmanager);
        this.alertmanager(spec, clusterName, namespace, alertmanagerUrl, child);
      }
      this.alertmanagerUrl = pulumi.output(alertmanagerUrl);
      const password = grafanaPasswordFor(this, name, args.grafanaAdminPassword);
      this.grafana(spec, clusterName, namespace, password, child);
      this.grafanaUrl = pulumi.output<string | undefined>(host(hostnames.grafana, CONTAINER_PORTS.grafana));
      this.grafanaAdminUsername = pulumi.output<string | undefined>(GRAFANA_ADMIN_USERNAME);
      this.grafanaAdminPassword = pulumi.secret<string | undefined>(password);

      const labels = monitoringLabels(spec, clusterName, "prometheus");
      const files = target.metricsEndpoints.apply((endpoints) => {
        const rendered = prometheusFiles(spec.monitoring, scrapeTargets(name, target.memberNames, endpoints));
        return {
          [path.basename(PROMETHEUS_CONFIG_FILE)]: rendered.config,
          [path.basename(PROMETHEUS_RULES_FILE)]: rendered.rules,
        };
      });
      new k8s.core.v1.ConfigMap(
        `${hostnames.prometheus}-config`,
        { metadata: { name: hostnames.prometheus, namespace, labels }, data: files },
        child,
      );
      new k8s.apps.v1.StatefulSet(
        hostnames.prometheus,
        prometheusStatefulSet(spec, namespace, labels, files.apply(configChecksum)),
        child,
      );
      new k8s.core.v1.Service(
        `${hostnames.prometheus}-service`,
        monitoringService(spec, "prometheus", namespace, labels),
        child,
      );
      this.prometheusUrl = pulumi.output<string | undefined>(
        host(hostnames.prometheus, CONTAINER_PORTS.prometheus),
      );
    }
    this.pushgatewayUrl = pulumi.output(pushgatewayUrl);
    this.registerOutputs({
      prometheusUrl: this.prometheusUrl,
      pushgatewayUrl: this.pushgatewayUrl,
      grafanaUrl: this.grafanaUrl,
      grafanaAdminUsername: this.grafanaAdminUsername,
      grafanaAdminPassword: this.grafanaAdminPassword,
      alertmanagerUrl: this.alertmanagerUrl,
    });
  }

  /**
   * The Alertmanager: the core's files in a Secret (a new name on every change, the provider
   * replacing Secrets rather than editing them, so the pod follows), a StatefulSet and a Service.
   */
  private alertmanager(
    spec: KubernetesMonitoringSpec,
    clusterName: string,
    namespace: string,
    url: string,
    child: pulumi.CustomResourceOptions,
  ): void {
    const plan = spec.monitoring.alertmanager!;
    for (const warning of plan.warnings)
      pulumi.log.warn(`${MONITORING_STACK} "${spec.monitoring.name}": ${warning}`, this);
    const hostname = spec.monitoring.hostnames.alertmanager;
    const labels = monitoringLabels(spec, clusterName, "alertmanager");
    const files = alertmanagerFiles(spec.monitoring.name, plan, ALERTMANAGER_CONFIG_FILE);
    const data = Object.fromEntries(
      files.map((f) => [fileKey(f.path), pulumi.secret(f.content.apply(base64))]),
    );
    const secret = new k8s.core.v1.Secret(
      `${hostname}-config`,
      { metadata: { namespace, labels }, type: "Opaque", data },
      child,
    );
    // Restart on a new configuration, which the Alertmanager reads at start only; the checksum is
    // of the plan without secret values, so nothing secret reaches the pod template.
    const checksum = configChecksum({ plan: JSON.stringify(plan.config) });
    new k8s.apps.v1.StatefulSet(
      hostname,
      alertmanagerStatefulSet(
        spec,
        namespace,
        labels,
        { secretName: secret.metadata.name, paths: files.map((f) => f.path) },
        checksum,
        url,
      ),
      child,
    );
    new k8s.core.v1.Service(
      `${hostname}-service`,
      monitoringService(spec, "alertmanager", namespace, labels),
      child,
    );
  }

  /** Grafana: provisioning in a ConfigMap, the admin password in a Secret, a Deployment and a Service. */
  private grafana(
    spec: KubernetesMonitoringSpec,
    clusterName: string,
    namespace: string,
    password: pulumi.Output<string>,
    child: pulumi.CustomResourceOptions,
  ): void {
    const hostname = spec.monitoring.hostnames.grafana;
    const labels = monitoringLabels(spec, clusterName, "grafana");
    const provisioning = grafanaFiles(spec.monitoring);
    const data = Object.fromEntries(provisioning.map((f) => [fileKey(f.file), f.content]));
    new k8s.core.v1.ConfigMap(
      `${hostname}-provisioning`,
      { metadata: { name: `${hostname}-provisioning`, namespace, labels }, data },
      child,
    );
    // A new password gives a new Secret name, so Grafana restarts and sets it (its database is
    // not kept across pods, as on Docker).
    const secret = new k8s.core.v1.Secret(
      `${hostname}-admin-password`,
      {
        metadata: { namespace, labels },
        type: "Opaque",
        data: { [fileKey(GRAFANA_ADMIN_PASSWORD_FILE.path)]: pulumi.secret(password.apply(base64)) },
      },
      child,
    );
    new k8s.apps.v1.Deployment(
      hostname,
      grafanaDeployment(
        spec,
        namespace,
        labels,
        { configMapName: `${hostname}-provisioning`, paths: provisioning.map((f) => f.file) },
        secret.metadata.name,
        configChecksum(data),
      ),
      child,
    );
    new k8s.core.v1.Service(
      `${hostname}-service`,
      monitoringService(spec, "grafana", namespace, labels),
      child,
    );
  }
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
