import { RbacProviderOutputs, rbacProvider } from "../../components/rbac/provider";
import { freePort } from "../helpers/neo4j-test-server";
import { admin, canLogIn, inputs, snapshot, userNames as allUserNames } from "../helpers/rbac-server";

/** The users this file makes (and neo4j): other test files share the server and add their own. */
const userNames = async () =>
  (await allUserNames()).filter((n) => ["neo4j", "lost1", "lost2", "unsaved", "mover"].includes(n));
import { BoltProxy, startBoltProxy } from "../helpers/tcp";

/**
 * Re-apply converges from every start state a failed or forgotten run can leave, against the real
 * server: the DBMS already holds the users with the desired passwords, and the state does not know.
 */
describe("re-applying RbacPolicy after an outcome was lost, against a real Neo4j", () => {
  const create = rbacProvider.create!.bind(rbacProvider);
  const update = rbacProvider.update!.bind(rbacProvider);
  const remove = rbacProvider.delete!.bind(rbacProvider);
  let proxy: BoltProxy;

  beforeAll(async () => {
    proxy = await startBoltProxy(inputs("x", []).uri);
  });
  afterAll(() => proxy.close());

  const through = <T extends { uri: string }>(props: T): T => ({ ...props, uri: proxy.uri });
  const logins = async (users: { name: string; password: string }[]) =>
    Promise.all(users.map((u) => canLogIn(u.name, u.password)));

  it("commit done but its reply lost: the run fails saying so, and the next one adopts what was done", async () => {
    const users = [
      { name: "lost1", password: "lost1-first-password" },
      { name: "lost2", password: "lost2-first-password", passwordChangeRequired: true },
    ];
    const spec = inputs("lost", users);
    proxy.loseNextCommitReply();
    await expect(create(through(spec))).rejects.toThrow(
      /the connection to Neo4j was lost while committing .*: the 2 changes may or may not have been applied\. Run the same command again/,
    );
    // Neo4j did commit: both users are there, with the desired passwords.
    expect(await userNames()).toEqual(["lost1", "lost2", "neo4j"]);
    expect(await logins(users.slice(0, 1))).toEqual([true]);

    // Pulumi recorded nothing for the failed create, so the next run is a create again.
    const outs = (await create(spec)).outs as RbacProviderOutputs;
    expect(await logins(users.slice(0, 1))).toEqual([true]);
    expect(outs.users.map((u) => [u.name, u.passwordChangeRequired])).toEqual([
      ["lost1", false],
      ["lost2", true],
    ]);

    // The same for an update: a rotation committed, its reply lost, the old state kept.
    const rotated = inputs("lost", [{ ...users[0], password: "lost1-second-password" }, users[1]]);
    proxy.loseNextCommitReply();
    await expect(update("rbac-lost", through(outs), through(rotated))).rejects.toThrow(
      /lost while committing/,
    );
    expect(await canLogIn("lost1", "lost1-second-password")).toBe(true);
    const after = (await update("rbac-lost", outs, rotated)).outs as RbacProviderOutputs;
    expect(await canLogIn("lost1", "lost1-second-password")).toBe(true);
    expect(await canLogIn("lost1", "lost1-first-password")).toBe(false);

    const before = await snapshot();
    expect((await update("rbac-lost", after, rotated)).outs).toEqual(after);
    expect(await snapshot()).toEqual(before);
    await remove("rbac-lost", after);
    expect(await userNames()).toEqual(["neo4j"]);
  });

  it("the process died after commit, or the state was not saved: the same create again succeeds", async () => {
    const users = [{ name: "unsaved", password: "unsaved-password" }];
    const spec = inputs("unsaved", users);
    await create(spec); // its outputs are lost with the process
    const before = await snapshot();
    const outs = (await create(spec)).outs as RbacProviderOutputs;
    expect(await snapshot()).toEqual(before);
    expect(await canLogIn("unsaved", "unsaved-password")).toBe(true);
    await remove("rbac-unsaved", outs);
    expect(await userNames()).toEqual(["neo4j"]);
  });

  it("moved to a uri whose DBMS already has the users with these passwords: adopted, not an error", async () => {
    await admin("CREATE USER $name SET PASSWORD $password CHANGE NOT REQUIRED", {
      name: "mover",
      password: "mover-password",
    });
    const spec = inputs("mover", [
      { name: "mover", password: "mover-password", passwordChangeRequired: true },
    ]);
    const olds: RbacProviderOutputs = {
      ...spec,
      uri: `bolt://127.0.0.1:${await freePort()}`,
      passwordHashes: [],
    };
    const outs = (await update("rbac-mover", olds, spec)).outs as RbacProviderOutputs;
    expect(outs.uri).toBe(spec.uri);
    expect(outs.users).toEqual(spec.users);
    expect(JSON.parse((await snapshot()).users.find((u) => u.includes('"mover"'))!)).toEqual(spec.users[0]);
    await remove("rbac-mover", outs);
    expect(await userNames()).toEqual(["neo4j"]);
  });
});
