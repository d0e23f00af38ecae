/**
 * Names with rules of their own: Docker resource prefixes, Neo4j database names. One place, so
 * every component accepts and refuses the same names with the same words.
 */

import { shown } from "./checks";

const RESOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,40}$/;
/**
 * Neo4j 5's rule for database names: 3-63 characters, a letter first, then letters, digits, dots
 * and dashes, not ending in a dot or dash. Neo4j folds names to lowercase; only lowercase is
 * accepted here so that the name in a backup folder and in `SHOW DATABASES` is the one written.
 */
const DATABASE_NAME = /^[a-z][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Why a component name cannot prefix Docker container, network and volume names, or undefined. */
export function resourceNameProblem(name: unknown): string | undefined {
  return typeof name === "string" && RESOURCE_NAME.test(name)
    ? undefined
    : `must be 1-41 lowercase letters, digits or dashes, starting with a letter or digit, since it prefixes Docker container, network and volume names (got ${JSON.stringify(name)})`;
}

/**
 * Why a string is not a Neo4j database name, or undefined. `system` is Neo4j's own database: it
 * is refused where a database of the user's is meant (`reserved: "refuse"`), and accepted where
 * existing databases are named (a backup of `system`). Neo4j reserves names that start with
 * `system` or `_` for itself either way.
 */
export function databaseNameProblem(
  name: unknown,
  { reserved }: { reserved: "refuse" | "accept system" } = { reserved: "accept system" },
): string | undefined {
  if (name === "system")
    return reserved === "refuse"
      ? `must not be "system": that is Neo4j's own database of users, roles and databases; choose a name such as "neo4j" or "graph"`
      : undefined;
  if (typeof name === "string" && name.startsWith("system"))
    return `must not start with "system", which Neo4j reserves for its own databases (got ${JSON.stringify(name)})`;
  return typeof name === "string" && DATABASE_NAME.test(name)
    ? undefined
    : `must be 3-63 lowercase letters, digits, dots or dashes, starting with a letter and ending with a letter or digit (got ${shown(name)})`;
}

/** An image reference as Docker and OCI registries read it: `[host[:port]/]path[:tag][@sha256:<64 hex>]`. */
const IMAGE_REFERENCE =
  /^(?:[A-Za-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Why a string is not an image reference, or undefined; `example` is what the message suggests. */
export function imageReferenceProblem(image: string, example = "neo4j:5.26-enterprise"): string | undefined {
  return IMAGE_REFERENCE.test(image)
    ? undefined
    : `must be an image reference such as ${example} or registry.example.com:5000/${example} (got ${JSON.stringify(image)})`;
}

/** A loopback address or name: reachable on this machine only, never from a container. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.");
}

/** The host name for URLs printed for the host: `localhost` for a loopback or wildcard bind address. */
export function hostForUrls(bindAddress: string): string {
  return bindAddress === "0.0.0.0" || isLoopback(bindAddress) ? "localhost" : bindAddress;
}

/** Container restart policies, as Docker names them. */
export const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** Docker's rule for network and volume names. */
const DOCKER_OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Why a string cannot name a Docker network or volume, or undefined. */
export function dockerObjectNameProblem(name: unknown): string | undefined {
  return typeof name === "string" && DOCKER_OBJECT_NAME.test(name)
    ? undefined
    : `must be a Docker object name: a letter or digit, then letters, digits, _ . - (got ${shown(name)})`;
}

/** The prefix of the labels the components set themselves; a user's label there would be overwritten. */
export const OWN_LABEL_PREFIX = "neo4j-estate.";
