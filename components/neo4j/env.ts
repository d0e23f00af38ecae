/**
 * The official Neo4j image turns `NEO4J_*` environment variables into settings: it drops `NEO4J_`,
 * reads `__` as a literal `_` and every other `_` as `.`. This is the one place that encodes a
 * setting name that way.
 */

/** `server.cluster.raft.advertised_address` → `NEO4J_server_cluster_raft_advertised__address`. */
export function settingToEnvVar(setting: string): string {
  return "NEO4J_" + setting.replace(/_/g, "__").replace(/\./g, "_");
}

/** The inverse of {@link settingToEnvVar}, as the image's entrypoint decodes it. */
export function envVarToSetting(envVar: string): string {
  if (!envVar.startsWith("NEO4J_")) throw new Error(`not a Neo4j setting variable: ${envVar}`);
  return envVar
    .slice("NEO4J_".length)
    .split("__")
    .map((part) => part.replace(/_/g, "."))
    .join("_");
}

/** Settings as Docker `KEY=value` strings, sorted so that the container's inputs diff stably. */
export function settingsToEnv(settings: Record<string, string>): string[] {
  return Object.keys(settings)
    .sort()
    .map((name) => `${settingToEnvVar(name)}=${settings[name]}`);
}
