import { quoteName } from "../neo4j/cypher";
import { inputErrors } from "../neo4j/errors";
import { passwordProblem, roleNameProblem, userNameProblem } from "./cypher";
import { PrivilegeSyntaxError, expandPrivilege } from "./privileges";

export const RBAC_POLICY_COMPONENT = "RbacPolicy";

/** Roles every Neo4j Enterprise DBMS has; RbacPolicy may grant them to users but never creates, changes or drops them. */
export const BUILT_IN_ROLES = ["PUBLIC", "reader", "editor", "publisher", "architect", "admin"];

/**
 * The user every Neo4j DBMS is born with. A policy may declare it (when it connects as someone
 * else) but never suspends or drops it: it is the way back in when everything else is locked out.
 */
export const BUILT_IN_USER = "neo4j";

/** A role and its privileges. */
export interface RbacRole {
  /** The role name: ASCII letters, digits and `_` (Neo4j's rule), at most 100 characters. Not a built-in role. */
  name: string;
  /**
   * Privileges as Neo4j writes them between GRANT and TO, optionally prefixed with `DENY `:
   * `"TRAVERSE ON GRAPH neo4j"`, `"READ {*} ON GRAPH neo4j"`, `"USER MANAGEMENT ON DBMS"`,
   * `"DENY READ {ssn} ON GRAPH neo4j NODES Person"`. Checked with Neo4j's Cypher parser before deploy.
   */
  privileges: string[];
}

/** A native user. */
export interface RbacUser<Password = string> {
  /**
   * The login name: printable ASCII except space, `,` and `:` (Neo4j's rule), at most 100
   * characters. Never the user RbacPolicy connects as.
   */
  name: string;
  /**
   * The password; a secret. Only ever sent to Neo4j as a query parameter. A password so long that
   * Neo4j would refuse the login (over 8192 bytes with the user name, see `passwordProblem`) is refused.
   */
  password: Password;
  /** Roles granted to the user: declared in `roles` or built in. Default none (every user has PUBLIC). */
  roles?: string[];
  /** Whether the user must change the password at first login. Default false. */
  passwordChangeRequired?: boolean;
  /** Whether the user is suspended (cannot log in). Default false. Enterprise only; never for `neo4j`. */
  suspended?: boolean;
}

/** The users, roles and privileges a DBMS should have: what `RbacPolicy` takes and `rbacToCypher` renders. */
export interface RbacSpec<Password = string> {
  /** Custom roles with their privileges. Default none. Enterprise only. */
  roles?: RbacRole[];
  /** Users with their roles. Default none. */
  users?: RbacUser<Password>[];
}

/** A user as RbacPolicy compares it: no password, defaults filled in, roles sorted. */
export interface UserState {
  name: string;
  roles: string[];
  passwordChangeRequired: boolean;
  suspended: boolean;
}

/** A role as RbacPolicy compares it: privileges in Neo4j's stored form (see privileges.ts), sorted. */
export interface RoleState {
  name: string;
  privileges: string[];
}

/** Users and roles in comparable form: the desired state, and the actual state of what a policy manages. */
export interface RbacState {
  users: UserState[];
  roles: RoleState[];
}

/**
 * Validates a spec before anything is deployed and returns it in comparable form. Errors name the
 * component, the resource and the field: `RbacPolicy "access": roles[0].privileges[1] ...`.
 * Passwords are checked when they are plain strings; others are checked when they are known, by the
 * provider's `check`. `connectingUser`, when known, may not be declared.
 */
export function checkRbacSpec<P>(
  resourceName: string,
  spec: RbacSpec<P>,
  connectingUser?: string,
): RbacState {
  const error = inputErrors(RBAC_POLICY_COMPONENT, resourceName);
  const roles = spec.roles ?? [];
  const users = spec.users ?? [];
  if (!Array.isArray(roles)) throw error("roles", "must be a list of roles");
  if (!Array.isArray(users)) throw error("users", "must be a list of users");

  const roleNames = new Set<string>();
  const roleStates = roles.map((role, r): RoleState => {
    const field = `roles[${r}]`;
    const nameProblem = roleNameProblem(role?.name);
    if (nameProblem) throw error(`${field}.name`, nameProblem);
    if (BUILT_IN_ROLES.some((b) => b.toLowerCase() === role.name.toLowerCase())) {
      throw error(
        `${field}.name`,
        `${JSON.stringify(role.name)} is a built-in role; RbacPolicy only manages roles of its own`,
      );
    }
    if (roleNames.has(role.name))
      throw error(`${field}.name`, `${JSON.stringify(role.name)} is declared twice`);
    roleNames.add(role.name);
    if (!Array.isArray(role.privileges))
      throw error(`${field}.privileges`, "must be a list of privilege clauses");
    const keys = new Set<string>();
    role.privileges.forEach((written, p) => {
      for (const privilege of readPrivilege(written, role.name, (problem) =>
        error(`${field}.privileges[${p}]`, problem),
      )) {
        keys.add(privilege.key);
      }
    });
    return { name: role.name, privileges: [...keys].sort() };
  });

  const userNames = new Set<string>();
  const userStates = users.map((user, u): UserState => {
    const field = `users[${u}]`;
    const nameProblem = userNameProblem(user?.name);
    if (nameProblem) throw error(`${field}.name`, nameProblem);
    if (userNames.has(user.name))
      throw error(`${field}.name`, `${JSON.stringify(user.name)} is declared twice`);
    userNames.add(user.name);
    if (user.name === connectingUser) throw error(`${field}.name`, connectingUserProblem(user.name));
    const password: unknown = user.password;
    const problem =
      typeof password === "string" || password === undefined || password === null
        ? passwordProblem(user.name, password)
        : undefined;
    if (problem) throw error(`${field}.password`, problem);
    const userRoles = user.roles ?? [];
    if (!Array.isArray(userRoles)) throw error(`${field}.roles`, "must be a list of role names");
    userRoles.forEach((role, i) => {
      if (role === "PUBLIC")
        throw error(`${field}.roles[${i}]`, "PUBLIC is every user's role already; leave it out");
      if (!roleNames.has(role) && !BUILT_IN_ROLES.includes(role)) {
        throw error(
          `${field}.roles[${i}]`,
          `${JSON.stringify(role)} is neither declared in roles nor a built-in role (${BUILT_IN_ROLES.slice(1).join(", ")})`,
        );
      }
    });
    for (const flag of ["passwordChangeRequired", "suspended"] as const) {
      if (user[flag] !== undefined && typeof user[flag] !== "boolean")
        throw error(`${field}.${flag}`, "must be true or false");
    }
    if (user.name === BUILT_IN_USER && user.suspended)
      throw error(`${field}.suspended`, BUILT_IN_USER_PROBLEM);
    return {
      name: user.name,
      roles: [...new Set(userRoles)].sort(),
      passwordChangeRequired: user.passwordChangeRequired ?? false,
      suspended: user.suspended ?? false,
    };
  });

  return { users: sortByName(userStates), roles: sortByName(roleStates) };
}

/** Why a policy may not declare the user it connects as. */
export function connectingUserProblem(name: string): string {
  return `${JSON.stringify(name)} is the user RbacPolicy connects as (adminUsername); a policy never creates, changes or drops it: manage it outside the policy`;
}

export const BUILT_IN_USER_PROBLEM = `must not be true for "${BUILT_IN_USER}": RbacPolicy never suspends or drops the built-in user`;

/** Reads one written privilege: our parser for its meaning, then Neo4j's parser for its syntax. */
function readPrivilege(written: unknown, role: string, error: (problem: string) => Error) {
  if (typeof written !== "string" || written.trim() === "")
    throw error('must be a privilege clause such as "TRAVERSE ON GRAPH neo4j"');
  const quoted = JSON.stringify(written);
  let privileges;
  try {
    privileges = expandPrivilege(written);
  } catch (e) {
    if (e instanceof PrivilegeSyntaxError) throw error(`${quoted} ${e.message}`);
    throw e;
  }
  const problems = cypherSyntaxErrors(privilegeStatement(written, role));
  if (problems.length > 0) throw error(`${quoted} is not valid Cypher: ${problems.join("; ")}`);
  return privileges;
}

/** The full GRANT/DENY statement for a written privilege, as a user would type it. */
function privilegeStatement(written: string, role: string): string {
  const trimmed = written.trim();
  const deny = /^DENY\s/i.test(trimmed);
  const clause = trimmed.replace(/^(DENY|GRANT)\s+/i, "");
  return `${deny ? "DENY" : "GRANT"} ${clause} TO ${quoteName(role)}`;
}

/** Errors Neo4j's own Cypher parser reports for a statement; undefined parameters are fine (they are bound at run time). */
export function cypherSyntaxErrors(statement: string): string[] {
  // Loaded when called: the parser takes about 0.6 s to load, and the provider, which imports this
  // module through the planner, never lints.
  const { lintCypherQuery } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@neo4j-cypher/language-support") as typeof import("@neo4j-cypher/language-support");
  const { diagnostics } = lintCypherQuery(statement, {});
  return diagnostics
    .map((d) => ({
      severity: d.severity,
      message: typeof d.message === "string" ? d.message : d.message.value,
    }))
    .filter((d) => d.severity === 1 && !/^Parameter \$\w+ is not defined/.test(d.message))
    .map((d) => d.message);
}

export function sortByName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
