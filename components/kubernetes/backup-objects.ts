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
  validateBackupArgs,
} from "../backup/spec";
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

/** Where the runner's files are mounted from their ConfigMap. */
const RUNNER_DIRECTORY = RUNNER_PATHS.script.slice(0, RUNNER_PATHS.script.lastIndexOf("/"));

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
    cronJob: name,
    atDeploy: `${name}-at-deploy`,
  };
}

/**
 * One run of the runner, as a pod: the cluster's own image (it has neo4j-admin), run-once from the
 * ConfigMap, the backups' claim at the backup root, as the neo4j user so every artifact is one Neo4j
 * can restore. No credentials: neo4j-admin backs up over the members' backup port.
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
        { name: "runner", configMap: { name: names.runnerFiles, defaultMode: 0o555 } },
      ],
    },
  };
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
