import * as pulumi from "@pulumi/pulumi";
import { PartToggle, withinPart } from "../estate/parts";
import { Checks, argChecks, shown } from "../neo4j/checks";
import { formatVersion } from "../neo4j/version";
import { CLUSTER_ADMIN_USERNAME } from "../neo4j/cluster-args";
import { MONITORING_METRICS_FILTER } from "../monitoring/metrics";
import { METRICS_FILTER_SETTING } from "../neo4j/metrics-filter";
import { validateRbacPolicyArgs } from "../rbac/args";
import { Neo4jCluster, Neo4jClusterArgs } from "./neo4j-cluster";
import { BackupVolume, BackupVolumeArgs } from "./backup-volume";
import { MonitoringStack, MonitoringStackArgs } from "./monitoring-stack";
import { RbacPolicy, RbacPolicyArgs } from "./rbac-policy";
import { validateKubernetesClusterArgs } from "./cluster-spec";
import { validateKubernetesBackupArgs } from "./backup-objects";
import { validateKubernetesMonitoringArgs } from "./monitoring-objects";

export const KUBERNETES_NEO4J_ENTERPRISE_TYPE = "neo4j-estate:kubernetes:Neo4jEnterprise";
const COMPONENT = "Neo4jEnterprise";

/** The estate on Kubernetes from one argument object, each part in the same plain-object shape. */
export interface Neo4jEnterpriseArgs {
  /** The cluster: kubernetes.Neo4jCluster's arguments. */
  cluster: Neo4jClusterArgs;
  /** Users, roles and privileges: kubernetes.RbacPolicy's arguments without the cluster. Default: none. */
  rbac?: Omit<RbacPolicyArgs, "cluster">;
  /** Scheduled backups: kubernetes.BackupVolume's arguments without the cluster and Pushgateway. */
  backup?: Omit<BackupVolumeArgs, "cluster" | "pushgatewayUrl"> & PartToggle;
  /** Monitoring: kubernetes.MonitoringStack's arguments without the cluster and backupMetrics. */
  monitoring?: Omit<MonitoringStackArgs, "cluster" | "backupMetrics"> & PartToggle;
}

/**
 * The whole estate on Kubernetes: a kubernetes.Neo4jCluster and, each optional, an RbacPolicy, a
 * BackupVolume and a MonitoringStack on it, in the cluster's namespace. Every part is validated
 * before anything is registered. Children are named after the composite as on Docker
 * (`graph`, `graph-backups`, `graph-monitoring`, `graph-rbac`).
 */
export class Neo4jEnterprise extends pulumi.ComponentResource {
  public readonly cluster: Neo4jCluster;
  public readonly rbac?: RbacPolicy;
  public readonly backup?: BackupVolume;
  public readonly monitoring?: MonitoringStack;
  /** The client Service's Bolt URI inside the Kubernetes cluster. */
  public readonly boltUri: pulumi.Output<string>;
  public readonly adminUsername: pulumi.Output<string>;
  /** The admin password (secret). */
  public readonly adminPassword: pulumi.Output<string>;
  public readonly namespace: pulumi.Output<string>;
  /** Our Prometheus inside the cluster; undefined without monitoring or in operator mode. */
  public readonly prometheusUrl: pulumi.Output<string | undefined>;
  /** Our Grafana inside the cluster; undefined without monitoring or in operator mode. */
  public readonly grafanaUrl: pulumi.Output<string | undefined>;
  public readonly grafanaAdminUsername: pulumi.Output<string | undefined>;
  /** Grafana's admin password (secret); undefined without monitoring or in operator mode. */
  public readonly grafanaAdminPassword: pulumi.Output<string | undefined>;
  /** Our Alertmanager inside the cluster; undefined without monitoring, with its alertmanager off, or in operator mode. */
  public readonly alertmanagerUrl: pulumi.Output<string | undefined>;
  /** Where backups are kept (`pvc:<namespace>/<claim>`); undefined without backups. */
  public readonly backupLocation: pulumi.Output<string | undefined>;
  /** The authority the members' TLS certificates are signed by (PEM), for clients to trust; undefined without TLS. */
  public readonly caCertificate: pulumi.Output<string | undefined>;

  constructor(name: string, args: Neo4jEnterpriseArgs, opts?: pulumi.ComponentResourceOptions) {
    const { clusterArgs, backupArgs, monitoringArgs } = planKubernetesEstate(name, args);
    super(KUBERNETES_NEO4J_ENTERPRISE_TYPE, name, {}, opts);
    this.cluster = new Neo4jCluster(name, clusterArgs, { parent: this });
    const cluster = this.cluster;
    if (monitoringArgs)
      this.monitoring = new MonitoringStack(
        `${name}-monitoring`,
        { ...monitoringArgs, cluster, backupMetrics: backupArgs !== undefined },
        { parent: this },
      );
    if (backupArgs)
      this.backup = new BackupVolume(
        `${name}-backups`,
        {
          ...backupArgs,
          cluster,
          pushgatewayUrl: this.monitoring?.pushgatewayUrl.apply((url) => url!),
        },
        { parent: this },
      );
    if (args.rbac) this.rbac = new RbacPolicy(`${name}-rbac`, { ...args.rbac, cluster }, { parent: this });

    const none = pulumi.output<string | undefined>(undefined);
    this.boltUri = cluster.boltUri;
    this.adminUsername = cluster.adminUsername;
    this.adminPassword = cluster.adminPassword;
    this.namespace = cluster.namespace;
    this.prometheusUrl = this.monitoring?.prometheusUrl ?? none;
    this.grafanaUrl = this.monitoring?.grafanaUrl ?? none;
    this.grafanaAdminUsername = this.monitoring?.grafanaAdminUsername ?? none;
    this.grafanaAdminPassword = this.monitoring ? pulumi.secret(this.monitoring.grafanaAdminPassword) : none;
    this.alertmanagerUrl = this.monitoring?.alertmanagerUrl ?? none;
    this.backupLocation = this.backup?.location ?? none;
    this.caCertificate = cluster.caCertificate;
    this.registerOutputs({
      boltUri: this.boltUri,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
      namespace: this.namespace,
      prometheusUrl: this.prometheusUrl,
      grafanaUrl: this.grafanaUrl,
      grafanaAdminUsername: this.grafanaAdminUsername,
      grafanaAdminPassword: this.grafanaAdminPassword,
      alertmanagerUrl: this.alertmanagerUrl,
      backupLocation: this.backupLocation,
      caCertificate: this.caCertificate,
    });
  }
}

type BackupPart = Omit<BackupVolumeArgs, "cluster" | "pushgatewayUrl">;
type MonitoringPart = Omit<MonitoringStackArgs, "cluster" | "backupMetrics">;

/**
 * Decides which parts the estate has and checks every argument of every part with the parts' own
 * validators before anything is registered; errors name the composite and the field as written in
 * its arguments (`backup.schedule`).
 */
export function planKubernetesEstate(
  name: string,
  args: Neo4jEnterpriseArgs,
): { clusterArgs: Neo4jClusterArgs; backupArgs?: BackupPart; monitoringArgs?: MonitoringPart } {
  const check = argChecks(COMPONENT, name);
  const given = check.args<Neo4jEnterpriseArgs>(
    args,
    ["cluster", "rbac", "backup", "monitoring"],
    [],
    '{ cluster: { acceptLicenseAgreement: "eval" } }',
  );
  if (given.cluster === undefined)
    throw check.fail(
      "cluster",
      'is required: the Neo4jCluster arguments, at least { acceptLicenseAgreement: "eval" }',
    );
  const { spec } = withinPart(COMPONENT, name, "cluster", () =>
    validateKubernetesClusterArgs(name, given.cluster),
  );
  const cluster = spec.cluster;
  const backupArgs = toggled<BackupPart>(check, "backup", given.backup, cluster.onlineBackup, "onlineBackup");
  const monitoringArgs = toggled<MonitoringPart>(
    check,
    "monitoring",
    given.monitoring,
    cluster.prometheusMetrics,
    "prometheusMetrics",
  );
  // The bundled alerts read a metric outside Neo4j's default filter, as on Docker.
  const own = given.cluster;
  const clusterArgs: Neo4jClusterArgs =
    monitoringArgs && !Object.keys(own.settings ?? {}).includes(METRICS_FILTER_SETTING)
      ? { ...own, extraMetrics: [...(own.extraMetrics ?? []), ...MONITORING_METRICS_FILTER] }
      : own;
  if (clusterArgs !== own)
    withinPart(COMPONENT, name, "cluster", () => validateKubernetesClusterArgs(name, clusterArgs));
  const facts = {
    edition: cluster.edition,
    onlineBackup: cluster.onlineBackup,
    prometheusMetrics: cluster.prometheusMetrics,
    image: cluster.image.image,
    neo4jVersion: formatVersion(cluster.version),
    memberNames: cluster.members.map((m) => m.name),
    backupTls: cluster.tls?.backup ?? false,
  };
  if (monitoringArgs)
    withinPart(COMPONENT, name, "monitoring", () =>
      validateKubernetesMonitoringArgs(
        `${name}-monitoring`,
        { ...monitoringArgs, backupMetrics: backupArgs !== undefined },
        facts,
      ),
    );
  if (backupArgs)
    withinPart(COMPONENT, name, "backup", () =>
      validateKubernetesBackupArgs(`${name}-backups`, backupArgs, facts),
    );
  if (given.rbac !== undefined) {
    const rbac = check.object<Omit<RbacPolicyArgs, "cluster">>("rbac", given.rbac, [
      "roles",
      "users",
      "waitTimeoutSeconds",
      "uri",
    ]);
    const rbacSpec = { roles: rbac.roles, users: rbac.users, waitTimeoutSeconds: rbac.waitTimeoutSeconds };
    withinPart(COMPONENT, name, "rbac", () =>
      validateRbacPolicyArgs(`${name}-rbac`, rbacSpec, { connectingAs: CLUSTER_ADMIN_USERNAME }),
    );
  }
  return { clusterArgs, backupArgs, monitoringArgs };
}

/** A part in its plain-object form: absent or `enabled` unset means on where supported; `enabled: false` means off. */
function toggled<T extends object>(
  check: Checks,
  field: string,
  value: unknown,
  supported: boolean,
  clusterSwitch: string,
): T | undefined {
  if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value)))
    throw check.fail(
      field,
      `must be an object of the part's arguments, such as { enabled: false } (got ${shown(value)})`,
    );
  const { enabled, ...rest } = (value ?? {}) as T & PartToggle;
  if (enabled !== undefined) check.boolean(`${field}.enabled`, enabled);
  if (enabled === false || (enabled === undefined && !supported)) return undefined;
  if (!supported)
    throw check.fail(
      `${field}.enabled`,
      `is true, but the cluster's ${clusterSwitch} is off (or it runs Neo4j Community); leave it out or set it to false`,
    );
  return rest as T;
}
