import * as pulumi from "@pulumi/pulumi";
import {
  RbacPolicy as BoltRbacPolicy,
  RbacPolicyArgs as BoltRbacPolicyArgs,
  registerPolicy,
} from "../rbac-policy";
import { RBAC_POLICY_ARG_KEYS, checkUri, validateRbacPolicyArgs } from "../rbac/args";
import { RBAC_POLICY_COMPONENT } from "../rbac/spec";
import { argChecks, isDeferred, orDefault } from "../neo4j/checks";
import { CLUSTER_ADMIN_USERNAME } from "../neo4j/cluster-args";
import { Neo4jCluster } from "./neo4j-cluster";

export const KUBERNETES_RBAC_POLICY_TYPE = "neo4j-estate:kubernetes:RbacPolicy";

/** How `pulumi up` reaches the DBMS: see RbacPolicyArgs.access. */
export const RBAC_ACCESS = ["portForward", "direct"] as const;
export type RbacAccess = (typeof RBAC_ACCESS)[number];

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
   * How `pulumi up` reaches the DBMS.
   * - `portForward` (default, unless `uri` is given): through the Kubernetes API server, as
   *   `kubectl port-forward` does, to the member that is the `system` database's writer. Needs
   *   nothing reachable in the cluster but its API server, and the right to create
   *   `pods/portforward` in the cluster's namespace; credentials as the cluster's `kubeconfig` and
   *   `context` say (default: as the Kubernetes provider finds them).
   * - `direct`: over Bolt to `uri`, for a `pulumi up` that runs inside the cluster (a CI runner
   *   pod, where the client Service's name resolves) or that reaches a `LoadBalancer` or
   *   `NodePort` client Service, or a tunnel of your own.
   */
  access?: RbacAccess;
  /**
   * With access `direct`: the Bolt URI `pulumi up` reaches the cluster by. Default: the cluster's
   * client Service inside the cluster (`boltUri`). Giving one implies access `direct`.
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
    const { cluster, uri, access: givenAccess, ...spec } = (args ?? {}) as RbacPolicyArgs;
    if (!(cluster instanceof Neo4jCluster))
      throw check.fail("cluster", "is required: the kubernetes.Neo4jCluster whose users and roles to manage");
    for (const key of ["adminUsername", "adminPassword"])
      if (key in spec) throw check.fail(key, "comes from the cluster; leave it out");
    const access = orDefault(givenAccess, uri === undefined ? "portForward" : "direct", (v) =>
      check.oneOf("access", v, RBAC_ACCESS),
    );
    if (access === "portForward" && uri !== undefined)
      throw check.fail(
        "uri",
        'is for access "direct"; with access "portForward" the cluster is reached through the API server',
      );
    // Every other argument is RbacPolicy's own, checked by its validator with the same words.
    const checked = validateRbacPolicyArgs(name, spec, { connectingAs: CLUSTER_ADMIN_USERNAME });
    if (uri !== undefined && !isDeferred(uri)) checkUri(name, uri);
    super(KUBERNETES_RBAC_POLICY_TYPE, name, {}, opts);
    const policy = registerPolicy(
      this,
      name,
      {
        ...spec,
        // Through a port-forward, the cluster's own URI names the DBMS (in messages, and to tell
        // another DBMS from this one); the connection goes to the forwarded port.
        uri: uri ?? cluster.boltUri,
        adminUsername: cluster.adminUsername,
        adminPassword: cluster.adminPassword,
        // With Bolt TLS, the members' certificates are signed by the estate's authority: trust it.
        caCertificate: cluster.caCertificate,
      },
      checked,
      access === "portForward" ? { portForward: cluster.portForward } : {},
      // The members must be Ready before provisioning starts waiting for a leader.
      [cluster],
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
  "access",
];
