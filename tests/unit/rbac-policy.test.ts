import * as pulumi from "@pulumi/pulumi";
import { byType, recordResources, settle, unwrapSecretInput } from "./support/pulumi-mocks";

const recorded = recordResources();

// Imported after setMocks so the component registers against the mock runtime.
import { RbacPolicy, RBAC_POLICY_TYPE } from "../../components/rbac-policy";

describe("RbacPolicy under the mock runtime", () => {
  it("registers one dynamic resource with the normalised spec, passwords only as secrets", async () => {
    new RbacPolicy("access", {
      uri: "neo4j://localhost:7688",
      adminUsername: "neo4j",
      adminPassword: pulumi.output("admin-secret-password"),
      roles: [{ name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j", "READ {*} ON GRAPH neo4j"] }],
      users: [{ name: "alice", password: pulumi.secret("alice-secret-password"), roles: ["analyst"] }],
    });
    await settle();

    expect(byType(recorded, RBAC_POLICY_TYPE)).toHaveLength(1);
    const [policy] = byType(recorded, "pulumi-nodejs:dynamic:Resource");
    expect(policy.name).toBe("access-policy");
    expect(policy.inputs.users).toEqual([
      { name: "alice", roles: ["analyst"], passwordChangeRequired: false, suspended: false },
    ]);
    expect(policy.inputs.roles).toEqual([
      {
        name: "analyst",
        privileges: [
          "GRANT READ {*} ON GRAPH `neo4j` NODE *",
          "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP *",
          "GRANT TRAVERSE ON GRAPH `neo4j` NODE *",
          "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP *",
        ],
      },
    ]);
    expect(unwrapSecretInput(policy.inputs.adminPassword)).toBe("admin-secret-password");
    expect(unwrapSecretInput(policy.inputs.passwords)).toEqual([
      { name: "alice", password: "alice-secret-password" },
    ]);

    // The provider is serialized into state as a closure: it must carry no password.
    const provider = String(policy.inputs.__provider);
    expect(provider.length).toBeGreaterThan(0);
    expect(provider).not.toContain("secret-password");
  });

  it("passes users named like JavaScript object keys through Pulumi's wire format intact", async () => {
    const names = ["__proto__", "constructor", "toString"];
    new RbacPolicy("keys", {
      uri: "neo4j://localhost:7688",
      adminUsername: "neo4j",
      adminPassword: "admin-secret-password",
      users: names.map((name) => ({ name, password: pulumi.secret(`${name}-secret-password`) })),
    });
    await settle();
    const policy = byType(recorded, "pulumi-nodejs:dynamic:Resource").find((r) => r.name === "keys-policy")!;
    expect((policy.inputs.users as { name: string }[]).map((u) => u.name)).toEqual([
      "__proto__",
      "constructor",
      "toString",
    ]);
    expect(unwrapSecretInput(policy.inputs.passwords)).toEqual(
      names.map((name) => ({ name, password: `${name}-secret-password` })),
    );
  });

  it.each([
    [
      "declares the user it connects as",
      { adminUsername: "ops", users: [{ name: "ops", password: "ops-password" }] },
      'RbacPolicy "bad": users[0].name "ops" is the user RbacPolicy connects as (adminUsername)',
    ],
    [
      "suspends neo4j",
      { adminUsername: "ops", users: [{ name: "neo4j", password: "neo4j-password", suspended: true }] },
      'RbacPolicy "bad": users[0].suspended must not be true for "neo4j"',
    ],
    [
      "sets a password too long to log in with",
      { users: [{ name: "dan", password: "x".repeat(9000) }] },
      'RbacPolicy "bad": users[0].password is too long to log in with',
    ],
  ])("refuses a policy that %s before registering anything", (_, args, message) => {
    const before = recorded.length;
    const failure = () =>
      new RbacPolicy("bad", {
        uri: "bolt://localhost:7687",
        adminUsername: "neo4j",
        adminPassword: "x",
        ...args,
      });
    expect(failure).toThrow(message);
    expect(failure).not.toThrow(/xxxx|neo4j-password|ops-password/);
    expect(recorded.length).toBe(before);
  });

  it("refuses a bad spec before registering anything, naming the field", () => {
    const before = recorded.length;
    expect(
      () =>
        new RbacPolicy("bad", {
          uri: "bolt://localhost:7687",
          adminUsername: "neo4j",
          adminPassword: "x",
          roles: [{ name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j TO everyone"] }],
        }),
    ).toThrow(
      'RbacPolicy "bad": roles[0].privileges[0] "TRAVERSE ON GRAPH neo4j TO everyone" has unexpected text after the scope',
    );
    expect(recorded.length).toBe(before);
  });
});
