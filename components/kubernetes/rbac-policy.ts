import * as pulumi from "@pulumi/pulumi";
import { RbacPolicy as BoltRbacPolicy, RbacPolicyArgs as BoltRbacPolicyArgs } from "../rbac-policy";
import { RBAC_POLICY_ARG_KEYS, checkUri, validateRbacPolicyArgs } from "../rbac/args";
import { RBAC_POLICY_COMPONENT } from "../rbac/spec";
import { argChecks, isDeferred } from "../neo4j/checks";
import { CLUSTER_ADMIN_USERNAME } from "../neo4j/cluster-args";
import { Neo4jCluster } from "./neo4j-cluster";

export const KUBERNETES_RBAC_POLICY_TYPE = "neo4j-estate:kubernetes:RbacPolicy";

/**
 * kubernetes.RbacPolicy's arguments: the users, roles and privileges as on Docker (RbacPolicy's
 * spec), the cluster to apply them to, and where `pulumi up` reaches it.
 */
export interface RbacPolicyArgs extends Omit<
  BoltRbacPolicyArgs,
  "uri" | "adminUsername" | "adminPassword" | "caCertificate"
> {
  /** The cluster; the policy connects as its admin user with its admin password. */
  cluster: Neo4jCluster;
  /**
   * The Bolt URI `pulumi up` reaches the cluster by (mode "direct"). Default: the cluster's
   * client Service inside the cluster (`boltUri`), which resolves only where `pulumi up` runs in the
   * cluster (a CI runner pod, for example). From outside, give the address of a `LoadBalancer` or
   * `NodePort` client Service (serviceType), or of a tunnel you keep open. The README compares them.
   */
  uri?: pulumi.Input<string>;
}

/**
 * Users, roles and privileges as code on a kubernetes.Neo4jCluster: the same planner and dynamic
 * resource as RbacPolicy on Docker (preview shows each change, up applies only the difference,
 * refresh reports drift), connected over Bolt as the cluster's admin.
 */
export class RbacPolicy extends pulumi.ComponentResource {
  /** The managed users as last applied or read: name, roles, passwordChangeRequired, suspended. */
  public readonly users: BoltRbacPolicy["users"];
  /** The managed roles with their privileges in the form Neo4j stores them. */
  public readonly roles: BoltRbacPolicy["roles"];

  constructor(name: string, args: RbacPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = argChecks(RBAC_POLICY_COMPONENT, name);
    const { cluster, uri, ...spec } = (args ?? {}) as RbacPolicyArgs;
    if (!(cluster instanceof Neo4jCluster))
      throw check.fail("cluster", "is required: the kubernetes.Neo4jCluster whose users and roles to manage");
    for (const key of ["adminUsername", "adminPassword"])
      if (key in spec) throw check.fail(key, "comes from the cluster; leave it out");
    // Every other argument is RbacPolicy's own, checked by its validator with the same words.
    validateRbacPolicyArgs(name, spec, { connectingAs: CLUSTER_ADMIN_USERNAME });
    if (uri !== undefined && !isDeferred(uri)) checkUri(name, uri);
    super(KUBERNETES_RBAC_POLICY_TYPE, name, {}, opts);
    const policy = new BoltRbacPolicy(
      `${name}-bolt`,
      {
        ...spec,
        uri: uri ?? cluster.boltUri,
        adminUsername: cluster.adminUsername,
        adminPassword: cluster.adminPassword,
        // With Bolt TLS, the members' certificates are signed by the estate's authority: trust it.
        caCertificate: cluster.caCertificate,
      },
      // The members must be Ready before provisioning starts waiting for a leader.
      { parent: this, dependsOn: [cluster] },
    );
    this.users = policy.users;
    this.roles = policy.roles;
    this.registerOutputs({ users: this.users, roles: this.roles });
  }
}

/** Every key kubernetes.RbacPolicy takes. */
export const KUBERNETES_RBAC_POLICY_ARG_KEYS = [
  ...RBAC_POLICY_ARG_KEYS.filter((k) => !["adminUsername", "adminPassword", "caCertificate"].includes(k)),
  "cluster",
];
