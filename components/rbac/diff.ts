import { BUILT_IN_USER, RoleState, UserState } from "./spec";

/**
 * What `pulumi preview` should say about an RbacPolicy: which users, roles and privileges change,
 * as a Pulumi detailed diff (property path → kind) and as one readable line per change. Pure: the
 * provider decides which passwords changed (it holds the hashes) and passes only the user names.
 */

/**
 * The placeholder Pulumi's engine hands a provider, during a preview, for an input that is known
 * only after apply (`unknownValue` in @pulumi/pulumi's runtime/rpc): the URI of a cluster whose
 * members are being replaced, say. It is not a value, so it is never printed as one.
 */
export const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_INPUT;
}

/** The `PropertyDiff.Kind` values of Pulumi's provider protocol that a policy change can be. */
export type PropertyDiffKind = "ADD" | "DELETE" | "UPDATE";

/** One entry of a Pulumi detailed diff; always an input diff, since state and inputs share a shape. */
export interface PropertyDiff {
  kind: PropertyDiffKind;
  inputDiff: true;
}

/** The properties of the policy's dynamic resource that a diff compares (old outputs or new inputs). */
export interface PolicyProperties {
  uri: string;
  username: string;
  adminPassword: string;
  waitTimeoutSeconds: number;
  users: UserState[];
  roles: RoleState[];
  /** The desired passwords' owners, in the order of the `passwords` input (values never needed here). */
  passwords?: { name: string }[];
}

export interface RbacDiff {
  /**
   * Paths follow Pulumi's rules: `users[i]`, `roles[i].privileges[k]` index the new inputs for ADD
   * and UPDATE and the old state for DELETE; a password is `passwords[i]`, never its value.
   */
  detailedDiff: Record<string, PropertyDiff>;
  /** One line per change, names only, in the order the paths were found. */
  summary: string[];
}

/**
 * Compares old state and new inputs by name: users and roles are matched by name wherever they
 * sit in the lists, and privileges by their normalised key, so rewording a privilege (or listing
 * it elsewhere) is no change. `passwordChanges` names the kept users whose desired password differs
 * from the one last applied; `passwordsRecomputed` those whose password is not known until apply.
 * A connection input that is not known yet is said to be recomputed, and nothing more: where it
 * will point is not known, so the line claims nothing about it.
 */
export function diffPolicy(
  olds: Partial<PolicyProperties>,
  news: PolicyProperties,
  passwordChanges: string[],
  passwordsRecomputed: string[] = [],
): RbacDiff {
  const detailedDiff: Record<string, PropertyDiff> = {};
  const summary: string[] = [];
  const record = (path: string, kind: PropertyDiffKind, line: string) => {
    // A user dropped at old index i and another added at new index i share the path `users[i]`:
    // Pulumi reads that as the element at i being replaced by another, an UPDATE.
    const seen = detailedDiff[path];
    detailedDiff[path] = { kind: seen && seen.kind !== kind ? "UPDATE" : kind, inputDiff: true };
    summary.push(line);
  };

  if (isUnknown(news.uri))
    record("uri", "UPDATE", `target ${olds.uri}: the URI is recomputed because the cluster changes`);
  else if (olds.uri !== news.uri) {
    record(
      "uri",
      "UPDATE",
      `target ${olds.uri} -> ${news.uri}: the policy is applied there; the old DBMS is left as it is`,
    );
  }
  if (isUnknown(news.username))
    record("username", "UPDATE", "the admin username is recomputed because the cluster changes");
  else if (olds.username !== news.username)
    record("username", "UPDATE", `connects as ${q(news.username)} instead of ${q(olds.username)}`);
  if (isUnknown(news.adminPassword))
    record("adminPassword", "UPDATE", "the admin password is recomputed because the cluster changes");
  else if (olds.adminPassword !== news.adminPassword)
    record("adminPassword", "UPDATE", "the admin password changes");
  if (olds.waitTimeoutSeconds !== news.waitTimeoutSeconds) {
    record(
      "waitTimeoutSeconds",
      "UPDATE",
      `waitTimeoutSeconds ${olds.waitTimeoutSeconds} -> ${news.waitTimeoutSeconds}`,
    );
  }

  const oldRoles = olds.roles ?? [];
  const oldRoleIndex = indexByName(oldRoles);
  news.roles.forEach((role, i) => {
    const j = oldRoleIndex.get(role.name);
    if (j === undefined) {
      record(
        `roles[${i}]`,
        "ADD",
        `role ${q(role.name)} is created with ${count(role.privileges.length, "privilege")}`,
      );
      return;
    }
    const had = new Set(oldRoles[j].privileges);
    const wants = new Set(role.privileges);
    role.privileges.forEach((key, k) => {
      if (!had.has(key)) record(`roles[${i}].privileges[${k}]`, "ADD", `role ${q(role.name)}: + ${key}`);
    });
    oldRoles[j].privileges.forEach((key, k) => {
      if (!wants.has(key)) record(`roles[${j}].privileges[${k}]`, "DELETE", `role ${q(role.name)}: - ${key}`);
    });
  });
  const newRoles = new Set(news.roles.map((r) => r.name));
  oldRoles.forEach((role, j) => {
    if (!newRoles.has(role.name)) record(`roles[${j}]`, "DELETE", `role ${q(role.name)} is dropped`);
  });

  const oldUsers = olds.users ?? [];
  const oldUserIndex = indexByName(oldUsers);
  const passwordChanged = new Set(passwordChanges);
  const passwordRecomputed = new Set(passwordsRecomputed);
  news.users.forEach((user, i) => {
    const j = oldUserIndex.get(user.name);
    if (j === undefined) {
      const roles = user.roles.length > 0 ? ` with roles ${user.roles.join(", ")}` : "";
      record(`users[${i}]`, "ADD", `user ${q(user.name)} is created${roles}`);
      return;
    }
    const old = oldUsers[j];
    if (!sameMembers(old.roles, user.roles)) {
      record(
        `users[${i}].roles`,
        "UPDATE",
        `user ${q(user.name)}: roles ${listOf(old.roles)} -> ${listOf(user.roles)}`,
      );
    }
    for (const flag of ["passwordChangeRequired", "suspended"] as const) {
      if (old[flag] !== user[flag]) {
        record(
          `users[${i}].${flag}`,
          "UPDATE",
          `user ${q(user.name)}: ${flag} ${old[flag]} -> ${user[flag]}`,
        );
      }
    }
    if (passwordChanged.has(user.name) || passwordRecomputed.has(user.name)) {
      const k = (news.passwords ?? []).findIndex((p) => p.name === user.name);
      record(
        k >= 0 ? `passwords[${k}]` : "passwords",
        "UPDATE",
        `user ${q(user.name)}: the password ${passwordRecomputed.has(user.name) ? "is recomputed" : "changes"}`,
      );
    }
  });
  const newUsers = new Set(news.users.map((u) => u.name));
  oldUsers.forEach((user, j) => {
    if (newUsers.has(user.name)) return;
    record(
      `users[${j}]`,
      "DELETE",
      user.name === BUILT_IN_USER
        ? `user ${q(user.name)} is no longer managed; it is left as it is (RbacPolicy never drops the built-in user)`
        : `user ${q(user.name)} is dropped`,
    );
  });

  return { detailedDiff, summary };
}

/** A name as the summary prints it: in double quotes, with JSON's escapes, so any name reads unambiguously. */
const q = (name: string | undefined) => JSON.stringify(name);

function indexByName(items: { name: string }[]): Map<string, number> {
  return new Map(items.map((item, i) => [item.name, i]));
}

function sameMembers(a: string[], b: string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((x) => set.has(x));
}

function listOf(names: string[]): string {
  return names.length > 0 ? names.join(", ") : "(none)";
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
