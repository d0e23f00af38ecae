import { lintCypherQuery } from "@neo4j-cypher/language-support";
import { privilege as exportedPrivilege, deny as exportedDeny } from "../../components";
import {
  DATABASE_ACTIONS,
  DBMS_ACTIONS,
  EXECUTE_KINDS,
  PrivilegeBuilderError,
  deny,
  privilege,
} from "../../components/rbac/builder";
import { expandPrivilege } from "../../components/rbac/privileges";
import { RbacSpec, checkRbacSpec } from "../../components/rbac/spec";
import { seedAccess } from "../../examples/rbac/seed";

const keys = (clause: string) => expandPrivilege(clause).map((p) => p.key);

/** Every diagnostic Neo4j's parser has for the clause as a full GRANT or DENY statement, warnings included. */
function diagnostics(clause: string): string[] {
  const statement = clause.startsWith("DENY ") ? `${clause} TO r` : `GRANT ${clause} TO r`;
  return lintCypherQuery(statement, {}).diagnostics.map((d) =>
    typeof d.message === "string" ? d.message : d.message.value,
  );
}

/** What the builder writes, and the rows Neo4j stores for it (SHOW ROLE r PRIVILEGES AS COMMANDS). */
const CASES: [string, string, string[]][] = [
  [
    privilege.traverse({ graph: "neo4j" }),
    "TRAVERSE ON GRAPH `neo4j`",
    ["GRANT TRAVERSE ON GRAPH `neo4j` NODE *", "GRANT TRAVERSE ON GRAPH `neo4j` RELATIONSHIP *"],
  ],
  [
    privilege.read({ graph: "neo4j", properties: ["*"], nodes: ["Person"] }),
    "READ {*} ON GRAPH `neo4j` NODES `Person`",
    ["GRANT READ {*} ON GRAPH `neo4j` NODE `Person`"],
  ],
  [
    privilege.match({
      graph: ["movies", "films"],
      properties: ["title"],
      relationships: ["ACTED_IN", "DIRECTED"],
    }),
    "MATCH {`title`} ON GRAPHS `movies`, `films` RELATIONSHIPS `ACTED_IN`, `DIRECTED`",
    [
      "GRANT MATCH {`title`} ON GRAPH `movies` RELATIONSHIP `ACTED_IN`",
      "GRANT MATCH {`title`} ON GRAPH `movies` RELATIONSHIP `DIRECTED`",
      "GRANT MATCH {`title`} ON GRAPH `films` RELATIONSHIP `ACTED_IN`",
      "GRANT MATCH {`title`} ON GRAPH `films` RELATIONSHIP `DIRECTED`",
    ],
  ],
  [privilege.write({ graph: "*" }), "WRITE ON GRAPH *", ["GRANT WRITE ON GRAPH *"]],
  [
    privilege.create({ graph: "neo4j", elements: ["Person"] }),
    "CREATE ON GRAPH `neo4j` ELEMENTS `Person`",
    ["GRANT CREATE ON GRAPH `neo4j` NODE `Person`", "GRANT CREATE ON GRAPH `neo4j` RELATIONSHIP `Person`"],
  ],
  [
    privilege.delete({ graph: "neo4j", relationships: ["*"] }),
    "DELETE ON GRAPH `neo4j` RELATIONSHIPS *",
    ["GRANT DELETE ON GRAPH `neo4j` RELATIONSHIP *"],
  ],
  [
    privilege.setLabel({ graph: "neo4j", labels: ["Archived", "Draft"] }),
    "SET LABEL `Archived`, `Draft` ON GRAPH `neo4j`",
    ["GRANT SET LABEL `Archived` ON GRAPH `neo4j`", "GRANT SET LABEL `Draft` ON GRAPH `neo4j`"],
  ],
  [
    privilege.removeLabel({ graph: { home: true }, labels: ["*"] }),
    "REMOVE LABEL * ON HOME GRAPH",
    ["GRANT REMOVE LABEL * ON HOME GRAPH"],
  ],
  [
    privilege.setProperty({ graph: "neo4j", properties: ["status"] }),
    "SET PROPERTY {`status`} ON GRAPH `neo4j`",
    [
      "GRANT SET PROPERTY {`status`} ON GRAPH `neo4j` NODE *",
      "GRANT SET PROPERTY {`status`} ON GRAPH `neo4j` RELATIONSHIP *",
    ],
  ],
  [
    privilege.merge({ graph: "neo4j", properties: ["*"], nodes: ["Person"] }),
    "MERGE {*} ON GRAPH `neo4j` NODES `Person`",
    ["GRANT MERGE {*} ON GRAPH `neo4j` NODE `Person`"],
  ],
  [
    privilege.allGraphPrivileges({ graph: "neo4j" }),
    "ALL GRAPH PRIVILEGES ON GRAPH `neo4j`",
    ["GRANT ALL GRAPH PRIVILEGES ON GRAPH `neo4j`"],
  ],
  [
    privilege.database("ACCESS", { database: "neo4j" }),
    "ACCESS ON DATABASE `neo4j`",
    ["GRANT ACCESS ON DATABASE `neo4j`"],
  ],
  [
    privilege.database("START", { database: ["sales", "hr"] }),
    "START ON DATABASES `sales`, `hr`",
    ["GRANT START ON DATABASE `sales`", "GRANT START ON DATABASE `hr`"],
  ],
  [privilege.database("STOP", { database: "*" }), "STOP ON DATABASE *", ["GRANT STOP ON DATABASE *"]],
  [
    privilege.database("INDEX MANAGEMENT", { database: "neo4j" }),
    "INDEX MANAGEMENT ON DATABASE `neo4j`",
    ["GRANT INDEX MANAGEMENT ON DATABASE `neo4j`"],
  ],
  [
    privilege.database("CONSTRAINT MANAGEMENT", { database: "neo4j" }),
    "CONSTRAINT MANAGEMENT ON DATABASE `neo4j`",
    ["GRANT CONSTRAINT MANAGEMENT ON DATABASE `neo4j`"],
  ],
  [
    privilege.database("NAME MANAGEMENT", { database: { home: true } }),
    "NAME MANAGEMENT ON HOME DATABASE",
    ["GRANT NAME MANAGEMENT ON HOME DATABASE"],
  ],
  [
    privilege.database("TRANSACTION MANAGEMENT", { database: "neo4j", users: ["alice", "bob"] }),
    "TRANSACTION MANAGEMENT (`alice`, `bob`) ON DATABASE `neo4j`",
    [
      "GRANT TRANSACTION MANAGEMENT (`alice`) ON DATABASE `neo4j`",
      "GRANT TRANSACTION MANAGEMENT (`bob`) ON DATABASE `neo4j`",
    ],
  ],
  [
    privilege.database("TERMINATE TRANSACTION", { database: "*" }),
    "TERMINATE TRANSACTION (*) ON DATABASE *",
    ["GRANT TERMINATE TRANSACTION (*) ON DATABASE *"],
  ],
  [privilege.dbms("USER MANAGEMENT"), "USER MANAGEMENT ON DBMS", ["GRANT USER MANAGEMENT ON DBMS"]],
  [privilege.dbms("ROLE MANAGEMENT"), "ROLE MANAGEMENT ON DBMS", ["GRANT ROLE MANAGEMENT ON DBMS"]],
  [
    privilege.dbms("PRIVILEGE MANAGEMENT"),
    "PRIVILEGE MANAGEMENT ON DBMS",
    ["GRANT PRIVILEGE MANAGEMENT ON DBMS"],
  ],
  [
    privilege.dbms("DATABASE MANAGEMENT"),
    "DATABASE MANAGEMENT ON DBMS",
    ["GRANT DATABASE MANAGEMENT ON DBMS"],
  ],
  [privilege.dbms("IMPERSONATE"), "IMPERSONATE (*) ON DBMS", ["GRANT IMPERSONATE (*) ON DBMS"]],
  [
    privilege.dbms("IMPERSONATE", { users: ["alice"] }),
    "IMPERSONATE (`alice`) ON DBMS",
    ["GRANT IMPERSONATE (`alice`) ON DBMS"],
  ],
  [
    privilege.execute("PROCEDURE", ["apoc.*", "db.labels"]),
    "EXECUTE PROCEDURE apoc.*, db.labels ON DBMS",
    ["GRANT EXECUTE PROCEDURE apoc.* ON DBMS", "GRANT EXECUTE PROCEDURE db.labels ON DBMS"],
  ],
  [
    privilege.execute("BOOSTED FUNCTION", ["apoc.text.?ormat"]),
    "EXECUTE BOOSTED FUNCTION apoc.text.?ormat ON DBMS",
    ["GRANT EXECUTE BOOSTED FUNCTION apoc.text.?ormat ON DBMS"],
  ],
  [deny(privilege.write({ graph: "neo4j" })), "DENY WRITE ON GRAPH `neo4j`", ["DENY WRITE ON GRAPH `neo4j`"]],
  [
    deny(privilege.read({ graph: "*", properties: ["ssn"], nodes: ["Person"] })),
    "DENY READ {`ssn`} ON GRAPH * NODES `Person`",
    ["DENY READ {`ssn`} ON GRAPH * NODE `Person`"],
  ],
];

describe("privilege builder output", () => {
  it.each(CASES)("%s", (built, clause, rows) => {
    expect(built).toBe(clause);
    expect(keys(built)).toEqual(rows);
    expect(diagnostics(built)).toEqual([]);
  });

  it("stores the same rows as the clauses copied from Neo4j's manual", () => {
    expect(keys(privilege.traverse({ graph: "neo4j" }))).toEqual(keys("TRAVERSE ON GRAPH neo4j"));
    expect(keys(privilege.read({ graph: "neo4j", properties: ["*"], nodes: ["Person"] }))).toEqual(
      keys("READ {*} ON GRAPH neo4j NODES Person"),
    );
    expect(keys(deny(privilege.write({ graph: "neo4j" })))).toEqual(keys("DENY WRITE ON GRAPH neo4j"));
    expect(keys(privilege.database("TRANSACTION MANAGEMENT", { database: "neo4j" }))).toEqual(
      keys("TRANSACTION ON DATABASE neo4j"),
    );
  });

  it("writes every database, DBMS and execute action in a form both parsers accept, granted and denied", () => {
    const built = [
      ...DATABASE_ACTIONS.map((action) => privilege.database(action, { database: "neo4j" })),
      ...DBMS_ACTIONS.map((action) => privilege.dbms(action)),
      ...EXECUTE_KINDS.map((kind) => privilege.execute(kind, ["apoc.*"])),
    ];
    for (const clause of [...built, ...built.map(deny)]) {
      expect({ clause, rows: expandPrivilege(clause).length }).toEqual({ clause, rows: 1 });
      expect({ clause, diagnostics: diagnostics(clause) }).toEqual({ clause, diagnostics: [] });
    }
  });

  it("is checked by a parser that does report bad clauses", () => {
    expect(diagnostics("READ ON GRAPH neo4j")).not.toEqual([]);
  });

  it("quotes hostile names so they stay one name and cannot end the statement", () => {
    const label = "we`ird name} ON DBMS TO admin //";
    const built = privilege.read({ graph: "neo4j", properties: ["*"], nodes: [label] });
    expect(built).toBe("READ {*} ON GRAPH `neo4j` NODES `we``ird name} ON DBMS TO admin //`");
    const [stored] = expandPrivilege(built);
    expect(stored.segment).toEqual({ kind: "NODE", name: label });
    expect(diagnostics(built)).toEqual([]);
    expect(privilege.write({ graph: "my-db" })).toBe("WRITE ON GRAPH `my-db`");
  });
});

describe("privilege builder errors", () => {
  const fails = (build: () => unknown, message: string) => {
    expect(build).toThrow(PrivilegeBuilderError);
    expect(build).toThrow(message);
  };

  it("refuses empty names, control characters and a * mixed with names, naming the call and field", () => {
    fails(
      () => privilege.traverse({ graph: "" }),
      'privilege.traverse: graph[0] must be a non-empty name of well-formed Unicode without control characters (got "")',
    );
    fails(
      () => privilege.read({ graph: "neo4j", properties: ["name\n"] }),
      'privilege.read: properties[0] must be a non-empty name of well-formed Unicode without control characters (got "name\\n")',
    );
    fails(
      () => privilege.setLabel({ graph: "neo4j", labels: ["*", "Person"] }),
      'privilege.setLabel: labels must be ["*"] alone or names without "*" (got ["*","Person"])',
    );
    fails(
      () => privilege.create({ graph: [] }),
      'privilege.create: graph must be ["*"] or a non-empty list of names (got [])',
    );
  });

  it("refuses nodes and relationships together: Neo4j takes one segment per privilege", () => {
    const both = { graph: "neo4j", nodes: ["A"], relationships: ["R"] };
    // @ts-expect-error nodes and relationships exclude each other
    const combined = () => privilege.traverse(both);
    fails(combined, "privilege.traverse: nodes, relationships cannot be combined");
  });

  it("refuses bad user names, globs and arguments an action does not take", () => {
    fails(
      () => privilege.dbms("IMPERSONATE", { users: ["bob smith"] }),
      "privilege.dbms: users[0] must be 1 to 100 printable ASCII characters other than space",
    );
    fails(
      () => privilege.execute("PROCEDURE", ["apoc.*; DROP"]),
      "privilege.execute: names[0] must be a procedure or function name glob",
    );
    // @ts-expect-error users only go with the transaction actions
    const accessForUsers = () => privilege.database("ACCESS", { database: "neo4j", users: ["alice"] });
    fails(accessForUsers, "privilege.database: users applies only to");
    // @ts-expect-error only IMPERSONATE takes options
    const userManagementForUsers = () => privilege.dbms("USER MANAGEMENT", { users: ["alice"] });
    fails(userManagementForUsers, "privilege.dbms: options are taken only by IMPERSONATE");
    fails(
      () => privilege.write({ graph: { home: false } as unknown as { home: true } }),
      'privilege.write: graph must be "*", a name, a list of names or { home: true }',
    );
  });

  it("refuses actions Neo4j does not have, at compile time and at run time", () => {
    // @ts-expect-error a typo is a type error
    const typo = () => privilege.database("INDEXES", { database: "neo4j" });
    fails(typo, 'privilege.database: action must be one of "ACCESS"');
    // @ts-expect-error USER MANAGEMENT is a DBMS privilege
    const wrongScope = () => privilege.database("USER MANAGEMENT", { database: "neo4j" });
    fails(wrongScope, "privilege.database: action must be one of");
    // @ts-expect-error the builder writes one form of each action: PROCEDURE, not PROCEDURES
    const plural = () => privilege.execute("PROCEDURES", ["apoc.*"]);
    fails(plural, "privilege.execute: kind must be one of");
    // @ts-expect-error READ needs properties
    const noProperties = () => privilege.read({ graph: "neo4j" });
    fails(noProperties, 'privilege.read: properties must be ["*"] or a non-empty list');
  });

  it("denies only a granted clause from the builder, once", () => {
    const denied = deny(privilege.write({ graph: "neo4j" }));
    // @ts-expect-error a denied clause cannot be denied again
    const twice = () => deny(denied);
    fails(twice, 'deny: argument must be a clause from privilege.* (got "DENY WRITE ON GRAPH `neo4j`")');
  });
});

describe("the seed's demo written with the builder", () => {
  const passwords = { alice: "alice-password", bob: "bob-password", carol: "carol-password" };
  const readGraph = [
    privilege.traverse({ graph: "neo4j" }),
    privilege.read({ graph: "neo4j", properties: ["*"] }),
  ];
  const built: RbacSpec = {
    ...seedAccess(passwords),
    roles: [
      { name: "analyst", privileges: readGraph },
      { name: "developer", privileges: [...readGraph, privilege.write({ graph: "neo4j" })] },
      { name: "admin_assistant", privileges: [privilege.dbms("USER MANAGEMENT")] },
    ],
  };

  it("gives exactly the privileges of the seed's clause strings", () => {
    expect(checkRbacSpec("access", built)).toEqual(checkRbacSpec("access", seedAccess(passwords)));
  });

  it("is exported from the package as privilege and deny", () => {
    expect(exportedPrivilege).toBe(privilege);
    expect(exportedDeny).toBe(deny);
  });
});
