import { inputErrors } from "../neo4j/errors";
import { quoteName } from "../neo4j/cypher";
import { parsePrivilegeCommand } from "./privileges";
import {
  BUILT_IN_ROLES,
  BUILT_IN_USER,
  BUILT_IN_USER_PROBLEM,
  RBAC_POLICY_COMPONENT,
  RbacSpec,
  RbacState,
  RoleState,
  UserState,
  checkRbacSpec,
  connectingUserProblem,
} from "./spec";

export type Edition = "community" | "enterprise";

/** What SHOW USERS, SHOW ROLES and SHOW PRIVILEGES AS COMMANDS report, in comparable form. */
export interface ActualState {
  edition: Edition;
  users: UserState[];
  /** Every role on the DBMS with the privileges RbacPolicy understands; empty on Community. */
  roles: RoleState[];
}

/**
 * A password parameter of a statement: the desired password of `user`, or (`temporary`) a random
 * one the engine makes up for this run, never stored (see `planRbac` on re-applying passwords).
 */
export interface PasswordParameter {
  parameter: string;
  user: string;
  temporary?: boolean;
}

/**
 * One administration command. User and role names and passwords are `$parameters` in `text`, so no
 * name can change what the statement does; graph, label, type and property names, which Cypher only
 * takes inline, are quoted by `quoteName`.
 */
export interface RbacStatement {
  /** The Cypher sent to Neo4j. */
  text: string;
  /** Values of the name parameters in `text`: user and role names, never a password. */
  parameters: Record<string, string>;
  /** The password parameters in `text`; their values are bound when the plan runs. */
  passwords: PasswordParameter[];
  /** `text` with the names written in, quoted: for logs, previews and errors. Passwords stay `$parameters`. */
  display: string;
}

export interface PlanInput {
  /** The resource name, for error messages. */
  resourceName: string;
  desired: RbacState;
  actual: ActualState;
  /** What this policy created or adopted on earlier runs: only these may be dropped. */
  managed: { users: string[]; roles: string[] };
  /** Existing users whose password must be set (not known to be the desired one). */
  passwordChanges: string[];
  /** The user the policy connects as: never declared, dropped, suspended or demoted. */
  connectingUser: string;
}

/** A piece of a statement: literal Cypher, a user or role name, or a password. */
type Part = string | { name: string; kind: "user" | "role" } | { password: PasswordParameter };

/**
 * Numbers the users and roles of one plan, so that a name has the same parameter in every statement
 * (`$user1`, its password `$password1`) and two names never share one, whatever their characters.
 */
class StatementWriter {
  private readonly numbers: { user: Map<string, number>; role: Map<string, number> };

  // Set in the constructor, not as a field initializer: Pulumi's closure serialization rebuilds a
  // class from its constructor and methods only, so an initialized field is lost in the provider
  // Pulumi runs (tests/integration/serialized-providers.test.ts).
  constructor() {
    this.numbers = { user: new Map(), role: new Map() };
  }

  user(name: string): Part {
    return { name, kind: "user" };
  }

  role(name: string): Part {
    return { name, kind: "role" };
  }

  password(user: string, temporary = false): Part {
    const n = this.number("user", user);
    return {
      password: { parameter: `${temporary ? "temporary_password" : "password"}${n}`, user, temporary },
    };
  }

  statement(...parts: Part[]): RbacStatement {
    const statement: RbacStatement = { text: "", parameters: {}, passwords: [], display: "" };
    for (const part of parts) {
      if (typeof part === "string") {
        statement.text += part;
        statement.display += part;
      } else if ("password" in part) {
        statement.text += `$${part.password.parameter}`;
        statement.display += `$${part.password.parameter}`;
        statement.passwords.push(part.password);
      } else {
        const parameter = `${part.kind}${this.number(part.kind, part.name)}`;
        statement.parameters[parameter] = part.name;
        statement.text += `$${parameter}`;
        statement.display += quoteName(part.name);
      }
    }
    return statement;
  }

  /** `a, b` as parts. */
  list(names: string[], kind: "user" | "role"): Part[] {
    return names.flatMap((name, i) => [
      ...(i > 0 ? [", "] : []),
      kind === "user" ? this.user(name) : this.role(name),
    ]);
  }

  private number(kind: "user" | "role", name: string): number {
    const numbers = this.numbers[kind];
    let n = numbers.get(name);
    if (n === undefined) numbers.set(name, (n = numbers.size + 1));
    return n;
  }
}

/**
 * Turns desired and actual state into the ordered administration commands that make the DBMS
 * match the spec, changing nothing else. Applying the plan and planning again gives no statements.
 * Throws, before anything is changed, when the plan needs Enterprise features on Community, would
 * touch the connecting user, or would leave the DBMS without an active admin.
 *
 * A password is set on an existing user in two steps within the one transaction: first a random
 * temporary password, then the desired one. Neo4j refuses to set a password a user already has
 * ("Old password and new password cannot be the same"), and after a run whose outcome was lost
 * (committed, but the reply never came; or the state was not saved) the desired password may well
 * be the current one: the detour makes every re-apply converge. The temporary password exists only
 * inside the uncommitted transaction.
 *
 * The built-in `neo4j` user is never dropped: removed from the spec, it is left as it is.
 */
export function planRbac(input: PlanInput): RbacStatement[] {
  const { desired, actual, managed, connectingUser } = input;
  const error = inputErrors(RBAC_POLICY_COMPONENT, input.resourceName);
  checkEdition(input);
  desired.users.forEach((user, u) => {
    if (user.name === connectingUser) throw error(`users[${u}].name`, connectingUserProblem(user.name));
    if (user.name === BUILT_IN_USER && user.suspended)
      throw error(`users[${u}].suspended`, BUILT_IN_USER_PROBLEM);
  });

  const w = new StatementWriter();
  const actualUsers = new Map(actual.users.map((u) => [u.name, u]));
  const actualRoles = new Map(actual.roles.map((r) => [r.name, r]));
  const desiredUsers = new Set(desired.users.map((u) => u.name));
  const desiredRoles = new Set(desired.roles.map((r) => r.name));
  const passwordChanges = new Set(input.passwordChanges);

  const roleCreates: RbacStatement[] = [];
  const privilegeChanges: RbacStatement[] = [];
  for (const role of desired.roles) {
    const existing = actualRoles.get(role.name);
    if (!existing) roleCreates.push(w.statement("CREATE ROLE ", w.role(role.name)));
    const have = new Set(existing?.privileges ?? []);
    const want = new Set(role.privileges);
    for (const key of have)
      if (!want.has(key)) privilegeChanges.push(w.statement(`REVOKE ${key} FROM `, w.role(role.name)));
    for (const key of want)
      if (!have.has(key)) privilegeChanges.push(w.statement(`${key} TO `, w.role(role.name)));
  }

  const userChanges: RbacStatement[] = [];
  for (const user of desired.users) {
    const existing = actualUsers.get(user.name);
    const name = w.user(user.name);
    if (!existing) {
      userChanges.push(
        w.statement(
          "CREATE USER ",
          name,
          " SET PASSWORD ",
          w.password(user.name),
          ` ${changeRequired(user)}${user.suspended ? " SET STATUS SUSPENDED" : ""}`,
        ),
      );
      if (user.roles.length > 0) userChanges.push(grantRoles(w, user.roles, user.name));
      continue;
    }
    const alter: Part[] = [];
    if (passwordChanges.has(user.name)) {
      userChanges.push(w.statement("ALTER USER ", name, " SET PASSWORD ", w.password(user.name, true)));
      alter.push(" SET PASSWORD ", w.password(user.name), ` ${changeRequired(user)}`);
    } else if (existing.passwordChangeRequired !== user.passwordChangeRequired) {
      alter.push(` SET PASSWORD ${changeRequired(user)}`);
    }
    if (existing.suspended !== user.suspended)
      alter.push(` SET STATUS ${user.suspended ? "SUSPENDED" : "ACTIVE"}`);
    if (alter.length > 0) userChanges.push(w.statement("ALTER USER ", name, ...alter));
    const revoke = existing.roles.filter((r) => !user.roles.includes(r));
    const grant = user.roles.filter((r) => !existing.roles.includes(r));
    if (revoke.length > 0)
      userChanges.push(
        w.statement(`REVOKE ROLE${revoke.length > 1 ? "S" : ""} `, ...w.list(revoke, "role"), " FROM ", name),
      );
    if (grant.length > 0) userChanges.push(grantRoles(w, grant, user.name));
  }

  const dropped = new Set<string>();
  const drops: RbacStatement[] = [];
  for (const name of [...managed.users].sort()) {
    if (
      !desiredUsers.has(name) &&
      actualUsers.has(name) &&
      name !== connectingUser &&
      name !== BUILT_IN_USER
    ) {
      dropped.add(name);
      drops.push(w.statement("DROP USER ", w.user(name)));
    }
  }
  for (const name of [...managed.roles].sort()) {
    if (!desiredRoles.has(name) && actualRoles.has(name) && !BUILT_IN_ROLES.includes(name)) {
      drops.push(w.statement("DROP ROLE ", w.role(name)));
    }
  }

  checkAdminRemains(input, dropped);
  return [...roleCreates, ...privilegeChanges, ...userChanges, ...drops];
}

/** The statements that build a spec on an empty DBMS, passwords as `$parameters`: for review or cypher-shell. */
export function rbacToCypher<P>(spec: RbacSpec<P>, resourceName = "rbacToCypher"): RbacStatement[] {
  const desired = checkRbacSpec(resourceName, spec);
  const edition: Edition =
    desired.roles.length > 0 || desired.users.some((u) => u.roles.length > 0 || u.suspended)
      ? "enterprise"
      : "community";
  return planRbac({
    resourceName,
    desired,
    actual: { edition, users: [], roles: [] },
    managed: { users: [], roles: [] },
    passwordChanges: [],
    connectingUser: "",
  });
}

/** What a policy manages now, as it reads back from `actual`: its outputs and what `pulumi refresh` compares. */
export function managedState(actual: ActualState, managed: { users: string[]; roles: string[] }): RbacState {
  const users = new Set(managed.users);
  const roles = new Set(managed.roles);
  return {
    users: actual.users.filter((u) => users.has(u.name)),
    roles: actual.roles.filter((r) => roles.has(r.name)),
  };
}

/**
 * Reads SHOW ROLES / SHOW PRIVILEGES AS COMMANDS rows into roles. Rows RbacPolicy does not model
 * (property-based rules, immutable privileges) are left out, so they are never revoked.
 */
export function rolesFromRows(roleNames: string[], rows: { role: string; command: string }[]): RoleState[] {
  const byRole = new Map<string, Set<string>>(roleNames.map((name) => [name, new Set<string>()]));
  for (const row of rows) {
    const privilege = parsePrivilegeCommand(row.command);
    if (privilege) byRole.get(row.role)?.add(privilege.key);
  }
  return [...byRole.entries()]
    .map(([name, keys]) => ({ name, privileges: [...keys].sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Reads a SHOW USERS row; Community reports no roles and no status. */
export function userFromRow(row: {
  user: string;
  roles: string[] | null;
  passwordChangeRequired: boolean;
  suspended: boolean | null;
}): UserState {
  return {
    name: row.user,
    roles: (row.roles ?? []).filter((r) => r !== "PUBLIC").sort(),
    passwordChangeRequired: row.passwordChangeRequired,
    suspended: row.suspended ?? false,
  };
}

function changeRequired(user: UserState): string {
  return user.passwordChangeRequired ? "CHANGE REQUIRED" : "CHANGE NOT REQUIRED";
}

function grantRoles(w: StatementWriter, roles: string[], user: string): RbacStatement {
  return w.statement(
    `GRANT ROLE${roles.length > 1 ? "S" : ""} `,
    ...w.list(roles, "role"),
    " TO ",
    w.user(user),
  );
}

function checkEdition(input: PlanInput): void {
  if (input.actual.edition === "enterprise") return;
  const error = inputErrors(RBAC_POLICY_COMPONENT, input.resourceName);
  const { desired } = input;
  const enterpriseOnly =
    "the target DBMS runs Neo4j Community Edition, which has no roles, privileges or user status; use an Enterprise DBMS or leave them out";
  if (desired.roles.length > 0) throw error("roles", `need Neo4j Enterprise Edition: ${enterpriseOnly}`);
  desired.users.forEach((user, u) => {
    if (user.roles.length > 0)
      throw error(`users[${u}].roles`, `need Neo4j Enterprise Edition: ${enterpriseOnly}`);
    if (user.suspended)
      throw error(`users[${u}].suspended`, `needs Neo4j Enterprise Edition (SET STATUS): ${enterpriseOnly}`);
  });
}

/**
 * Refuses a plan that takes the last active `admin` away (by dropping, suspending or demoting it):
 * the DBMS would have no one left to repair it.
 */
function checkAdminRemains(input: PlanInput, dropped: Set<string>): void {
  if (input.actual.edition !== "enterprise") return;
  const desired = new Map(input.desired.users.map((u) => [u.name, u]));
  const isActiveAdmin = (u: UserState) => !u.suspended && u.roles.includes("admin");
  const before = input.actual.users.filter(isActiveAdmin).length;
  const existing = new Set(input.actual.users.map((u) => u.name));
  const after = [
    ...input.actual.users.filter((u) => !dropped.has(u.name)).map((u) => desired.get(u.name) ?? u),
    ...input.desired.users.filter((u) => !existing.has(u.name)),
  ].filter(isActiveAdmin).length;
  if (before > 0 && after === 0) {
    throw inputErrors(RBAC_POLICY_COMPONENT, input.resourceName)(
      "users",
      "would leave the DBMS without an active user holding the admin role; keep admin on at least one user",
    );
  }
}
