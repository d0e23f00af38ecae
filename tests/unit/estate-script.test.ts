// eslint-disable-next-line @typescript-eslint/no-require-imports
const estate = require("../../scripts/estate.js");

type Result = { missing?: boolean; status: number | null; stdout: string; stderr: string };
const ok: Result = { status: 0, stdout: "", stderr: "" };
const runner =
  (answers: Record<string, Result>) =>
  (command: string): Result =>
    answers[command] ?? ok;

describe("the main job's prerequisite checks", () => {
  const licensed = { NEO4J_ACCEPT_LICENSE_AGREEMENT: "eval" };

  it("passes when Pulumi, a Docker daemon and the license acceptance are there", () => {
    expect(estate.checkPrerequisites(runner({}), licensed)).toEqual([]);
  });

  it("says how to install a missing Pulumi CLI instead of failing with a stack trace", () => {
    const problems = estate.checkPrerequisites(
      runner({ pulumi: { missing: true, status: null, stdout: "", stderr: "" } }),
      licensed,
    );
    expect(problems).toEqual([
      expect.stringMatching(/Pulumi CLI is not installed.*pulumi.com\/docs\/install/),
    ]);
  });

  it("tells a missing Docker CLI from a daemon that is not running", () => {
    expect(
      estate.checkPrerequisites(
        runner({ docker: { missing: true, status: null, stdout: "", stderr: "" } }),
        licensed,
      ),
    ).toEqual([expect.stringMatching(/Docker CLI is not installed/)]);
    expect(
      estate.checkPrerequisites(
        runner({ docker: { status: 1, stdout: "", stderr: "Cannot connect" } }),
        licensed,
      ),
    ).toEqual([expect.stringMatching(/Docker daemon is not reachable.*systemctl start docker/)]);
  });

  it("refuses to deploy Enterprise without an explicit license acceptance", () => {
    expect(estate.checkPrerequisites(runner({}), {})).toEqual([
      expect.stringMatching(/NEO4J_ACCEPT_LICENSE_AGREEMENT=eval/),
    ]);
    expect(estate.checkPrerequisites(runner({}), { NEO4J_ACCEPT_LICENSE_AGREEMENT: "no" })).toEqual([
      expect.stringMatching(/\(got "no"\)/),
    ]);
  });
});

describe("the main job's Pulumi environment", () => {
  it("uses a file backend inside the project and warns about the default passphrase", () => {
    const { env, warnings } = estate.pulumiEnvironment({}, "/repo");
    expect(env.PULUMI_BACKEND_URL).toBe("file:///repo/.pulumi-state");
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe(estate.DEFAULT_PASSPHRASE);
    expect(warnings).toEqual([expect.stringMatching(/well-known passphrase/)]);
  });

  it("keeps a backend and passphrase the user chose, without warning", () => {
    const { env, warnings } = estate.pulumiEnvironment(
      { PULUMI_BACKEND_URL: "s3://bucket", PULUMI_CONFIG_PASSPHRASE_FILE: "/secret" },
      "/repo",
    );
    expect(env.PULUMI_BACKEND_URL).toBe("s3://bucket");
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("prints where things are and how to read passwords, never the passwords", () => {
    const text = estate.summary(
      { boltUri: "neo4j://localhost:7688", grafanaUrl: "http://127.0.0.1:3000", adminPassword: "[secret]" },
      "file:///repo/.pulumi-state",
    );
    expect(text).toContain("neo4j://localhost:7688");
    expect(text).toContain("http://127.0.0.1:3000");
    expect(text).toContain("pulumi stack output adminPassword --show-secrets");
    expect(text).not.toContain("[secret]");
  });

  it("turns the stack's restore command into one that runs from this repository", () => {
    const text = estate.summary(
      { restoreCommand: "neo4j-estate-restore --runner neo4j-backups-runner --database <database>" },
      "file:///repo/.pulumi-state",
    );
    expect(text).toContain("npm run restore -- --runner neo4j-backups-runner --database <database>");
  });
});

describe("npm run down", () => {
  it("removes the members' data volumes Neo4jCluster kept through the destroy, and only the example's", () => {
    const calls: string[][] = [];
    const fake = (command: string, args: string[]): Result => {
      calls.push([command, ...args]);
      return args[1] === "ls" ? { status: 0, stdout: "neo4j-1-data\nneo4j-2-data\n", stderr: "" } : ok;
    };
    expect(estate.removeKeptDataVolumes(fake)).toEqual({ removed: ["neo4j-1-data", "neo4j-2-data"] });
    expect(calls).toEqual([
      [
        "docker",
        "volume",
        "ls",
        "--quiet",
        "--filter",
        "label=neo4j-estate.cluster=neo4j",
        "--filter",
        "label=neo4j-estate.member",
      ],
      ["docker", "volume", "rm", "neo4j-1-data", "neo4j-2-data"],
    ]);
    expect(estate.removeKeptDataVolumes(() => ok)).toEqual({ removed: [] });
  });
});
