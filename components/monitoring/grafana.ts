/**
 * Grafana's provisioning files as data, serialized with the `yaml` library, and the bundled Neo4j
 * dashboard. Everything Grafana shows comes from these files: nothing to import, nothing to click.
 */
import { stringify } from "yaml";
import dashboard from "./dashboards/neo4j.json";
import { CONTAINER_PORTS, MonitoringSpec } from "./spec";

/** The provisioned data source's uid; every panel and variable of the bundled dashboard names it. */
export const PROMETHEUS_DATASOURCE_UID = "neo4j-estate-prometheus";
export const GRAFANA_ADMIN_USERNAME = "admin";

/** Directories the Grafana image creates, so uploads need no directory of their own. */
const PROVISIONING_DIR = "/etc/grafana/provisioning";
export const DATASOURCE_FILE = `${PROVISIONING_DIR}/datasources/neo4j-estate.yaml`;
export const DASHBOARD_PROVIDER_FILE = `${PROVISIONING_DIR}/dashboards/neo4j-estate.yaml`;
/** Grafana's file provider reads only `*.json` from its path, so the dashboard sits beside the provider file. */
export const DASHBOARD_FILE = `${PROVISIONING_DIR}/dashboards/neo4j.json`;

export function datasourceProvisioning(spec: MonitoringSpec): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        type: "prometheus",
        uid: PROMETHEUS_DATASOURCE_UID,
        access: "proxy",
        url: `http://${spec.hostnames.prometheus}:${CONTAINER_PORTS.prometheus}`,
        isDefault: true,
        editable: false,
        // Lets Grafana's $__rate_interval cover at least four scrapes.
        jsonData: { timeInterval: spec.scrapeInterval },
      },
    ],
  };
}

export function dashboardProvisioning(): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: "neo4j-estate",
        orgId: 1,
        folder: "Neo4j",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: `${PROVISIONING_DIR}/dashboards` },
      },
    ],
  };
}

/** The bundled dashboard, as Grafana's provisioning reads it. */
export function neo4jDashboard(): typeof dashboard {
  return dashboard;
}

/** The files to upload into the Grafana container, path to content. */
export function grafanaFiles(spec: MonitoringSpec): { file: string; content: string }[] {
  return [
    { file: DATASOURCE_FILE, content: stringify(datasourceProvisioning(spec)) },
    { file: DASHBOARD_PROVIDER_FILE, content: stringify(dashboardProvisioning()) },
    { file: DASHBOARD_FILE, content: `${JSON.stringify(neo4jDashboard(), null, 2)}\n` },
  ];
}

/**
 * Grafana's settings as environment variables, without the admin password (the component adds it
 * as a secret). Offline by design: no update checks, no plugin downloads, no news feed.
 */
export function grafanaEnv(): string[] {
  return [
    `GF_SECURITY_ADMIN_USER=${GRAFANA_ADMIN_USERNAME}`,
    "GF_AUTH_ANONYMOUS_ENABLED=false",
    "GF_USERS_ALLOW_SIGN_UP=false",
    "GF_ANALYTICS_REPORTING_ENABLED=false",
    "GF_ANALYTICS_CHECK_FOR_UPDATES=false",
    "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false",
    "GF_NEWS_NEWS_FEED_ENABLED=false",
    "GF_PLUGINS_PREINSTALL_DISABLED=true",
    `GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH=${DASHBOARD_FILE}`,
  ];
}
