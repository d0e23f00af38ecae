/**
 * Which changes to a running cluster Neo4j supports in place (upgrades, discovery, scaling), and the
 * way there when it does not.
 * Pure: the deployed shape (as recorded at the last deployment) and the desired one go in, a verdict
 * comes out. The cluster's record resource (lifecycle/record.ts) calls this from its `check`, so a
 * refused change fails `pulumi preview` before anything is touched.
 *
 * Sources: Neo4j's Upgrade and Migration Guide (any 5.x to a later 5.x; 2025.x and later from 5.26
 * LTS only; any calendar version to a later one; clusters roll one server at a time; no downgrade)
 * and the Operations Manual (discovery v1 removed in 2025.01, moved to v2 through V1_OVER_V2 and
 * V2_OVER_V1; a standalone server becomes a cluster only offline).
 */
import { ClusterSpec, DISCOVERY_STEPS, DiscoveryVersion, ServerMode } from "./cluster-spec";
import { Formation } from "./formation";
import { Edition, Neo4jVersion, formatVersion, parseVersion } from "./version";

/** What a deployment runs, as the record keeps it between deployments. */
export interface DeployedShape {
  image: string;
  /** As formatVersion writes it: `5.26`, `5.26.3`, `2025.01`. */
  neo4jVersion: string;
  edition: Edition;
  clustered: boolean;
  discovery: DiscoveryVersion;
}

/** What a cluster's record keeps about a deployment, on either platform. */
export function deployedShape(spec: ClusterSpec): DeployedShape {
  return {
    image: spec.image.image,
    neo4jVersion: formatVersion(spec.version),
    edition: spec.edition,
    clustered: spec.clustered,
    discovery: spec.discovery,
  };
}

export interface Refusal {
  /** The argument whose change is refused. */
  field: "image" | "discovery" | "primaries";
  /** The whole message: what is refused, why, and the numbered steps that get there. */
  message: string;
}

export interface ChangeVerdict {
  /** Lines for the preview: what changes and how it is applied. Empty when nothing relevant changes. */
  summary: string[];
  refusal?: Refusal;
}

/** 5.26 is the long-term-support release every upgrade to a calendar version starts from. */
const LTS = "5.26";

/** Compares the versions as far as both name them: `5.26` and `5.26.4` are the same release line. */
function compare(a: Neo4jVersion, b: Neo4jVersion): number {
  const patch = a.patch !== undefined && b.patch !== undefined ? a.patch - b.patch : 0;
  return a.major - b.major || a.minor - b.minor || patch;
}

function steps(lines: string[]): string {
  return lines.map((line, i) => `  ${i + 1}. ${line}`).join("\n");
}

function refuse(name: string, field: Refusal["field"], what: string, why: string, way: string[]): Refusal {
  return {
    field,
    message: `Neo4jCluster "${name}": ${what} cannot be applied to the running cluster: ${why}\nThe way there:\n${steps(way)}`,
  };
}

/** The discovery steps from one value to another, one rolling `pulumi up` each. */
function discoveryPath(from: DiscoveryVersion, to: DiscoveryVersion): DiscoveryVersion[] {
  const a = DISCOVERY_STEPS.indexOf(from);
  const b = DISCOVERY_STEPS.indexOf(to);
  const path = a < b ? DISCOVERY_STEPS.slice(a + 1, b + 1) : [...DISCOVERY_STEPS.slice(b, a)].reverse();
  return [...path];
}

const discoveryStep = (d: DiscoveryVersion) =>
  `set discovery: ${JSON.stringify(d)} and run pulumi up (members restart one at a time)`;

/** Judges a change from the deployed shape to the desired one. */
export function judgeChange(name: string, from: DeployedShape, to: DeployedShape): ChangeVerdict {
  const summary: string[] = [];
  const fromVersion = parseVersion(from.neo4jVersion);
  const toVersion = parseVersion(to.neo4jVersion);
  const imageChange = `image ${from.image} -> ${to.image}`;

  if (from.edition !== to.edition) {
    if (from.edition === "enterprise")
      return {
        summary,
        refusal: refuse(
          name,
          "image",
          imageChange,
          "Neo4j Community cannot open the stores of Neo4j Enterprise (block format, clustering, roles) and there is no in-place move back",
          [
            `keep ${from.image} here`,
            "dump each database from this cluster (neo4j-admin database dump on a stopped database, or restore a backup with neo4j-estate-restore and dump that)",
            "deploy a new Neo4jCluster with the Community image under another name and load the dumps there (neo4j-admin database load), then recreate the users",
            "remove this cluster from the program",
          ],
        ),
      };
    if (to.clustered)
      return {
        summary,
        refusal: refuse(
          name,
          "image",
          `${imageChange} with more than one member`,
          "Neo4j moves a Community server to Enterprise in place, but a standalone server becomes a cluster only offline",
          [
            `change only the image to ${to.image}, keeping primaries: 1 and secondaries: 0, and run pulumi up`,
            "then grow it into a cluster offline as the Operations Manual describes (Clustering -> Move from a standalone deployment to a cluster), or deploy a new cluster and restore a backup into it",
          ],
        ),
      };
    summary.push(
      `${imageChange}: Community to Enterprise, which Neo4j supports in place; the member is replaced and keeps its data`,
    );
  }

  if (from.clustered !== to.clustered)
    return {
      summary,
      refusal: refuse(
        name,
        "image",
        from.clustered
          ? "going from a cluster to a single server"
          : "going from a single server to a cluster",
        from.clustered
          ? "the members the cluster formed with host its system database and cannot be removed in place"
          : "Neo4j turns a standalone server into a cluster only offline (the system database is dumped and loaded on the new servers)",
        [
          "keep the current shape here",
          "deploy a new Neo4jCluster of the shape you want under another name and restore your databases into it from a backup (neo4j-estate-restore)",
          "remove this one from the program",
        ],
      ),
    };

  if (fromVersion && toVersion && compare(fromVersion, toVersion) !== 0) {
    const versions = `Neo4j ${formatVersion(fromVersion)} -> ${formatVersion(toVersion)}`;
    if (compare(toVersion, fromVersion) < 0)
      return {
        summary,
        refusal: refuse(
          name,
          "image",
          `${imageChange} (${versions})`,
          "that is a downgrade; Neo4j cannot open a store a newer version has written, so no version goes back in place",
          [
            `set image back to ${from.image}`,
            "to run the older version anyway, deploy a new cluster with it under another name and restore a backup taken before the upgrade into it (neo4j-estate-restore)",
          ],
        ),
      };
    const toCalendar = toVersion.major >= 2025 && fromVersion.major === 5;
    if (toCalendar) {
      const way: string[] = [];
      const atLts = compare(fromVersion, parseVersion(LTS)!) >= 0;
      if (!atLts)
        way.push(
          `set image to the ${LTS} image of the same edition (for example neo4j:${LTS}-${from.edition}) and run pulumi up: a rolling upgrade`,
        );
      if (from.clustered && from.discovery !== "v2")
        way.push(...discoveryPath(from.discovery, "v2").map(discoveryStep));
      if (way.length > 0) {
        way.push(`then set image to ${to.image} and run pulumi up: a rolling upgrade`);
        const why = [
          atLts ? undefined : `Neo4j upgrades to calendar versions only from ${LTS} LTS`,
          from.clustered && from.discovery !== "v2"
            ? `the cluster still runs discovery ${from.discovery}, and discovery v1 is gone from 2025.01 on`
            : undefined,
        ]
          .filter(Boolean)
          .join("; ");
        return { summary, refusal: refuse(name, "image", `${imageChange} (${versions})`, why, way) };
      }
    }
    if (from.discovery !== to.discovery && from.clustered)
      return {
        summary,
        refusal: refuse(
          name,
          "discovery",
          `changing discovery (${from.discovery} -> ${to.discovery}) together with the ${imageChange}`,
          "both restart every member, and a member that fails half-way would leave the cluster on two versions and two discovery services at once",
          [
            `first the ${imageChange} alone, with discovery: ${JSON.stringify(from.discovery)}`,
            "then the discovery change",
          ],
        ),
      };
    const kind =
      fromVersion.major === toVersion.major && fromVersion.minor === toVersion.minor
        ? "a patch upgrade"
        : toCalendar
          ? `the upgrade from ${LTS} LTS to a calendar version`
          : "a minor upgrade";
    summary.push(
      `${versions} is ${kind}, which Neo4j supports as a rolling upgrade: members are replaced one at a time, each back in the cluster before the next`,
    );
  }

  if (from.clustered && to.clustered && from.discovery !== to.discovery) {
    const path = discoveryPath(from.discovery, to.discovery);
    if (path.length > 1)
      return {
        summary,
        refusal: refuse(
          name,
          "discovery",
          `discovery ${from.discovery} -> ${to.discovery}`,
          "members restarted on the new discovery service alone could not find the members still on the old one; Neo4j moves a running cluster one step at a time, with both services running in between",
          path.map(discoveryStep),
        ),
      };
    summary.push(
      `discovery ${from.discovery} -> ${to.discovery}: one of Neo4j's steps between discovery v1 and v2; members restart one at a time`,
    );
  }
  if (summary.length === 0 && from.image !== to.image)
    summary.push(
      `${imageChange}: members are replaced one at a time, each back in the cluster before the next`,
    );
  return { summary };
}

/** A member as the record keeps it: enough to tell what scaling adds and removes. */
export interface RecordedMember {
  name: string;
  mode: ServerMode;
}

/**
 * Judges a change of the member list. Members added later and secondaries come and go freely;
 * the primaries the cluster formed with host the system database and are everyone's discovery
 * endpoints, so removing one is refused.
 */
export function judgeMembers(
  name: string,
  formation: Formation,
  from: RecordedMember[],
  to: RecordedMember[],
): ChangeVerdict {
  const kept = new Set(to.map((m) => m.name));
  const had = new Set(from.map((m) => m.name));
  const removed = from.filter((m) => !kept.has(m.name));
  const added = to.filter((m) => !had.has(m.name));
  const removedSeeds = removed.filter((m) => formation.seeds.includes(m.name));
  if (removedSeeds.length > 0) {
    const names = removedSeeds.map((m) => m.name).join(", ");
    return {
      summary: [],
      refusal: {
        field: "primaries",
        message: `Neo4jCluster "${name}": removing ${names} cannot be applied to the running cluster: the cluster formed with ${formation.seeds.join(", ")}, which host its system database as primaries (and, with a list of endpoints, are every member's discovery endpoints), so none of them can leave in place.
The way there:
${steps([
  `keep primaries at ${formation.seeds.length} or more; primaries added after formation and all secondaries can be added and removed freely`,
  "to run fewer, deploy a new Neo4jCluster of that shape under another name and restore your databases into it from a backup (neo4j-estate-restore)",
])}`,
      },
    };
  }
  const summary = [
    ...added.map(
      (m) =>
        `${m.name} (${m.mode}) is added: created, then enabled in the cluster once it joins; no existing member changes`,
    ),
    ...removed.map(
      (m) =>
        `${m.name} (${m.mode}) is removed: its databases move to other members (DEALLOCATE DATABASES FROM SERVER), it leaves the cluster (DROP SERVER), then its container stops; Neo4j refuses, and nothing is removed, if its databases have nowhere to go`,
    ),
  ];
  return { summary };
}

/**
 * The order members are replaced in when a change reaches them all: secondaries first, then
 * primaries, each in name order. Neo4j's rolling-upgrade guidance asks for one server at a time
 * with the cluster healthy in between; secondaries go first because they hold no Raft vote, so a
 * change that breaks a member stops the rollout there, before the write quorum is touched.
 */
export function rolloutOrder<T extends { mode: ServerMode }>(members: T[]): T[] {
  return [...members.filter((m) => m.mode === "SECONDARY"), ...members.filter((m) => m.mode === "PRIMARY")];
}
