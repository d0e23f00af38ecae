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
    expect(unwrapSecretInput(policy.inputs.passwords)).toEqual({ alice: "alice-secret-password" });

    // The provider is serialized into state as a closure: it must carry no password.
    const provider = String(policy.inputs.__provider);
    expect(provider.length).toBeGreaterThan(0);
    expect(provider).not.toContain("secret-password");
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
