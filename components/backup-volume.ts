import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Neo4jCluster } from "./neo4j-cluster";
import { dockerLabels } from "./common/docker-labels";
import { checkedInput } from "./common/checked-input";
import { OnlyCheckedArgs } from "./neo4j/checks";
import { ownedUpload } from "./common/docker-uploads";
import { NEO4J_UID } from "./neo4j/container";
import {
  CREDENTIAL_FILES,
  OFFSITE_PATHS,
  OffsiteCredential,
  OffsiteShapeArgs,
  checkOffsiteCredential,
  offsiteLocation,
} from "./backup/offsite";
import {
  BACKUP_VOLUME_COMPONENT,
  BackupShapeArgs,
  ClusterFacts,
  RUNNER_PATHS,
  checkPushgatewayUrl,
  renderAdminConfig,
  renderRunnerConfig,
  runnerHealthcheck,
  runnerTlsFiles,
  validateBackupArgs,
} from "./backup/spec";

export const BACKUP_VOLUME_TYPE = "neo4j-estate:index:BackupVolume";

/**
 * BackupVolume's arguments: the plain ones that shape the runner (BackupShapeArgs, checked in the
 * constructor), the cluster, and the ones that may be Pulumi outputs, checked when they resolve.
 * A new argument goes in BackupShapeArgs too: the constructor refuses keys it does not know.
 */
/** Where copies off the host go: an S3-compatible bucket. Credentials are Pulumi secrets. */
export interface BackupOffsiteArgs extends OffsiteShapeArgs {
  /** The access key id; treated as a secret and delivered to the runner as a file (uid 7474, 0400). */
  accessKeyId: pulumi.Input<string>;
  /** The secret access key; a secret, delivered as a file, never in the environment or the config. */
  secretAccessKey: pulumi.Input<string>;
  /** A session token for temporary credentials; a secret, delivered as a file. Default: none. */
  sessionToken?: pulumi.Input<string>;
}

export interface BackupVolumeArgs extends BackupShapeArgs {
  /** The cluster to back up. It must run an Enterprise image with `onlineBackup` on (its default). */
  cluster: Neo4jCluster;
  /**
   * A Prometheus Pushgateway, like `http://monitoring-pushgateway:9091`, reachable on the cluster's
   * network. After each run the runner pushes `neo4j_backup_*` metrics to
   * `/metrics/job/neo4j_backup/instance/<runner container>`. Plain http only. Default: no push.
   */
  pushgatewayUrl?: pulumi.Input<string>;
  /**
   * Copy every completed artifact to an S3-compatible bucket (AWS S3, MinIO, Ceph, …), apply the
   * same retention there, and let `neo4j-estate-restore --from-offsite` restore from it. See
   * docs/backup.md. Default: backups stay on the host.
   */
  offsite?: BackupOffsiteArgs;
}

/**
 * Scheduled online backups of a Neo4jCluster: a runner container from the cluster's own image
 * backs up each database into its own folder of a volume (or host directory), keeps the chains
 * retention asks for, reports its health to Docker and, optionally, metrics to a Pushgateway.
 */
export class BackupVolume extends pulumi.ComponentResource {
  /** Where the backups are: `volume:<name>` or the host directory. */
  public readonly location: pulumi.Output<string>;
  /** The named volume holding the backups; undefined when hostPath is used. */
  public readonly volumeName: pulumi.Output<string | undefined>;
  /** The host directory holding the backups; undefined when a named volume is used. */
  public readonly hostPath: pulumi.Output<string | undefined>;
  /** The runner container's name. */
  public readonly runnerName: pulumi.Output<string>;
  /** The runner container. */
  public readonly runner: docker.Container;
  /** The status file, inside the runner (and in the backups, under `.runner/`). */
  public readonly statusFile: pulumi.Output<string>;
  /** The per-run log, one logfmt line per database per run, inside the runner. */
  public readonly runLog: pulumi.Output<string>;
  /** Prints the status file. */
  public readonly statusCommand: pulumi.Output<string>;
  /** Follows the runner's output: every backup, retention deletion and push. */
  public readonly logsCommand: pulumi.Output<string>;
  /** Takes a backup of every chosen database now. */
  public readonly backupNowCommand: pulumi.Output<string>;
  /** The restore CLI for this cluster; replace `<database>` (and set NEO4J_PASSWORD). */
  public readonly restoreCommand: pulumi.Output<string>;
  /** Where the copies off the host go, `s3://<bucket>/<prefix>`; undefined without `offsite`. */
  public readonly offsiteLocation: pulumi.Output<string | undefined>;

  constructor(name: string, args: BackupVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before super(): a bad argument must not register even the component.
    const given: unknown = args?.cluster;
    const { spec, warnings } = validateBackupArgs(
      name,
      args satisfies OnlyCheckedArgs<BackupVolumeArgs, BackupShapeArgs>,
      given instanceof Neo4jCluster ? clusterFacts(given) : undefined,
    );
    const cluster = args.cluster;

    super(BACKUP_VOLUME_TYPE, name, {}, opts);
    for (const warning of warnings) pulumi.log.warn(warning, this);

    const labels = dockerLabels({ ...(args.labels ?? {}), "neo4j-estate.backup": name });

    let mount: docker.types.input.ContainerVolume;
    if (spec.hostPath !== undefined) {
      mount = { hostPath: spec.hostPath, containerPath: RUNNER_PATHS.backups };
      this.location = pulumi.output(spec.hostPath);
    } else {
      const volume = new docker.Volume(
        `${name}-data`,
        { name: spec.volumeName, labels },
        // Its own resource with protection left to the user: replacing the runner must never touch the backups.
        { parent: this },
      );
      mount = { volumeName: volume.name, containerPath: RUNNER_PATHS.backups };
      this.location = pulumi.interpolate`volume:${volume.name}`;
    }
    this.volumeName = pulumi.output(spec.volumeName);
    this.hostPath = pulumi.output(spec.hostPath);

    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: cluster.image, keepLocally: true },
      { parent: this },
    );

    const pushgatewayUrl =
      args.pushgatewayUrl === undefined
        ? undefined
        : checkedInput(args.pushgatewayUrl, (url) => checkPushgatewayUrl(name, url));
    const config = pulumi
      .all([cluster.backupEndpoints, pushgatewayUrl])
      .apply(([backupEndpoints, pushgatewayUrl]) =>
        renderRunnerConfig(spec, { backupEndpoints, pushgatewayUrl }),
      );

    const uploads: docker.types.input.ContainerUpload[] = [
      {
        file: RUNNER_PATHS.script,
        content: fs.readFileSync(path.join(__dirname, "backup", "runner.sh"), "utf8"),
        executable: true,
      },
      { file: RUNNER_PATHS.config, content: config },
    ];
    // No Neo4j credentials: neo4j-admin backs up over the members' backup port, and "*" finds every
    // database there. The bucket's keys and the runner's TLS key are the only secrets: files only
    // uid 7474 may read, their content a secret in state; the script and config stay plain and read
    // as a diff in a preview.
    if (spec.offsite !== undefined && args.offsite !== undefined) {
      const given = args.offsite;
      const owned = (path: string) => ({ path, mode: "0400", uid: NEO4J_UID, gid: NEO4J_UID });
      for (const field of ["accessKeyId", "secretAccessKey", "sessionToken"] as OffsiteCredential[]) {
        const value = given[field];
        if (value === undefined) continue;
        const checked = checkedInput(value, (v) =>
          checkOffsiteCredential(BACKUP_VOLUME_COMPONENT, name, field, v),
        );
        uploads.push(ownedUpload(owned(CREDENTIAL_FILES[field]), pulumi.secret(checked)));
      }
      if (spec.offsite.caCertificate !== undefined)
        uploads.push(ownedUpload(owned(OFFSITE_PATHS.caCertificate), spec.offsite.caCertificate));
    }
    if (spec.tls) {
      // The cluster's client certificate for the runner: readable by uid 7474 alone, which runs neo4j-admin.
      const owned = (file: string, mode: string) => ({ path: file, mode, uid: NEO4J_UID, gid: NEO4J_UID });
      uploads.push({ file: RUNNER_PATHS.adminConfig, content: renderAdminConfig() });
      for (const file of runnerTlsFiles()) {
        const kind = file.content;
        const content =
          kind === "caCertificate"
            ? cluster.caCertificate.apply((pem) => pem ?? "")
            : pulumi.secret(cluster.backupClientCertificate.apply((pair) => pair?.[kind] ?? ""));
        uploads.push(ownedUpload(owned(file.path, kind === "privateKey" ? "0400" : "0444"), content));
      }
    }

    this.runner = new docker.Container(
      `${name}-runner`,
      {
        name: spec.runnerName,
        image: image.imageId,
        // The image's entrypoint starts a Neo4j server; the runner only needs bash and neo4j-admin from it.
        entrypoints: ["bash", RUNNER_PATHS.script],
        command: ["run"],
        // Root only long enough to hand the backup folder to uid 7474; runner.sh then drops to it.
        user: "0:0",
        envs: spec.heapSize !== undefined ? [`HEAP_SIZE=${spec.heapSize}`] : [],
        uploads,
        networksAdvanced: [{ name: cluster.networkName }],
        volumes: [mount],
        healthcheck: runnerHealthcheck(spec),
        restart: args.restart ?? "unless-stopped",
        // runner.sh finishes the database it is backing up on SIGTERM, then exits: give it the time.
        destroyGraceSeconds: spec.stopGracePeriodSeconds,
        stopTimeout: spec.stopGracePeriodSeconds,
        labels,
      },
      { parent: this, dependsOn: [cluster] },
    );

    const runner = spec.runnerName;
    this.runnerName = pulumi.output(runner);
    this.statusFile = pulumi.output(RUNNER_PATHS.status);
    this.runLog = pulumi.output(RUNNER_PATHS.runLog);
    this.statusCommand = pulumi.output(`docker exec ${runner} bash ${RUNNER_PATHS.script} status`);
    this.logsCommand = pulumi.output(`docker logs --follow ${runner}`);
    this.backupNowCommand = pulumi.output(`docker exec ${runner} bash ${RUNNER_PATHS.script} run-once`);
    // With Bolt TLS on the estate's own authority, the CLI trusts the cluster's caCertificate output from a file.
    const caFile = cluster.tls && cluster.tls.bolt !== "off" ? " --ca-file ca.crt" : "";
    this.restoreCommand = pulumi
      .all([cluster.members, cluster.boltUri])
      .apply(
        ([members, boltUri]) =>
          `neo4j-estate-restore --runner ${runner} --members ${members.map((m) => `${m.name}=${m.boltAddress}`).join(",")} --bolt ${boltUri}${caFile} --neo4j-version ${cluster.neo4jVersion} --database <database>`,
      );

    this.offsiteLocation = pulumi.output(spec.offsite && offsiteLocation(spec.offsite));

    this.registerOutputs({
      offsiteLocation: this.offsiteLocation,
      location: this.location,
      volumeName: this.volumeName,
      hostPath: this.hostPath,
      runnerName: this.runnerName,
      statusFile: this.statusFile,
      runLog: this.runLog,
      statusCommand: this.statusCommand,
      logsCommand: this.logsCommand,
      backupNowCommand: this.backupNowCommand,
      restoreCommand: this.restoreCommand,
    });
  }
}

/** What BackupVolume's checks need to know about the cluster, all of it known at construction. */
export function clusterFacts(cluster: Neo4jCluster): ClusterFacts {
  return {
    edition: cluster.edition,
    onlineBackup: cluster.onlineBackup,
    image: cluster.image,
    neo4jVersion: cluster.neo4jVersion,
    backupTls: cluster.tls?.backup ?? false,
  };
}
