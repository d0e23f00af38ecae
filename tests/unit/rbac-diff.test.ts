import { PolicyProperties, UNKNOWN_INPUT, diffPolicy } from "../../components/rbac/diff";
import { passwordHash } from "../../components/rbac/engine";
import { RbacProviderInputs, RbacProviderOutputs, diffRbac } from "../../components/rbac/provider";
import { RbacSpec, checkRbacSpec } from "../../components/rbac/spec";

const CONNECTION = {
  uri: "neo4j://localhost:7688",
  username: "neo4j",
  adminPassword: "admin-secret-password",
  waitTimeoutSeconds: 300,
};

/** The seed's roles, as a user writes them. */
const ROLES = [
  { name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j", "READ {*} ON GRAPH neo4j"] },
  {
    name: "developer",
    privileges: ["TRAVERSE ON GRAPH neo4j", "READ {*} ON GRAPH neo4j", "WRITE ON GRAPH neo4j"],
  },
];

const USERS = [
  { name: "alice", password: "alice-secret-password", roles: ["analyst"] },
  { name: "bob", password: "bob-secret-password", roles: ["developer"] },
  { name: "carol", password: "carol-secret-password", roles: ["reader"], passwordChangeRequired: true },
];

/** The dynamic resource's properties for a spec, in the normalised form the component passes. */
const properties = (spec: RbacSpec, connection: Partial<PolicyProperties> = {}): PolicyProperties => ({
  ...CONNECTION,
  ...checkRbacSpec("access", spec),
  passwords: (spec.users ?? []).map((u) => ({ name: u.name })),
  ...connection,
});

const diff = (olds: RbacSpec, news: RbacSpec, passwordChanges: string[] = []) =>
  diffPolicy(properties(olds), properties(news), passwordChanges);

const withUsers = (users: RbacSpec["users"]): RbacSpec => ({ roles: ROLES, users });
const SEED = withUsers(USERS);

describe("the preview's detailed diff (pure)", () => {
  it("reports nothing for the same spec, reordered or with privileges reworded to the same rows", () => {
    expect(diff(SEED, SEED)).toEqual({ detailedDiff: {}, summary: [] });
    const reworded: RbacSpec = {
      roles: [
        {
          name: "developer",
          privileges: [
            "write on graph neo4j",
            "READ {*} ON GRAPH `neo4j` ELEMENTS *",
            "TRAVERSE ON GRAPH `neo4j` NODES *",
            "TRAVERSE ON GRAPH neo4j RELATIONSHIPS *",
          ],
        },
        { name: "analyst", privileges: ["READ {*} ON GRAPHS neo4j", "TRAVERSE ON GRAPH `neo4j` ELEMENTS *"] },
      ],
      users: [...USERS].reverse(),
    };
    expect(diff(SEED, reworded)).toEqual({ detailedDiff: {}, summary: [] });
  });

  it("adds a user at its new index and drops one at its old index", () => {
    const added = diff(withUsers([USERS[0], USERS[2]]), SEED);
    expect(added.detailedDiff).toEqual({ "users[1]": { kind: "ADD", inputDiff: true } });
    expect(added.summary).toEqual(['user "bob" is created with roles developer']);

    const dropped = diff(SEED, withUsers([USERS[0], USERS[1]]));
    expect(dropped.detailedDiff).toEqual({ "users[2]": { kind: "DELETE", inputDiff: true } });
    expect(dropped.summary).toEqual(['user "carol" is dropped']);

    const first = diff(SEED, withUsers([USERS[1], USERS[2]]));
    expect(first.detailedDiff).toEqual({ "users[0]": { kind: "DELETE", inputDiff: true } });
  });

  it("reports a dropped user and an added one at the same index as an update of that element", () => {
    const result = diff(
      withUsers([USERS[0], USERS[1]]),
      withUsers([USERS[0], { ...USERS[1], name: "bobby" }]),
    );
    expect(result.detailedDiff).toEqual({ "users[1]": { kind: "UPDATE", inputDiff: true } });
    expect(result.summary).toEqual(['user "bobby" is created with roles developer', 'user "bob" is dropped']);
  });

  it("names each changed field of a kept user, and a password change without its value", () => {
    const changed: RbacSpec = {
      roles: ROLES,
      users: [
        { ...USERS[0], roles: ["analyst", "reader"] },
        { ...USERS[1], suspended: true },
        { ...USERS[2], passwordChangeRequired: false, password: "carol-new-secret-password" },
      ],
    };
    const result = diff(SEED, changed, ["carol"]);
    expect(result.detailedDiff).toEqual({
      "users[0].roles": { kind: "UPDATE", inputDiff: true },
      "users[1].suspended": { kind: "UPDATE", inputDiff: true },
      "users[2].passwordChangeRequired": { kind: "UPDATE", inputDiff: true },
      "passwords[2]": { kind: "UPDATE", inputDiff: true },
    });
    expect(result.summary).toEqual([
      'user "alice": roles analyst -> analyst, reader',
      'user "bob": suspended false -> true',
      'user "carol": passwordChangeRequired true -> false',
      'user "carol": the password changes',
    ]);
    expect(JSON.stringify(result)).not.toContain("secret");
  });

  it("reports each privilege row granted or revoked, new rows at new indices, revoked rows at old ones", () => {
    const olds: RbacSpec = { roles: ROLES };
    const news: RbacSpec = {
      roles: [
        { name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j", "READ {*} ON GRAPH neo4j NODES *"] },
        {
          name: "developer",
          privileges: [...ROLES[1].privileges, "DENY DELETE ON GRAPH neo4j NODES Secret"],
        },
      ],
    };
    const result = diff(olds, news);
    // developer's rows sort as: DENY DELETE …, GRANT READ … NODE, … RELATIONSHIP, GRANT TRAVERSE …, GRANT WRITE.
    expect(result.detailedDiff).toEqual({
      "roles[0].privileges[1]": { kind: "DELETE", inputDiff: true },
      "roles[1].privileges[0]": { kind: "ADD", inputDiff: true },
    });
    expect(result.summary).toEqual([
      'role "analyst": - GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP *',
      'role "developer": + DENY DELETE ON GRAPH `neo4j` NODE `Secret`',
    ]);
  });

  it("indexes a revoked row by its role's old position when roles move", () => {
    const olds: RbacSpec = {
      roles: [{ name: "b_role", privileges: ["WRITE ON GRAPH neo4j", "ACCESS ON DATABASE neo4j"] }],
    };
    const news: RbacSpec = {
      roles: [
        { name: "a_role", privileges: ["ACCESS ON DATABASE neo4j"] },
        { name: "b_role", privileges: ["ACCESS ON DATABASE neo4j"] },
      ],
    };
    expect(diff(olds, news).detailedDiff).toEqual({
      "roles[0]": { kind: "ADD", inputDiff: true },
      "roles[0].privileges[1]": { kind: "DELETE", inputDiff: true },
    });
  });

  it("adds and drops whole roles", () => {
    const result = diff(
      { roles: ROLES },
      { roles: [ROLES[1], { name: "auditor", privileges: ["SHOW USER ON DBMS"] }] },
    );
    expect(result.detailedDiff).toEqual({
      "roles[0]": { kind: "UPDATE", inputDiff: true },
    });
    expect(result.summary).toEqual([
      'role "auditor" is created with 1 privilege',
      'role "analyst" is dropped',
    ]);
    expect(diff({ roles: [ROLES[0]] }, {}).detailedDiff).toEqual({
      "roles[0]": { kind: "DELETE", inputDiff: true },
    });
  });

  it("reports connection changes as updates, the admin password by name only", () => {
    const olds = properties(SEED);
    const news = properties(SEED, {
      uri: "neo4j://other:7687",
      username: "dba",
      adminPassword: "other-admin-secret",
      waitTimeoutSeconds: 60,
    });
    const result = diffPolicy(olds, news, []);
    expect(result.detailedDiff).toEqual({
      uri: { kind: "UPDATE", inputDiff: true },
      username: { kind: "UPDATE", inputDiff: true },
      adminPassword: { kind: "UPDATE", inputDiff: true },
      waitTimeoutSeconds: { kind: "UPDATE", inputDiff: true },
    });
    expect(result.summary[0]).toBe(
      "target neo4j://localhost:7688 -> neo4j://other:7687: the policy is applied there; the old DBMS is left as it is",
    );
    expect(JSON.stringify(result)).not.toContain("secret");
  });

  it("treats state without users or roles (an older provider's) as empty", () => {
    const connection: Partial<PolicyProperties> = { ...CONNECTION };
    expect(diffPolicy(connection, properties(withUsers([USERS[0]])), []).detailedDiff).toEqual({
      "roles[0]": { kind: "ADD", inputDiff: true },
      "roles[1]": { kind: "ADD", inputDiff: true },
      "users[0]": { kind: "ADD", inputDiff: true },
    });
  });
});

describe("the provider's diff", () => {
  const inputsOf = (spec: RbacSpec, passwords: Record<string, string>): RbacProviderInputs => ({
    resourceName: "access",
    ...properties(spec),
    passwords: (spec.users ?? []).map((u) => ({ name: u.name, password: passwords[u.name] })),
  });
  const outputsOf = (spec: RbacSpec, passwords: Record<string, string>): RbacProviderOutputs => {
    const hashes = Object.entries(passwords).map(([name, p]) => ({ name, hash: passwordHash(name, p) }));
    return { resourceName: "access", ...properties(spec, { passwords: undefined }), passwordHashes: hashes };
  };
  const PASSWORDS = Object.fromEntries(USERS.map((u) => [u.name, u.password]));

  it("finds password changes from the stored hashes and never replaces, not even for a new uri", () => {
    const olds = outputsOf(SEED, PASSWORDS);
    expect(diffRbac(olds, inputsOf(SEED, PASSWORDS))).toEqual({
      changes: false,
      detailedDiff: {},
      summary: [],
    });

    const rotated = diffRbac(olds, inputsOf(SEED, { ...PASSWORDS, bob: "bob-rotated-secret" }));
    expect(rotated.changes).toBe(true);
    expect(rotated.detailedDiff).toEqual({ "passwords[1]": { kind: "UPDATE", inputDiff: true } });
    expect(JSON.stringify(rotated)).not.toContain("secret");

    const moved = diffRbac(olds, { ...inputsOf(SEED, PASSWORDS), uri: "neo4j://elsewhere:7687" });
    expect(moved.changes).toBe(true);
    expect(moved.replaces).toBeUndefined();
    expect(moved.deleteBeforeReplace).toBeUndefined();
    expect(moved.detailedDiff).toEqual({ uri: { kind: "UPDATE", inputDiff: true } });
  });

  it("says a URI, login or password the engine will only know after apply is recomputed, and never prints its placeholder", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const unknown = (require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string }).unknownValue;
    expect(unknown).toBe(UNKNOWN_INPUT);
    const olds = outputsOf(SEED, PASSWORDS);
    const news = inputsOf(SEED, PASSWORDS);
    const replaced = diffRbac(olds, {
      ...news,
      uri: unknown,
      adminPassword: unknown,
      passwords: news.passwords.map((p) => (p.name === "bob" ? { ...p, password: unknown } : p)),
    });
    expect(replaced.summary).toEqual([
      "target neo4j://localhost:7688: the URI is recomputed because the cluster changes",
      "the admin password is recomputed because the cluster changes",
      'user "bob": the password is recomputed',
    ]);
    expect(replaced.detailedDiff).toEqual({
      uri: { kind: "UPDATE", inputDiff: true },
      adminPassword: { kind: "UPDATE", inputDiff: true },
      "passwords[1]": { kind: "UPDATE", inputDiff: true },
    });
    expect(JSON.stringify(replaced)).not.toContain(unknown);
    expect(JSON.stringify(replaced)).not.toMatch(/applied there|left as it is/);
  });

  it("reads hashes stored by earlier versions, as an object keyed by user name", () => {
    const olds = outputsOf(SEED, PASSWORDS);
    const legacy = {
      ...olds,
      passwordHashes: Object.fromEntries(olds.passwordHashes.map((h) => [h.name, h.hash])),
    } as unknown as RbacProviderOutputs;
    expect(diffRbac(legacy, inputsOf(SEED, PASSWORDS)).changes).toBe(false);
  });

  it("compares users named like JavaScript object keys by name, like any other", () => {
    const names = ["constructor", "__proto__", "toString"];
    const spec = withUsers(names.map((name) => ({ name, password: `${name}-password` })));
    const passwords = new Map(names.map((name) => [name, `${name}-password`]));
    const olds = outputsOf(spec, Object.fromEntries(passwords));
    // Object.fromEntries keeps "__proto__" as an own key; the provider's lists never rely on that.
    expect(olds.passwordHashes.map((h) => h.name).sort()).toEqual([...names].sort());
    expect(diffRbac(olds, inputsOf(spec, Object.fromEntries(passwords))).changes).toBe(false);
    const rotated = inputsOf(spec, { ...Object.fromEntries(passwords), constructor: "new-password" });
    expect(diffRbac(olds, rotated).summary).toEqual(['user "constructor": the password changes']);
  });

  it("says that a removed neo4j user is left in place, not dropped", () => {
    const neo4j = { name: "neo4j", password: "neo4j-password" };
    const olds = outputsOf(withUsers([neo4j]), { neo4j: neo4j.password });
    expect(diffRbac(olds, inputsOf(withUsers([]), {})).summary).toEqual([
      'user "neo4j" is no longer managed; it is left as it is (RbacPolicy never drops the built-in user)',
    ]);
  });

  it("lists a new user once, not also as a password change", () => {
    const olds = outputsOf(withUsers([USERS[0]]), { alice: USERS[0].password });
    expect(Object.keys(diffRbac(olds, inputsOf(SEED, PASSWORDS)).detailedDiff)).toEqual([
      "users[1]",
      "users[2]",
    ]);
  });
});
