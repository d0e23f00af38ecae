import { cypherNameProblem, quoteName } from "../neo4j/cypher";
import { userNameProblem } from "./cypher";
import { GLOB } from "./privileges";

/**
 * A typed way to write the privilege clauses `RbacRole.privileges` takes, for autocompletion and
 * compile-time errors instead of typos. Each function returns the clause as Neo4j 5's Operations
 * Manual writes it (the text between GRANT and TO), so the result is an ordinary string that
 * RbacPolicy reads like a hand-written one. Names are always backtick-quoted, as Neo4j itself
 * reports them in `SHOW PRIVILEGES AS COMMANDS`, so a label, graph or property can never be mistaken
 * for a keyword; procedure globs are written bare, since quoting a glob would make `*` literal.
 */

/** A clause that grants; `deny` turns it into one that denies. */
export type GrantedPrivilege = string & { readonly __access: "GRANT" };
/** A clause that denies, from `deny`. */
export type DeniedPrivilege = string & { readonly __access: "DENY" };

/** `["*"]` for all, or one or more names. */
export type Names = readonly string[];

/** A graph: `"*"` (every graph, including those created later), a name, several names, or the user's home graph. */
export type GraphTarget = string | readonly string[] | { home: true };
/** A database: `"*"` (every database, including those created later), a name, several names, or the user's home database. */
export type DatabaseTarget = string | readonly string[] | { home: true };

export interface OnGraph {
  graph: GraphTarget;
}

/**
 * Narrows a graph privilege to node labels, relationship types, or both (`elements`); at most one
 * of the three, as in Neo4j's syntax. Without any, the privilege covers all nodes and relationships.
 */
export type Segment =
  | { nodes?: Names; relationships?: never; elements?: never }
  | { relationships: Names; nodes?: never; elements?: never }
  | { elements: Names; nodes?: never; relationships?: never };

export interface WithProperties {
  /** `["*"]` for every property, or the property names. */
  properties: Names;
}

export interface WithLabels {
  /** `["*"]` for every label, or the label names. */
  labels: Names;
}

export const DATABASE_ACTIONS = [
  "ACCESS",
  "START",
  "STOP",
  "INDEX MANAGEMENT",
  "CREATE INDEX",
  "DROP INDEX",
  "SHOW INDEX",
  "CONSTRAINT MANAGEMENT",
  "CREATE CONSTRAINT",
  "DROP CONSTRAINT",
  "SHOW CONSTRAINT",
  "NAME MANAGEMENT",
  "CREATE NEW NODE LABEL",
  "CREATE NEW RELATIONSHIP TYPE",
  "CREATE NEW PROPERTY NAME",
  "ALL DATABASE PRIVILEGES",
  "TRANSACTION MANAGEMENT",
  "SHOW TRANSACTION",
  "TERMINATE TRANSACTION",
] as const;
export type DatabaseAction = (typeof DATABASE_ACTIONS)[number];
/** The database actions that apply to the transactions of some users only. */
const TRANSACTION_ACTIONS = ["TRANSACTION MANAGEMENT", "SHOW TRANSACTION", "TERMINATE TRANSACTION"] as const;
export type TransactionAction = (typeof TRANSACTION_ACTIONS)[number];

export type DatabaseOptions<A extends DatabaseAction> = {
  database: DatabaseTarget;
} & (A extends TransactionAction
  ? {
      /** Whose transactions: `["*"]` (default) or user names. */
      users?: Names;
    }
  : { users?: never });

export const DBMS_ACTIONS = [
  "USER MANAGEMENT",
  "CREATE USER",
  "DROP USER",
  "SHOW USER",
  "ALTER USER",
  "RENAME USER",
  "SET USER STATUS",
  "SET PASSWORDS",
  "SET USER HOME DATABASE",
  "ROLE MANAGEMENT",
  "CREATE ROLE",
  "DROP ROLE",
  "ASSIGN ROLE",
  "REMOVE ROLE",
  "SHOW ROLE",
  "RENAME ROLE",
  "PRIVILEGE MANAGEMENT",
  "SHOW PRIVILEGE",
  "ASSIGN PRIVILEGE",
  "REMOVE PRIVILEGE",
  "DATABASE MANAGEMENT",
  "CREATE DATABASE",
  "DROP DATABASE",
  "ALTER DATABASE",
  "SET DATABASE ACCESS",
  "COMPOSITE DATABASE MANAGEMENT",
  "ALIAS MANAGEMENT",
  "SERVER MANAGEMENT",
  "SHOW SERVERS",
  "EXECUTE ADMIN PROCEDURES",
  "ALL DBMS PRIVILEGES",
  "IMPERSONATE",
] as const;
export type DbmsAction = (typeof DBMS_ACTIONS)[number];

/** IMPERSONATE takes the users who may be impersonated: `["*"]` (default) or user names. */
export type DbmsOptions<A extends DbmsAction> = A extends "IMPERSONATE" ? [options?: { users?: Names }] : [];

export const EXECUTE_KINDS = ["PROCEDURE", "BOOSTED PROCEDURE", "FUNCTION", "BOOSTED FUNCTION"] as const;
export type ExecuteKind = (typeof EXECUTE_KINDS)[number];

/** A builder call with bad arguments; the message names the call and the argument. */
export class PrivilegeBuilderError extends Error {
  constructor(call: string, field: string, problem: string) {
    super(`${call}: ${field} ${problem}`);
    this.name = "PrivilegeBuilderError";
  }
}

type Problem = (field: string, problem: string) => PrivilegeBuilderError;
const problems =
  (call: string): Problem =>
  (field, problem) =>
    new PrivilegeBuilderError(`privilege.${call}`, field, problem);

// Control characters would only hide in audit logs; unpaired surrogates cannot be sent as text.
const hasControlCharacter = (name: string) =>
  [...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

function checkName(name: unknown, field: string, error: Problem): string {
  if (typeof name !== "string" || hasControlCharacter(name) || cypherNameProblem(name)) {
    throw error(
      field,
      `must be a non-empty name of well-formed Unicode without control characters (got ${JSON.stringify(name)})`,
    );
  }
  return name;
}

/** `*` alone, or names each passing `check`, joined as Neo4j lists them. */
function nameList(
  names: unknown,
  field: string,
  error: Problem,
  render: (name: string, field: string) => string,
): string {
  if (!Array.isArray(names) || names.length === 0)
    throw error(field, `must be ["*"] or a non-empty list of names (got ${JSON.stringify(names)})`);
  if (names.includes("*")) {
    if (names.length > 1)
      throw error(field, `must be ["*"] alone or names without "*" (got ${JSON.stringify(names)})`);
    return "*";
  }
  return names.map((name, i) => render(name as string, `${field}[${i}]`)).join(", ");
}

const quotedNames = (names: unknown, field: string, error: Problem) =>
  nameList(names, field, error, (name, f) => quoteName(checkName(name, f, error)));

const userNames = (names: unknown, field: string, error: Problem) =>
  nameList(names, field, error, (name, f) => {
    const problem = userNameProblem(name);
    if (problem) throw error(f, problem);
    return quoteName(name);
  });

const globs = (names: unknown, field: string, error: Problem) =>
  nameList(names, field, error, (name, f) => {
    if (typeof name !== "string" || !GLOB.test(name))
      throw error(
        f,
        `must be a procedure or function name glob of letters, digits, "_", ".", "*" and "?" (got ${JSON.stringify(name)})`,
      );
    return name;
  });

function scope(word: "GRAPH" | "DATABASE", target: unknown, field: string, error: Problem): string {
  if (typeof target === "object" && target !== null && !Array.isArray(target)) {
    if ((target as { home?: unknown }).home === true) return `HOME ${word}`;
    throw error(
      field,
      `must be "*", a name, a list of names or { home: true } (got ${JSON.stringify(target)})`,
    );
  }
  const names = typeof target === "string" ? [target] : target;
  const list = quotedNames(names, field, error);
  return `${word}${Array.isArray(names) && names.length > 1 ? "S" : ""} ${list}`;
}

function segment(on: Segment, error: Problem): string {
  const given = (["nodes", "relationships", "elements"] as const).filter((k) => on[k] !== undefined);
  if (given.length > 1)
    throw error(
      given.join(", "),
      "cannot be combined: give one of nodes, relationships or elements, and write a second privilege for the other",
    );
  if (given.length === 0) return "";
  const [kind] = given;
  return ` ${kind.toUpperCase()} ${quotedNames(on[kind], kind, error)}`;
}

const granted = (clause: string) => clause as GrantedPrivilege;

function options(call: string, on: unknown): Problem {
  const error = problems(call);
  if (typeof on !== "object" || on === null)
    throw error("options", `must be an object (got ${JSON.stringify(on)})`);
  return error;
}

/** TRAVERSE, CREATE, DELETE: on a graph, optionally narrowed to labels or types. */
const segmented =
  (action: string, call: string) =>
  (on: OnGraph & Segment): GrantedPrivilege => {
    const error = options(call, on);
    return granted(`${action} ON ${scope("GRAPH", on.graph, "graph", error)}${segment(on, error)}`);
  };

/** READ, MATCH, SET PROPERTY, MERGE: properties on a graph, optionally narrowed to labels or types. */
const withProperties =
  (action: string, call: string) =>
  (on: OnGraph & Segment & WithProperties): GrantedPrivilege => {
    const error = options(call, on);
    const properties = quotedNames(on.properties, "properties", error);
    return granted(
      `${action} {${properties}} ON ${scope("GRAPH", on.graph, "graph", error)}${segment(on, error)}`,
    );
  };

/** SET LABEL, REMOVE LABEL: the labels come before ON; Neo4j takes no segment here. */
const withLabels =
  (action: string, call: string) =>
  (on: OnGraph & WithLabels): GrantedPrivilege => {
    const error = options(call, on);
    const labels = quotedNames(on.labels, "labels", error);
    return granted(`${action} ${labels} ON ${scope("GRAPH", on.graph, "graph", error)}`);
  };

/** WRITE, ALL GRAPH PRIVILEGES: the whole graph. */
const wholeGraph =
  (action: string, call: string) =>
  (on: OnGraph): GrantedPrivilege => {
    const error = options(call, on);
    return granted(`${action} ON ${scope("GRAPH", on.graph, "graph", error)}`);
  };

function oneOf<T extends string>(value: unknown, allowed: readonly T[], call: string, field: string): T {
  if (!allowed.includes(value as T))
    throw problems(call)(
      field,
      `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (got ${JSON.stringify(value)})`,
    );
  return value as T;
}

/** Builders for Neo4j 5 privilege clauses; see the Operations Manual's "Authentication and authorization" pages. */
export const privilege = {
  /** `TRAVERSE ON GRAPH g [NODES|RELATIONSHIPS|ELEMENTS …]`: find nodes and relationships, without their properties. */
  traverse: segmented("TRAVERSE", "traverse"),
  /** `READ {props} ON GRAPH g […]`: read the given properties. */
  read: withProperties("READ", "read"),
  /** `MATCH {props} ON GRAPH g […]`: TRAVERSE and READ together. */
  match: withProperties("MATCH", "match"),
  /** `WRITE ON GRAPH g`: every write operation on the whole graph. */
  write: wholeGraph("WRITE", "write"),
  /** `CREATE ON GRAPH g […]`: create nodes and relationships. */
  create: segmented("CREATE", "create"),
  /** `DELETE ON GRAPH g […]`: delete nodes and relationships. */
  delete: segmented("DELETE", "delete"),
  /** `SET LABEL labels ON GRAPH g`: add the given labels to nodes. */
  setLabel: withLabels("SET LABEL", "setLabel"),
  /** `REMOVE LABEL labels ON GRAPH g`: remove the given labels from nodes. */
  removeLabel: withLabels("REMOVE LABEL", "removeLabel"),
  /** `SET PROPERTY {props} ON GRAPH g […]`: set the given properties. */
  setProperty: withProperties("SET PROPERTY", "setProperty"),
  /** `MERGE {props} ON GRAPH g […]`: MATCH, CREATE and SET PROPERTY, as MERGE needs. */
  merge: withProperties("MERGE", "merge"),
  /** `ALL GRAPH PRIVILEGES ON GRAPH g`: every read and write operation. */
  allGraphPrivileges: wholeGraph("ALL GRAPH PRIVILEGES", "allGraphPrivileges"),

  /**
   * A database privilege: `ACCESS ON DATABASE neo4j`, `INDEX MANAGEMENT ON DATABASES *`,
   * `TRANSACTION MANAGEMENT (alice) ON HOME DATABASE`.
   */
  database<A extends DatabaseAction>(action: A, on: DatabaseOptions<A>): GrantedPrivilege {
    const call = "database";
    oneOf(action, DATABASE_ACTIONS, call, "action");
    const error = options(call, on);
    let clause: string = action;
    if ((TRANSACTION_ACTIONS as readonly string[]).includes(action))
      clause += ` (${on.users === undefined ? "*" : userNames(on.users, "users", error)})`;
    else if (on.users !== undefined)
      throw error("users", `applies only to ${TRANSACTION_ACTIONS.join(", ")}, not ${action}`);
    return granted(`${clause} ON ${scope("DATABASE", on.database, "database", error)}`);
  },

  /** A DBMS privilege: `USER MANAGEMENT ON DBMS`, `IMPERSONATE (alice) ON DBMS`. */
  dbms<A extends DbmsAction>(action: A, ...rest: DbmsOptions<A>): GrantedPrivilege {
    const call = "dbms";
    oneOf(action, DBMS_ACTIONS, call, "action");
    const users = (rest[0] as { users?: Names } | undefined)?.users;
    if (action !== "IMPERSONATE") {
      if (rest.length > 0) throw problems(call)("options", `are taken only by IMPERSONATE, not ${action}`);
      return granted(`${action} ON DBMS`);
    }
    const list = users === undefined ? "*" : userNames(users, "users", problems(call));
    return granted(`IMPERSONATE (${list}) ON DBMS`);
  },

  /** `EXECUTE PROCEDURE globs ON DBMS` and its function and boosted forms: `execute("PROCEDURE", ["apoc.*"])`. */
  execute(kind: ExecuteKind, names: Names): GrantedPrivilege {
    const call = "execute";
    oneOf(kind, EXECUTE_KINDS, call, "kind");
    return granted(`EXECUTE ${kind} ${globs(names, "names", problems(call))} ON DBMS`);
  },
};

/** The same privilege, denied: `deny(privilege.write({ graph: "neo4j" }))` is `DENY WRITE ON GRAPH \`neo4j\``. */
export function deny(granted: GrantedPrivilege): DeniedPrivilege {
  if (typeof granted !== "string" || /^\s*(DENY|GRANT)\s/i.test(granted))
    throw new PrivilegeBuilderError(
      "deny",
      "argument",
      `must be a clause from privilege.* (got ${JSON.stringify(granted)})`,
    );
  return `DENY ${granted}` as DeniedPrivilege;
}
