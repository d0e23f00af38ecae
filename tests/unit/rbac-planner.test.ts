import { expandPrivilege, parsePrivilegeCommand } from "../../components/rbac/privileges";
import {
  ActualState,
  planRbac,
  rbacToCypher,
  rolesFromRows,
  userFromRow,
} from "../../components/rbac/planner";
import { RbacSpec, RbacState, checkRbacSpec, cypherSyntaxErrors } from "../../components/rbac/spec";
import { seedAccess } from "../../examples/rbac/seed";

/** The seed's "Authentication & Authorization" demo, exactly as examples/rbac deploys it. */
const SEED: RbacSpec = seedAccess({ alice: "alice-password", bob: "bob-password", carol: "carol-password" });

const keys = (clause: string) => expandPrivilege(clause).map((p) => p.key);

const enterprise = (state: Partial<ActualState> = {}): ActualState => ({
  edition: "enterprise",
  users: [],
  roles: [],
  ...state,
});

/** Actual state after a plan succeeded: what Neo4j would then report for the managed users and roles. */
const applied = (desired: RbacState, base: ActualState): ActualState =>
  structuredClone({
    edition: base.edition,
    users: [...base.users.filter((u) => !desired.users.some((d) => d.name === u.name)), ...desired.users],
    roles: [...base.roles.filter((r) => !desired.roles.some((d) => d.name === r.name)), ...desired.roles],
  });

const plan = (desired: RbacState, actual: ActualState, extra: Partial<Parameters<typeof planRbac>[0]> = {}) =>
  planRbac({
    resourceName: "access",
    desired,
    actual,
    managed: { users: desired.users.map((u) => u.name), roles: desired.roles.map((r) => r.name) },
    passwordChanges: [],
    connectingUser: "neo4j",
    ...extra,
  }).map((s) => s.display);

describe("privilege normalisation (the form SHOW ROLE r PRIVILEGES AS COMMANDS reports)", () => {
  it("splits TRAVERSE and READ on a graph into NODE * and RELATIONSHIP * rows, names backticked", () => {
    expect(keys("TRAVERSE ON GRAPH neo4j")).toEqual([
      "GRANT TRAVERSE ON GRAPH `neo4j` NODE *",
      "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP *",
    ]);
    expect(keys("READ {*} ON GRAPH neo4j")).toEqual([
      "GRANT READ {*} ON GRAPH `neo4j` NODE *",
      "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP *",
    ]);
  });

  it("keeps WRITE and DBMS privileges as one row", () => {
    expect(keys("WRITE ON GRAPH neo4j")).toEqual(["GRANT WRITE ON GRAPH `neo4j`"]);
    expect(keys("USER MANAGEMENT ON DBMS")).toEqual(["GRANT USER MANAGEMENT ON DBMS"]);
  });

  it("expands every graph, label and property named into its own row, and DENY stays DENY", () => {
    expect(keys("DENY READ {ssn, salary} ON GRAPHS hr, sales NODES Person")).toEqual([
      "DENY READ {`ssn`} ON GRAPH `hr` NODE `Person`",
      "DENY READ {`salary`} ON GRAPH `hr` NODE `Person`",
      "DENY READ {`ssn`} ON GRAPH `sales` NODE `Person`",
      "DENY READ {`salary`} ON GRAPH `sales` NODE `Person`",
    ]);
    expect(keys("MATCH {*} ON GRAPH * ELEMENTS Person")).toEqual([
      "GRANT MATCH {*} ON GRAPH * NODE `Person`",
      "GRANT MATCH {*} ON GRAPH * RELATIONSHIP `Person`",
    ]);
  });

  it("uses the long names Neo4j reports for short forms", () => {
    expect(keys("INDEX ON DATABASE neo4j")).toEqual(["GRANT INDEX MANAGEMENT ON DATABASE `neo4j`"]);
    expect(keys("TRANSACTION ON DATABASE *")).toEqual(["GRANT TRANSACTION MANAGEMENT (*) ON DATABASE *"]);
    expect(keys("ALL ON DBMS")).toEqual(["GRANT ALL DBMS PRIVILEGES ON DBMS"]);
    expect(keys("CREATE NEW LABEL ON DATABASE neo4j")).toEqual([
      "GRANT CREATE NEW NODE LABEL ON DATABASE `neo4j`",
    ]);
    expect(keys("IMPERSONATE (alice, bob) ON DBMS")).toEqual([
      "GRANT IMPERSONATE (`alice`) ON DBMS",
      "GRANT IMPERSONATE (`bob`) ON DBMS",
    ]);
    expect(keys("EXECUTE PROCEDURE db.*, apoc.meta.* ON DBMS")).toEqual([
      "GRANT EXECUTE PROCEDURE db.* ON DBMS",
      "GRANT EXECUTE PROCEDURE apoc.meta.* ON DBMS",
    ]);
  });

  it("reads the rows of Neo4j's documentation into the same keys as the clauses that made them", () => {
    // Rows as the Operations Manual shows them for the built-in admin role.
    const rows = [
      "GRANT ACCESS ON DATABASE * TO `admin`",
      "GRANT ALL DBMS PRIVILEGES ON DBMS TO `admin`",
      "GRANT CONSTRAINT MANAGEMENT ON DATABASE * TO `admin`",
      "GRANT INDEX MANAGEMENT ON DATABASE * TO `admin`",
      "GRANT MATCH {*} ON GRAPH * NODE * TO `admin`",
      "GRANT MATCH {*} ON GRAPH * RELATIONSHIP * TO `admin`",
      "GRANT NAME MANAGEMENT ON DATABASE * TO `admin`",
      "GRANT START ON DATABASE * TO `admin`",
      "GRANT STOP ON DATABASE * TO `admin`",
      "GRANT TRANSACTION MANAGEMENT (*) ON DATABASE * TO `admin`",
      "GRANT WRITE ON GRAPH * TO `admin`",
    ];
    const fromRows = rows.map((row) => parsePrivilegeCommand(row)?.key).sort();
    const fromClauses = [
      "ACCESS ON DATABASE *",
      "ALL PRIVILEGES ON DBMS",
      "CONSTRAINT ON DATABASE *",
      "INDEX ON DATABASE *",
      "MATCH {*} ON GRAPH *",
      "NAME ON DATABASE *",
      "START ON DATABASE *",
      "STOP ON DATABASE *",
      "TRANSACTION MANAGEMENT ON DATABASE *",
      "WRITE ON GRAPH *",
    ]
      .flatMap(keys)
      .sort();
    expect(fromRows).toEqual(fromClauses);
  });

  it("reads unquoted and quoted names alike, so Neo4j's quoting choices do not matter", () => {
    expect(parsePrivilegeCommand("DENY TRAVERSE ON GRAPH `neo4j` NODE A TO `role`")?.key).toBe(
      keys("DENY TRAVERSE ON GRAPH neo4j NODES `A`")[0],
    );
  });

  it("leaves rows it does not model alone: property-based rules and immutable privileges", () => {
    expect(
      parsePrivilegeCommand("GRANT READ {*} ON GRAPH * FOR (n:Post) WHERE n.secret = false TO `r`"),
    ).toBeUndefined();
    expect(parsePrivilegeCommand("GRANT IMMUTABLE TRAVERSE ON GRAPH * NODE * TO `r`")).toBeUndefined();
  });

  it.each([
    ["TRAVERSE ON GRAPH neo4j; DROP USER neo4j", 'unexpected character ";"'],
    ["TRAVERSE ON GRAPH neo4j TO x", "unexpected text after the scope"],
    ["READ ON GRAPH neo4j", "needs a property list"],
    ["TRAVERSE ON DBMS", "applies ON GRAPH, not ON DBMS"],
    ["WRITE ON GRAPH neo4j NODES A", "takes no NODES"],
    ["FLY ON DBMS", "does not know"],
    ["IMMUTABLE TRAVERSE ON GRAPH neo4j", "IMMUTABLE"],
    ["READ {*} ON GRAPH neo4j FOR (n) WHERE n.x = 1", "unexpected character"],
    ["TRAVERSE ON GRAPH `neo4j", "unclosed backtick"],
  ])("refuses %s", (clause, message) => {
    expect(() => expandPrivilege(clause)).toThrow(message);
  });
});

describe("checkRbacSpec", () => {
  it("accepts the seed's demo exactly and normalises it", () => {
    const desired = checkRbacSpec("access", SEED);
    expect(desired.roles.find((r) => r.name === "developer")?.privileges).toEqual([
      "GRANT READ {*} ON GRAPH `neo4j` NODE *",
      "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP *",
      "GRANT TRAVERSE ON GRAPH `neo4j` NODE *",
      "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP *",
      "GRANT WRITE ON GRAPH `neo4j`",
    ]);
    expect(desired.users).toEqual([
      { name: "alice", roles: ["analyst"], passwordChangeRequired: false, suspended: false },
      { name: "bob", roles: ["developer"], passwordChangeRequired: false, suspended: false },
      { name: "carol", roles: ["admin_assistant"], passwordChangeRequired: false, suspended: false },
    ]);
  });

  it.each([
    [
      { roles: [{ name: "admin", privileges: [] }] },
      'RbacPolicy "access": roles[0].name "admin" is a built-in role',
    ],
    [
      { roles: [{ name: "bad-name", privileges: [] }] },
      'RbacPolicy "access": roles[0].name must be 1 to 100 ASCII letters, digits and "_"',
    ],
    [
      { roles: [{ name: "r", privileges: ["READ ON GRAPH neo4j"] }] },
      'RbacPolicy "access": roles[0].privileges[0] "READ ON GRAPH neo4j" needs a property list',
    ],
    [
      { users: [{ name: "x`) DROP USER neo4j", password: "p" }] },
      'RbacPolicy "access": users[0].name must be 1 to 100 printable ASCII characters other than space, "," and ":"',
    ],
    [
      { users: [{ name: "a".repeat(101), password: "p" }] },
      'RbacPolicy "access": users[0].name must be 1 to 100 printable ASCII',
    ],
    [
      { users: [{ name: "dan", password: "p".repeat(8150) }] },
      'RbacPolicy "access": users[0].password is too long to log in with: Neo4j refuses a login message over 8192 bytes, and user "dan" with this password needs 8195; use at most 8147 bytes of UTF-8',
    ],
    [
      { users: [{ name: "neo4j", password: "p", suspended: true }] },
      'RbacPolicy "access": users[0].suspended must not be true for "neo4j": RbacPolicy never suspends or drops the built-in user',
    ],
    [
      { users: [{ name: "dan", password: "p", roles: ["nobody"] }] },
      'RbacPolicy "access": users[0].roles[0] "nobody" is neither declared',
    ],
    [{ users: [{ name: "dan", password: "" }] }, 'RbacPolicy "access": users[0].password is required'],
    [
      {
        users: [
          { name: "dan", password: "p" },
          { name: "dan", password: "q" },
        ],
      },
      'RbacPolicy "access": users[1].name "dan" is declared twice',
    ],
  ])("refuses bad input with the field named: %j", (spec, message) => {
    expect(() => checkRbacSpec("access", spec as RbacSpec)).toThrow(message);
  });

  it("never puts a password in an error message", () => {
    expect(() =>
      checkRbacSpec("access", { users: [{ name: "dan", password: "hunter2-secret", roles: ["ghost"] }] }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining("hunter2-secret") }));
  });
});

describe("planRbac", () => {
  const desired = checkRbacSpec("access", SEED);

  it("builds the seed on an empty DBMS: roles, privileges, then users with passwords as parameters", () => {
    const statements = planRbac({
      resourceName: "access",
      desired,
      actual: enterprise(),
      managed: { users: [], roles: [] },
      passwordChanges: [],
      connectingUser: "neo4j",
    });
    expect(statements.map((s) => s.display)).toEqual([
      "CREATE ROLE `admin_assistant`",
      "CREATE ROLE `analyst`",
      "CREATE ROLE `developer`",
      "GRANT USER MANAGEMENT ON DBMS TO `admin_assistant`",
      "GRANT READ {*} ON GRAPH `neo4j` NODE * TO `analyst`",
      "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP * TO `analyst`",
      "GRANT TRAVERSE ON GRAPH `neo4j` NODE * TO `analyst`",
      "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP * TO `analyst`",
      "GRANT READ {*} ON GRAPH `neo4j` NODE * TO `developer`",
      "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP * TO `developer`",
      "GRANT TRAVERSE ON GRAPH `neo4j` NODE * TO `developer`",
      "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP * TO `developer`",
      "GRANT WRITE ON GRAPH `neo4j` TO `developer`",
      "CREATE USER `alice` SET PASSWORD $password1 CHANGE NOT REQUIRED",
      "GRANT ROLE `analyst` TO `alice`",
      "CREATE USER `bob` SET PASSWORD $password2 CHANGE NOT REQUIRED",
      "GRANT ROLE `developer` TO `bob`",
      "CREATE USER `carol` SET PASSWORD $password3 CHANGE NOT REQUIRED",
      "GRANT ROLE `admin_assistant` TO `carol`",
    ]);
    // What is sent names every user and role by parameter, the same one in every statement.
    expect(statements.find((s) => s.display.startsWith("CREATE USER `bob`"))).toEqual({
      text: "CREATE USER $user2 SET PASSWORD $password2 CHANGE NOT REQUIRED",
      parameters: { user2: "bob" },
      passwords: [{ parameter: "password2", user: "bob", temporary: false }],
      display: "CREATE USER `bob` SET PASSWORD $password2 CHANGE NOT REQUIRED",
    });
    expect(statements.find((s) => s.display === "GRANT ROLE `developer` TO `bob`")).toMatchObject({
      text: "GRANT ROLE $role3 TO $user2",
      parameters: { role3: "developer", user2: "bob" },
    });
    expect(statements[4]).toMatchObject({
      text: "GRANT READ {*} ON GRAPH `neo4j` NODE * TO $role2",
      parameters: { role2: "analyst" },
    });
  });

  it("never writes a user or role name into the statement text, whatever its characters", () => {
    const hostile = ["x`)DROP_USER_neo4j//", "a\\u0060b", "o'brien", '"quoted"', "$param", "{}"];
    const spec = checkRbacSpec("access", {
      users: hostile.map((name) => ({ name, password: "password-1" })),
    });
    const statements = planRbac({
      resourceName: "access",
      desired: spec,
      actual: { edition: "community", users: [], roles: [] },
      managed: { users: [], roles: [] },
      passwordChanges: [],
      connectingUser: "neo4j",
    });
    expect(statements.map((s) => s.text)).toEqual(
      hostile
        .map((_, i) => `CREATE USER $user${i + 1} SET PASSWORD $password${i + 1} CHANGE NOT REQUIRED`)
        .sort(),
    );
    expect(statements.map((s) => Object.values(s.parameters)[0]).sort()).toEqual([...hostile].sort());
    // The display form quotes them so that Neo4j would read each back exactly.
    const escaped = statements.find((s) => Object.values(s.parameters).includes("a\\u0060b"))!;
    expect(escaped.display).toBe(
      `CREATE USER \`a\\u005cu0060b\` SET PASSWORD $${escaped.passwords[0].parameter} CHANGE NOT REQUIRED`,
    );
  });

  it("handles names that are also JavaScript object keys like any other name", () => {
    const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
    const spec = checkRbacSpec("access", {
      roles: names.map((name) => ({ name, privileges: ["ACCESS ON DATABASE neo4j"] })),
      users: names.map((name) => ({ name, password: "password-1", roles: [name] })),
    });
    expect(spec.users.map((u) => u.name).sort()).toEqual([...names].sort());
    const before = enterprise({
      users: [{ name: "neo4j", roles: ["admin"], passwordChangeRequired: false, suspended: false }],
    });
    const statements = plan(spec, before);
    for (const name of names) {
      expect(statements).toContain(`CREATE ROLE \`${name}\``);
      expect(statements).toContain(`GRANT ROLE \`${name}\` TO \`${name}\``);
    }
    expect(plan(spec, applied(spec, before))).toEqual([]);
  });

  it("plans nothing once its plan is applied", () => {
    const before = enterprise({
      users: [{ name: "neo4j", roles: ["admin"], passwordChangeRequired: false, suspended: false }],
    });
    expect(plan(desired, before).length).toBeGreaterThan(0);
    expect(plan(desired, applied(desired, before))).toEqual([]);
  });

  it("plans nothing against the rows Neo4j reports for the seed's roles", () => {
    const rows = [
      ["analyst", "GRANT TRAVERSE ON GRAPH `neo4j` NODE * TO `analyst`"],
      ["analyst", "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP * TO `analyst`"],
      ["analyst", "GRANT READ {*} ON GRAPH `neo4j` NODE * TO `analyst`"],
      ["analyst", "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP * TO `analyst`"],
      ["developer", "GRANT TRAVERSE ON GRAPH `neo4j` NODE * TO `developer`"],
      ["developer", "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP * TO `developer`"],
      ["developer", "GRANT READ {*} ON GRAPH `neo4j` NODE * TO `developer`"],
      ["developer", "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP * TO `developer`"],
      ["developer", "GRANT WRITE ON GRAPH `neo4j` TO `developer`"],
      ["admin_assistant", "GRANT USER MANAGEMENT ON DBMS TO `admin_assistant`"],
      ["PUBLIC", "GRANT ACCESS ON HOME DATABASE TO `PUBLIC`"],
    ].map(([role, command]) => ({ role, command }));
    const users = [
      { user: "neo4j", roles: ["admin", "PUBLIC"], passwordChangeRequired: false, suspended: false },
      { user: "alice", roles: ["analyst", "PUBLIC"], passwordChangeRequired: false, suspended: false },
      { user: "bob", roles: ["PUBLIC", "developer"], passwordChangeRequired: false, suspended: false },
      {
        user: "carol",
        roles: ["admin_assistant", "PUBLIC"],
        passwordChangeRequired: false,
        suspended: false,
      },
    ].map(userFromRow);
    const actual = enterprise({
      users,
      roles: rolesFromRows(["PUBLIC", "admin", "analyst", "developer", "admin_assistant"], rows),
    });
    expect(plan(desired, actual)).toEqual([]);
  });

  it("revokes what was added by hand and restores what was removed, for managed roles only", () => {
    const drifted = applied(desired, enterprise());
    const analyst = drifted.roles.find((r) => r.name === "analyst")!;
    analyst.privileges = [
      ...analyst.privileges.filter((k) => !k.includes("RELATIONSHIP")),
      "GRANT WRITE ON GRAPH `neo4j`",
    ];
    drifted.roles.push({ name: "ops", privileges: ["GRANT WRITE ON GRAPH *"] });
    expect(plan(desired, drifted)).toEqual([
      "REVOKE GRANT WRITE ON GRAPH `neo4j` FROM `analyst`",
      "GRANT READ {*} ON GRAPH `neo4j` RELATIONSHIP * TO `analyst`",
      "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP * TO `analyst`",
    ]);
  });

  it("sets a password in two steps, through a temporary one, so that setting it again cannot fail", () => {
    const actual = applied(desired, enterprise());
    const changed: RbacState = {
      roles: desired.roles,
      users: desired.users.map((u) =>
        u.name === "bob" ? { ...u, roles: ["analyst"], suspended: true, passwordChangeRequired: true } : u,
      ),
    };
    expect(plan(changed, actual, { passwordChanges: ["alice", "bob"] })).toEqual([
      "ALTER USER `alice` SET PASSWORD $temporary_password1",
      "ALTER USER `alice` SET PASSWORD $password1 CHANGE NOT REQUIRED",
      "ALTER USER `bob` SET PASSWORD $temporary_password2",
      "ALTER USER `bob` SET PASSWORD $password2 CHANGE REQUIRED SET STATUS SUSPENDED",
      "REVOKE ROLE `developer` FROM `bob`",
      "GRANT ROLE `analyst` TO `bob`",
    ]);
    expect(plan(changed, actual)).toEqual([
      "ALTER USER `bob` SET PASSWORD CHANGE REQUIRED SET STATUS SUSPENDED",
      "REVOKE ROLE `developer` FROM `bob`",
      "GRANT ROLE `analyst` TO `bob`",
    ]);
    const [temporary] = planRbac({
      resourceName: "access",
      desired: changed,
      actual,
      managed: { users: [], roles: [] },
      passwordChanges: ["alice"],
      connectingUser: "neo4j",
    });
    expect(temporary.passwords).toEqual([
      { parameter: "temporary_password1", user: "alice", temporary: true },
    ]);
  });

  it("drops only users and roles it manages, never the connecting user, neo4j or built-in roles", () => {
    const actual = applied(
      desired,
      enterprise({
        users: [
          { name: "neo4j", roles: ["admin"], passwordChangeRequired: false, suspended: false },
          { name: "ops", roles: ["admin"], passwordChangeRequired: false, suspended: false },
          { name: "eve", roles: [], passwordChangeRequired: false, suspended: false },
        ],
      }),
    );
    const managed = {
      users: ["alice", "bob", "carol", "neo4j", "ops"],
      roles: ["analyst", "developer", "admin_assistant", "admin"],
    };
    // Connecting as neo4j or as ops: neither is dropped, and neo4j is not whoever connects.
    expect(plan({ users: [], roles: [] }, actual, { managed, connectingUser: "ops" })).not.toContain(
      "DROP USER `neo4j`",
    );
    const statements = plan({ users: [], roles: [] }, actual, {
      managed: { ...managed, users: managed.users.filter((u) => u !== "ops") },
    });
    expect(statements).toEqual([
      "DROP USER `alice`",
      "DROP USER `bob`",
      "DROP USER `carol`",
      "DROP ROLE `admin_assistant`",
      "DROP ROLE `analyst`",
      "DROP ROLE `developer`",
    ]);
  });

  it("refuses to manage the user it connects as, on either edition", () => {
    const withAdmin = checkRbacSpec("access", { users: [{ name: "neo4j", password: "x" }] });
    for (const actual of [enterprise(), { edition: "community" as const, users: [], roles: [] }]) {
      expect(() => plan(withAdmin, actual)).toThrow(
        'RbacPolicy "access": users[0].name "neo4j" is the user RbacPolicy connects as (adminUsername); a policy never creates, changes or drops it',
      );
    }
    // Known when the component is built: refused before anything is registered.
    expect(() => checkRbacSpec("access", { users: [{ name: "ops", password: "x" }] }, "ops")).toThrow(
      'RbacPolicy "access": users[0].name "ops" is the user RbacPolicy connects as',
    );
  });

  it("never suspends neo4j, whoever connects", () => {
    const suspended: RbacState = {
      roles: [],
      users: [{ name: "neo4j", roles: ["admin"], passwordChangeRequired: false, suspended: true }],
    };
    expect(() => plan(suspended, enterprise(), { connectingUser: "ops" })).toThrow(
      'RbacPolicy "access": users[0].suspended must not be true for "neo4j"',
    );
  });

  it.each([
    ["demoting", { roles: ["reader"] }],
    ["suspending", { roles: ["admin"], suspended: true }],
  ])("refuses a plan that leaves no active admin by %s the last one", (_, change) => {
    const actual = enterprise({
      users: [
        { name: "root", roles: ["admin"], passwordChangeRequired: false, suspended: false },
        { name: "old", roles: ["admin"], passwordChangeRequired: false, suspended: true },
      ],
    });
    const changed = checkRbacSpec("access", { users: [{ name: "root", password: "x", ...change }] });
    expect(() => plan(changed, actual, { connectingUser: "svc" })).toThrow(
      'RbacPolicy "access": users would leave the DBMS without an active user holding the admin role',
    );
  });

  it("refuses a plan that drops the last active admin, and allows it when another is created", () => {
    const actual = enterprise({
      users: [{ name: "root", roles: ["admin"], passwordChangeRequired: false, suspended: false }],
    });
    const none: RbacState = { users: [], roles: [] };
    const managed = { users: ["root"], roles: [] };
    expect(() => plan(none, actual, { connectingUser: "svc", managed })).toThrow(
      "without an active user holding the admin role",
    );
    const successor = checkRbacSpec("access", { users: [{ name: "heir", password: "x", roles: ["admin"] }] });
    expect(plan(successor, actual, { connectingUser: "svc", managed })).toEqual([
      "CREATE USER `heir` SET PASSWORD $password1 CHANGE NOT REQUIRED",
      "GRANT ROLE `admin` TO `heir`",
      "DROP USER `root`",
    ]);
  });

  it("fails on Community before changing anything when roles, role grants or suspension are asked for", () => {
    const community: ActualState = { edition: "community", users: [], roles: [] };
    expect(() => plan(desired, community)).toThrow(
      'RbacPolicy "access": roles need Neo4j Enterprise Edition',
    );
    const suspended = checkRbacSpec("access", { users: [{ name: "dan", password: "x", suspended: true }] });
    expect(() => plan(suspended, community)).toThrow(
      'RbacPolicy "access": users[0].suspended needs Neo4j Enterprise Edition',
    );
    const usersOnly = checkRbacSpec("access", { users: [{ name: "dan", password: "x" }] });
    expect(plan(usersOnly, community)).toEqual([
      "CREATE USER `dan` SET PASSWORD $password1 CHANGE NOT REQUIRED",
    ]);
  });
});

describe("rbacToCypher", () => {
  it("renders the seed with passwords only as $parameters, and every statement passes Neo4j's parser", () => {
    const statements = rbacToCypher(SEED);
    expect(statements.length).toBe(19);
    for (const { text, display } of statements) {
      expect(text).not.toMatch(/-password/);
      expect(display).not.toMatch(/-password/);
      expect(cypherSyntaxErrors(text)).toEqual([]);
      expect(cypherSyntaxErrors(display)).toEqual([]);
    }
  });

  it("gives two users whose names differ only in punctuation their own parameters", () => {
    const statements = rbacToCypher({
      users: [
        { name: "jane.doe", password: "first-password" },
        { name: "jane_doe", password: "second-password" },
      ],
    });
    expect(statements.map((s) => [s.parameters, s.passwords])).toEqual([
      [{ user1: "jane.doe" }, [{ parameter: "password1", user: "jane.doe", temporary: false }]],
      [{ user2: "jane_doe" }, [{ parameter: "password2", user: "jane_doe", temporary: false }]],
    ]);
  });

  it("renders every privilege family it knows, as GRANT and REVOKE, in statements Neo4j's parser accepts", () => {
    const clauses = [
      "MATCH {name, born} ON GRAPH movies NODES Person, Movie",
      "DENY READ {ssn} ON GRAPH * RELATIONSHIPS KNOWS",
      "CREATE ON GRAPH neo4j NODES Person",
      "DELETE ON GRAPH neo4j RELATIONSHIPS *",
      "SET LABEL Archived ON GRAPH neo4j",
      "REMOVE LABEL * ON GRAPH neo4j",
      "SET PROPERTY {status} ON GRAPH neo4j ELEMENTS *",
      "MERGE {*} ON GRAPH neo4j NODES Person",
      "ALL GRAPH PRIVILEGES ON HOME GRAPH",
      "ACCESS ON HOME DATABASE",
      "START ON DATABASE neo4j",
      "STOP ON DATABASES *",
      "INDEX MANAGEMENT ON DATABASE neo4j",
      "CONSTRAINT ON DATABASE neo4j",
      "NAME MANAGEMENT ON DATABASE neo4j",
      "TRANSACTION MANAGEMENT (alice) ON DATABASE neo4j",
      "DENY TERMINATE TRANSACTION ON DATABASE *",
      "ROLE MANAGEMENT ON DBMS",
      "PRIVILEGE MANAGEMENT ON DBMS",
      "DATABASE MANAGEMENT ON DBMS",
      "IMPERSONATE (bob) ON DBMS",
      "EXECUTE PROCEDURE db.* ON DBMS",
      "EXECUTE FUNCTION apoc.text.* ON DBMS",
      "ALL DBMS PRIVILEGES ON DBMS",
    ];
    const statements = rbacToCypher({ roles: [{ name: "dba", privileges: clauses }] }).flatMap((s) => [
      s.text,
      s.display,
    ]);
    const revokes = checkRbacSpec("x", {
      roles: [{ name: "dba", privileges: clauses }],
    }).roles[0].privileges.map((k) => `REVOKE ${k} FROM \`dba\``);
    for (const text of [...statements, ...revokes])
      expect({ text, errors: cypherSyntaxErrors(text) }).toEqual({ text, errors: [] });
  });
});
