import {
  RestoreRequest,
  chooseArtifact,
  describePlan,
  fillCaptured,
  planRestore,
  splitCypherScript,
} from "../../components/backup/restore-plan";
import { parseCliArgs } from "../../components/backup/restore-cli";

const ARTIFACTS = [
  "neo4j-2026-11-20T03-00-00.backup",
  "neo4j-2026-11-21T03-00-00.backup",
  "neo4j-2026-11-22T03-00-00.backup",
];
const CLUSTER: RestoreRequest = {
  database: "neo4j",
  runner: "backups-runner",
  members: [
    { container: "core-1", boltAddress: "localhost:7688" },
    { container: "core-2", boltAddress: "localhost:7689" },
    { container: "core-3", boltAddress: "localhost:7690" },
  ],
  artifacts: [...ARTIFACTS, "notes.txt"],
};
const SINGLE: RestoreRequest = {
  ...CLUSTER,
  members: [{ container: "neo4j", boltAddress: "localhost:7687" }],
};

describe("choosing the artifact", () => {
  it("takes the newest artifact by default and ignores other files", () => {
    expect(chooseArtifact(CLUSTER.artifacts)).toBe("neo4j-2026-11-22T03-00-00.backup");
  });

  it("takes the one asked for, if it exists", () => {
    expect(chooseArtifact(ARTIFACTS, ARTIFACTS[0])).toBe(ARTIFACTS[0]);
    expect(() => chooseArtifact(ARTIFACTS, "other.backup")).toThrow(
      "artifact other.backup is not among the backups",
    );
    expect(() => chooseArtifact([])).toThrow("there is no backup artifact to restore");
  });
});

describe("single-server restore", () => {
  const plan = planRestore(SINGLE);

  it("stops the database, restores over it, starts it and replays its metadata", () => {
    expect(plan.flow).toBe("single");
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "copy",
      "cypher",
      "docker",
      "cypher",
      "cypher-file",
      "docker",
    ]);
    expect(plan.steps[1]).toMatchObject({ statement: "STOP DATABASE `neo4j` WAIT" });
    expect(plan.steps[3]).toMatchObject({ statement: "START DATABASE `neo4j` WAIT" });
  });

  it("copies the database's backup folder from the runner into the server", () => {
    expect(plan.steps[0]).toEqual({
      kind: "copy",
      title: "Copy the backups of neo4j from backups-runner into neo4j",
      from: { container: "backups-runner", path: "/backups/neo4j" },
      to: { container: "neo4j", path: "/tmp/neo4j-restore" },
    });
  });

  it("runs neo4j-admin database restore as the neo4j user with the documented flags", () => {
    expect(plan.steps[2]).toMatchObject({
      kind: "docker",
      args: [
        "exec",
        "--user",
        "neo4j",
        "neo4j",
        "neo4j-admin",
        "database",
        "restore",
        "--from-path=/tmp/neo4j-restore/neo4j/neo4j-2026-11-22T03-00-00.backup",
        "--overwrite-destination=true",
        "neo4j",
      ],
    });
  });

  it("replays restore_metadata.cypher against system with the database parameter", () => {
    expect(plan.steps[4]).toMatchObject({
      kind: "cypher-file",
      container: "neo4j",
      path: "/data/scripts/neo4j/restore_metadata.cypher",
      parameters: { database: "neo4j" },
    });
  });
});

describe("cluster restore through a designated seeder", () => {
  it("drops, restores on the seeder, finds its server id and creates the database from it", () => {
    const plan = planRestore({ ...CLUSTER, seeder: "core-2", artifact: ARTIFACTS[1] });
    expect(plan.flow).toBe("cluster");
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "copy",
      "cypher",
      "docker",
      "cypher",
      "cypher",
      "cypher-file",
      "docker",
    ]);
    expect(plan.steps[1]).toMatchObject({ statement: "DROP DATABASE `neo4j` IF EXISTS WAIT" });
    expect(plan.steps[2]).toMatchObject({
      args: expect.arrayContaining(["core-2", `--from-path=/tmp/neo4j-restore/neo4j/${ARTIFACTS[1]}`]),
    });
    expect(plan.steps[3]).toMatchObject({
      statement: "SHOW SERVERS YIELD serverId, address WHERE address = $address RETURN serverId",
      parameters: { address: "localhost:7689" },
      capture: "seederId",
    });
    expect(plan.steps[4]).toMatchObject({
      statement:
        "CREATE DATABASE `neo4j` OPTIONS {existingData: 'use', existingDataSeedInstance: '{seederId}'} WAIT",
    });
  });

  it("prints every step with the command it runs", () => {
    const text = describePlan(planRestore(CLUSTER));
    expect(text).toContain(
      "Restore neo4j from neo4j-2026-11-22T03-00-00.backup (cluster, designated seeder):",
    );
    expect(text).toContain("1. Copy the backups of neo4j from backups-runner into core-1");
    expect(text).toContain(
      "docker cp backups-runner:/backups/neo4j - | docker cp -a - core-1:/tmp/neo4j-restore",
    );
    expect(text).toContain("docker exec --user neo4j core-1 neo4j-admin database restore");
    expect(text).toContain(
      '(system) SHOW SERVERS YIELD serverId, address WHERE address = $address RETURN serverId {"address":"localhost:7688"}',
    );
    expect(text.split("\n").filter((l) => /^ {2}\d+\. /.test(l))).toHaveLength(7);
  });

  it("refuses the system database, an unknown seeder and a bad name", () => {
    expect(() => planRestore({ ...CLUSTER, database: "system" })).toThrow("restores user databases only");
    expect(() => planRestore({ ...CLUSTER, seeder: "core-9" })).toThrow("seeder core-9 is not a member");
    expect(() => planRestore({ ...CLUSTER, database: "x`y" })).toThrow("is not a Neo4j database name");
  });
});

describe("restore helpers", () => {
  it("fills a captured server id only when it looks like one", () => {
    const id = "8512c9b9-d9e8-48e6-b037-b15b0004ca18";
    expect(fillCaptured("X {existingDataSeedInstance: '{seederId}'}", { seederId: id })).toBe(
      `X {existingDataSeedInstance: '${id}'}`,
    );
    expect(() => fillCaptured("'{seederId}'", { seederId: "x' OR 1=1" })).toThrow("is not a server id");
    expect(() => fillCaptured("'{seederId}'", {})).toThrow("no value captured for seederId");
  });

  it("splits a metadata script into statements", () => {
    const script = "CREATE ROLE `reader` IF NOT EXISTS;\nGRANT ACCESS ON DATABASE $database TO `reader`;\n\n";
    expect(splitCypherScript(script)).toEqual([
      "CREATE ROLE `reader` IF NOT EXISTS",
      "GRANT ACCESS ON DATABASE $database TO `reader`",
    ]);
  });

  it("reads the CLI's arguments, as printed by BackupVolume's restoreCommand", () => {
    expect(
      parseCliArgs([
        "--runner",
        "backups-runner",
        "--members",
        "core-1=localhost:7688,core-2=localhost:7689",
        "--bolt=neo4j://localhost:7688",
        "--database",
        "neo4j",
        "--dry-run",
      ]),
    ).toEqual({
      runner: "backups-runner",
      members: [
        { container: "core-1", boltAddress: "localhost:7688" },
        { container: "core-2", boltAddress: "localhost:7689" },
      ],
      bolt: "neo4j://localhost:7688",
      database: "neo4j",
      artifact: undefined,
      seeder: undefined,
      yes: false,
      dryRun: true,
    });
    expect(() => parseCliArgs(["--runner", "r"])).toThrow("--members is required");
    expect(() => parseCliArgs(["--members", "core-1"])).toThrow();
  });
});
