import fc from "fast-check";
import neo4j from "neo4j-driver";
import { cypherNameProblem, quoteName } from "../../components/neo4j/cypher";
import { userNameProblem } from "../../components/rbac/cypher";
import { planRbac } from "../../components/rbac/planner";
import { expandPrivilege } from "../../components/rbac/privileges";
import { RbacProviderInputs, RbacProviderOutputs, rbacProvider } from "../../components/rbac/provider";
import { checkRbacSpec } from "../../components/rbac/spec";
import { PROPERTY_SEED, hostileLoginName, hostileName, hostilePassword } from "../helpers/hostile-names";
import { canLogIn, inputs, snapshot, target } from "../helpers/rbac-server";
import { BoltProxy, startBoltProxy } from "../helpers/tcp";

/**
 * The injection the issue found, tried the way an attacker would, with Neo4j 5.26 as the judge:
 * names from a hostile alphabet go through the same code as a policy's, and the server says what
 * it read. Seeded and bounded (see numRuns) so the suite stays fast and a failure reproduces.
 */

const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
afterAll(() => driver.close());

/** What Neo4j reads a Cypher name as: the column `RETURN 1 AS <name>` gives, or the error code. */
async function neo4jReads(name: string): Promise<{ keys: string[] } | { error: string }> {
  const session = driver.session({ database: "neo4j" });
  try {
    return { keys: [...(await session.run(`RETURN 1 AS ${name}`)).records[0].keys] as string[] };
  } catch (error) {
    return { error: (error as { code: string }).code };
  } finally {
    await session.close();
  }
}

/**
 * Sends an administration statement in a transaction that is rolled back, and returns Neo4j's
 * error code, or "ok": on Community a parsed GRANT is an unsupported command, a mangled one a
 * syntax error; on Enterprise it runs, and nothing is kept.
 */
async function neo4jRuns(statement: string, parameters: Record<string, string>): Promise<string> {
  const session = driver.session({ database: "system" });
  const tx = await session.beginTransaction();
  try {
    await tx.run(statement, parameters);
    return "ok";
  } catch (error) {
    return (error as { code: string }).code;
  } finally {
    if (tx.isOpen()) await tx.rollback().catch(() => undefined);
    await session.close();
  }
}

describe("Cypher names against the real Neo4j (property-based)", () => {
  it("quoteName: Neo4j reads exactly the name back, for every name it does not refuse", async () => {
    await fc.assert(
      fc.asyncProperty(hostileName, async (name) => {
        if (cypherNameProblem(name)) {
          expect(() => quoteName(name)).toThrow();
          return;
        }
        expect(await neo4jReads(quoteName(name))).toEqual({ keys: [name] });
      }),
      { seed: PROPERTY_SEED, numRuns: 200 },
    );
  }, 120_000);

  it("written privileges: a name the reader accepts is the name Neo4j reads, and its GRANT parses", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(hostileName, async (raw) => {
        let privileges;
        try {
          privileges = expandPrivilege("TRAVERSE ON GRAPH neo4j NODES `" + raw + "`");
        } catch {
          return; // refused before anything is sent
        }
        if (privileges.length !== 1) return; // the text held a list of names: not one name
        accepted++;
        const label = privileges[0].segment!.name;
        expect(await neo4jReads("`" + raw + "`")).toEqual({ keys: [label] });
        const code = await neo4jRuns(`${privileges[0].key} TO $role1`, { role1: "rbac_probe" });
        expect(code).not.toBe("Neo.ClientError.Statement.SyntaxError");
      }),
      { seed: PROPERTY_SEED, numRuns: 200 },
    );
    expect(accepted).toBeGreaterThan(20);
  }, 120_000);
});

describe("statements the planner writes, as the real Neo4j parses them", () => {
  it("every shape parses, with user and role names as parameters (rolled back, never kept)", async () => {
    const desired = checkRbacSpec("shapes", {
      roles: [
        { name: "analyst", privileges: ["TRAVERSE ON GRAPH neo4j", "IMPERSONATE (alice) ON DBMS"] },
        { name: "ops", privileges: ["USER MANAGEMENT ON DBMS"] },
      ],
      users: [
        { name: "alice", password: "x", roles: ["analyst", "reader"] },
        { name: "bob", password: "x", roles: ["ops"], suspended: true, passwordChangeRequired: true },
        { name: "carol", password: "x", roles: ["reader"] },
      ],
    });
    const user = (name: string, roles: string[], suspended = false) => ({
      name,
      roles,
      passwordChangeRequired: false,
      suspended,
    });
    const plan = planRbac({
      resourceName: "shapes",
      desired,
      actual: {
        edition: "enterprise",
        users: [
          user("neo4j", ["admin"]),
          user("bob", ["editor", "architect"]),
          user("carol", ["editor"], true),
          user("dave", []),
        ],
        roles: [
          { name: "ops", privileges: ["GRANT WRITE ON GRAPH `neo4j`"] },
          { name: "gone", privileges: [] },
        ],
      },
      managed: { users: ["dave"], roles: ["gone"] },
      passwordChanges: ["bob"],
      connectingUser: "neo4j",
    });
    const shapes = new Set(
      plan.map((s) =>
        s.text
          .replace(/\$\w+|`[^`]*`/g, "_")
          .split(" ")
          .slice(0, 3)
          .join(" "),
      ),
    );
    expect([...shapes].sort()).toEqual([
      "ALTER USER _",
      "CREATE ROLE _",
      "CREATE USER _",
      "DROP ROLE _",
      "DROP USER _",
      "GRANT IMPERSONATE (_)",
      "GRANT ROLE _",
      "GRANT ROLES _,",
      "GRANT TRAVERSE ON",
      "GRANT USER MANAGEMENT",
      "REVOKE GRANT WRITE",
      "REVOKE ROLE _",
      "REVOKE ROLES _,",
    ]);
    for (const statement of plan) {
      const parameters = { ...statement.parameters };
      for (const p of statement.passwords) parameters[p.parameter] = "a-password-of-some-length";
      const code = await neo4jRuns(statement.text, parameters);
      expect({ statement: statement.text, code }).not.toEqual({
        statement: statement.text,
        code: "Neo.ClientError.Statement.SyntaxError",
      });
    }
  }, 60_000);
});

describe("user names and passwords against the real Neo4j, through a counting proxy (property-based)", () => {
  const create = rbacProvider.create!.bind(rbacProvider);
  const remove = rbacProvider.delete!.bind(rbacProvider);
  let proxy: BoltProxy;

  beforeAll(async () => {
    proxy = await startBoltProxy(target.uri);
  });
  afterAll(() => proxy.close());

  /** Provider inputs as they would arrive without the component's validation: the name as given. */
  const unchecked = (name: string, password: string): RbacProviderInputs => ({
    ...inputs("hostile", []),
    uri: proxy.uri,
    users: [{ name, roles: [], passwordChangeRequired: false, suspended: false }],
    passwords: [{ name, password }],
  });

  const property = (names: fc.Arbitrary<string>) =>
    fc.asyncProperty(names, hostilePassword, async (name, password) => {
      const before = await snapshot();
      const connections = proxy.connections();
      const problem = userNameProblem(name);
      if (problem) {
        // Refused by the component before anything is registered, and by the provider before it connects.
        expect(() => checkRbacSpec("hostile", { users: [{ name, password }] })).toThrow(
          `RbacPolicy "hostile": users[0].name ${problem}`,
        );
        await expect(create(unchecked(name, password))).rejects.toThrow(`users[0].name ${problem}`);
        expect(proxy.connections()).toBe(connections);
        expect(await snapshot()).toEqual(before);
        return;
      }
      checkRbacSpec("hostile", { users: [{ name, password }] });
      const outs = (await create(unchecked(name, password))).outs as RbacProviderOutputs;
      const user = { name, roles: [], passwordChangeRequired: false, suspended: false };
      expect(await snapshot()).toEqual({
        ...before,
        users: [...before.users, JSON.stringify(user)].sort(),
      });
      expect(await canLogIn(name, password)).toBe(true);
      await remove("rbac-hostile", outs);
      expect(await snapshot()).toEqual(before);
    });

  it("any name: accepted ⇒ exactly that user and nothing else; refused ⇒ before any connection", async () => {
    await fc.assert(property(hostileName), { seed: PROPERTY_SEED, numRuns: 40 });
  }, 120_000);

  it("names Neo4j's rule allows (backticks, backslashes, \\u escapes, quotes): created exactly as named", async () => {
    await fc.assert(property(hostileLoginName), { seed: PROPERTY_SEED, numRuns: 40 });
  }, 120_000);
});
