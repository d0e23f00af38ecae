/**
 * Names and values with rules of their own: Docker resource prefixes, Neo4j database names,
 * memory sizes, whole numbers. One place, so every component accepts and refuses the same input
 * with the same words.
 */

const RESOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;
/** Neo4j 5's rule for standard database names. */
const DATABASE_NAME = /^[a-z0-9][a-z0-9.-]{2,62}$/;

/** Why a component name cannot prefix Docker container, network and volume names, or undefined. */
export function resourceNameProblem(name: unknown): string | undefined {
  return typeof name === "string" && RESOURCE_NAME.test(name)
    ? undefined
    : `must be 1-41 lowercase letters, digits or dashes, starting with a letter or digit, since it prefixes Docker container, network and volume names (got ${JSON.stringify(name)})`;
}

/** Why a string is not a Neo4j database name, or undefined. */
export function databaseNameProblem(name: unknown): string | undefined {
  return typeof name === "string" && DATABASE_NAME.test(name)
    ? undefined
    : `must be 3-63 lowercase letters, digits, dots or dashes, starting with a letter or digit (got ${JSON.stringify(name)})`;
}

/**
 * Memory sizes as Neo4j and the JVM both read them: a whole number with an optional k, m or g.
 * Fractions (`1.5g`) are refused: the heap size becomes a JVM -Xmx flag, which takes none.
 */
const MEMORY_SIZE = /^\d+[kKmMgG]?$/;

/** Why a string is not a memory size such as 512m or 2g, or undefined. */
export function memorySizeProblem(size: unknown): string | undefined {
  return typeof size === "string" && MEMORY_SIZE.test(size)
    ? undefined
    : `must be a whole number with an optional unit, such as 512m or 2g (got ${JSON.stringify(size)})`;
}

export function isWholeNumber(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n);
}

/** The host name for URLs printed for the host: `localhost` for a loopback or wildcard bind address. */
export function hostForUrls(bindAddress: string): string {
  return bindAddress === "0.0.0.0" || bindAddress.startsWith("127.") ? "localhost" : bindAddress;
}
