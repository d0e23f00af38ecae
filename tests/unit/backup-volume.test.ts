import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
  RecordedResource,
  byType,
  recordResources,
  settle,
  unwrapSecretInput,
  valueOf,
} from "./support/pulumi-mocks";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BackupVolume, Neo4jCluster } = require("../../components") as typeof import("../../components");

const CONTAINER = "docker:index/container:Container";
const PASSWORD = "password123";

interface Upload {
  file: string;
  content: string;
  executable?: boolean;
}

function cluster(args: Record<string, unknown> = {}) {
  return new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: PASSWORD, ...args });
}

type RunnerInputs = Record<string, unknown> & { uploads: Upload[]; uploadsSecret: boolean };

/** The runner's inputs; its uploads arrive secret-wrapped when one of them (the password) is a secret. */
async function runnerInputs(name = "backups-runner"): Promise<RunnerInputs> {
  await settle();
  const found = byType(recorded, CONTAINER).filter((r: RecordedResource) => r.name === name);
  expect(found).toHaveLength(1);
  const inputs = found[0].inputs;
  const uploadsSecret = !Array.isArray(inputs.uploads);
  const uploads = (uploadsSecret ? unwrapSecretInput(inputs.uploads) : inputs.uploads) as Upload[];
  return { ...inputs, uploads, uploadsSecret };
}

const uploadAt = (uploads: Upload[], file: string) => uploads.find((u) => u.file === file);

beforeEach(() => recorded.splice(0));

describe("BackupVolume under the mock runtime", () => {
  it("runs the runner from the cluster's own image, kept locally, on the cluster's network", async () => {
    const backups = new BackupVolume("backups", { cluster: cluster() });
    await valueOf(backups.runnerName);
    const runner = await runnerInputs();
    const images = byType(recorded, "docker:index/remoteImage:RemoteImage").filter(
      (r) => r.name === "backups-image",
    );
    expect(images.map((i) => [i.inputs.name, i.inputs.keepLocally])).toEqual([
      ["neo4j:5.23-enterprise", true],
    ]);
    expect(runner.image).toBe("sha256:mock-neo4j:5.23-enterprise");
    expect(runner.name).toBe("backups-runner");
    expect(runner.networksAdvanced).toEqual([expect.objectContaining({ name: "core-network" })]);
    expect(runner.entrypoints).toEqual(["bash", "/opt/neo4j-backup/runner.sh"]);
    expect(runner.command).toEqual(["run"]);
    expect(runner.restart).toBe("unless-stopped");
  });

  it("gives the runner ten minutes to finish the backup in progress when it is stopped, unless told otherwise", async () => {
    new BackupVolume("backups", { cluster: cluster() });
    expect(await runnerInputs()).toMatchObject({ destroyGraceSeconds: 600, stopTimeout: 600 });
    recorded.splice(0);
    new BackupVolume("backups", { cluster: cluster(), stopGracePeriodSeconds: 60 });
    expect(await runnerInputs()).toMatchObject({ destroyGraceSeconds: 60, stopTimeout: 60 });
    const same = cluster();
    expect(() => new BackupVolume("late", { cluster: same, stopGracePeriodSeconds: 0 })).toThrow(
      /BackupVolume "late": stopGracePeriodSeconds must be a whole number from 10 to 86400 \(got 0\)/,
    );
    await settle();
  });

  it("backs up from members that listen for backups on every interface, inside the network only", async () => {
    new BackupVolume("backups", { cluster: cluster() });
    const runner = await runnerInputs();
    const members = byType(recorded, CONTAINER).filter((r) => /^core-\d$/.test(r.name));
    expect(members).toHaveLength(3);
    for (const member of members) {
      expect(member.inputs.envs).toEqual(
        expect.arrayContaining([
          "NEO4J_server_backup_enabled=true",
          "NEO4J_server_backup_listen__address=0.0.0.0:6362",
        ]),
      );
      expect(JSON.stringify(member.inputs.ports)).not.toContain("6362");
    }
    expect(uploadAt(runner.uploads, "/opt/neo4j-backup/config.sh")!.content).toContain(
      "--from=core-1:6362,core-2:6362,core-3:6362",
    );
  });

  it("mounts a named volume at /backups and starts as root only to hand it to uid 7474", async () => {
    const backups = new BackupVolume("backups", { cluster: cluster() });
    const runner = await runnerInputs();
    const volumes = byType(recorded, "docker:index/volume:Volume").filter((v) => v.name === "backups-data");
    expect(volumes.map((v) => v.inputs.name)).toEqual(["backups-data"]);
    expect(runner.volumes).toEqual([
      expect.objectContaining({ volumeName: "backups-data", containerPath: "/backups" }),
    ]);
    expect(runner.user).toBe("0:0");
    const config = uploadAt(runner.uploads, "/opt/neo4j-backup/config.sh")!.content;
    expect(config).toContain("BACKUP_UID='7474'");
    expect(await valueOf(backups.location)).toBe("volume:backups-data");
  });

  it("mounts a host directory instead when asked, and creates no volume", async () => {
    const backups = new BackupVolume("backups", { cluster: cluster(), hostPath: "/srv/neo4j-backups" });
    const runner = await runnerInputs();
    expect(runner.volumes).toEqual([
      expect.objectContaining({ hostPath: "/srv/neo4j-backups", containerPath: "/backups" }),
    ]);
    expect(byType(recorded, "docker:index/volume:Volume").filter((v) => v.name === "backups-data")).toEqual(
      [],
    );
    expect(await valueOf(backups.location)).toBe("/srv/neo4j-backups");
    expect(await valueOf(backups.volumeName)).toBeUndefined();
  });

  it("uploads the runner script itself and a config that backs up from every member", async () => {
    new BackupVolume("backups", {
      cluster: cluster(),
      pushgatewayUrl: pulumi.output("http://monitoring-pushgateway:9091"),
    });
    const runner = await runnerInputs();
    const script = uploadAt(runner.uploads, "/opt/neo4j-backup/runner.sh")!;
    expect(script.executable).toBe(true);
    expect(script.content).toBe(
      fs.readFileSync(path.resolve(__dirname, "../../components/backup/runner.sh"), "utf8"),
    );
    const config = uploadAt(runner.uploads, "/opt/neo4j-backup/config.sh")!.content;
    expect(config).toContain(
      "BACKUP_OPTIONS=('--from=core-1:6362,core-2:6362,core-3:6362' '--compress=true')",
    );
    expect(config).toContain("PUSHGATEWAY_URL='http://monitoring-pushgateway:9091'");
    expect(config).not.toContain(PASSWORD);
  });

  it("gives the runner no credentials, so its uploads are no secret and read as a diff", async () => {
    for (const databases of [undefined, ["neo4j"]]) {
      recorded.splice(0);
      new BackupVolume("backups", { cluster: cluster(), databases });
      const runner = await runnerInputs();
      expect(runner.uploadsSecret).toBe(false);
      expect(runner.uploads.map((u) => u.file)).toEqual([
        "/opt/neo4j-backup/runner.sh",
        "/opt/neo4j-backup/config.sh",
      ]);
      expect(JSON.stringify(runner)).not.toContain(PASSWORD);
    }
  });

  it("checks health with the runner's own command and passes the heap to neo4j-admin", async () => {
    new BackupVolume("backups", { cluster: cluster(), heapSize: "1g", schedule: "30m" });
    const runner = await runnerInputs();
    expect(runner.healthcheck).toMatchObject({
      tests: ["CMD", "bash", "/opt/neo4j-backup/runner.sh", "health"],
    });
    expect(runner.envs).toEqual(["HEAP_SIZE=1g"]);
    expect(uploadAt(runner.uploads, "/opt/neo4j-backup/config.sh")!.content).toContain(
      "MAX_AGE_SECONDS='3600'",
    );
  });

  it("outputs where status and logs are read, and the restore command for this cluster", async () => {
    const backups = new BackupVolume("backups", { cluster: cluster() });
    expect(await valueOf(backups.statusFile)).toBe("/backups/.runner/status.json");
    expect(await valueOf(backups.runLog)).toBe("/backups/.runner/runs.log");
    expect(await valueOf(backups.statusCommand)).toBe(
      "docker exec backups-runner bash /opt/neo4j-backup/runner.sh status",
    );
    expect(await valueOf(backups.logsCommand)).toBe("docker logs --follow backups-runner");
    expect(await valueOf(backups.backupNowCommand)).toBe(
      "docker exec backups-runner bash /opt/neo4j-backup/runner.sh run-once",
    );
    expect(await valueOf(backups.restoreCommand)).toBe(
      "neo4j-estate-restore --runner backups-runner --members core-1=localhost:7688,core-2=localhost:7689,core-3=localhost:7690 --bolt neo4j://localhost:7688 --neo4j-version 5.23 --database <database>",
    );
  });

  it("fails at construction for a Community cluster, before registering anything", () => {
    const community = new Neo4jCluster("solo", { image: "neo4j:5.23-community", adminPassword: PASSWORD });
    recorded.splice(0);
    expect(() => new BackupVolume("backups", { cluster: community })).toThrow(
      'BackupVolume "backups": cluster runs the Community image neo4j:5.23-community: online backup is an Enterprise feature',
    );
    expect(recorded.filter((r) => r.name.startsWith("backups"))).toEqual([]);
  });

  it("fails at construction when the cluster has onlineBackup off", () => {
    expect(() => new BackupVolume("backups", { cluster: cluster({ onlineBackup: false }) })).toThrow(
      'BackupVolume "backups": cluster has onlineBackup set to false',
    );
  });

  it("fails clearly without a cluster and on a bad argument", () => {
    expect(() => new BackupVolume("backups", {} as never)).toThrow(
      'BackupVolume "backups": cluster is required',
    );
    expect(() => new BackupVolume("backups", { cluster: cluster(), schedule: "sometimes" })).toThrow(
      'BackupVolume "backups": schedule must be an interval',
    );
    expect(
      () => new BackupVolume("backups", { cluster: cluster(), pushgatewayUrl: "https://pg:9091" }),
    ).toThrow('BackupVolume "backups": pushgatewayUrl must be plain http');
  });
});

describe("BackupVolume with copies off the host, under the mock runtime", () => {
  const KEY_ID = "AKIAOFFSITEEXAMPLE01";
  const SECRET = "offsite/secret+key-value-0123456789abcdef";
  const TOKEN = "session-token-value";
  const offsite = {
    bucket: "neo4j-backups",
    endpoint: "https://minio.internal:9000",
    accessKeyId: pulumi.secret(KEY_ID),
    secretAccessKey: pulumi.secret(SECRET),
    sessionToken: pulumi.output(TOKEN),
  };

  /** The recorded inputs with every secret envelope blanked out: what must hold no credential. */
  const withoutSecrets = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (value && typeof value === "object") {
      const record = value as Record<string, unknown>;
      if ("4dabf18193072939515e22adb298388d" in record) return "<secret>";
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutSecrets(v)]));
    }
    return value;
  };

  it("delivers each credential as a secret file only uid 7474 can read, never in the environment or the config", async () => {
    const backups = new BackupVolume("backups", { cluster: cluster(), offsite });
    const runner = await runnerInputs();
    expect(runner.uploadsSecret).toBe(true);
    const files = Object.fromEntries(runner.uploads.map((u) => [u.file, u]));
    for (const [file, content] of [
      ["/opt/neo4j-backup/offsite/access-key-id", KEY_ID],
      ["/opt/neo4j-backup/offsite/secret-access-key", SECRET],
      ["/opt/neo4j-backup/offsite/session-token", TOKEN],
    ])
      expect(files[file]).toEqual({ file, content, permissions: "0400", owner: "7474", group: "7474" });
    const config = files["/opt/neo4j-backup/config.sh"].content;
    expect(config).toContain("OFFSITE_ENDPOINT='https://minio.internal:9000'");
    const plain = JSON.stringify(withoutSecrets(recorded.map((r) => r.inputs)));
    for (const secret of [KEY_ID, SECRET, TOKEN]) {
      expect(config).not.toContain(secret);
      expect(JSON.stringify(runner.envs ?? [])).not.toContain(secret);
      expect(plain).not.toContain(secret);
    }
    expect(await valueOf(backups.offsiteLocation)).toBe("s3://neo4j-backups/backups/");
  });

  it("has no offsite files or location without the argument", async () => {
    const backups = new BackupVolume("backups", { cluster: cluster() });
    const runner = await runnerInputs();
    expect(runner.uploads.map((u) => u.file).filter((f) => f.includes("offsite"))).toEqual([]);
    expect(await valueOf(backups.offsiteLocation)).toBeUndefined();
  });

  it("fails at construction on a bad offsite field, before registering anything", () => {
    expect(
      () => new BackupVolume("backups", { cluster: cluster(), offsite: { ...offsite, prefix: "prod" } }),
    ).toThrow('BackupVolume "backups": offsite.prefix must be "" or folder names each ending in "/"');
  });
});
