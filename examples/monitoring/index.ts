import * as pulumi from "@pulumi/pulumi";
import { MONITORING_METRICS_FILTER, MonitoringStack, Neo4jCluster } from "../../components";

const config = new pulumi.Config();

const cluster = new Neo4jCluster("neo4j-core", {
  acceptLicenseAgreement: config.require("acceptLicenseAgreement") as "yes" | "eval",
  adminPassword: config.getSecret("adminPassword"),
  // As in the seed, each member's metrics endpoint is also published on the host: 2004, 2005, 2006.
  hostPorts: { metrics: 2004 },
  // Neo4j's default metrics filter leaves out the heap maximum, which the heap alert divides by:
  // add what the dashboard and alerts read to that filter, keeping everything else it enables.
  extraMetrics: MONITORING_METRICS_FILTER,
});

// Where alerts go: a webhook here; email, Slack and PagerDuty take Alertmanager's own shapes too
// (docs/monitoring.md). Without one, the Alertmanager only shows alerts, and the preview says so.
const alertWebhookUrl = config.getSecret("alertWebhookUrl");

const monitoring = new MonitoringStack("monitoring", {
  cluster,
  grafanaAdminPassword: config.getSecret("grafanaAdminPassword"),
  alertReceivers: alertWebhookUrl
    ? [{ name: "ops", webhook_configs: [{ url: alertWebhookUrl }] }]
    : undefined,
});

export const boltUri = cluster.boltUri;
export const neo4jPassword = cluster.adminPassword;
export const prometheusUrl = monitoring.prometheusUrl;
export const grafanaUrl = monitoring.grafanaUrl;
export const alertmanagerUrl = monitoring.alertmanagerUrl;
export const grafanaUser = monitoring.grafanaAdminUsername;
export const grafanaPassword = monitoring.grafanaAdminPassword;
