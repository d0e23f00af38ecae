/**
 * Plugins and licence files for Neo4j members: which jars, from where, into `/plugins`; which of
 * their procedures Neo4j may load and run unrestricted; licence files into `/licenses`. Plain
 * functions, no Pulumi and no I/O: the jars themselves are fetched by common/maven.ts.
 *
 * Nothing is downloaded by a container at start (the official image's NEO4J_PLUGINS does that,
 * which Neo4j advises against in production): the jars are fetched once by the machine running
 * Pulumi, checked, cached, and uploaded into each member.
 */
import { Checks, orDefault } from "./checks";
import { Neo4jVersion, formatVersion } from "./version";

/** A plugin jar by name and version. */
export interface PluginArgs {
  /**
   * The plugin. `apoc` (APOC Core, from Maven Central), `graph-data-science` and `bloom` are known
   * by name: their procedure namespaces and settings come with them. Any other name needs `maven`
   * or `file`, and `procedures`.
   */
  name: string;
  /** Its version. APOC Core's must match the Neo4j version it runs on, such as `5.26.0` on 5.26. */
  version: string;
  /** Maven coordinates `group:artifact` or `group:artifact:classifier`, for a plugin the library does not know. */
  maven?: string;
  /** A jar on the machine running Pulumi (absolute path), for plugins not on a Maven repository (GDS Enterprise, Bloom). */
  file?: string;
  /** SHA-256 of the jar, hex. Required with `file`; with `maven`, checked in addition to the repository's SHA-1. */
  sha256?: string;
  /** Procedure and function names (`apoc.*`) Neo4j may load from it (`dbms.security.procedures.allowlist`). Default: the known plugin's namespace. */
  procedures?: string[];
  /** Names that may run unrestricted (`dbms.security.procedures.unrestricted`). Default: what the plugin's own installation guide asks for. */
  unrestricted?: string[];
}

/** A plugin resolved to one jar and its security settings. */
export interface PluginSpec {
  name: string;
  version: string;
  source:
    | { kind: "maven"; group: string; artifact: string; classifier?: string; sha256?: string }
    | { kind: "file"; path: string; sha256: string };
  /** The jar's name in `/plugins`. */
  jarName: string;
  procedures: string[];
  unrestricted: string[];
  /** Said when the jar cannot be fetched, for plugins with a known gap on Maven Central. */
  whenMissing?: string;
  /** Settings the plugin asks for beyond the allow lists (Bloom's unmanaged extension, for one). */
  settings: Record<string, string>;
  /** Setting names the plugin declares, which Neo4j's strict validation accepts once it is loaded. */
  declaresSettings: RegExp[];
}

interface KnownPlugin {
  /** Maven coordinates, when it is on Maven Central; the version is the plugin's. */
  maven?: { group: string; artifact: string; classifier?: string };
  /** What to say when a version is not on Maven Central in the form needed. */
  whenMissing?: string;
  /** The major.minor of Neo4j a version runs on, when the plugin is tied to one (APOC Core). */
  neo4jVersion?: (pluginVersion: string) => string;
  procedures: string[];
  unrestricted: string[];
  settings?: Record<string, string>;
  declaresSettings?: RegExp[];
}

/**
 * What Neo4j's official image knows about these plugins (its neo4j-plugins.json) and where APOC
 * Core is published: Maven Central's `apoc-core` with the `core` classifier is the self-contained
 * jar the APOC release ships (the plain jar lacks apoc-common and the libraries it bundles). Maven
 * Central has that jar for APOC 5.2 to 5.26.5; later 5.26 patches only as the plain jar, and
 * 2025.x not at all.
 */
export const KNOWN_PLUGINS: Record<string, KnownPlugin> = {
  apoc: {
    maven: { group: "org.neo4j.procedure", artifact: "apoc-core", classifier: "core" },
    whenMissing:
      "Maven Central has APOC Core's self-contained jar (classifier core) for 5.2 to 5.26.5 only; use such a version (any 5.26.x runs on every 5.26 patch), or download the release's apoc-<version>-core.jar and give it as file with its sha256",
    neo4jVersion: (v) => v.split(".").slice(0, 2).join("."),
    procedures: ["apoc.*"],
    unrestricted: ["apoc.*"],
  },
  "graph-data-science": {
    procedures: ["gds.*"],
    unrestricted: ["gds.*"],
  },
  bloom: {
    procedures: ["bloom.*"],
    unrestricted: ["bloom.*"],
    settings: { "server.unmanaged_extension_classes": "com.neo4j.bloom.server=/browser/bloom" },
    declaresSettings: [/^dbms\.bloom\./],
  },
};

/** Where plugins come from unless pluginRepository says otherwise. */
export const MAVEN_CENTRAL = "https://repo1.maven.org/maven2";

/** Where jars go in a member; the official image points server.directories.plugins here too. */
export const PLUGINS_DIR = "/plugins";
/** Where licence files go; the official image points server.directories.licenses here too. */
export const LICENSES_DIR = "/licenses";

const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;
const MAVEN_PART = /^[A-Za-z0-9_.-]+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const PROCEDURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|\*))*$/;
const LICENSE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Checks `plugins` against each other and the Neo4j version; [] when none are asked for. */
export function planPlugins(value: unknown, version: Neo4jVersion, check: Checks): PluginSpec[] {
  if (value === undefined) return [];
  const list = check.list("plugins", value, 'plugins such as { name: "apoc", version: "5.26.0" }');
  const plugins = list.map((entry, i) => planPlugin(`plugins[${i}]`, entry, version, check));
  const seen = new Map<string, string>();
  plugins.forEach((plugin, i) => {
    const previous = seen.get(plugin.name) ?? seen.get(plugin.jarName);
    if (previous)
      throw check.fail(`plugins[${i}]`, `repeats ${previous}: load each plugin once, in one version`);
    seen.set(plugin.name, `plugins[${i}] (${plugin.name})`);
    seen.set(plugin.jarName, `plugins[${i}] (${plugin.name})`);
  });
  return plugins;
}

function planPlugin(field: string, value: unknown, version: Neo4jVersion, check: Checks): PluginSpec {
  const given = check.object<PluginArgs>(field, value, [
    "name",
    "version",
    "maven",
    "file",
    "sha256",
    "procedures",
    "unrestricted",
  ]);
  const name = check.text(`${field}.name`, given.name, '"apoc"');
  if (!PLUGIN_NAME.test(name))
    throw check.fail(
      `${field}.name`,
      `must be lowercase letters, digits and dashes (got ${JSON.stringify(name)})`,
    );
  const pluginVersion = check.text(`${field}.version`, given.version, '"5.26.0"');
  if (!VERSION.test(pluginVersion))
    throw check.fail(
      `${field}.version`,
      `must be a version such as 5.26.0 (got ${JSON.stringify(pluginVersion)})`,
    );
  const known = KNOWN_PLUGINS[name];
  const sha256 = orDefault(given.sha256, undefined, (v) => {
    if (typeof v !== "string" || !SHA256.test(v))
      throw check.fail(`${field}.sha256`, `must be 64 lowercase hex digits (got ${JSON.stringify(v)})`);
    return v;
  });

  if (known?.neo4jVersion) {
    const wanted = formatVersion({ ...version, patch: undefined });
    if (known.neo4jVersion(pluginVersion) !== wanted)
      throw check.fail(
        `${field}.version`,
        `is ${pluginVersion}, built for Neo4j ${known.neo4jVersion(pluginVersion)}; ${name} loads only on the Neo4j version it was built for, so use a ${wanted}.x version on this ${formatVersion(version)} image`,
      );
  }

  let source: PluginSpec["source"];
  if (given.maven !== undefined && given.file !== undefined)
    throw check.fail(field, "takes maven or file, not both");
  if (given.file !== undefined) {
    const path = check.text(`${field}.file`, given.file, '"/srv/neo4j/plugins/bloom.jar"');
    if (!path.startsWith("/") || !path.endsWith(".jar"))
      throw check.fail(`${field}.file`, `must be an absolute path to a .jar (got ${JSON.stringify(path)})`);
    if (sha256 === undefined)
      throw check.fail(
        `${field}.sha256`,
        "is required with file, so that the jar every member loads is the one you meant",
      );
    source = { kind: "file", path, sha256 };
  } else {
    const coordinates =
      given.maven ??
      (known?.maven &&
        [known.maven.group, known.maven.artifact, known.maven.classifier].filter(Boolean).join(":"));
    if (coordinates === undefined)
      throw check.fail(
        field,
        `names ${JSON.stringify(name)}, which is not on Maven Central or not known to this library (${Object.keys(KNOWN_PLUGINS).join(", ")}): give maven coordinates or a file`,
      );
    const parts = check.text(`${field}.maven`, coordinates, '"org.example:my-procedures"').split(":");
    if (parts.length < 2 || parts.length > 3 || !parts.every((p) => MAVEN_PART.test(p)))
      throw check.fail(
        `${field}.maven`,
        `must be group:artifact or group:artifact:classifier (got ${JSON.stringify(coordinates)})`,
      );
    source = { kind: "maven", group: parts[0], artifact: parts[1], classifier: parts[2], sha256 };
  }

  const namesList = (key: "procedures" | "unrestricted", fallback: string[] | undefined): string[] => {
    if (given[key] === undefined) {
      if (fallback !== undefined) return [...fallback];
      throw check.fail(
        `${field}.${key}`,
        `is required for a plugin this library does not know: name the procedures and functions to allow, such as ["${name.replace(/-/g, "")}.*"]`,
      );
    }
    return check.list(`${field}.${key}`, given[key], 'procedure names such as "apoc.*"').map((n, j) => {
      if (typeof n !== "string" || !PROCEDURE_NAME.test(n))
        throw check.fail(
          `${field}.${key}[${j}]`,
          `must be a procedure or function name, * allowed per segment (got ${JSON.stringify(n)})`,
        );
      return n;
    });
  };

  const base = source.kind === "maven" ? source.artifact : name;
  const classifier = source.kind === "maven" && source.classifier ? `-${source.classifier}` : "";
  return {
    name,
    version: pluginVersion,
    source,
    jarName: `${base}-${pluginVersion}${classifier}.jar`,
    procedures: namesList("procedures", known?.procedures),
    unrestricted: namesList("unrestricted", known ? known.unrestricted : []),
    settings: { ...(known?.settings ?? {}) },
    whenMissing: source.kind === "maven" && given.maven === undefined ? known?.whenMissing : undefined,
    declaresSettings: known?.declaresSettings ?? [],
  };
}

/**
 * The settings plugins need: where the jars are, which of their procedures load and which run
 * unrestricted. With plugins, the allow list names exactly theirs: Neo4j's default `*` would load
 * anything a jar in /plugins contains.
 */
export function pluginSettings(plugins: PluginSpec[]): Record<string, string> {
  if (plugins.length === 0) return {};
  const unique = (names: string[]) => [...new Set(names)].join(",");
  const settings: Record<string, string> = {
    "server.directories.plugins": PLUGINS_DIR,
    "dbms.security.procedures.allowlist": unique(plugins.flatMap((p) => p.procedures)),
  };
  const unrestricted = unique(plugins.flatMap((p) => p.unrestricted));
  if (unrestricted !== "") settings["dbms.security.procedures.unrestricted"] = unrestricted;
  for (const plugin of plugins) Object.assign(settings, plugin.settings);
  return settings;
}

/** Checks licence file names (their contents are secrets, checked only for being there). */
export function planLicenses(value: unknown, check: Checks): string[] {
  if (value === undefined) return [];
  const licenses = check.record(
    "licenses",
    value,
    'licence files by name, such as { "gds.license": secret }',
  );
  return Object.keys(licenses).map((file) => {
    if (!LICENSE_FILE.test(file))
      throw check.fail(
        `licenses[${JSON.stringify(file)}]`,
        "must be a plain file name (letters, digits, dots, dashes, underscores), since it becomes /licenses/<name>",
      );
    if (licenses[file] === undefined || licenses[file] === null)
      throw check.fail(`licenses[${JSON.stringify(file)}]`, "needs the licence's contents (a secret)");
    return file;
  });
}

/** With licence files, Neo4j looks for them in /licenses. */
export function licenseSettings(files: string[]): Record<string, string> {
  return files.length === 0 ? {} : { "server.directories.licenses": LICENSES_DIR };
}
