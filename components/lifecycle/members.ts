import type * as pulumi from "@pulumi/pulumi";
import { AdminTarget } from "./admin";
import { answersNow } from "./bolt";
import { ClusterMember, removeServers, waitUntilHealthy } from "./cluster";

/**
 * Two resources keep a cluster's members in step with the program, one per member and one per
 * cluster, both talking Cypher to the `system` database.
 *
 * A member's rollout gate sits between its container and the next member's: when the container is
 * replaced (its id changes), the gate's update waits until the member's server is enabled and
 * available again and every database is hosted where Neo4j wants it, and only then may the next
 * member's container be replaced. That is Neo4j's in-place rolling upgrade, one server at a time.
 * On create the gate waits only when the cluster already answers (a member added to a running
 * cluster, which it also enables); while a new cluster forms, no member can be ready before the
 * others start, so it does not wait.
 *
 * The cluster's servers resource comes after every member. It waits until the whole cluster is
 * healthy (so that what connects next, RbacPolicy, finds it ready), enables members that joined
 * free, and takes the servers of removed members out of the cluster (DEALLOCATE, then DROP) while
 * their containers still run: Pulumi removes the containers after every update.
 */

interface Connected {
  /** The Neo4jCluster's name, for messages. */
  resourceName: string;
  target: AdminTarget;
  /** The current admin password; secret. */
  adminPassword: string;
  waitTimeoutSeconds: number;
  /** Whether to wait at all (Neo4jCluster's waitForHealthy). */
  wait: boolean;
}

export interface GateInputs extends Connected {
  member: ClusterMember;
  /** The member's container id: a new one means the container was replaced. */
  containerId: string;
}

export interface ServersInputs extends Connected {
  members: ClusterMember[];
}

const log = (message: string) => console.log(message);

function patience(inputs: Connected) {
  return {
    timeoutSeconds: inputs.waitTimeoutSeconds,
    log: (m: string) => log(`Neo4jCluster "${inputs.resourceName}": ${m}`),
  };
}

const targetOf = (inputs: Connected) => ({ ...inputs.target, password: inputs.adminPassword });

export const gateProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: GateInputs, news: GateInputs) {
    const replaced = olds.containerId !== news.containerId;
    if (replaced && news.wait)
      log(
        `Neo4jCluster "${news.resourceName}": ${news.member.name} is replaced; the next member waits until ${news.member.name} is an enabled, available server again and every database is hosted where Neo4j wants it`,
      );
    // A new password or address alone is no reason to wait again.
    const changes =
      replaced ||
      JSON.stringify(olds.member) !== JSON.stringify(news.member) ||
      olds.wait !== news.wait ||
      olds.waitTimeoutSeconds !== news.waitTimeoutSeconds;
    return { changes };
  },

  async create(inputs: GateInputs) {
    if (inputs.wait && (await answersNow(targetOf(inputs))))
      await waitUntilHealthy(targetOf(inputs), patience(inputs), [inputs.member]);
    return { id: `neo4j-member-${inputs.member.name}`, outs: inputs };
  },

  async update(_id: string, olds: GateInputs, news: GateInputs) {
    if (news.wait && olds.containerId !== news.containerId)
      await waitUntilHealthy(targetOf(news), patience(news), [news.member]);
    return { outs: news };
  },
};

export const serversProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: ServersInputs, news: ServersInputs) {
    const changes =
      JSON.stringify(olds.members) !== JSON.stringify(news.members) ||
      olds.wait !== news.wait ||
      olds.waitTimeoutSeconds !== news.waitTimeoutSeconds;
    return { changes };
  },

  async create(inputs: ServersInputs) {
    if (inputs.wait) await waitUntilHealthy(targetOf(inputs), patience(inputs), inputs.members);
    return { id: `neo4j-servers-${inputs.resourceName}`, outs: inputs };
  },

  async update(_id: string, olds: ServersInputs, news: ServersInputs) {
    const kept = new Set(news.members.map((m) => m.name));
    const removed = olds.members.filter((m) => !kept.has(m.name));
    if (removed.length > 0) await removeServers(targetOf(news), patience(news), removed);
    if (news.wait) await waitUntilHealthy(targetOf(news), patience(news), news.members);
    return { outs: news };
  },
};
