import { inputErrors } from "../neo4j/errors";
import { quoteName } from "../neo4j/cypher";
import { grantStatement, parsePrivilegeCommand, revokeStatement } from "./privileges";
import {
  BUILT_IN_ROLES,
  RBAC_POLICY_COMPONENT,
  RbacSpec,
  RbacState,
  RoleState,
  UserState,
  checkRbacSpec,
} from "./spec";

export type Edition = "community" | "enterprise";

/** What SHOW USERS, SHOW ROLES and SHOW PRIVILEGES AS COMMANDS report, in comparable form. */
export interface ActualState {
  edition: Edition;
  users: UserState[];
  /** Every role on the DBMS with the privileges RbacPolicy understands; empty on Community. */
  roles: RoleState[];
}

/** One administration command. Passwords are never in `text`, only named by `passwordParameter`. */
export interface RbacStatement {
  text: string;
  /** The `$parameter` carrying the password of `passwordOf`. */
  passwordParameter?: string;
  passwordOf?: string;
}

export interface PlanInput {
  /** The resource name, for error messages. */
  resourceName: string;
  desired: RbacState;
  actual: ActualState;
  /** What this policy created or adopted on earlier runs: only these may be dropped. */
  managed: { users: string[]; roles: string[] };
  /** Existing users whose password must be set again (the desired one changed). */
  passwordChanges: string[];
  /** The user the policy connects as: never declared, dropped, suspended or demoted. */
  connectingUser: string;
}

/**
 * Turns desired and actual state into the ordered administration commands that make the DBMS
 * match the spec, changing nothing else. Applying the plan and planning again gives no statements.
 * Throws, before anything is changed, when the plan needs Enterprise features on Community, would
 * touch the connecting user, or would leave the DBMS without an active admin.
 */
export function planRbac(input: PlanInput): RbacStatement[] {
  const { desired, actual, managed, connectingUser } = input;
  const error = inputErrors(RBAC_POLICY_COMPONENT, input.resourceName);
  checkEdition(input);
  desired.users.forEach((user, u) => {
    if (user.name === connectingUser) {
      throw error(
        `users[${u}].name`,
        `"${user.name}" is the user RbacPolicy connects as; manage it outside the policy`,
      );
    }
  });

  const actualUsers = new Map(actual.users.map((u) => [u.name, u]));
  const actualRoles = new Map(actual.roles.map((r) => [r.name, r]));
  const desiredUsers = new Set(desired.users.map((u) => u.name));
  const desiredRoles = new Set(desired.roles.map((r) => r.name));
  const passwordChanges = new Set(input.passwordChanges);

  const roleCreates: RbacStatement[] = [];
  const privilegeChanges: RbacStatement[] = [];
  for (const role of desired.roles) {
    const existing = actualRoles.get(role.name);
    if (!existing) roleCreates.push({ text: `CREATE ROLE ${quoteName(role.name)}` });
    const have = new Set(existing?.privileges ?? []);
    const want = new Set(role.privileges);
    for (const key of have)
      if (!want.has(key)) privilegeChanges.push({ text: revokeStatement(key, role.name) });
    for (const key of want)
      if (!have.has(key)) privilegeChanges.push({ text: grantStatement(key, role.name) });
  }

  const userChanges: RbacStatement[] = [];
  for (const user of desired.users) {
    const existing = actualUsers.get(user.name);
    const parameter = passwordParameter(user.name);
    if (!existing) {
      userChanges.push({
        text: `CREATE USER ${quoteName(user.name)} SET PASSWORD $${parameter} ${changeRequired(user)}${user.suspended ? " SET STATUS SUSPENDED" : ""}`,
        passwordParameter: parameter,
        passwordOf: user.name,
      });
      if (user.roles.length > 0) userChanges.push({ text: grantRoles(user.roles, user.name) });
      continue;
    }
    const alter: string[] = [];
    const statement: RbacStatement = { text: "" };
    if (passwordChanges.has(user.name)) {
      alter.push(`SET PASSWORD $${parameter} ${changeRequired(user)}`);
      statement.passwordParameter = parameter;
      statement.passwordOf = user.name;
    } else if (existing.passwordChangeRequired !== user.passwordChangeRequired) {
      alter.push(`SET PASSWORD ${changeRequired(user)}`);
    }
    if (existing.suspended !== user.suspended)
      alter.push(`SET STATUS ${user.suspended ? "SUSPENDED" : "ACTIVE"}`);
    if (alter.length > 0)
      userChanges.push({ ...statement, text: `ALTER USER ${quoteName(user.name)} ${alter.join(" ")}` });
    const revoke = existing.roles.filter((r) => !user.roles.includes(r));
    const grant = user.roles.filter((r) => !existing.roles.includes(r));
    if (revoke.length > 0)
      userChanges.push({
        text: `REVOKE ROLE ${revoke.map(quoteName).join(", ")} FROM ${quoteName(user.name)}`,
      });
    if (grant.length > 0) userChanges.push({ text: grantRoles(grant, user.name) });
  }

  const drops: RbacStatement[] = [];
  for (const name of [...managed.users].sort()) {
    if (!desiredUsers.has(name) && actualUsers.has(name) && name !== connectingUser)
      drops.push({ text: `DROP USER ${quoteName(name)}` });
  }
  for (const name of [...managed.roles].sort()) {
    if (!desiredRoles.has(name) && actualRoles.has(name) && !BUILT_IN_ROLES.includes(name)) {
      drops.push({ text: `DROP ROLE ${quoteName(name)}` });
    }
  }

  checkAdminRemains(input, drops);
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

function grantRoles(roles: string[], user: string): string {
  return `GRANT ROLE${roles.length > 1 ? "S" : ""} ${roles.map(quoteName).join(", ")} TO ${quoteName(user)}`;
}

/** A readable, valid parameter name per user: `password_alice`, `password_jane_doe_example_com`. */
export function passwordParameter(user: string): string {
  return `password_${user.replace(/[^A-Za-z0-9_]/g, "_")}`;
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

/** Refuses a plan that takes the last active `admin` away; the DBMS would have no one to repair it. */
function checkAdminRemains(input: PlanInput, drops: RbacStatement[]): void {
  if (input.actual.edition !== "enterprise") return;
  const dropped = new Set(drops.map((d) => d.text));
  const desired = new Map(input.desired.users.map((u) => [u.name, u]));
  const isActiveAdmin = (u: UserState) => !u.suspended && u.roles.includes("admin");
  const before = input.actual.users.filter(isActiveAdmin).length;
  const after = input.actual.users
    .filter((u) => !dropped.has(`DROP USER ${quoteName(u.name)}`))
    .map((u) => desired.get(u.name) ?? u)
    .filter(isActiveAdmin).length;
  const added = input.desired.users.filter(
    (u) => !input.actual.users.some((a) => a.name === u.name) && isActiveAdmin(u),
  ).length;
  if (before > 0 && after + added === 0) {
    throw inputErrors(RBAC_POLICY_COMPONENT, input.resourceName)(
      "users",
      "would leave the DBMS without an active user holding the admin role; keep admin on at least one user",
    );
  }
}
