/**
 * Neo4j versions and editions as the official Docker image names them.
 *
 * Two numbering schemes exist: 5.x (5.0 … 5.26, the last) and calendar versions from 2025.01 on
 * (2025.01, 2025.02, … 2026.x). Cluster settings differ between them, so every rendering decision
 * starts from a parsed version.
 */

export type Edition = "enterprise" | "community";

export interface Neo4jVersion {
  /** 5 for 5.x, the year (2025, 2026, …) for calendar versions. */
  major: number;
  /** The minor for 5.x, the month-like release number for calendar versions. */
  minor: number;
  /** The patch, when the tag names one. */
  patch?: number;
}

export interface ImageRef {
  image: string;
  /** The tag as written (`5.23-enterprise`), or undefined for an untagged or digest-only reference. */
  tag?: string;
  version?: Neo4jVersion;
  /** The edition the tag names (`-enterprise`, `-community`), or undefined when it names none. */
  editionInTag?: Edition;
  /**
   * The edition by the official image's convention: the one the tag names, else Community (the
   * official `neo4j:5.26` is Community). Only trustworthy when `unknownTagParts` is empty.
   */
  edition: Edition;
  /** Parts of the tag that are neither a version, an edition nor a known base-image variant. */
  unknownTagParts: string[];
}

export const EDITIONS: readonly Edition[] = ["enterprise", "community"];
/** Base-image variants the official image publishes as tag suffixes (`5.26-enterprise-ubi9`). */
export const IMAGE_VARIANTS = ["bullseye", "bookworm", "trixie", "ubi8", "ubi9", "ubi10"] as const;
/** Tags without a version that the official image publishes. */
const NAMED_TAGS = ["latest"];

/** The last 5.x release: 5.26 is the long-term support release and no 5.27 exists. */
export const LAST_5X_MINOR = 26;

export function formatVersion(v: Neo4jVersion): string {
  const minor = v.major >= 2025 ? String(v.minor).padStart(2, "0") : String(v.minor);
  return `${v.major}.${minor}${v.patch === undefined ? "" : `.${v.patch}`}`;
}

/** Parses `5.23`, `5.26.3`, `2025.01`, `2025.10.1`. Returns undefined for anything else. */
export function parseVersion(text: string): Neo4jVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const v: Neo4jVersion = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) v.patch = Number(m[3]);
  return v;
}

/** Orders versions; calendar versions come after every 5.x because their major is the year. */
export function compareVersions(a: Neo4jVersion, b: Neo4jVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

export function atLeast(v: Neo4jVersion, text: string): boolean {
  const other = parseVersion(text);
  if (!other) throw new Error(`not a Neo4j version: ${text}`);
  return compareVersions(v, { major: other.major, minor: other.minor }) >= 0;
}

export function isCalendarVersion(v: Neo4jVersion): boolean {
  return v.major >= 2025;
}

/** Why a version is outside what this library renders settings for, or undefined when it is supported. */
export function unsupportedReason(v: Neo4jVersion): string | undefined {
  if (v.major < 5)
    return `Neo4j ${formatVersion(v)} is not supported: this library targets Neo4j 5 and later`;
  if (v.major === 5 && v.minor > LAST_5X_MINOR)
    return `Neo4j ${formatVersion(v)} does not exist: 5.${LAST_5X_MINOR} is the last 5.x release`;
  if (v.major > 5 && v.major < 2025) return `Neo4j ${formatVersion(v)} is not a released version`;
  if (isCalendarVersion(v) && (v.minor < 1 || v.minor > 12))
    return `Neo4j ${formatVersion(v)} is not a calendar version (YYYY.MM)`;
  return undefined;
}

/**
 * Reads version and edition from an official-image reference such as `neo4j:5.23-enterprise`,
 * `neo4j:2025.01.0-community-bullseye` or `registry.example.com/neo4j:5.26.3-enterprise`, the
 * official tag scheme `<version>[-<edition>][-<variant>]`, which mirrors and images of our own
 * (`neo4j-estate/neo4j:5.26.30-community`) keep. Whatever else the tag holds is reported in
 * `unknownTagParts`, so that a typo such as `5.26-enterpise` is refused instead of read as Community.
 */
export function parseImage(image: string): ImageRef {
  const withoutDigest = image.split("@")[0];
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  const tag = colon >= 0 ? withoutDigest.slice(colon + 1) : undefined;
  const ref: ImageRef = { image, tag, edition: "community", unknownTagParts: [] };
  if (!tag) return ref;
  const parts = tag.split("-");
  const version = parseVersion(parts[0]);
  if (version) ref.version = version;
  // A major alone (`5-enterprise`, `2025`) is the official image's moving tag: a version, but not one precise enough to render settings for.
  const versionLike = version !== undefined || /^\d+$/.test(parts[0]);
  for (const part of versionLike ? parts.slice(1) : parts) {
    if ((EDITIONS as readonly string[]).includes(part) && ref.editionInTag === undefined)
      ref.editionInTag = part as Edition;
    else if (!(IMAGE_VARIANTS as readonly string[]).includes(part) && !NAMED_TAGS.includes(part))
      ref.unknownTagParts.push(part);
  }
  ref.edition = ref.editionInTag ?? "community";
  return ref;
}
