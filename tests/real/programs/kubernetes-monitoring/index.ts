import * as pulumi from "@pulumi/pulumi";
import { kubernetes } from "../../../../components";
import { skipAwaitEverywhere } from "../no-pods";

/**
 * kubernetes.MonitoringStack twice on one Enterprise kubernetes.Neo4jCluster, as
 * tests/real/kubernetes-monitoring.real.test.ts deploys it into a real API server: our own
 * Prometheus, Alertmanager and Grafana (`graph-monitoring`), and the objects for a Prometheus
 * Operator (`graph-operator`: ServiceMonitor, PrometheusRule, the dashboard ConfigMap), whose CRDs
 * the test applies first. No pod runs on that tier, so the Enterprise image is never pulled.
 *
 * Config:
 * - `adminPassword`, `grafanaPassword`, `webhookUrl` (secrets): must reach Secrets only. Given,
 *   because the defaults (random passwords) need the @pulumi/random provider, which CI cannot have.
 * - `groupWait`: the Alertmanager route's group_wait; a change must roll the Alertmanager only.
 */
skipAwaitEverywhere();
const config = new pulumi.Config();

const graph = new kubernetes.Neo4jCluster("graph", {
  acceptLicenseAgreement: "eval",
  primaries: 1,
  adminPassword: config.requireSecret("adminPassword"),
  storageSize: "1Gi",
  waitForHealthy: false,
  settings: { "dbms.usage_report.enabled": "false" },
});

const monitoring = new kubernetes.MonitoringStack("graph-monitoring", {
  cluster: graph,
  storageSize: "1Gi",
  grafanaAdminPassword: config.requireSecret("grafanaPassword"),
  alertReceivers: [{ name: "ops", webhook_configs: [{ url: config.requireSecret("webhookUrl") }] }],
  alertRoute: { group_wait: config.require("groupWait") },
});

new kubernetes.MonitoringStack("graph-operator", {
  cluster: graph,
  mode: "operator",
  monitorLabels: { release: "kube-prometheus-stack" },
});

export const prometheusUrl = monitoring.prometheusUrl;
export const alertmanagerUrl = monitoring.alertmanagerUrl;
export const grafanaUrl = monitoring.grafanaUrl;
export const grafanaAdminPassword = monitoring.grafanaAdminPassword;
