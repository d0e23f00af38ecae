import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { withOwnFields } from "./field-ownership";
import { OnlyCheckedArgs } from "../neo4j/checks";
import { checkedInput } from "../common/checked-input";
import {
  BACKUP_VOLUME_COMPONENT,
  RUNNER_PATHS,
  checkPushgatewayUrl,
  renderAdminConfig,
  renderRunnerConfig,
} from "../backup/spec";
import { CREDENTIAL_FILES, checkOffsiteCredential, offsiteLocation } from "../backup/offsite";
import type { BackupOffsiteArgs } from "../backup-volume";
import { Neo4jCluster } from "./neo4j-cluster";
import {
  KubernetesBackupShapeArgs,
  KubernetesBackupSpec,
  OFFSITE_CA_KEY,
  RUNNER_TLS_KEYS,
  backupCronJob,
  backupLabels,
  backupObjectNames,
  offsiteCredentials,
  runnerFileKey,
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
  /**
   * Copy every completed artifact to an S3-compatible bucket (AWS S3, MinIO, Ceph, …), with the
   * same retention there, as on Docker: the same arguments and meaning. The credentials are Pulumi
   * secrets, delivered to each run's pod as files from a Secret (never in its environment or the
   * pod spec). Default: backups stay in the claim.
   */
  offsite?: BackupOffsiteArgs;
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
  /** Where the copies off the cluster go, `s3://<bucket>/<prefix>`; undefined without `offsite`. */
  public readonly offsiteLocation: pulumi.Output<string | undefined>;
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
        backupTls: cluster.tls?.backup ?? false,
      },
    );
    super(KUBERNETES_BACKUP_VOLUME_TYPE, name, {}, withOwnFields(opts));
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
    // The runner's plain files (runnerFiles says where each goes): the script and its configuration
    // read as a diff in a preview.
    const plain: Record<string, pulumi.Input<string>> = {
      [runnerFileKey(RUNNER_PATHS.script)]: fs.readFileSync(
        path.join(__dirname, "..", "backup", "runner.sh"),
        "utf8",
      ),
      [runnerFileKey(RUNNER_PATHS.config)]: pulumi
        .all([target.backupEndpoints, pushgatewayUrl])
        .apply(([backupEndpoints, url]) =>
          renderRunnerConfig(spec.backup, { backupEndpoints, pushgatewayUrl: url }),
        ),
    };
    if (spec.backup.tls) plain[runnerFileKey(RUNNER_PATHS.adminConfig)] = renderAdminConfig();
    if (spec.backup.offsite?.caCertificate !== undefined)
      plain[OFFSITE_CA_KEY] = spec.backup.offsite.caCertificate;
    const files = new k8s.core.v1.ConfigMap(
      `${name}-runner`,
      { metadata: metadata(names.runnerFiles), data: plain },
      child,
    );
    const dependsOn: pulumi.Resource[] = [target, claim, files];
    const secrets = this.runnerSecrets(name, spec.backup, target, args.offsite);
    if (Object.keys(secrets).length > 0)
      dependsOn.push(
        new k8s.core.v1.Secret(
          `${name}-runner-secrets`,
          {
            metadata: metadata(names.runnerSecret),
            type: "Opaque",
            // data, base64, as the API server keeps it and reads it back.
            data: pulumi.secret(
              pulumi
                .all(secrets)
                .apply((values) =>
                  Object.fromEntries(
                    Object.entries(values).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]),
                  ),
                ),
            ),
          },
          { ...child, additionalSecretOutputs: ["data"] },
        ),
      );
    const after = { ...child, dependsOn };
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
    this.offsiteLocation = pulumi.output(spec.backup.offsite && offsiteLocation(spec.backup.offsite));
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
      offsiteLocation: this.offsiteLocation,
      claimName: this.claimName,
      cronJobName: this.cronJobName,
      cronSchedule: this.cronSchedule,
      statusFile: this.statusFile,
      backupNowCommand: this.backupNowCommand,
      logsCommand: this.logsCommand,
    });
  }

  /**
   * The runner's secrets by Secret key: the cluster's backup client certificate and key and its
   * authority (backup TLS), and the bucket's credentials, each checked when it resolves (the error
   * names the field, never the value).
   */
  private runnerSecrets(
    name: string,
    spec: KubernetesBackupSpec["backup"],
    cluster: Neo4jCluster,
    offsite: BackupOffsiteArgs | undefined,
  ): Record<string, pulumi.Input<string>> {
    const secrets: Record<string, pulumi.Input<string>> = {};
    if (spec.tls) {
      const pair = cluster.backupClientCertificate;
      secrets[RUNNER_TLS_KEYS.privateKey] = pulumi.secret(pair.apply((p) => p?.privateKey ?? ""));
      secrets[RUNNER_TLS_KEYS.certificate] = pair.apply((p) => p?.certificate ?? "");
      secrets[RUNNER_TLS_KEYS.caCertificate] = cluster.caCertificate.apply((pem) => pem ?? "");
    }
    if (spec.offsite && offsite)
      for (const field of offsiteCredentials(spec)) {
        const file = CREDENTIAL_FILES[field];
        secrets[runnerFileKey(file)] = pulumi.secret(
          checkedInput(offsite[field]!, (v) =>
            checkOffsiteCredential(BACKUP_VOLUME_COMPONENT, name, field, v),
          ),
        );
      }
    return secrets;
  }
}
