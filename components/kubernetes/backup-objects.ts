/**
 * kubernetes.BackupVolume's validation and objects, with no Pulumi calls: the schedule, retention,
 * databases and neo4j-admin options are the core's (planBackup, renderRunnerConfig, runner.sh),
 * checked with the same words as on Docker; what is Kubernetes here is that a CronJob starts the
 * runner's `run-once` on the schedule, instead of a long-running container sleeping between runs.
 */
import type * as k8s from "@pulumi/kubernetes";
import { argChecks, isDeferred } from "../neo4j/checks";
import {
  BackupShapeArgs,
  BackupSpec,
  ClusterFacts,
  RUNNER_PATHS,
  checkPushgatewayUrl,
  runnerTlsFiles,
  validateBackupArgs,
} from "../backup/spec";
import { CREDENTIAL_FILES, OFFSITE_PATHS, OffsiteCredential } from "../backup/offsite";
import { TlsFile } from "../neo4j/tls";
import { cronExpression } from "../backup/schedule";
import { checkLabels, checkStorage, refuseDockerOnly } from "./cluster-spec";
import { CONTAINER_SECURITY, neo4jPodSecurity } from "./cluster-objects";

const COMPONENT = "BackupVolume";

/** The arguments Docker's BackupVolume has too, with the same names, types and meaning. */
export const COMMON_BACKUP_ARG_KEYS = [
  "schedule",
  "databases",
  "chainLength",
  "retention",
  "backupAtStart",
  "pageCacheSize",
  "heapSize",
  "stopGracePeriodSeconds",
  "pushgatewayUrl",
  "labels",
  "offsite",
] as const satisfies readonly (keyof BackupShapeArgs)[];

export interface KubernetesBackupShapeArgs extends Pick<
  BackupShapeArgs,
  (typeof COMMON_BACKUP_ARG_KEYS)[number]
> {
  /** The kubernetes.Neo4jCluster to back up; the backups go in its namespace. */
  cluster?: unknown;
  /** The StorageClass of the backups' volume. Default: the cluster's default StorageClass. */
  storageClassName?: string;
  /** The backups' volume size, a Kubernetes quantity. Default `20Gi`. */
  storageSize?: string;
}

const KEYS = [...COMMON_BACKUP_ARG_KEYS, "cluster", "storageClassName", "storageSize"];
const DOCKER_ONLY: Record<string, string> = {
  hostPath: "backups go in a PersistentVolumeClaim; choose storageClassName and storageSize",
  volumeName: "the claim is named after the component",
  restart: "the CronJob starts a new pod for every run",
};

export interface KubernetesBackupSpec {
  /** The core's plan: schedule, retention, offsite copy, backup TLS. */
  backup: BackupSpec;
  /** The CronJob's schedule: the core's schedule as cron, evaluated in UTC as on Docker. */
  cron: string;
  storageClassName?: string;
  storageSize: string;
  labels: Record<string, string>;
}

/** Checks every argument against each other and the cluster; throws an InputError naming the field. */
export function validateKubernetesBackupArgs(
  name: string,
  args: unknown,
  cluster: ClusterFacts | undefined,
): { spec: KubernetesBackupSpec; warnings: string[] } {
  const check = argChecks(COMPONENT, name);
  refuseDockerOnly(check, args, DOCKER_ONLY);
  const given = check.args<KubernetesBackupShapeArgs>(
    args,
    KEYS,
    ["cluster", "pushgatewayUrl"],
    "{ cluster }",
  );
  const common: Record<string, unknown> = { cluster: given.cluster };
  for (const key of COMMON_BACKUP_ARG_KEYS) if (given[key] !== undefined) common[key] = given[key];
  const { spec: backup, warnings } = validateBackupArgs(name, common, cluster);
  if (given.pushgatewayUrl !== undefined && !isDeferred(given.pushgatewayUrl))
    checkPushgatewayUrl(name, given.pushgatewayUrl);

  let cron: string;
  try {
    cron = cronExpression(backup.schedule);
  } catch (e) {
    throw check.fail("schedule", (e as Error).message);
  }
  const { storageClassName, storageSize } = checkStorage(check, given, "20Gi");
  const labels = checkLabels(check, given.labels);
  return { spec: { backup, cron, storageClassName, storageSize, labels }, warnings };
}

/** Where the runner's files are mounted, from its ConfigMap and its Secret. */
const RUNNER_DIRECTORY = RUNNER_PATHS.script.slice(0, RUNNER_PATHS.script.lastIndexOf("/"));

/**
 * One file of the runner's, at the path the core gives it (RUNNER_PATHS, OFFSITE_PATHS), from a
 * key of the runner's ConfigMap (plain: the script, its configuration) or of its Secret (the
 * bucket's keys, the TLS client certificate and key).
 */
export interface RunnerFile {
  key: string;
  /** Relative to the runner's directory. */
  path: string;
  from: "configMap" | "secret";
}

function underRunner(file: string): string {
  if (!file.startsWith(`${RUNNER_DIRECTORY}/`))
    throw new Error(`runner file ${file} is outside ${RUNNER_DIRECTORY}`);
  return file.slice(RUNNER_DIRECTORY.length + 1);
}

/** The key a runner file has in its ConfigMap or Secret: its file name. */
export function runnerFileKey(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

/** The Secret key of each backup TLS file. */
export const RUNNER_TLS_KEYS: Record<TlsFile["content"], string> = {
  privateKey: "tls.key",
  certificate: "tls.crt",
  caCertificate: "tls-ca.crt",
};

/** The ConfigMap key of the offsite endpoint's authority (public, so not in the Secret). */
export const OFFSITE_CA_KEY = "offsite-ca.pem";

/** Every file the runner reads, as on Docker, and where each comes from. */
export function runnerFiles(spec: BackupSpec): RunnerFile[] {
  const plain = (file: string, key = runnerFileKey(file)): RunnerFile => ({
    key,
    path: underRunner(file),
    from: "configMap",
  });
  const secret = (file: string, key: string): RunnerFile => ({
    key,
    path: underRunner(file),
    from: "secret",
  });
  const files = [plain(RUNNER_PATHS.script), plain(RUNNER_PATHS.config)];
  if (spec.tls) {
    files.push(plain(RUNNER_PATHS.adminConfig));
    for (const file of runnerTlsFiles()) files.push(secret(file.path, RUNNER_TLS_KEYS[file.content]));
  }
  if (spec.offsite) {
    for (const field of offsiteCredentials(spec)) {
      const file = CREDENTIAL_FILES[field];
      files.push(secret(file, runnerFileKey(file)));
    }
    if (spec.offsite.caCertificate !== undefined)
      files.push(plain(OFFSITE_PATHS.caCertificate, OFFSITE_CA_KEY));
  }
  return files;
}

/** The bucket's credentials the runner gets: the keys, and the session token when one is given. */
export function offsiteCredentials(spec: BackupSpec): OffsiteCredential[] {
  if (!spec.offsite) return [];
  return spec.offsite.sessionToken
    ? ["accessKeyId", "secretAccessKey", "sessionToken"]
    : ["accessKeyId", "secretAccessKey"];
}

export function backupLabels(spec: KubernetesBackupSpec, clusterName: string): Record<string, string> {
  return {
    ...spec.labels,
    "app.kubernetes.io/name": "neo4j-backup",
    "app.kubernetes.io/instance": spec.backup.name,
    "app.kubernetes.io/part-of": "neo4j-estate",
    "app.kubernetes.io/managed-by": "pulumi",
    "neo4j-estate.cluster": clusterName,
    "neo4j-estate.backup": spec.backup.name,
  };
}

/** The names of the objects, from the component's name. */
export function backupObjectNames(name: string) {
  return {
    claim: `${name}-data`,
    runnerFiles: `${name}-runner`,
    runnerSecret: `${name}-runner-secrets`,
    cronJob: name,
    atDeploy: `${name}-at-deploy`,
  };
}

/**
 * One run of the runner, as a pod: the cluster's own image (it has neo4j-admin), run-once from the
 * ConfigMap, the backups' claim at the backup root, as the neo4j user so every artifact is one Neo4j
 * can restore. No Neo4j credentials: neo4j-admin backs up over the members' backup port. The
 * bucket's keys and the TLS client key come from the runner's Secret as files (0440, the neo4j
 * user's group by fsGroup), in one projected volume with the ConfigMap's files, so that they sit
 * where the core's paths say without a mount nested in another.
 */
export function runnerPod(
  spec: KubernetesBackupSpec,
  image: string,
  labels: Record<string, string>,
): k8s.types.input.core.v1.PodTemplateSpec {
  const names = backupObjectNames(spec.backup.name);
  const env: k8s.types.input.core.v1.EnvVar[] = [{ name: "RUNNER_CONFIG", value: RUNNER_PATHS.config }];
  if (spec.backup.heapSize !== undefined) env.push({ name: "HEAP_SIZE", value: spec.backup.heapSize });
  return {
    metadata: { labels },
    spec: {
      // A failed run is reported (the Job fails, the status file says why) and the next run tries again.
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: spec.backup.stopGracePeriodSeconds,
      securityContext: neo4jPodSecurity(),
      containers: [
        {
          name: "backup",
          image,
          imagePullPolicy: "IfNotPresent",
          command: ["bash", RUNNER_PATHS.script, "run-once"],
          env,
          volumeMounts: [
            { name: "backups", mountPath: RUNNER_PATHS.backups },
            { name: "runner", mountPath: RUNNER_DIRECTORY, readOnly: true },
          ],
          securityContext: CONTAINER_SECURITY,
        },
      ],
      volumes: [
        { name: "backups", persistentVolumeClaim: { claimName: names.claim } },
        { name: "runner", projected: { defaultMode: 0o444, sources: runnerSources(spec) } },
      ],
    },
  };
}

function runnerSources(spec: KubernetesBackupSpec): k8s.types.input.core.v1.VolumeProjection[] {
  const names = backupObjectNames(spec.backup.name);
  const files = runnerFiles(spec.backup);
  const script = underRunner(RUNNER_PATHS.script);
  const items = (from: RunnerFile["from"]) =>
    files
      .filter((f) => f.from === from)
      // Keys readable by the neo4j user's group (fsGroup) alone; the script executable; the rest public.
      .map((f) => ({
        key: f.key,
        path: f.path,
        mode: from === "secret" ? 0o440 : f.path === script ? 0o555 : 0o444,
      }));
  const sources: k8s.types.input.core.v1.VolumeProjection[] = [
    { configMap: { name: names.runnerFiles, items: items("configMap") } },
  ];
  const secretItems = items("secret");
  if (secretItems.length > 0) sources.push({ secret: { name: names.runnerSecret, items: secretItems } });
  return sources;
}

/** The CronJob: the core's schedule in UTC, one run at a time, the last runs kept for their logs. */
export function backupCronJob(
  spec: KubernetesBackupSpec,
  namespace: string,
  image: string,
  labels: Record<string, string>,
): { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.batch.v1.CronJobSpec } {
  return {
    metadata: { name: backupObjectNames(spec.backup.name).cronJob, namespace, labels },
    spec: {
      schedule: spec.cron,
      timeZone: "Etc/UTC",
      // A run still going when the next is due finishes; the due one is skipped, as on Docker.
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: { backoffLimit: 0, template: runnerPod(spec, image, labels) },
      },
    },
  };
}
