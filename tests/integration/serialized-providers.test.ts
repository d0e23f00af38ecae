import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";
import { adminProvider } from "../../components/lifecycle/admin";
import { rbacProvider } from "../../components/rbac/provider";
import { checkRbacSpec } from "../../components/rbac/spec";
import { canLogIn, createUser, neo4jTestTarget } from "../helpers/neo4j-target";

/**
 * The dynamic providers as Pulumi runs them: serialized to the text of a closure and rebuilt from
 * it (`requireFromString(text).handler()`, as Pulumi's Node dynamic-provider host does), then run
 * against the real Neo4j of the test run. What the closure serializer drops (a class's field
 * initializers, say) fails here, not at a user's first `pulumi up`.
 */
const target = neo4jTestTarget();

async function rebuilt(provider: pulumi.dynamic.ResourceProvider): Promise<pulumi.dynamic.ResourceProvider> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider);
  // The loader Pulumi's host uses; it ships with @pulumi/pulumi, untyped.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFromString = require("require-from-string") as (code: string) => {
    handler: () => pulumi.dynamic.ResourceProvider;
  };
  return requireFromString(text).handler();
}

const secret = (label: string) => `${label}-${randomBytes(8).toString("hex")}`;

beforeEach(() => jest.spyOn(console, "log").mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

describe("the providers rebuilt from their serialized text", () => {
  it("RbacPolicy's creates a user and removes it", async () => {
    const provider = await rebuilt(rbacProvider);
    const name = `rebuilt_${randomBytes(3).toString("hex")}`;
    const password = secret("pw");
    const desired = checkRbacSpec("rebuilt", { users: [{ name, password }] });
    const { id, outs } = await provider.create!({
      resourceName: "rebuilt",
      uri: target.uri,
      username: target.username,
      adminPassword: target.password,
      users: desired.users,
      roles: desired.roles,
      passwords: [{ name, password }],
      waitTimeoutSeconds: 30,
    });
    expect(await canLogIn(target.uri, name, password)).toBe(true);
    await provider.delete!(id, outs);
    expect(await canLogIn(target.uri, name, password)).toBe(false);
  });

  it("the admin password's rotates a password", async () => {
    const provider = await rebuilt(adminProvider);
    const user = `rebuilt_admin_${randomBytes(3).toString("hex")}`;
    const [first, second] = [secret("first"), secret("second")];
    await createUser(user, first);
    const olds = {
      resourceName: "core",
      target: { scheme: "bolt", addresses: [target.uri.replace(/^bolt:\/\//, "")], username: user },
      adminPassword: first,
      initialPassword: first,
      waitTimeoutSeconds: 30,
    };
    await provider.update!("id", olds, { ...olds, adminPassword: second });
    expect(await canLogIn(target.uri, user, first)).toBe(false);
    expect(await canLogIn(target.uri, user, second)).toBe(true);
  });
});
