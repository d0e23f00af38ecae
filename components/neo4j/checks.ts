/**
 * The small checkers every component's argument validation is made of: whole numbers in a range,
 * booleans, one of a list, durations, memory sizes, host paths, known keys. One set, so that every
 * component accepts and refuses the same kind of value with the same words, and so that an
 * argument added later gets the same treatment by calling one line.
 *
 * Each checker takes the value as the user passed it (`unknown`: JavaScript callers, YAML programs
 * and `as any` reach here too), returns it typed and normalised, or throws an InputError that names
 * the component, the resource name and the field, says what is accepted and shows what was given:
 *
 *     Neo4jCluster "graph": primaries must be a whole number from 1 to 11 (got "3")
 *
 * No Pulumi here: the shells call the same checkers before `super()` for plain values and inside
 * `apply` for resolved inputs (see common/checked-input.ts), so both paths print the same message.
 */
import { InputError } from "./errors";

/** A value as a message shows it: strings quoted, so `"3"` and `3` are told apart. */
export function shown(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (isDeferred(value)) return "a Pulumi Output or Promise";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A Pulumi Output or a Promise: a value not known until deployment. */
export function isDeferred(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const v = value as { apply?: unknown; then?: unknown };
  return typeof v.apply === "function" || typeof v.then === "function";
}

export interface Range {
  min?: number;
  max?: number;
}

function rangeText({ min, max }: Range, unit = ""): string {
  if (min !== undefined && max !== undefined) return ` from ${min}${unit} to ${max}${unit}`;
  if (min !== undefined) return `, at least ${min}${unit}`;
  if (max !== undefined) return `, at most ${max}${unit}`;
  return "";
}

function inRange(n: number, { min, max }: Range): boolean {
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (`blot` is one from
 * `bolt`), for "did you mean" hints on misspelled names.
 */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/**
 * The candidate `text` most likely meant: one a few edits away (half its length, at least
 * two), or one it begins (`monitor` for `monitoring`). Undefined when none is close: a wrong
 * suggestion misleads more than none.
 */
export function closestName(text: string, candidates: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const candidate = name.toLowerCase();
    const d = lower.length >= 3 && candidate.startsWith(lower) ? 0.5 : editDistance(lower, candidate);
    if (d <= Math.max(2, Math.floor(lower.length / 2)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

// ---------------------------------------------------------------------------------------------
// Durations

const DURATION_UNITS = [
  ["y", 365 * 86_400_000],
  ["w", 7 * 86_400_000],
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
] as const;

/**
 * Prometheus's duration grammar, which Neo4j-side schedules share: number-unit pairs from the
 * largest unit to the smallest, each unit at most once (`1h30m`, `90s`, `1w`). Prometheus refuses
 * `30m1h` and `1m1m`, so they are refused here too rather than at its start-up.
 */
const DURATION = new RegExp(`^${DURATION_UNITS.map(([unit]) => `(?:(\\d+)${unit})?`).join("")}$`);

/** Parses a duration such as `15s`, `1h30m` or `2w` into milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === "") return undefined;
  let ms = 0;
  DURATION_UNITS.forEach(([, unitMs], i) => {
    if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * unitMs;
  });
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Milliseconds as the shortest duration text: 5_400_000 is `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let text = "";
  for (const [unit, unitMs] of DURATION_UNITS) {
    // Years and weeks only when exact: 400 days reads better as 400d than 1y5w.
    if ((unit === "y" || unit === "w") && rest % unitMs !== 0) continue;
    const n = Math.floor(rest / unitMs);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * unitMs;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Memory sizes

const SIZE_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/**
 * Memory sizes as Neo4j and the JVM both read them: a whole number with a unit k, m or g. Fractions
 * (`1.5g`) are refused because the heap size becomes a JVM -Xmx flag, which takes none; a number
 * without a unit is refused because it means bytes, which is never what was meant.
 */
const SIZE = /^(\d+)([kKmMgG])$/;

/** The most memory any one host has today is a few tens of TiB; a size above it is a typo. */
export const MAX_MEMORY_BYTES = 64 * 1024 ** 4;

/** Parses `512m`, `2g` into bytes; undefined for anything else. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  return m ? Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()] : undefined;
}

/** Bytes as the largest exact unit: 1073741824 is `1g`. */
export function formatSize(bytes: number): string {
  for (const unit of ["g", "m", "k"])
    if (bytes % SIZE_UNITS[unit] === 0) return `${bytes / SIZE_UNITS[unit]}${unit}`;
  return `${bytes} bytes`;
}

// ---------------------------------------------------------------------------------------------
// Host paths

/**
 * Host directories that must never be handed to a container as a data directory: the runner
 * gives the directory to uid 7474, and a backup folder in one of these would take over part of the
 * operating system, or vanish at reboot (/run, /proc, /sys, /dev are not disks at all).
 */
const SYSTEM_TREES = [
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/proc",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/var/lib/docker",
  "/var/run",
];
/** Top-level directories that hold other things: a subdirectory is fine, the directory itself is not. */
const SHARED_ROOTS = [
  "/",
  "/home",
  "/media",
  "/mnt",
  "/opt",
  "/root",
  "/srv",
  "/tmp",
  "/var",
  "/var/lib",
  "/snap",
];

/** Why a host directory may not hold a component's data, or undefined; `path` is already normalised. */
function hostDirectoryProblem(path: string): string | undefined {
  const tree = SYSTEM_TREES.find((t) => path === t || path.startsWith(`${t}/`));
  if (tree) return `is inside the system directory ${tree}`;
  if (SHARED_ROOTS.includes(path))
    return path === "/" ? "is the root directory" : `is the shared directory ${path} itself`;
  return undefined;
}

/** Normalises an absolute path: no `.`, `..`, repeated or trailing slashes; undefined when it climbs or is not absolute. */
function normaliseAbsolutePath(text: string): string | undefined {
  if (!text.startsWith("/")) return undefined;
  const parts: string[] = [];
  for (const part of text.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return undefined;
    parts.push(part);
  }
  return `/${parts.join("/")}`;
}

// ---------------------------------------------------------------------------------------------
// The checkers, bound to one component and resource name

export interface Checks {
  /** An InputError for this component and resource. */
  fail(field: string, problem: string): InputError;
  /** Refuses an Output or Promise where the value decides the resource graph and must be known at preview. */
  plain(field: string, value: unknown): void;
  /** An object with only the given keys: a misspelled key would otherwise be silently ignored. */
  object<T extends object>(field: string, value: unknown, keys: readonly string[], what?: string): T;
  /**
   * A component's argument object: only known keys, and plain values except for the arguments
   * that may be Pulumi inputs (checked by the component when they resolve).
   */
  args<T extends object>(
    value: unknown,
    keys: readonly string[],
    inputKeys: readonly string[],
    example: string,
  ): T;
  wholeNumber(field: string, value: unknown, range: Range): number;
  /** A finite number (fractions allowed) in a range. */
  number(field: string, value: unknown, range: Range): number;
  boolean(field: string, value: unknown): boolean;
  oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T;
  /** A string that is not empty after trimming. */
  text(field: string, value: unknown, example: string): string;
  /** A duration (`15s`, `1h30m`) within a range given as durations; returns milliseconds. */
  duration(field: string, value: unknown, range: { min: string; max?: string }, example: string): number;
  /** A memory size (`512m`, `2g`) of at least `min`; returns bytes. */
  size(field: string, value: unknown, min?: string): number;
  /** An absolute host directory that is not the root or a system directory; returns it normalised. */
  hostDirectory(field: string, value: unknown): string;
  /** A TCP port, 1 to 65535. */
  port(field: string, value: unknown): number;
  /** A list; each entry is checked by the caller. */
  list(field: string, value: unknown, what: string): unknown[];
  /** An object with any keys, such as settings by name; its values are checked by the caller. */
  record(field: string, value: unknown, what: string): Record<string, unknown>;
  /** String keys and string values, such as Docker labels. */
  stringMap(field: string, value: unknown, what: string): Record<string, string>;
}

/**
 * The stop grace periods accepted, in seconds: at least 10 (Neo4j needs more than that to
 * checkpoint anything), at most a day (beyond that a stop is not graceful but stuck).
 */
export const STOP_GRACE_SECONDS: Range = { min: 10, max: 86_400 };

/**
 * A component's argument type, but only when the core's checked shape declares every key of it: a
 * shell passes `args satisfies OnlyCheckedArgs<Args, ShapeArgs>` to its validator, so an argument
 * added to the shell's interface alone fails to compile ("property … is missing") instead of
 * being refused at run time as an unknown key.
 */
export type OnlyCheckedArgs<Args, Checked> = Args & Record<Exclude<keyof Args, keyof Checked>, never>;

/** The checked value, or the default when the argument was left out (`undefined`). */
export function orDefault<T>(value: unknown, fallback: T, check: (value: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}

/** The checkers for one component's resource: `argChecks("Neo4jCluster", "graph")`. */
export function argChecks(component: string, resourceName: string): Checks {
  const fail = (field: string, problem: string) => new InputError(component, resourceName, field, problem);
  const got = (value: unknown) => `(got ${shown(value)})`;

  const checks: Checks = {
    fail,
    plain(field, value) {
      if (isDeferred(value))
        throw fail(
          field,
          `must be a plain value, not a Pulumi Output or Promise: it decides which resources are created, so it must be known at preview`,
        );
    },
    object<T extends object>(field: string, value: unknown, keys: readonly string[], what = "an object") {
      if (typeof value !== "object" || value === null || Array.isArray(value) || isDeferred(value))
        throw fail(field, `${field === "" ? "takes" : "must be"} ${what} ${got(value)}`);
      for (const key of Object.keys(value)) {
        if (keys.includes(key)) continue;
        const near = closestName(key, keys);
        const prefix = field === "" ? "" : `${field}.`;
        throw fail(
          `${prefix}${key}`,
          `is not ${field === "" ? `an argument of ${component}` : `a field of ${field}`}${near ? `; did you mean ${near}?` : ` (known: ${keys.join(", ")})`}`,
        );
      }
      return value as T;
    },
    args<T extends object>(
      value: unknown,
      keys: readonly string[],
      inputKeys: readonly string[],
      example: string,
    ) {
      const given = checks.object<Record<string, unknown>>(
        "",
        value,
        keys,
        `an object of arguments such as ${example}`,
      );
      for (const key of keys) if (!inputKeys.includes(key)) checks.plain(key, given[key]);
      return given as T;
    },
    wholeNumber(field, value, range) {
      if (typeof value !== "number" || !Number.isInteger(value) || !inRange(value, range))
        throw fail(field, `must be a whole number${rangeText(range)} ${got(value)}`);
      return value;
    },
    number(field, value, range) {
      if (typeof value !== "number" || !Number.isFinite(value) || !inRange(value, range))
        throw fail(field, `must be a number${rangeText(range)} ${got(value)}`);
      return value;
    },
    boolean(field, value) {
      if (typeof value !== "boolean") throw fail(field, `must be true or false ${got(value)}`);
      return value;
    },
    oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
      if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
      const near = typeof value === "string" ? closestName(value, allowed) : undefined;
      throw fail(
        field,
        `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}${near ? `; did you mean ${JSON.stringify(near)}?` : ""} ${got(value)}`,
      );
    },
    text(field, value, example) {
      if (typeof value !== "string" || value.trim() === "")
        throw fail(field, `must be a non-empty string such as ${example} ${got(value)}`);
      return value;
    },
    duration(field, value, range, example) {
      const min = parseDuration(range.min)!;
      const max = range.max === undefined ? undefined : parseDuration(range.max)!;
      const ms = typeof value === "string" ? parseDuration(value) : undefined;
      const accepted = `a duration such as ${example} (units ms, s, m, h, d, w, y, largest first)${
        max === undefined ? `, at least ${range.min}` : ` from ${range.min} to ${range.max}`
      }`;
      if (ms === undefined || ms < min || (max !== undefined && ms > max))
        throw fail(field, `must be ${accepted} ${got(value)}`);
      return ms;
    },
    size(field, value, min = "1m") {
      const minBytes = parseSize(min)!;
      const bytes = typeof value === "string" ? parseSize(value) : undefined;
      if (bytes === undefined || bytes < minBytes || bytes > MAX_MEMORY_BYTES)
        throw fail(
          field,
          `must be a memory size: a whole number with a unit k, m or g, such as 512m or 2g, from ${min} to ${formatSize(MAX_MEMORY_BYTES)} ${got(value)}`,
        );
      return bytes;
    },
    hostDirectory(field, value) {
      const path =
        typeof value === "string" && !/[\0,:]/.test(value) ? normaliseAbsolutePath(value) : undefined;
      if (path === undefined)
        throw fail(
          field,
          `must be an absolute host directory such as /srv/neo4j-backups, without "..", commas or colons ${got(value)}`,
        );
      const problem = hostDirectoryProblem(path);
      if (problem)
        throw fail(
          field,
          `${problem}: use a directory of its own such as /srv/neo4j-backups, since the directory is handed to the container's user ${got(value)}`,
        );
      return path;
    },
    port(field, value) {
      return checks.wholeNumber(field, value, { min: 1, max: 65535 });
    },
    list(field, value, what) {
      if (!Array.isArray(value)) throw fail(field, `must be a list of ${what} ${got(value)}`);
      return value;
    },
    record(field, value, what) {
      if (typeof value !== "object" || value === null || Array.isArray(value) || isDeferred(value))
        throw fail(field, `must be ${what} ${got(value)}`);
      return value as Record<string, unknown>;
    },
    stringMap(field, value, what) {
      const map = checks.record(field, value, `an object of ${what}`);
      for (const [key, entry] of Object.entries(map))
        if (typeof entry !== "string")
          throw fail(`${field}[${JSON.stringify(key)}]`, `must be a string ${got(entry)}`);
      return map as Record<string, string>;
    },
  };
  return checks;
}
