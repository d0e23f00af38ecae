import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { Neo4jCluster } from "./neo4j-cluster";
import {
  AlertThresholds,
  CONTAINER_PORTS,
  MONITORING_STACK,
  ClusterFacts,
  MonitoringShapeArgs,
  MonitoringSpec,
  READINESS_URLS,
  httpHealthcheck,
  scrapeTargets,
  validateMonitoringArgs,
} from "./monitoring/spec";
import { alertmanagerFiles, grafanaPasswordFor } from "./common/monitoring-secrets";
import { OnlyCheckedArgs } from "./neo4j/checks";
import {
  PROMETHEUS_CONFIG_FILE,
  PROMETHEUS_DATA_DIR,
  PROMETHEUS_RULES_FILE,
  PUSHGATEWAY_DATA_DIR,
  prometheusCommand,
  prometheusFiles,
  pushgatewayCommand,
} from "./monitoring/prometheus";
import {
  GRAFANA_ADMIN_PASSWORD_FILE,
  GRAFANA_ADMIN_USERNAME,
  grafanaEnv,
  grafanaFiles,
  provisioningLabels,
} from "./monitoring/grafana";
import {
  ALERTMANAGER_CONFIG_FILE,
  ALERTMANAGER_DATA_DIR,
  ALERTMANAGER_UID,
  AlertInhibitRule,
  AlertReceiver,
  AlertRoute,
  AlertmanagerPlan,
  alertmanagerCommand,
} from "./monitoring/alertmanager";
import { ownedUpload } from "./common/docker-uploads";
import { dockerLabels } from "./common/docker-labels";

export const MONITORING_STACK_TYPE = `neo4j-estate:index:${MONITORING_STACK}`;

/** The cluster fields MonitoringStack reads; a Neo4jCluster has them all. */
export type MonitoredCluster = Pick<
  Neo4jCluster,
  "edition" | "prometheusMetrics" | "memberNames" | "metricsEndpoints" | "networkName"
>;

export interface MonitoringStackArgs {
  /**
   * The cluster to monitor. Its members must serve Prometheus metrics inside its network
   * (`prometheusMetrics`, on by default for Enterprise); a Community cluster is refused.
   */
  cluster: MonitoredCluster;
  /** How often Prometheus scrapes and evaluates rules, as a Prometheus duration. Default `15s`. */
  scrapeInterval?: string;
  /** How long Prometheus keeps samples (`--storage.tsdb.retention.time`), as a Prometheus duration. Default `15d`. */
  retention?: string;
  /** The host address Prometheus and Grafana publish their ports on. Default `127.0.0.1`: reachable from this machine only. */
  hostAddress?: string;
  /** Host port for Prometheus's web UI and API. Default 9090. */
  prometheusHostPort?: number;
  /** Host port for Grafana. Default 3000; must differ from prometheusHostPort. */
  grafanaHostPort?: number;
  /** Grafana's `admin` password. Default: a random 32-character password. Always treated as a secret. */
  grafanaAdminPassword?: pulumi.Input<string>;
  /**
   * Run a Pushgateway on the cluster's network for BackupVolume's backup job to push to, and
   * alert on stale or failed backups. Default false.
   */
  backupMetrics?: boolean;
  /** Alert thresholds; each unset one keeps its default (see AlertThresholds). */
  alertThresholds?: Partial<AlertThresholds>;
  /** The Prometheus image. Default `prom/prometheus:v3.4.1`; point it at a mirror when Docker Hub is out of reach. */
  prometheusImage?: string;
  /**
   * Prometheus's version, when the image tag does not carry it (a digest, a tag of your own), such
   * as `3.4.1`. Default: read from the tag. Prometheus 3 needs `fallback_scrape_protocol` on the
   * Neo4j job, which Prometheus 2 refuses, so the config is written per major version.
   */
  prometheusVersion?: string;
  /** The Grafana image. Default `grafana/grafana:12.0.1`. */
  grafanaImage?: string;
  /** The Pushgateway image, used when backupMetrics is on. Default `prom/pushgateway:v1.11.1`. */
  pushgatewayImage?: string;
  /**
   * Run an Alertmanager beside Prometheus and send it every firing alert, so that alerts reach
   * someone through alertReceivers. Default true.
   */
  alertmanager?: boolean;
  /**
   * Where alerts go, in Alertmanager's own receiver shape: a unique `name` and any of
   * `webhook_configs`, `email_configs`, `slack_configs`, `pagerduty_configs`. The secret fields
   * (webhook `url`, `http_config` passwords and credentials, SMTP `auth_password`, Slack `api_url`,
   * PagerDuty `routing_key` / `service_key`) may be Pulumi outputs, are always treated as secrets,
   * and reach Alertmanager as files (`url_file`, `auth_password_file`, `api_url_file`, …); a webhook
   * URL on Alertmanager 0.25, which has no `url_file`, makes alertmanager.yml itself a secret upload.
   * Default: none, which routes every alert to a receiver named `none` that notifies nobody (the
   * alerts still show at alertmanagerUrl) and warns at preview.
   */
  alertReceivers?: AlertReceiver<pulumi.Input<string>>[];
  /**
   * The routing tree, in Alertmanager's shape (`receiver`, `group_by`, `group_wait`,
   * `group_interval`, `repeat_interval`, child `routes` with `matchers`). Default: everything to
   * the first receiver, grouped by `alertname`, with Alertmanager's timings (30s, 5m, 4h).
   */
  alertRoute?: AlertRoute;
  /** Alertmanager inhibit rules (`source_matchers`, `target_matchers`, `equal`). Default: none. */
  alertInhibitRules?: AlertInhibitRule[];
  /** Host port for the Alertmanager's web UI and API. Default 9093; must differ from the other host ports. */
  alertmanagerHostPort?: number;
  /** The Alertmanager image. Default `prom/alertmanager:v0.28.1`; 0.25 or later. */
  alertmanagerImage?: string;
  /**
   * Alertmanager's version, when the image tag does not carry it, such as `0.25.0`. Default: read
   * from the tag. It decides which secrets can be files (a webhook URL only from 0.26 on).
   */
  alertmanagerVersion?: string;
  /** Docker restart policy for the containers. Default `unless-stopped`. */
  restart?: "no" | "on-failure" | "always" | "unless-stopped";
  /** Extra Docker labels on every resource. */
  labels?: Record<string, string>;
}

/**
 * Prometheus and Grafana beside a Neo4jCluster, on its network, working offline: Prometheus
 * scrapes every member and evaluates Neo4j alerts; Grafana comes with the Prometheus data source
 * and a Neo4j dashboard provisioned. With backupMetrics, a Pushgateway collects backup results.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  /** Prometheus from the host, like `http://localhost:9090`. */
  public readonly prometheusUrl: pulumi.Output<string>;
  /** Grafana from the host, like `http://localhost:3000`. */
  public readonly grafanaUrl: pulumi.Output<string>;
  /** Grafana's admin user, `admin`. */
  public readonly grafanaAdminUsername: pulumi.Output<string>;
  /** Grafana's admin password (secret). */
  public readonly grafanaAdminPassword: pulumi.Output<string>;
  /**
   * Where backup jobs push their metrics, inside the cluster's network, like
   * `http://monitoring-pushgateway:9091`; undefined unless backupMetrics is on.
   */
  public readonly pushgatewayUrl?: pulumi.Output<string>;
  /** The Alertmanager from the host, like `http://localhost:9093`; undefined when alertmanager is false. */
  public readonly alertmanagerUrl?: pulumi.Output<string>;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before super(): a bad argument must not register even the component.
    const spec = validateMonitoringArgs(
      name,
      args satisfies OnlyCheckedArgs<MonitoringStackArgs, MonitoringShapeArgs>,
      monitoredClusterFacts(args?.cluster),
    );
    // Only non-secret, plain shape goes to super(): Pulumi 3.202+ stores it in state.
    super(MONITORING_STACK_TYPE, name, {}, opts);

    const shared: ServiceContext = {
      name,
      spec,
      networkName: args.cluster.networkName,
      restart: args.restart ?? "unless-stopped",
      labels: { ...(args.labels ?? {}), "neo4j-estate.monitoring": name },
    };
    const published = (internal: number, external: number) => [
      { internal, external, ip: spec.hostAddress, protocol: "tcp" },
    ];

    if (spec.backupMetrics) {
      this.service(shared, "pushgateway", {
        command: pushgatewayCommand(),
        volumes: [
          { volumeName: this.dataVolume(shared, "pushgateway").name, containerPath: PUSHGATEWAY_DATA_DIR },
        ],
      });
      this.pushgatewayUrl = pulumi.output(
        `http://${spec.hostnames.pushgateway}:${CONTAINER_PORTS.pushgateway}`,
      );
    }

    if (spec.alertmanager) {
      for (const warning of spec.alertmanager.warnings)
        pulumi.log.warn(`${MONITORING_STACK} "${name}": ${warning}`, this);
      this.alertmanagerUrl = pulumi.output(`http://${spec.urlHost}:${spec.alertmanagerHostPort}`);
      this.service(shared, "alertmanager", {
        command: alertmanagerCommand(`http://${spec.urlHost}:${spec.alertmanagerHostPort}`),
        uploads: alertmanagerUploads(name, spec.alertmanager),
        ports: published(CONTAINER_PORTS.alertmanager, spec.alertmanagerHostPort!),
        volumes: [
          {
            volumeName: this.dataVolume(shared, "alertmanager").name,
            containerPath: ALERTMANAGER_DATA_DIR,
          },
        ],
      });
    }

    const files = args.cluster.metricsEndpoints.apply((endpoints) =>
      prometheusFiles(spec, scrapeTargets(name, spec.memberNames, endpoints)),
    );
    this.service(shared, "prometheus", {
      command: prometheusCommand(spec),
      uploads: [
        { file: PROMETHEUS_CONFIG_FILE, content: files.config },
        { file: PROMETHEUS_RULES_FILE, content: files.rules },
      ],
      ports: published(CONTAINER_PORTS.prometheus, spec.prometheusHostPort),
      volumes: [
        { volumeName: this.dataVolume(shared, "prometheus").name, containerPath: PROMETHEUS_DATA_DIR },
      ],
    });

    const adminPassword = grafanaPasswordFor(this, name, args.grafanaAdminPassword);
    const provisioning = grafanaFiles(spec);
    this.service(
      shared,
      "grafana",
      {
        // The password is a file Grafana reads (GF_SECURITY_ADMIN_PASSWORD__FILE): the environment
        // holds no secret and stays readable in a pull request's preview.
        envs: grafanaEnv(),
        uploads: [...provisioning, ownedUpload(GRAFANA_ADMIN_PASSWORD_FILE, adminPassword)],
        ports: published(CONTAINER_PORTS.grafana, spec.grafanaHostPort),
      },
      provisioningLabels(provisioning),
    );

    this.prometheusUrl = pulumi.output(`http://${spec.urlHost}:${spec.prometheusHostPort}`);
    this.grafanaUrl = pulumi.output(`http://${spec.urlHost}:${spec.grafanaHostPort}`);
    this.grafanaAdminUsername = pulumi.output(GRAFANA_ADMIN_USERNAME);
    this.grafanaAdminPassword = adminPassword;

    this.registerOutputs({
      prometheusUrl: this.prometheusUrl,
      grafanaUrl: this.grafanaUrl,
      grafanaAdminUsername: this.grafanaAdminUsername,
      grafanaAdminPassword: this.grafanaAdminPassword,
      pushgatewayUrl: this.pushgatewayUrl,
      alertmanagerUrl: this.alertmanagerUrl,
    });
  }

  /** A container on the cluster's network, named after its kind, from its pinned image, checked for readiness. */
  private service(
    shared: ServiceContext,
    kind: Service,
    args: Partial<docker.ContainerArgs>,
    labels: Record<string, string> = {},
  ): docker.Container {
    const hostname = shared.spec.hostnames[kind];
    const image = new docker.RemoteImage(
      `${shared.name}-${kind}-image`,
      { name: shared.spec.images[kind], keepLocally: true },
      { parent: this },
    );
    return new docker.Container(
      hostname,
      {
        ...args,
        name: hostname,
        hostname,
        image: image.imageId,
        networksAdvanced: [{ name: shared.networkName, aliases: [hostname] }],
        healthcheck: httpHealthcheck(READINESS_URLS[kind]),
        restart: shared.restart,
        wait: true,
        labels: dockerLabels({ ...shared.labels, ...labels }),
      },
      { parent: this, deleteBeforeReplace: true },
    );
  }

  /** A volume of its own, so a replaced container keeps its data. */
  private dataVolume(shared: ServiceContext, kind: Service): docker.Volume {
    const volumeName = `${shared.name}-${kind}-data`;
    return new docker.Volume(
      volumeName,
      { name: volumeName, labels: dockerLabels(shared.labels) },
      { parent: this },
    );
  }
}

/** The Alertmanager's files as uploads, readable by the Alertmanager's user only. */
function alertmanagerUploads(name: string, plan: AlertmanagerPlan): docker.types.input.ContainerUpload[] {
  return alertmanagerFiles(name, plan, ALERTMANAGER_CONFIG_FILE).map((f) =>
    ownedUpload({ path: f.path, mode: "0400", uid: ALERTMANAGER_UID, gid: ALERTMANAGER_UID }, f.content),
  );
}

/** What the checks need to know about the cluster, or undefined when what was passed is not one. */
export function monitoredClusterFacts(cluster: unknown): ClusterFacts | undefined {
  const c = cluster as Partial<MonitoredCluster> | undefined;
  if (typeof c !== "object" || c === null || typeof c.edition !== "string" || !Array.isArray(c.memberNames))
    return undefined;
  return { edition: c.edition, prometheusMetrics: c.prometheusMetrics === true, memberNames: c.memberNames };
}

type Service = keyof MonitoringSpec["hostnames"];

/** What every container of the stack shares. */
interface ServiceContext {
  name: string;
  spec: MonitoringSpec;
  networkName: pulumi.Input<string>;
  restart: string;
  labels: Record<string, string>;
}
