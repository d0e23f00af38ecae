import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { OnlyCheckedArgs } from "../neo4j/checks";
import { checkedInput } from "../common/checked-input";
import { RUNNER_PATHS, checkPushgatewayUrl, renderRunnerConfig } from "../backup/spec";
import { Neo4jCluster } from "./neo4j-cluster";
import {
  KubernetesBackupShapeArgs,
  backupCronJob,
  backupLabels,
  backupObjectNames,
  runnerPod,
  validateKubernetesBackupArgs,
} from "./backup-objects";

export const KUBERNETES_BACKUP_VOLUME_TYPE = "neo4j-estate:kubernetes:BackupVolume";

/**
 * kubernetes.BackupVolume's arguments: schedule, databases, chains, retention, neo4j-admin's memory
 * and the Pushgateway as on Docker, and the backups' volume.
 */
export interface BackupVolumeArgs extends KubernetesBackupShapeArgs {
  /** The cluster to back up. It must run an Enterprise image with `onlineBackup` on (its default). */
  cluster: Neo4jCluster;
  /**
   * A Prometheus Pushgateway, like `http://monitoring-pushgateway.graph.svc.cluster.local:9091`.
   * After each run the runner pushes `neo4j_backup_*` metrics to it. Plain http only. Default: no push.
   */
  pushgatewayUrl?: pulumi.Input<string>;
}

/**
 * Scheduled online backups of a kubernetes.Neo4jCluster: a CronJob runs the same runner as on
 * Docker (`neo4j-admin database backup` of every database, chains, retention, a status file and
 * optional Pushgateway metrics) into a PersistentVolumeClaim in the cluster's namespace.
 */
export class BackupVolume extends pulumi.ComponentResource {
  /** Where the backups are: `pvc:<namespace>/<claim>`. */
  public readonly location: pulumi.Output<string>;
  /** The PersistentVolumeClaim holding the backups. */
  public readonly claimName: pulumi.Output<string>;
  /** The CronJob's name. */
  public readonly cronJobName: pulumi.Output<string>;
  /** The CronJob's schedule, the `schedule` argument as cron (UTC). */
  public readonly cronSchedule: pulumi.Output<string>;
  /** The status file, as a runner pod sees it (the claim is mounted at /backups). */
  public readonly statusFile: pulumi.Output<string>;
  /** Starts a backup of every chosen database now. */
  public readonly backupNowCommand: pulumi.Output<string>;
  /** Prints the runs' output: every backup, retention deletion and push. */
  public readonly logsCommand: pulumi.Output<string>;
  public readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: BackupVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    const given: unknown = args?.cluster;
    const cluster = given instanceof Neo4jCluster ? given : undefined;
    const { spec, warnings } = validateKubernetesBackupArgs(
      name,
      args satisfies OnlyCheckedArgs<BackupVolumeArgs, KubernetesBackupShapeArgs>,
      cluster && {
        edition: cluster.edition,
        onlineBackup: cluster.onlineBackup,
        image: cluster.image,
        neo4jVersion: cluster.neo4jVersion,
      },
    );
    super(KUBERNETES_BACKUP_VOLUME_TYPE, name, {}, opts);
    for (const warning of warnings) pulumi.log.warn(warning, this);
    const target = args.cluster;
    const namespace = target.namespaceName;
    const names = backupObjectNames(name);
    const labels = backupLabels(spec, target.podSelector["neo4j-estate.cluster"]);
    const metadata = (objectName: string) => ({ name: objectName, namespace, labels });
    // The namespace and the members must exist first: dependsOn the cluster.
    const child = { parent: this, dependsOn: [target] };

    const claim = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-data`,
      {
        // A claim of a StorageClass that binds on first use stays Pending until the first run: do not wait for it.
        metadata: { ...metadata(names.claim), annotations: { "pulumi.com/skipAwait": "true" } },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: spec.storageClassName,
          resources: { requests: { storage: spec.storageSize } },
        },
      },
      // Kept when the component goes, as Docker keeps its backup volume: backups outlive their runner.
      { ...child, retainOnDelete: true },
    );
    const pushgatewayUrl =
      args.pushgatewayUrl === undefined
        ? undefined
        : checkedInput(args.pushgatewayUrl, (url) => checkPushgatewayUrl(name, url));
    const files = new k8s.core.v1.ConfigMap(
      `${name}-runner`,
      {
        metadata: metadata(names.runnerFiles),
        data: {
          "runner.sh": fs.readFileSync(path.join(__dirname, "..", "backup", "runner.sh"), "utf8"),
          "config.sh": pulumi
            .all([target.backupEndpoints, pushgatewayUrl])
            .apply(([backupEndpoints, url]) =>
              renderRunnerConfig(spec.backup, { backupEndpoints, pushgatewayUrl: url }),
            ),
        },
      },
      child,
    );
    const after = { ...child, dependsOn: [target, claim, files] };
    this.cronJob = new k8s.batch.v1.CronJob(
      name,
      backupCronJob(spec, namespace, target.image, labels),
      after,
    );
    if (spec.backup.backupAtStart)
      new k8s.batch.v1.Job(
        `${name}-at-deploy`,
        {
          metadata: { ...metadata(names.atDeploy), annotations: { "pulumi.com/skipAwait": "true" } },
          spec: { backoffLimit: 0, template: runnerPod(spec, target.image, labels) },
        },
        // A Job's pod template cannot change: a new runner configuration takes a new Job, hence a backup at deploy.
        { ...after, deleteBeforeReplace: true },
      );

    this.location = pulumi.output(`pvc:${namespace}/${names.claim}`);
    this.claimName = pulumi.output(names.claim);
    this.cronJobName = this.cronJob.metadata.name;
    this.cronSchedule = pulumi.output(spec.cron);
    this.statusFile = pulumi.output(RUNNER_PATHS.status);
    this.backupNowCommand = pulumi.output(
      `kubectl -n ${namespace} create job --from=cronjob/${names.cronJob} ${names.cronJob}-now-$(date +%s)`,
    );
    this.logsCommand = pulumi.output(
      `kubectl -n ${namespace} logs -l neo4j-estate.backup=${name} --prefix --tail=-1`,
    );
    this.registerOutputs({
      location: this.location,
      claimName: this.claimName,
      cronJobName: this.cronJobName,
      cronSchedule: this.cronSchedule,
      statusFile: this.statusFile,
      backupNowCommand: this.backupNowCommand,
      logsCommand: this.logsCommand,
    });
  }
}
