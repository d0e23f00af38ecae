/**
 * Cypher quoting for names that end up in statements. Every user, role, database, label,
 * relationship type and property name the library writes into a statement goes through
 * `quoteName`; passwords never do, they only travel as `$parameters`.
 */

/** Backtick-quotes a name, doubling any backtick inside, so no name can end the quoted span early. */
export function quoteName(name: string): string {
  return "`" + name.replace(/`/g, "``") + "`";
}
