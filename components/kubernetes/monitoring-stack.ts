import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { OnlyCheckedArgs } from "../neo4j/checks";
import { CONTAINER_PORTS, scrapeTargets } from "../monitoring/spec";
import { PROMETHEUS_CONFIG_FILE, PROMETHEUS_RULES_FILE, prometheusFiles } from "../monitoring/prometheus";
import { Neo4jCluster } from "./neo4j-cluster";
import {
  KubernetesMonitoringShapeArgs,
  configChecksum,
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
}

/**
 * Prometheus monitoring of a kubernetes.Neo4jCluster with the same scrape configuration and alert
 * rules as on Docker: our own Prometheus (and a Pushgateway for backup health) in the cluster's
 * namespace, or, with `mode: "operator"`, ServiceMonitor and PrometheusRule objects for a
 * Prometheus Operator the cluster already runs.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  /** Our Prometheus inside the cluster, like `http://graph-monitoring-prometheus.graph.svc.cluster.local:9090`; undefined in operator mode. */
  public readonly prometheusUrl: pulumi.Output<string | undefined>;
  /** The Pushgateway for BackupVolume's pushgatewayUrl; undefined without backupMetrics. */
  public readonly pushgatewayUrl: pulumi.Output<string | undefined>;
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
    super(KUBERNETES_MONITORING_STACK_TYPE, name, {}, opts);
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
      this.prometheusUrl = pulumi.output<string | undefined>(undefined);
    } else {
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
    this.registerOutputs({ prometheusUrl: this.prometheusUrl, pushgatewayUrl: this.pushgatewayUrl });
  }
}
