import { lintCypherQuery } from "@neo4j-cypher/language-support";
import {
  ArtifactInfo,
  RestoreRequest,
  chainEndingAt,
  chooseArtifact,
  describePlan,
  fillCaptured,
  parseInspectTable,
  planRestore,
  splitCypherScript,
} from "../../components/backup/restore-plan";
import { parseCliArgs } from "../../components/backup/restore-cli";
import { parseVersion } from "../../components/neo4j/version";

/** Two chains of neo4j (full, diff, diff | full, diff) and one of movies, side by side as the runner keeps them. */
const ARTIFACTS: ArtifactInfo[] = [
  { file: "neo4j-2026-11-20T03-00-00.backup", database: "neo4j", full: true },
  { file: "neo4j-2026-11-20T04-00-00.backup", database: "neo4j", full: false },
  { file: "neo4j-2026-11-20T05-00-00.backup", database: "neo4j", full: false },
  { file: "neo4j-2026-11-21T03-00-00.backup", database: "neo4j", full: true },
  { file: "neo4j-2026-11-21T04-00-00.backup", database: "neo4j", full: false },
  { file: "movies-2026-11-21T03-00-00.backup", database: "movies", full: true },
];
const NEWEST = "neo4j-2026-11-21T04-00-00.backup";
const version = (v: string) => parseVersion(v)!;
const MEMBERS = [
  { container: "core-1", boltAddress: "localhost:7688" },
  { container: "core-2", boltAddress: "localhost:7689" },
  { container: "core-3", boltAddress: "localhost:7690" },
];
const request = (neo4jVersion: string, more: Partial<RestoreRequest> = {}): RestoreRequest => ({
  database: "neo4j",
  runner: "backups-runner",
  members: MEMBERS,
  artifacts: ARTIFACTS,
  neo4jVersion: version(neo4jVersion),
  ...more,
});
const statements = (r: RestoreRequest) =>
  planRestore(r).steps.flatMap((s) => (s.kind === "cypher" ? [s.statement] : []));

describe("reading the backups and choosing the chain", () => {
  it("reads neo4j-admin's --inspect-path table by its column names", () => {
    const table = [
      "|                                              FILE | DATABASE |                          DATABASE ID |          TIME (UTC) |  FULL | COMPRESSED | LOWEST TX | HIGHEST TX | RECOVERED |",
      "|  file:///backups/neo4j-2024-10-07T16-05-37.backup |    neo4j | 7dcb1d0c-4374-4476-b8ae-d3c3f124683f | 2024-10-07T16:05:37 |  true |       true |         1 |          3 |      true |",
      "| file:///backups/london-2024-10-07T16-04-05.backup |   london | d4dae73c-dfef-4d28-88cd-fe6cc88ddca1 | 2024-10-07T16:04:05 | false |       true |         6 |          6 |     false |",
    ].join("\n");
    expect(parseInspectTable(`Some log line\n${table}\n`)).toEqual([
      { file: "neo4j-2024-10-07T16-05-37.backup", database: "neo4j", full: true },
      { file: "london-2024-10-07T16-04-05.backup", database: "london", full: false },
    ]);
    expect(() => parseInspectTable("| NAME | X |\n| a | b |")).toThrow("has no FILE column");
  });

  it("takes the newest artifact by default and the one asked for if it exists", () => {
    expect(chooseArtifact(ARTIFACTS.map((a) => a.file).filter((f) => f.startsWith("neo4j")))).toBe(NEWEST);
    expect(() => chooseArtifact([NEWEST], "other.backup")).toThrow(
      "artifact other.backup is not among the backups",
    );
    expect(() => chooseArtifact([])).toThrow("there is no backup artifact to restore");
  });

  it("copies only the chain that ends at the chosen artifact", () => {
    const neo4j = ARTIFACTS.filter((a) => a.database === "neo4j");
    expect(chainEndingAt(neo4j, "neo4j-2026-11-20T04-00-00.backup")).toEqual([
      "neo4j-2026-11-20T03-00-00.backup",
      "neo4j-2026-11-20T04-00-00.backup",
    ]);
    expect(chainEndingAt(neo4j, NEWEST)).toEqual(["neo4j-2026-11-21T03-00-00.backup", NEWEST]);
    expect(chainEndingAt(neo4j, "neo4j-2026-11-21T03-00-00.backup")).toEqual([
      "neo4j-2026-11-21T03-00-00.backup",
    ]);
    expect(() => chainEndingAt(neo4j.slice(1), "neo4j-2026-11-20T05-00-00.backup")).toThrow(
      "no full backup precedes neo4j-2026-11-20T05-00-00.backup",
    );
  });
});

describe("single-server restore", () => {
  const single = request("5.26", { members: [{ container: "neo4j", boltAddress: "localhost:7687" }] });
  const plan = planRestore(single);

  it("stops the database, restores the chain over it from the data volume and starts it, never dropping it", () => {
    expect(plan.flow).toBe("single");
    expect(plan.steps.map((s) => s.kind)).toEqual(["copy", "cypher", "docker", "cypher", "docker"]);
    expect(plan.steps[0]).toMatchObject({
      from: {
        container: "backups-runner",
        paths: ["/backups/neo4j-2026-11-21T03-00-00.backup", `/backups/${NEWEST}`],
      },
      to: { container: "neo4j", path: "/data/restore-staging/neo4j" },
    });
    expect(plan.steps[2]).toMatchObject({
      args: [
        "exec",
        "--user",
        "neo4j",
        "neo4j",
        "neo4j-admin",
        "database",
        "restore",
        `--from-path=/data/restore-staging/neo4j/${NEWEST}`,
        "--overwrite-destination=true",
        "neo4j",
      ],
    });
    expect(statements(single)).toEqual(["STOP DATABASE `neo4j` WAIT", "START DATABASE `neo4j` WAIT"]);
  });
});

describe("cluster restore, chosen by version", () => {
  it.each([
    ["5.24", "dbms.cluster.recreateDatabase"],
    ["5.26", "dbms.cluster.recreateDatabase"],
    ["2025.03", "dbms.cluster.recreateDatabase"],
    ["2025.04", "dbms.recreateDatabase"],
    ["2025.10", "dbms.recreateDatabase"],
  ])(
    "on %s recreates the database with %s from the member it was restored on, without a DROP",
    (v, procedure) => {
      const plan = planRestore(request(v, { seeder: "core-2" }));
      expect(plan.flow).toBe("recreate");
      expect(plan.steps.map((s) => s.kind)).toEqual([
        "cypher",
        "copy",
        "cypher",
        "docker",
        "cypher",
        "wait-online",
        "docker",
      ]);
      expect(plan.steps[0]).toMatchObject({
        statement:
          "SHOW SERVERS YIELD serverId, address, hosting WHERE address = $address AND $database IN hosting RETURN serverId",
        parameters: { address: "localhost:7689", database: "neo4j" },
        capture: "seederId",
        captureMissing: expect.stringContaining("core-2 (localhost:7689) does not host neo4j"),
      });
      const cypher = statements(request(v, { seeder: "core-2" }));
      expect(cypher).toContain("STOP DATABASE `neo4j` WAIT");
      expect(cypher).toContain(`CALL ${procedure}($database, {seedingServers: ['{seederId}']})`);
      expect(cypher.some((c) => c.startsWith("DROP"))).toBe(false);
    },
  );

  it.each([
    ["5.23", "existingDataSeedInstance"],
    ["5.26", "existingDataSeedServer"],
    ["2025.06", "existingDataSeedServer"],
  ])("on %s, or when asked, drops with its aliases and seeds the new database with %s", (v, option) => {
    const method = v === "5.23" ? undefined : ("seeder" as const);
    const plan = planRestore(request(v, { method }));
    expect(plan.flow).toBe("seeder");
    expect(plan.steps.map((s) => s.kind)).toEqual([
      "cypher",
      "copy",
      "cypher",
      "cypher",
      "docker",
      "cypher",
      "cypher-file",
      "docker",
    ]);
    const cypher = statements(request(v, { method }));
    expect(cypher).toContain("DROP DATABASE `neo4j` IF EXISTS CASCADE ALIASES WAIT");
    expect(cypher).toContain(
      `CREATE DATABASE \`neo4j\` OPTIONS {existingData: 'use', ${option}: '{seederId}'} WAIT`,
    );
    // After a DROP the database is new: no --overwrite-destination, which is unsafe in a cluster.
    expect(plan.steps[4]).toMatchObject({
      args: expect.not.arrayContaining(["--overwrite-destination=true"]),
    });
    expect(plan.steps[6]).toMatchObject({ path: "/data/scripts/neo4j/restore_metadata.cypher" });
  });

  it("writes every statement Neo4j's parser accepts, with the seeder id filled in", () => {
    const id = "8512c9b9-d9e8-48e6-b037-b15b0004ca18";
    for (const r of [
      request("5.26"),
      request("2025.04"),
      request("5.23"),
      request("5.26", { method: "seeder" }),
    ])
      for (const statement of statements(r)) {
        const errors = lintCypherQuery(fillCaptured(statement, { seederId: id }), {}).diagnostics.filter(
          (d) => d.severity === 1 && !/Parameter \$\w+ is not defined/.test(String(d.message)),
        );
        expect([statement, errors]).toEqual([statement, []]);
      }
  });

  it("prints every step with the command it runs, one copy per artifact of the chain", () => {
    const text = describePlan(planRestore(request("5.26")));
    expect(text).toContain(`Restore neo4j from ${NEWEST} (cluster, recreated from one member):`);
    expect(text).toContain(
      "docker cp backups-runner:/backups/neo4j-2026-11-21T03-00-00.backup - | docker cp -a - core-1:/data/restore-staging/neo4j",
    );
    expect(text).toContain(`docker cp backups-runner:/backups/${NEWEST} -`);
    expect(text).not.toContain("neo4j-2026-11-20");
    expect(text).toContain("docker exec --user neo4j core-1 neo4j-admin database restore");
    expect(text).toContain("until every row is online");
    expect(text.split("\n").filter((l) => /^ {2}\d+\. /.test(l))).toHaveLength(7);
  });

  it("refuses the system database, an unknown seeder, a bad name and recreate before 5.24", () => {
    expect(() => planRestore(request("5.26", { database: "system" }))).toThrow(
      "restores user databases only",
    );
    expect(() => planRestore(request("5.26", { seeder: "core-9" }))).toThrow("seeder core-9 is not a member");
    expect(() => planRestore(request("5.26", { database: "x`y" }))).toThrow("is not a Neo4j database name");
    expect(() => planRestore(request("5.23", { method: "recreate" }))).toThrow(
      "the recreate method needs Neo4j 5.24 or later",
    );
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
        "--neo4j-version",
        "5.26",
        "--database",
        "neo4j",
        "--method",
        "seeder",
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
      neo4jVersion: { major: 5, minor: 26 },
      artifact: undefined,
      seeder: undefined,
      method: "seeder",
      source: "volume",
      yes: false,
      dryRun: true,
    });
    expect(() => parseCliArgs(["--runner", "r"])).toThrow("--members is required");
    expect(() => parseCliArgs(["--members", "core-1"])).toThrow();
    const base = ["--runner", "r", "--members", "a=b:1", "--bolt", "x", "--database", "neo4j"];
    expect(() => parseCliArgs(base)).toThrow("--neo4j-version is required");
    expect(() => parseCliArgs([...base, "--neo4j-version", "5.26", "--method", "drop"])).toThrow(
      "--method is recreate or seeder",
    );
  });
});
