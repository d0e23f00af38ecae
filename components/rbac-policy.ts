import * as pulumi from "@pulumi/pulumi";
import { RbacProviderInputs, rbacProvider } from "./rbac/provider";
import { RbacRole, RbacSpec, RbacUser } from "./rbac/spec";
import {
  RbacPolicyShapeArgs,
  checkAdminPassword,
  checkAdminUsername,
  checkUri,
  validateRbacPolicyArgs,
} from "./rbac/args";
import { OnlyCheckedArgs } from "./neo4j/checks";
import { checkedInput } from "./common/checked-input";

export const RBAC_POLICY_TYPE = "neo4j-estate:index:RbacPolicy";

/** What RbacPolicy connects to: a Neo4jCluster's outputs, or any Neo4j 5 DBMS. */
export interface RbacPolicyArgs extends RbacSpec<pulumi.Input<string>> {
  /**
   * Bolt URI of the DBMS, such as a Neo4jCluster's `boltUri` (`neo4j://localhost:7688`). Changing it
   * is an update, not a replacement: the policy is applied to the new DBMS as on create, and the
   * old one is left as it is (its users and roles stay there).
   */
  uri: pulumi.Input<string>;
  /**
   * The authority to trust for a `neo4j+s://` or `bolt+s://` uri (PEM), such as a Neo4jCluster's
   * `caCertificate` when its TLS certificates are the estate's own. Default: the system's
   * authorities, as for any `+s` URI.
   */
  caCertificate?: pulumi.Input<string | undefined>;
  /**
   * The administrator to connect as, such as a Neo4jCluster's `adminUsername`. Never created,
   * changed or dropped by the policy: declaring it in `users` is refused at preview.
   */
  adminUsername: pulumi.Input<string>;
  /** That administrator's password, such as a Neo4jCluster's `adminPassword`. Always treated as a secret. */
  adminPassword: pulumi.Input<string>;
  /** Custom roles and their privileges (Enterprise only). Default none. */
  roles?: RbacRole[];
  /** Users, each with a password (a secret) and roles. Default none. */
  users?: RbacUser<pulumi.Input<string>>[];
  /**
   * How long `pulumi up` waits for the DBMS to accept administration commands, in seconds: a new
   * cluster needs time to elect a leader. Default 300. `pulumi destroy` waits at most 30 s.
   */
  waitTimeoutSeconds?: number;
}

/**
 * Users, roles and privileges as code. After the DBMS is deployed, a dynamic resource makes its
 * users and roles match the spec over Bolt on the `system` database: `pulumi preview` logs each
 * user, role and privilege that changes, `pulumi up` applies only the difference, `pulumi refresh`
 * reports changes made by hand, and `pulumi destroy` drops only what the policy created.
 */
export class RbacPolicy extends pulumi.ComponentResource {
  /** The managed users as last applied or read: name, roles, passwordChangeRequired, suspended. */
  public readonly users: pulumi.Output<RbacProviderInputs["users"]>;
  /** The managed roles with their privileges in the form Neo4j stores them. */
  public readonly roles: pulumi.Output<RbacProviderInputs["roles"]>;

  constructor(name: string, args: RbacPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before super(): a bad spec must not register even the component. What is only known
    // later (an adminUsername or password that is an Output) the provider's check refuses at preview.
    // Every argument must be one validateRbacPolicyArgs knows: declare a new one in RbacPolicyShapeArgs too.
    const { desired, waitTimeoutSeconds } = validateRbacPolicyArgs(
      name,
      args satisfies OnlyCheckedArgs<RbacPolicyArgs, RbacPolicyShapeArgs>,
    );
    super(RBAC_POLICY_TYPE, name, {}, opts);
    const policy = registerPolicy(this, name, args, { desired, waitTimeoutSeconds });
    this.users = policy.users;
    this.roles = policy.roles;
    this.registerOutputs({ users: this.users, roles: this.roles });
  }
}

/**
 * Registers the dynamic resource that applies a validated policy, as a child of `parent`: also
 * what kubernetes.RbacPolicy registers, with `extra` inputs saying how to reach the cluster.
 */
export function registerPolicy(
  parent: pulumi.Resource,
  name: string,
  args: RbacPolicyArgs,
  checked: { desired: Pick<RbacProviderInputs, "users" | "roles">; waitTimeoutSeconds: number },
  extra: pulumi.Inputs = {},
  dependsOn: pulumi.Resource[] = [],
): RbacPolicyResource {
  const userArgs = args.users ?? [];
  const passwords = pulumi.secret(
    pulumi
      .all(userArgs.map((u) => pulumi.output(u.password)))
      .apply((values) => userArgs.map((u, i) => ({ name: u.name, password: values[i] }))),
  );
  const inputs: pulumi.Inputs = {
    resourceName: name,
    uri: checkedInput(args.uri, (uri) => checkUri(name, uri)),
    caCertificate: args.caCertificate,
    username: checkedInput(args.adminUsername, (user) => checkAdminUsername(name, user)),
    adminPassword: pulumi.secret(
      checkedInput(args.adminPassword, (password) => checkAdminPassword(name, password)),
    ),
    users: checked.desired.users,
    roles: checked.desired.roles,
    passwords,
    waitTimeoutSeconds: checked.waitTimeoutSeconds,
    ...extra,
  };
  return new RbacPolicyResource(`${name}-policy`, inputs, {
    parent,
    dependsOn,
    additionalSecretOutputs: ["adminPassword", "passwordHashes", "portForward"],
  });
}

/** The dynamic resource that talks to Neo4j; one per RbacPolicy. */
export class RbacPolicyResource extends pulumi.dynamic.Resource {
  declare readonly users: pulumi.Output<RbacProviderInputs["users"]>;
  declare readonly roles: pulumi.Output<RbacProviderInputs["roles"]>;

  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(rbacProvider, name, inputs, opts);
  }
}
