/**
 * Grafana's provisioning files as data, serialized with the `yaml` library, and the bundled Neo4j
 * dashboard. Everything Grafana shows comes from these files: nothing to import, nothing to click.
 */
import { createHash } from "crypto";
import { stringify } from "yaml";
import type { UploadedFile } from "../common/docker-uploads";
import dashboard from "./dashboards/neo4j.json";
import { CONTAINER_PORTS, MonitoringSpec } from "./spec";

/** The provisioned data source's uid; every panel and variable of the bundled dashboard names it. */
export const PROMETHEUS_DATASOURCE_UID = "neo4j-estate-prometheus";
export const GRAFANA_ADMIN_USERNAME = "admin";

/** The Grafana image's user: uid 472, group root (0). */
export const GRAFANA_UID = 472;

/**
 * The admin password, as a file only Grafana's user reads: Grafana takes any setting from a file
 * named by `<variable>__FILE`, so the password stays out of the environment (and out of
 * `docker inspect`), which is then no secret and reads as a diff in a pull request.
 */
export const GRAFANA_ADMIN_PASSWORD_FILE: UploadedFile = {
  path: "/run/secrets/grafana-admin-password",
  mode: "0400",
  uid: GRAFANA_UID,
  gid: 0,
};

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

/** The name of the data source variable the sidecar form of the dashboard adds. */
export const DATASOURCE_VARIABLE = "datasource";

/**
 * The bundled dashboard for a Grafana that is not ours (kube-prometheus-stack's, fed by its
 * dashboard sidecar): that Grafana has no data source with our uid, so every panel and variable
 * reads a data source variable instead, defaulting to the Grafana's default Prometheus.
 */
export function portableNeo4jDashboard(): Record<string, unknown> {
  const replace = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(replace);
    if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (record.uid === PROMETHEUS_DATASOURCE_UID && record.type === "prometheus")
        return { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` };
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, replace(v)]));
    }
    return node;
  };
  const portable = replace(neo4jDashboard()) as Record<string, unknown> & {
    templating: { list: unknown[] };
  };
  const variable = {
    name: DATASOURCE_VARIABLE,
    label: "Data source",
    type: "datasource",
    query: "prometheus",
    hide: 0,
    current: {},
    options: [],
  };
  return { ...portable, templating: { list: [variable, ...portable.templating.list] } };
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
 * A label per provisioning file with a hash of its content. The files travel in the container's
 * uploads beside the password file, so Pulumi shows the uploads as `[secret]` in a diff; these
 * labels say which file changed, readably.
 */
export function provisioningLabels(files: { file: string; content: string }[]): Record<string, string> {
  return Object.fromEntries(
    files.map(({ file, content }) => [
      `neo4j-estate.grafana.${file.split("/").pop()}`,
      `sha256:${createHash("sha256").update(content).digest("hex").slice(0, 16)}`,
    ]),
  );
}

/**
 * Grafana's settings as environment variables. The admin password is read from a file
 * (GRAFANA_ADMIN_PASSWORD_FILE), so nothing here is secret. Offline by design: no update checks, no
 * plugin downloads, no news feed.
 */
export function grafanaEnv(): string[] {
  return [
    `GF_SECURITY_ADMIN_USER=${GRAFANA_ADMIN_USERNAME}`,
    `GF_SECURITY_ADMIN_PASSWORD__FILE=${GRAFANA_ADMIN_PASSWORD_FILE.path}`,
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
