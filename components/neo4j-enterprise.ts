import * as pulumi from "@pulumi/pulumi";
import { Neo4jCluster, Neo4jClusterArgs } from "./neo4j-cluster";
import { RbacPolicy, RbacPolicyArgs } from "./rbac-policy";
import { BackupVolume, BackupVolumeArgs } from "./backup-volume";
import { MonitoringStack, MonitoringStackArgs } from "./monitoring-stack";
import { MONITORING_METRICS_FILTER } from "./monitoring/metrics";
import { METRICS_FILTER_SETTING } from "./neo4j/metrics-filter";
import { CLUSTER_ADMIN_USERNAME, validateClusterArgs } from "./neo4j/cluster-args";
import { MONITORING_ARG_KEYS, validateMonitoringArgs } from "./monitoring/spec";
import { BACKUP_ARG_KEYS, validateBackupArgs } from "./backup/spec";
import { RBAC_POLICY_ARG_KEYS, validateRbacPolicyArgs } from "./rbac/args";
import { HostPortClaim, checkHostPortClaims } from "./estate/host-ports";
import { PartToggle, withinPart } from "./estate/parts";
import { Checks, argChecks, formatDuration, isDeferred, shown } from "./neo4j/checks";
import { formatVersion } from "./neo4j/version";

export const NEO4J_ENTERPRISE_TYPE = "neo4j-estate:index:Neo4jEnterprise";
const NEO4J_ENTERPRISE = "Neo4jEnterprise";

export interface Neo4jEnterpriseArgs {
  /** The cluster: Neo4jCluster's own arguments (acceptLicenseAgreement is required for Enterprise images). */
  cluster: Neo4jClusterArgs;
  /**
   * Users, roles and privileges, provisioned on the cluster with its admin credentials: RbacPolicy's
   * arguments without the connection. Default: none.
   */
  rbac?: Omit<RbacPolicyArgs, "uri" | "adminUsername" | "adminPassword">;
  /**
   * Scheduled online backups: BackupVolume's arguments without the cluster, and `enabled: false`
   * for none (`{}` for its defaults). Default: on when the cluster accepts online backups
   * (Enterprise). `true` and `false` are still accepted but deprecated: the object form is the one
   * kubernetes.Neo4jEnterprise takes, and one a multi-language package schema can express.
   */
  backup?: (Omit<BackupVolumeArgs, "cluster" | "pushgatewayUrl"> & PartToggle) | boolean;
  /**
   * Prometheus and Grafana: MonitoringStack's arguments without the cluster, and `enabled: false`
   * for none. Default: on when the cluster serves Prometheus metrics (Enterprise). With backups on
   * too, backup health is pushed to a Pushgateway and alerted on. `true` and `false` are deprecated,
   * as for backup.
   */
  monitoring?: (Omit<MonitoringStackArgs, "cluster" | "backupMetrics"> & PartToggle) | boolean;
}

/** Every key Neo4jEnterprise takes; the compiler keeps it complete, and unknown keys are refused as typos. */
const ESTATE_ARG_KEYS = Object.keys({
  cluster: true,
  rbac: true,
  backup: true,
  monitoring: true,
} satisfies Record<keyof Neo4jEnterpriseArgs, true>);

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
  /** The authority the members' TLS certificates are signed by (PEM), for clients to trust; undefined without TLS. */
  public readonly caCertificate: pulumi.Output<string | undefined>;
  public readonly networkName: pulumi.Output<string>;
  /** Prometheus from the host; undefined without monitoring. */
  public readonly prometheusUrl: pulumi.Output<string | undefined>;
  /** Grafana from the host; undefined without monitoring. */
  public readonly grafanaUrl: pulumi.Output<string | undefined>;
  public readonly grafanaAdminUsername: pulumi.Output<string | undefined>;
  /** Grafana's admin password (secret); undefined without monitoring. */
  public readonly grafanaAdminPassword: pulumi.Output<string | undefined>;
  /** The Alertmanager from the host; undefined without monitoring or with its alertmanager off. */
  public readonly alertmanagerUrl: pulumi.Output<string | undefined>;
  /** Where backups are kept (`volume:<name>` or a host path); undefined without backups. */
  public readonly backupLocation: pulumi.Output<string | undefined>;
  /** The command that restores a database from the backups; undefined without backups. */
  public readonly restoreCommand: pulumi.Output<string | undefined>;

  constructor(name: string, args: Neo4jEnterpriseArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every part is validated before anything is registered, so a bad part leaves no partial estate.
    const { clusterArgs, backupArgs, monitoringArgs, warnings } = planEstate(name, args);
    super(NEO4J_ENTERPRISE_TYPE, name, {}, opts);
    for (const warning of warnings) pulumi.log.warn(warning, this);

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
          caCertificate: cluster.caCertificate,
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
    this.caCertificate = cluster.caCertificate;
    this.networkName = cluster.networkName;
    const none = pulumi.output<string | undefined>(undefined);
    this.prometheusUrl = this.monitoring?.prometheusUrl ?? none;
    this.grafanaUrl = this.monitoring?.grafanaUrl ?? none;
    this.grafanaAdminUsername = this.monitoring?.grafanaAdminUsername ?? none;
    this.grafanaAdminPassword = this.monitoring ? pulumi.secret(this.monitoring.grafanaAdminPassword) : none;
    this.alertmanagerUrl = this.monitoring?.alertmanagerUrl ?? none;
    this.backupLocation = this.backup?.location ?? none;
    this.restoreCommand = this.backup?.restoreCommand ?? none;

    this.registerOutputs({
      boltUri: this.boltUri,
      browserUrl: this.browserUrl,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
      caCertificate: this.caCertificate,
      networkName: this.networkName,
      prometheusUrl: this.prometheusUrl,
      grafanaUrl: this.grafanaUrl,
      grafanaAdminUsername: this.grafanaAdminUsername,
      grafanaAdminPassword: this.grafanaAdminPassword,
      alertmanagerUrl: this.alertmanagerUrl,
      backupLocation: this.backupLocation,
      restoreCommand: this.restoreCommand,
    });
  }
}

/** The arguments of each part, as far as the composite reads them; the parts' validators check the rest. */
type BackupPart = Omit<BackupVolumeArgs, "cluster" | "pushgatewayUrl">;
type MonitoringPart = Omit<MonitoringStackArgs, "cluster" | "backupMetrics">;

/** What the composite wires itself, and so refuses in a part's arguments. */
const WIRED = {
  backup: ["cluster", "pushgatewayUrl"],
  monitoring: ["cluster", "backupMetrics"],
  rbac: ["uri", "adminUsername", "adminPassword"],
};
const PART_COMPONENT = { backup: "BackupVolume", monitoring: "MonitoringStack", rbac: "RbacPolicy" };

/**
 * Decides which parts the estate has and checks every argument of every part, with the parts' own
 * validators, and what only the whole can check (host ports across components, alert thresholds
 * against the backup schedule), before anything is registered: a bad `backup` or `rbac` part must
 * not leave a cluster deployed without it. Errors name the composite and the field as written in
 * its arguments (`backup.hostPath`); warnings are for the composite to log.
 */
export function planEstate(
  name: string,
  args: Neo4jEnterpriseArgs,
): {
  clusterArgs: Neo4jClusterArgs;
  backupArgs?: BackupPart;
  monitoringArgs?: MonitoringPart;
  warnings: string[];
} {
  const check = argChecks(NEO4J_ENTERPRISE, name);
  const given = check.args<Neo4jEnterpriseArgs>(
    args,
    ESTATE_ARG_KEYS,
    [],
    '{ cluster: { acceptLicenseAgreement: "eval" } }',
  );
  if (given.cluster === undefined)
    throw check.fail(
      "cluster",
      'is required: the Neo4jCluster arguments, at least { acceptLicenseAgreement: "eval" }',
    );
  check.record(
    "cluster",
    given.cluster,
    'an object of Neo4jCluster arguments such as { acceptLicenseAgreement: "eval" }',
  );
  const backupPart = part<BackupPart>(check, "backup", given.backup, BACKUP_ARG_KEYS);
  const monitoringPart = part<MonitoringPart>(check, "monitoring", given.monitoring, MONITORING_ARG_KEYS);
  part(check, "rbac", given.rbac, RBAC_POLICY_ARG_KEYS);

  const { spec } = withinPart(NEO4J_ENTERPRISE, name, "cluster", () =>
    validateClusterArgs(name, given.cluster),
  );
  const backupArgs = decide(
    check,
    "backup",
    backupPart,
    spec.onlineBackup,
    spec.edition === "community"
      ? "the cluster runs Neo4j Community, which has no online backup (back it up offline with neo4j-admin database dump)"
      : "the cluster's onlineBackup is off, so its members accept no backups",
  );
  const monitoringArgs = decide(
    check,
    "monitoring",
    monitoringPart,
    spec.prometheusMetrics,
    spec.edition === "community"
      ? "the cluster runs Neo4j Community, which serves no Prometheus metrics"
      : "the cluster's prometheusMetrics is off, so its members serve no metrics",
  );

  // The bundled dashboard and alerts read a metric outside Neo4j's default filter (heap max), so
  // the estate adds what they read to that filter, unless the user chose a whole filter of their
  // own. The cluster is checked again as it will be built, so that it cannot fail once registered.
  const cluster = given.cluster;
  const ownFilter = Object.keys(cluster.settings ?? {}).includes(METRICS_FILTER_SETTING);
  const clusterArgs: Neo4jClusterArgs =
    monitoringArgs && !ownFilter
      ? { ...cluster, extraMetrics: [...(cluster.extraMetrics ?? []), ...MONITORING_METRICS_FILTER] }
      : cluster;
  if (clusterArgs !== cluster)
    withinPart(NEO4J_ENTERPRISE, name, "cluster", () => validateClusterArgs(name, clusterArgs));

  const warnings: string[] = [];
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
  const memberNames = spec.members.map((m) => m.name);
  const monitoring =
    monitoringArgs &&
    withinPart(NEO4J_ENTERPRISE, name, "monitoring", () =>
      validateMonitoringArgs(
        `${name}-monitoring`,
        { ...monitoringArgs, backupMetrics: backupArgs !== undefined },
        { edition: spec.edition, prometheusMetrics: spec.prometheusMetrics, memberNames },
      ),
    );
  if (monitoring)
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
      ...(monitoring.alertmanagerHostPort === undefined
        ? []
        : [
            {
              field: "monitoring.alertmanagerHostPort",
              owner: "the Alertmanager",
              address: monitoring.hostAddress,
              port: monitoring.alertmanagerHostPort,
            },
          ]),
    );
  const backup =
    backupArgs &&
    withinPart(NEO4J_ENTERPRISE, name, "backup", () =>
      validateBackupArgs(`${name}-backups`, backupArgs, {
        edition: spec.edition,
        onlineBackup: spec.onlineBackup,
        image: spec.image.image,
        neo4jVersion: formatVersion(spec.version),
      }),
    );
  if (given.rbac !== undefined)
    withinPart(NEO4J_ENTERPRISE, name, "rbac", () =>
      validateRbacPolicyArgs(`${name}-rbac`, given.rbac, { connectingAs: CLUSTER_ADMIN_USERNAME }),
    );
  checkHostPortClaims(NEO4J_ENTERPRISE, name, claims);

  if (backup && monitoring && monitoring.thresholds.backupStaleAfterHours * 3600 < backup.spec.periodSeconds)
    warnings.push(
      `${NEO4J_ENTERPRISE} "${name}": monitoring.alertThresholds.backupStaleAfterHours is ${monitoring.thresholds.backupStaleAfterHours}, shorter than the ${formatDuration(backup.spec.periodSeconds * 1000)} between backups, so the stale-backup alert fires before every backup; allow at least the time between two backups`,
    );
  return { clusterArgs, backupArgs, monitoringArgs, warnings };
}

/** A part's argument: `true`, `false`, or an object of the part's arguments without the ones the composite wires. */
function part<T extends object>(
  check: Checks,
  field: keyof typeof WIRED,
  value: unknown,
  keys: readonly string[],
): T | boolean | undefined {
  if (value === undefined || (typeof value === "boolean" && field !== "rbac")) return value;
  const accepted = keys.filter((k) => !WIRED[field].includes(k));
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !isDeferred(value)) {
    if (field !== "rbac" && "enabled" in value) {
      const { enabled, ...rest } = value as PartToggle;
      if (enabled !== undefined && check.boolean(`${field}.enabled`, enabled) === false) return false;
      value = rest;
    }
    for (const key of Object.keys(value as object))
      if (WIRED[field].includes(key))
        throw check.fail(`${field}.${key}`, `is wired by ${NEO4J_ENTERPRISE} itself; leave it out`);
    return check.object<T>(field, value, accepted);
  }
  throw check.fail(
    field,
    `must be ${field === "rbac" ? "an object" : "true, false or an object"} of ${PART_COMPONENT[field]} arguments (got ${shown(value)})`,
  );
}

/** Whether a part is deployed: on by default where the cluster supports it; asked for explicitly where it does not, refused. */
function decide<T extends object>(
  check: Checks,
  field: string,
  value: T | boolean | undefined,
  supported: boolean,
  whyNot: string,
): T | undefined {
  if (value === false || (value === undefined && !supported)) return undefined;
  if (!supported) throw check.fail(field, `is on, but ${whyNot}; leave ${field} out or set it to false`);
  return value === true || value === undefined ? ({} as T) : value;
}
