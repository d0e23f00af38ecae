import * as pulumi from "@pulumi/pulumi";
import { Neo4jCluster, Neo4jClusterArgs } from "./neo4j-cluster";
import { RbacPolicy, RbacPolicyArgs } from "./rbac-policy";
import { BackupVolume, BackupVolumeArgs } from "./backup-volume";
import { MonitoringStack, MonitoringStackArgs } from "./monitoring-stack";
import { MONITORING_METRICS_FILTER } from "./monitoring/metrics";
import { METRICS_FILTER_SETTING } from "./neo4j/metrics-filter";
import { planCluster } from "./neo4j/cluster-spec";
import { planMonitoring } from "./monitoring/spec";
import { HostPortClaim, checkHostPortClaims } from "./estate/host-ports";
import { inputErrors } from "./neo4j/errors";

export const NEO4J_ENTERPRISE_TYPE = "neo4j-estate:index:Neo4jEnterprise";

export interface Neo4jEnterpriseArgs {
  /** The cluster: Neo4jCluster's own arguments (acceptLicenseAgreement is required for Enterprise images). */
  cluster: Neo4jClusterArgs;
  /**
   * Users, roles and privileges, provisioned on the cluster with its admin credentials: RbacPolicy's
   * arguments without the connection. Default: none.
   */
  rbac?: Omit<RbacPolicyArgs, "uri" | "adminUsername" | "adminPassword">;
  /**
   * Scheduled online backups: BackupVolume's arguments without the cluster, `true` for its defaults,
   * `false` for none. Default: on when the cluster accepts online backups (Enterprise).
   */
  backup?: Omit<BackupVolumeArgs, "cluster" | "pushgatewayUrl"> | boolean;
  /**
   * Prometheus and Grafana: MonitoringStack's arguments without the cluster, `true` for its
   * defaults, `false` for none. Default: on when the cluster serves Prometheus metrics (Enterprise).
   * With backups on too, backup health is pushed to a Pushgateway and alerted on.
   */
  monitoring?: Omit<MonitoringStackArgs, "cluster" | "backupMetrics"> | boolean;
}

/**
 * The whole estate: a Neo4jCluster and, each optional, an RbacPolicy, a BackupVolume and a
 * MonitoringStack on it, on one network, from one argument object.
 *
 * Children are named after the composite: for `new Neo4jEnterprise("graph", …)` the members are
 * `graph-1`…, the network `graph-network`, the backup runner `graph-backups-runner`, Prometheus
 * `graph-monitoring-prometheus`, Grafana `graph-monitoring-grafana`.
 */
export class Neo4jEnterprise extends pulumi.ComponentResource {
  public readonly cluster: Neo4jCluster;
  public readonly rbac?: RbacPolicy;
  public readonly backup?: BackupVolume;
  public readonly monitoring?: MonitoringStack;

  /** Routing Bolt URI for clients on the host, like `neo4j://localhost:7688`. */
  public readonly boltUri: pulumi.Output<string>;
  /** Neo4j Browser on the first member, like `http://localhost:7475`. */
  public readonly browserUrl: pulumi.Output<string>;
  public readonly adminUsername: pulumi.Output<string>;
  /** The admin password (secret). */
  public readonly adminPassword: pulumi.Output<string>;
  public readonly networkName: pulumi.Output<string>;
  /** Prometheus from the host; undefined without monitoring. */
  public readonly prometheusUrl: pulumi.Output<string | undefined>;
  /** Grafana from the host; undefined without monitoring. */
  public readonly grafanaUrl: pulumi.Output<string | undefined>;
  public readonly grafanaAdminUsername: pulumi.Output<string | undefined>;
  /** Grafana's admin password (secret); undefined without monitoring. */
  public readonly grafanaAdminPassword: pulumi.Output<string | undefined>;
  /** Where backups are kept (`volume:<name>` or a host path); undefined without backups. */
  public readonly backupLocation: pulumi.Output<string | undefined>;
  /** The command that restores a database from the backups; undefined without backups. */
  public readonly restoreCommand: pulumi.Output<string | undefined>;

  constructor(name: string, args: Neo4jEnterpriseArgs, opts?: pulumi.ComponentResourceOptions) {
    const { clusterArgs, backupArgs, monitoringArgs } = planEstate(name, args);
    super(NEO4J_ENTERPRISE_TYPE, name, {}, opts);

    this.cluster = new Neo4jCluster(name, clusterArgs, { parent: this });
    const cluster = this.cluster;

    if (monitoringArgs) {
      this.monitoring = new MonitoringStack(
        `${name}-monitoring`,
        { ...monitoringArgs, cluster, backupMetrics: backupArgs !== undefined },
        { parent: this },
      );
    }
    if (backupArgs) {
      this.backup = new BackupVolume(
        `${name}-backups`,
        { ...backupArgs, cluster, pushgatewayUrl: this.monitoring?.pushgatewayUrl },
        { parent: this },
      );
    }
    if (args.rbac) {
      this.rbac = new RbacPolicy(
        `${name}-rbac`,
        {
          ...args.rbac,
          uri: cluster.boltUri,
          adminUsername: cluster.adminUsername,
          adminPassword: cluster.adminPassword,
        },
        // The members must be up (their health checks pass) before provisioning starts waiting for a leader.
        { parent: this, dependsOn: [cluster] },
      );
    }

    this.boltUri = cluster.boltUri;
    this.browserUrl = cluster.members.apply((members) => members[0].httpUrl);
    this.adminUsername = cluster.adminUsername;
    this.adminPassword = cluster.adminPassword;
    this.networkName = cluster.networkName;
    const none = pulumi.output<string | undefined>(undefined);
    this.prometheusUrl = this.monitoring?.prometheusUrl ?? none;
    this.grafanaUrl = this.monitoring?.grafanaUrl ?? none;
    this.grafanaAdminUsername = this.monitoring?.grafanaAdminUsername ?? none;
    this.grafanaAdminPassword = this.monitoring ? pulumi.secret(this.monitoring.grafanaAdminPassword) : none;
    this.backupLocation = this.backup?.location ?? none;
    this.restoreCommand = this.backup?.restoreCommand ?? none;

    this.registerOutputs({
      boltUri: this.boltUri,
      browserUrl: this.browserUrl,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
      networkName: this.networkName,
      prometheusUrl: this.prometheusUrl,
      grafanaUrl: this.grafanaUrl,
      grafanaAdminUsername: this.grafanaAdminUsername,
      grafanaAdminPassword: this.grafanaAdminPassword,
      backupLocation: this.backupLocation,
      restoreCommand: this.restoreCommand,
    });
  }
}

/**
 * Decides which parts the estate has and checks what only the whole can check (host ports across
 * components), before anything is registered. Each component still validates its own arguments.
 */
export function planEstate(
  name: string,
  args: Neo4jEnterpriseArgs,
): {
  clusterArgs: Neo4jClusterArgs;
  backupArgs?: Omit<BackupVolumeArgs, "cluster" | "pushgatewayUrl">;
  monitoringArgs?: Omit<MonitoringStackArgs, "cluster" | "backupMetrics">;
} {
  const fail = inputErrors("Neo4jEnterprise", name);
  if (!args || !args.cluster)
    throw fail("cluster", "is required: the Neo4jCluster arguments, at least acceptLicenseAgreement");
  const { spec } = planCluster(name, args.cluster);
  const pick = <T extends object>(part: T | boolean | undefined, defaultOn: boolean): T | undefined =>
    part === undefined
      ? defaultOn
        ? ({} as T)
        : undefined
      : part === false
        ? undefined
        : part === true
          ? ({} as T)
          : part;

  const backupArgs = pick(args.backup, spec.onlineBackup);
  const monitoringArgs = pick(args.monitoring, spec.prometheusMetrics);

  // The bundled dashboard and alerts read a metric outside Neo4j's default filter (heap max), so
  // the estate adds what they read to that filter, unless the user chose a whole filter of their own.
  const ownFilter = Object.keys(args.cluster.settings ?? {}).includes(METRICS_FILTER_SETTING);
  const clusterArgs: Neo4jClusterArgs =
    monitoringArgs && !ownFilter
      ? {
          ...args.cluster,
          extraMetrics: [...(args.cluster.extraMetrics ?? []), ...MONITORING_METRICS_FILTER],
        }
      : args.cluster;

  const claims: HostPortClaim[] = [];
  for (const member of spec.members)
    for (const [kind, port] of Object.entries(member.hostPorts))
      if (port !== undefined)
        claims.push({
          field: `cluster.hostPorts.${kind}`,
          owner: `the ${kind} port of ${member.name}`,
          address: spec.hostAddress,
          port,
        });
  if (monitoringArgs) {
    const monitoring = planMonitoring(
      `${name}-monitoring`,
      {
        edition: spec.edition,
        prometheusMetrics: spec.prometheusMetrics,
        memberNames: spec.members.map((m) => m.name),
      },
      monitoringArgs,
    );
    claims.push(
      {
        field: "monitoring.prometheusHostPort",
        owner: "Prometheus",
        address: monitoring.hostAddress,
        port: monitoring.prometheusHostPort,
      },
      {
        field: "monitoring.grafanaHostPort",
        owner: "Grafana",
        address: monitoring.hostAddress,
        port: monitoring.grafanaHostPort,
      },
    );
  }
  checkHostPortClaims("Neo4jEnterprise", name, claims);
  return { clusterArgs, backupArgs, monitoringArgs };
}
