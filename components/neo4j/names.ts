/**
 * Names with rules of their own: Docker resource prefixes, Neo4j database names. One place, so
 * every component accepts and refuses the same names with the same words.
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

/** The host name for URLs printed for the host: `localhost` for a loopback or wildcard bind address. */
export function hostForUrls(bindAddress: string): string {
  return bindAddress === "0.0.0.0" || bindAddress.startsWith("127.") ? "localhost" : bindAddress;
}
