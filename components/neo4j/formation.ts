/**
 * What a cluster was formed with. Neo4j reads the `initial.*` settings and the minimum number of
 * system primaries only when a cluster first forms, and every member must list the servers that
 * host the system database as primaries in its discovery endpoints. Rendering those from today's
 * member counts would change every member's settings, and so replace every member, whenever a
 * member is added or removed. They are rendered from the formation instead: planned from the first
 * deployment's shape, recorded then (lifecycle/record.ts) and never changed by scaling.
 */
import { ClusterSpec } from "./cluster-spec";

export interface Formation {
  /**
   * Host names of the primaries the cluster first formed with. They host the `system` database as
   * primaries and are the discovery endpoints of every member; members added later join through
   * them and host `system` as secondaries.
   */
  seeds: string[];
  /** The default database's primaries at creation (`initial.dbms.default_primaries_count`). */
  primaries: number;
  /** The default database's secondaries at creation (`initial.dbms.default_secondaries_count`). */
  secondaries: number;
}

/** The formation a cluster of this shape would have if it were deployed for the first time now. */
export function planFormation(spec: ClusterSpec): Formation {
  return {
    seeds: spec.members.filter((m) => m.mode === "PRIMARY").map((m) => m.hostname),
    primaries: spec.primaries,
    secondaries: spec.secondaries,
  };
}

/** Whether a member hosts the `system` database as a primary: only the primaries the cluster formed with. */
export function hostsSystemAsPrimary(
  formation: Formation,
  member: { hostname: string; mode: string },
): boolean {
  return member.mode === "PRIMARY" && formation.seeds.includes(member.hostname);
}
