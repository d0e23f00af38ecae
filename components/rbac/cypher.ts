/**
 * Cypher quoting for names that end up in administration commands. Every user, role, database,
 * label, relationship type and property name the library writes into a statement goes through
 * `quoteName`; passwords never do, they only travel as `$parameters`.
 */

/** Backtick-quotes a name, doubling any backtick inside, so no name can end the quoted span early. */
export function quoteName(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}

/**
 * User names: letters, digits and `_ . @ -`, starting with a letter or digit, at most 100
 * characters: what people use for logins (`alice`, `svc-etl`, `jane.doe@example.com`), and nothing
 * that needs explaining in an audit log.
 */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;

/** Neo4j's own rule for role names: a letter, then letters, digits and underscores. */
const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

export function userNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || !USER_NAME.test(name)) {
    return `must start with a letter or digit and contain only letters, digits, "_", ".", "@" and "-", at most 100 characters (got ${JSON.stringify(name)})`;
  }
  return undefined;
}

export function roleNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || !ROLE_NAME.test(name)) {
    return `must start with a letter and contain only letters, digits and "_", at most 100 characters (got ${JSON.stringify(name)})`;
  }
  return undefined;
}
