import { AdminInputs, adminProvider, rotationFailure } from "../../components/lifecycle/admin";
import { GateInputs, ServersInputs, gateProvider, serversProvider } from "../../components/lifecycle/members";
import { RecordInputs, recordProvider } from "../../components/lifecycle/record";

/**
 * The lifecycle providers' methods that need no DBMS: what `check` refuses and carries forward,
 * what `diff` reports to the preview. The ones that talk to Neo4j run against a real server in
 * tests/integration/lifecycle-admin.test.ts and on real engines in tests/real and tests/e2e.
 */

const formation = { seeds: ["core-1", "core-2", "core-3"], primaries: 3, secondaries: 0 };
const primaries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `core-${i + 1}`, mode: "PRIMARY" as const }));
const record = (image: string, members = primaries(3), discovery: "v1" | "v2" = "v1"): RecordInputs => ({
  resourceName: "core",
  shape: {
    image,
    neo4jVersion: image.split(":")[1].split("-")[0],
    edition: "enterprise",
    clustered: true,
    discovery,
  },
  members,
  formation: {
    seeds: members.filter((m) => m.mode === "PRIMARY").map((m) => m.name),
    primaries: members.length,
    secondaries: 0,
  },
});

let logged: string[];
beforeEach(() => {
  logged = [];
  jest.spyOn(console, "log").mockImplementation((line: string) => void logged.push(line));
});
afterEach(() => jest.restoreAllMocks());

describe("the record's provider", () => {
  it("records the formation at the first deployment and carries it forward ever after", async () => {
    const first = await recordProvider.check!({}, record("neo4j:5.26-enterprise"));
    expect(first.failures).toEqual([]);
    expect(first.inputs.formation).toEqual(formation);
    const later = await recordProvider.check!(first.inputs, record("neo4j:5.26-enterprise", primaries(5)));
    expect(later.failures).toEqual([]);
    expect(later.inputs.formation).toEqual(formation);
  });

  it("refuses at check, so at preview, what Neo4j cannot do in place, with the way there", async () => {
    const deployed = (await recordProvider.check!({}, record("neo4j:5.26-enterprise"))).inputs;
    const upgrade = await recordProvider.check!(
      deployed,
      record("neo4j:2025.01-enterprise", primaries(3), "v2"),
    );
    expect(upgrade.failures).toHaveLength(1);
    expect(upgrade.failures![0].property).toBe("");
    expect(upgrade.failures![0].reason).toMatch(
      /still runs discovery v1, and discovery v1 is gone from 2025.01 on\nThe way there:\n {2}1\. set discovery: "v1-over-v2"/,
    );
    const shrink = await recordProvider.check!(deployed, record("neo4j:5.26-enterprise", primaries(2)));
    expect(shrink.failures![0].reason).toMatch(/removing core-3 cannot be applied to the running cluster/);
  });

  it("says in the preview how an allowed change is applied, and reports no change when nothing relevant changes", async () => {
    const olds = (await recordProvider.check!({}, record("neo4j:5.26.0-enterprise"))).inputs as RecordInputs;
    const news = (await recordProvider.check!(olds, record("neo4j:5.26.1-enterprise", primaries(4))))
      .inputs as RecordInputs;
    expect(await recordProvider.diff!("id", olds, news)).toEqual({ changes: true });
    expect(logged).toEqual([
      'Neo4jCluster "core": Neo4j 5.26.0 -> 5.26.1 is a patch upgrade, which Neo4j supports as a rolling upgrade: members are replaced one at a time, each back in the cluster before the next',
      'Neo4jCluster "core": core-4 (PRIMARY) is added: created, then enabled in the cluster once it joins; no existing member changes',
    ]);
    expect(await recordProvider.diff!("id", olds, olds)).toEqual({ changes: false });
  });
});

describe("the admin password's provider", () => {
  const admin = (adminPassword: string, initialPassword = adminPassword): AdminInputs => ({
    resourceName: "core",
    target: { scheme: "neo4j", addresses: ["localhost:7688"], username: "neo4j" },
    adminPassword,
    initialPassword,
    waitTimeoutSeconds: 60,
  });

  it("keeps the password the members were created with, whatever the admin password becomes", async () => {
    const first = (await adminProvider.check!({}, admin("first-password"))).inputs;
    expect(first.initialPassword).toBe("first-password");
    const next = (await adminProvider.check!(first, admin("second-password"))).inputs;
    expect(next).toMatchObject({ adminPassword: "second-password", initialPassword: "first-password" });
  });

  it("says the password rotates and shows no value", async () => {
    const diff = await adminProvider.diff!(
      "id",
      admin("first-password"),
      admin("second-password", "first-password"),
    );
    expect(diff).toEqual({ changes: true });
    expect(logged).toEqual([
      'Neo4jCluster "core": the password of "neo4j" rotates in the running DBMS (ALTER CURRENT USER SET PASSWORD, with the previous one from state); no member is replaced',
    ]);
    expect(logged.join("\n")).not.toMatch(/first-password|second-password/);
    expect(await adminProvider.diff!("id", admin("same-password"), admin("same-password"))).toEqual({
      changes: false,
    });
  });

  it("explains a failed rotation without quoting a password, and what to do", () => {
    const refused = rotationFailure(admin("second-password"), {
      code: "Neo.ClientError.Security.Unauthorized",
      message: "bad",
    });
    expect(refused.message).toMatch(
      /refuses both the password Pulumi last set and the new one, so it was changed outside this program/,
    );
    const down = rotationFailure(admin("second-password"), {
      code: "ServiceUnavailable",
      message: "Could not connect",
    });
    expect(down.message).toMatch(
      /Nothing changed: the previous password still works, and Pulumi keeps using it/,
    );
    expect(down.message).toMatch(/Make sure Neo4j answers at localhost:7688/);
    for (const e of [refused, down]) expect(e.message).not.toContain("second-password");
  });
});

describe("the rollout gate's and the servers resource's providers", () => {
  const member = {
    name: "core-2",
    mode: "PRIMARY" as const,
    boltAddress: "localhost:7689",
    dataVolume: "core-2-data",
  };
  const connected = {
    resourceName: "core",
    target: { scheme: "neo4j" as const, addresses: ["localhost:7688", "localhost:7689"], username: "neo4j" },
    adminPassword: "password",
    waitTimeoutSeconds: 600,
    wait: true,
  };
  const gate = (containerId: string, over: Partial<GateInputs> = {}): GateInputs => ({
    ...connected,
    member,
    containerId,
    ...over,
  });

  it("a gate changes when its member's container is replaced, and says the next member waits; a new password alone changes nothing", async () => {
    expect(await gateProvider.diff!("id", gate("a"), gate("b"))).toEqual({ changes: true });
    expect(logged).toEqual([
      'Neo4jCluster "core": core-2 is replaced; the next member waits until core-2 is an enabled, available server again and every database is hosted where Neo4j wants it',
    ]);
    expect(await gateProvider.diff!("id", gate("a"), gate("a", { adminPassword: "rotated" }))).toEqual({
      changes: false,
    });
  });

  it("the servers resource changes when members come or go, not when the password does", async () => {
    const servers = (
      members: ServersInputs["members"],
      over: Partial<ServersInputs> = {},
    ): ServersInputs => ({
      ...connected,
      members,
      ...over,
    });
    const three = [1, 2, 3].map((n) => ({
      ...member,
      name: `core-${n}`,
      boltAddress: `localhost:${7687 + n}`,
    }));
    expect(await serversProvider.diff!("id", servers(three), servers(three.slice(0, 2)))).toEqual({
      changes: true,
    });
    expect(
      await serversProvider.diff!("id", servers(three), servers(three, { adminPassword: "rotated" })),
    ).toEqual({
      changes: false,
    });
  });
});
