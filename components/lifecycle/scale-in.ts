import type * as pulumi from "@pulumi/pulumi";
import { AdminTarget } from "./admin";
import { ClusterMember, removeServers } from "./cluster";
import { PortForwardAccess, throughForward } from "./tunnel";

/**
 * The scale-in of a cluster whose members are the pods of StatefulSets (kubernetes.Neo4jCluster).
 *
 * Fewer `primaries` or `secondaries` there is an update of a StatefulSet, and its controller
 * deletes the highest ordinals at once, their servers still allocated: Neo4j would then count
 * them as unavailable servers hosting databases. So the servers of the members that go are taken
 * out of the cluster (DEALLOCATE DATABASES FROM SERVER, wait for Deallocated, DROP SERVER) by this
 * resource's update, which the StatefulSets depend on: Pulumi runs it first, and a refusal fails it,
 * so that no StatefulSet is shrunk and no pod goes.
 *
 * Docker's ClusterServers resource does the same removal, but it comes after every member, since
 * it also enables joined members and waits for the whole cluster to be healthy; there, Pulumi
 * deleting containers last is what keeps the removed members running meanwhile. Put after the
 * StatefulSets here, it would find their pods already gone: hence a resource of its own, before
 * them, with nothing else to do. Members that are added enable themselves
 * (`initial.dbms.automatically_enable_free_servers`) and Pulumi waits for the StatefulSets'
 * rollout, so this resource connects only when members are removed: never on create, on a
 * scale-out, in a preview, or when the whole cluster is destroyed (it has no delete).
 */

export interface ScaleInInputs {
  /** The Neo4jCluster's name, for messages. */
  resourceName: string;
  /** The scheme, CA and user; the addresses are the members' in-cluster ones (for messages). */
  target: AdminTarget;
  /** The admin password in effect (the AdminPassword resource's output); secret. */
  adminPassword: string;
  /** Every member, primaries first, with its Bolt address as SHOW SERVERS lists it. */
  members: ClusterMember[];
  waitTimeoutSeconds: number;
  /** The port-forward to the writer member through the API server; secret when it holds a kubeconfig. */
  portForward?: PortForwardAccess;
}

const log = (message: string) => console.log(message);

/** The members of `olds` that `news` no longer has. */
export function removedMembers(olds: ClusterMember[], news: ClusterMember[]): ClusterMember[] {
  const kept = new Set(news.map((m) => m.name));
  return olds.filter((m) => !kept.has(m.name));
}

export const scaleInProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: ScaleInInputs, news: ScaleInInputs) {
    const removed = removedMembers(olds.members, news.members);
    if (removed.length > 0)
      log(
        `Neo4jCluster "${news.resourceName}": ${removed.map((m) => m.name).join(", ")} ${removed.length === 1 ? "is" : "are"} taken out of the cluster (DEALLOCATE DATABASES FROM SERVER, then DROP SERVER) before the StatefulSet removes ${removed.length === 1 ? "its pod" : "their pods"}`,
      );
    // A new password, kubeconfig or CA alone is no reason to update: it moves nothing.
    const changes =
      JSON.stringify(olds.members) !== JSON.stringify(news.members) ||
      olds.waitTimeoutSeconds !== news.waitTimeoutSeconds;
    return { changes };
  },

  async create(inputs: ScaleInInputs) {
    return { id: `neo4j-scale-in-${inputs.resourceName}`, outs: inputs };
  },

  async update(_id: string, olds: ScaleInInputs, news: ScaleInInputs) {
    const removed = removedMembers(olds.members, news.members);
    if (removed.length === 0) return { outs: news };
    const patience = {
      timeoutSeconds: news.waitTimeoutSeconds,
      log: (m: string) => log(`Neo4jCluster "${news.resourceName}": ${m}`),
    };
    try {
      // The pods still run: nothing is shrunk before this returns.
      await throughForward({ ...news.target, password: news.adminPassword }, news.portForward, (target) =>
        removeServers(target, patience, removed),
      );
    } catch (error) {
      throw new Error(
        `Neo4jCluster "${news.resourceName}": ${(error instanceof Error ? error.message : String(error)).replace(/\.?$/, ".")} ` +
          `No StatefulSet was shrunk: ${removed.map((m) => m.name).join(", ")} keep${removed.length === 1 ? "s" : ""} running.`,
      );
    }
    return { outs: news };
  },
};
