/**
 * The names RbacPolicy accepts for users and roles. Quoting lives in neo4j/cypher.ts.
 */

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
