import * as pulumi from "@pulumi/pulumi";
import { kubernetes } from "../../../../components";
import { skipAwaitEverywhere } from "../no-pods";

/**
 * kubernetes.MonitoringStack's own Prometheus and Alertmanager, on the local Debian images, as
 * tests/real/kubernetes-monitoring-pods.real.test.ts runs them on a real node. MonitoringStack
 * monitors Enterprise only and no Enterprise image can be had here, so the cluster names one that
 * never runs (its pod waits for an image that cannot be pulled: the node's containerd sends
 * docker.io to 127.0.0.1:9) and nothing waits on the provider's side: the test waits for the
 * monitoring pods itself. Grafana's image cannot be had either; its pod is not looked at.
 *
 * Config: `adminPassword`, `grafanaPassword`, `webhookUrl` (secrets).
 */
skipAwaitEverywhere();
const config = new pulumi.Config();

const graph = new kubernetes.Neo4jCluster("graph", {
  acceptLicenseAgreement: "eval",
  image: "neo4j:5.26.30-enterprise",
  primaries: 1,
  adminPassword: config.requireSecret("adminPassword"),
  storageSize: "1Gi",
  waitForHealthy: false,
  settings: { "dbms.usage_report.enabled": "false" },
});

export const alertmanagerUrl = new kubernetes.MonitoringStack("graph-monitoring", {
  cluster: graph,
  storageSize: "1Gi",
  prometheusImage: "neo4j-estate/prometheus:2.42.0",
  alertmanagerImage: "neo4j-estate/alertmanager:0.25.0",
  grafanaAdminPassword: config.requireSecret("grafanaPassword"),
  alertReceivers: [{ name: "ops", webhook_configs: [{ url: config.requireSecret("webhookUrl") }] }],
  alertRoute: { group_wait: "15s" },
}).alertmanagerUrl;
