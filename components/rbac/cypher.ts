/**
 * The names RbacPolicy accepts for users and roles: Neo4j 5's own rules (its `NameValidator`), with
 * a length cap of our own. Both travel to Neo4j as `$parameters`, never inside the statement text,
 * so no character in them can change what a statement does; they are checked so that a bad name
 * fails at preview with the field named, not halfway through an apply.
 */

/** Longest user or role name accepted: enough for an e-mail-style login, short enough for an audit log. */
export const MAX_NAME_LENGTH = 100;

/** Neo4j's rule for user names: printable ASCII (`!` to `~`) except `,` and `:`. */
const USER_NAME = /^[\x21-\x2B\x2D-\x39\x3B-\x7E]+$/;

/** Neo4j's rule for role names: ASCII letters, digits and `_`. */
const ROLE_NAME = /^[A-Za-z0-9_]+$/;

export function userNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || !USER_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    return `must be 1 to ${MAX_NAME_LENGTH} printable ASCII characters other than space, "," and ":" (Neo4j's rule for user names; got ${JSON.stringify(name)})`;
  }
  return undefined;
}

export function roleNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || !ROLE_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    return `must be 1 to ${MAX_NAME_LENGTH} ASCII letters, digits and "_" (Neo4j's rule for role names; got ${JSON.stringify(name)})`;
  }
  return undefined;
}

/**
 * Neo4j 5 refuses any Bolt message larger than this before a connection has logged in ("Value of
 * size … exceeded limit of 8192"): a password can be set that no one can then log in with.
 */
export const LOGIN_MESSAGE_LIMIT = 8192;

/** Bytes of a PackStream string: its marker and length, then its UTF-8. */
function packedStringBytes(text: string): number {
  const n = Buffer.byteLength(text, "utf8");
  return n + (n < 16 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
}

/**
 * Size of the LOGON message a Bolt 5.1+ driver sends for basic auth, `{scheme: "basic", principal,
 * credentials}` in a one-field struct: measured against Neo4j 5.26, where a one-letter user can log
 * in with at most 8149 bytes of password. Older protocol versions send the token inside HELLO,
 * beside the driver's own fields, so they fit less.
 */
export function loginMessageBytes(user: string, password: string): number {
  const strings = ["scheme", "basic", "principal", user, "credentials", password];
  return 2 + 1 + strings.reduce((sum, s) => sum + packedStringBytes(s), 0);
}

/** Why `password` cannot be used to log in as `user`, or undefined; never quotes the password. */
export function passwordProblem(user: string, password: unknown): string | undefined {
  if (typeof password !== "string" || password.length === 0) return "is required";
  const bytes = loginMessageBytes(user, password);
  if (bytes <= LOGIN_MESSAGE_LIMIT) return undefined;
  const room = LOGIN_MESSAGE_LIMIT - loginMessageBytes(user, "") - 2;
  return `is too long to log in with: Neo4j refuses a login message over ${LOGIN_MESSAGE_LIMIT} bytes, and user ${JSON.stringify(user)} with this password needs ${bytes}; use at most ${room} bytes of UTF-8`;
}
