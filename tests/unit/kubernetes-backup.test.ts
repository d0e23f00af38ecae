import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { byType, recordResources, settle } from "./support/pulumi-mocks";
import { graphCluster, oneObject } from "./support/kubernetes";
import { cronExpression, nextCronFiring, parseCron, parseSchedule } from "../../components/backup/schedule";

const recorded = recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kubernetes } = require("../../components") as typeof import("../../components");

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

const one = (type: string, name: string) => oneObject(recorded, type, name);

const cluster = graphCluster;

describe("the schedule as cron", () => {
  it("writes intervals that divide an hour or a day as cron that fires at that interval", () => {
    expect(cronExpression(parseSchedule("1h"))).toBe("0 * * * *");
    expect(cronExpression(parseSchedule("30m"))).toBe("*/30 * * * *");
    expect(cronExpression(parseSchedule("6h"))).toBe("0 */6 * * *");
    expect(cronExpression(parseSchedule("1d"))).toBe("0 0 * * *");
    expect(cronExpression(parseSchedule("@daily"))).toBe("0 0 * * *");
    expect(cronExpression(parseSchedule("15 3 * * 1-5"))).toBe("15 3 * * 1-5");
    const divisors = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];
    fc.assert(
      fc.property(fc.constantFrom(...divisors), fc.integer({ min: 0, max: 10_000_000 }), (minutes, start) => {
        const cron = parseCron(cronExpression(parseSchedule(`${minutes}m`)));
        const first = nextCronFiring(cron, start * 60)!;
        expect(nextCronFiring(cron, first)! - first).toBe(minutes * 60);
      }),
    );
  });

  it("refuses an interval no cron expression repeats exactly", () => {
    expect(() => cronExpression(parseSchedule("1h30m"))).toThrow("divides an hour or a day evenly");
    expect(() => cronExpression(parseSchedule("7m"))).toThrow("no cron expression");
  });
});

describe("kubernetes.BackupVolume under the mock runtime", () => {
  it("runs the core's runner once per schedule from a CronJob in the cluster's namespace", async () => {
    const graph = cluster({ namespace: "data" });
    new kubernetes.BackupVolume("graph-backups", { cluster: graph, schedule: "6h", retention: { days: 14 } });
    await settle();
    const cron = one("kubernetes:batch/v1:CronJob", "graph-backups");
    expect(cron.metadata).toEqual(expect.objectContaining({ name: "graph-backups", namespace: "data" }));
    expect(cron.spec).toEqual(
      expect.objectContaining({ schedule: "0 */6 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" }),
    );
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].command).toEqual(["bash", "/opt/neo4j-backup/runner.sh", "run-once"]);
    expect(pod.containers[0].image).toBe("neo4j:5.23-enterprise");
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsUser: 7474, fsGroup: 7474 }));
    expect(pod.volumes).toContainEqual({
      name: "backups",
      persistentVolumeClaim: { claimName: "graph-backups-data" },
    });

    const files = one("kubernetes:core/v1:ConfigMap", "graph-backups-runner");
    expect(files.data["runner.sh"]).toContain("run-once");
    const config = files.data["config.sh"] as string;
    expect(config).toContain("RETENTION_KIND='days'");
    expect(config).toContain("RETENTION_COUNT='14'");
    expect(config).toContain(
      "--from=graph-1.data.svc.cluster.local:6362,graph-2.data.svc.cluster.local:6362,graph-3.data.svc.cluster.local:6362",
    );
    const claim = one("kubernetes:core/v1:PersistentVolumeClaim", "graph-backups-data");
    expect(claim.spec.resources.requests.storage).toBe("20Gi");
  });

  it("takes a backup at deploy from a Job, unless told not to", async () => {
    const graph = cluster();
    new kubernetes.BackupVolume("graph-backups", { cluster: graph });
    await settle();
    const job = one("kubernetes:batch/v1:Job", "graph-backups-at-deploy");
    expect(job.spec.template.spec.containers[0].command).toContain("run-once");
    recorded.splice(0);
    new kubernetes.BackupVolume("graph-backups", { cluster: graph, backupAtStart: false });
    await settle();
    expect(byType(recorded, "kubernetes:batch/v1:Job")).toHaveLength(0);
  });

  it("keeps the backups' claim when the component goes", async () => {
    const options = new Map<string, pulumi.CustomResourceOptions>();
    new kubernetes.BackupVolume(
      "graph-backups",
      { cluster: cluster() },
      {
        transformations: [
          (args) => {
            options.set(args.name, args.opts);
            return undefined;
          },
        ],
      },
    );
    await settle();
    expect(options.get("graph-backups-data")?.retainOnDelete).toBe(true);
  });

  it("refuses what Kubernetes cannot do, naming the field", async () => {
    const graph = cluster();
    expect(() => new kubernetes.BackupVolume("b", { cluster: graph, schedule: "1h30m" })).toThrow(
      'BackupVolume "b": schedule is the interval "1h30m"',
    );
    expect(
      () =>
        new kubernetes.BackupVolume("b", { cluster: graph, hostPath: "/srv" } as unknown as {
          cluster: typeof graph;
        }),
    ).toThrow('BackupVolume "b": hostPath is a Docker argument');
    const community = new kubernetes.Neo4jCluster("solo", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
    });
    expect(() => new kubernetes.BackupVolume("b", { cluster: community })).toThrow(
      "online backup is an Enterprise feature",
    );
    await settle();
    expect(byType(recorded, "kubernetes:batch/v1:CronJob")).toHaveLength(0);
  });
});
