import * as pulumi from "@pulumi/pulumi";
import { Formation } from "../neo4j/formation";
import { adminProvider } from "./admin";
import { gateProvider, serversProvider } from "./members";
import { recordProvider } from "./record";
import { scaleInProvider } from "./scale-in";

/**
 * The dynamic resources Neo4jCluster registers for its day-2 operations, each a thin class over
 * its provider (record.ts, admin.ts, members.ts, scale-in.ts). Inputs are `pulumi.Inputs` because
 * they carry outputs of other resources; the providers document their shapes.
 */

/** What was deployed last and what the cluster formed with; refuses unsupported changes at preview. */
export class ClusterRecord extends pulumi.dynamic.Resource {
  declare readonly formation: pulumi.Output<Formation>;

  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(recordProvider, name, inputs, opts);
  }
}

/** The admin password: the members' initial one, recorded once, and the current one, rotated in place. */
export class AdminPassword extends pulumi.dynamic.Resource {
  declare readonly adminPassword: pulumi.Output<string>;
  declare readonly initialPassword: pulumi.Output<string>;

  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(adminProvider, name, inputs, {
      ...opts,
      additionalSecretOutputs: ["adminPassword", "initialPassword"],
    });
  }
}

/** Holds the next member's replacement back until this member is back in the cluster. */
export class MemberGate extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(gateProvider, name, inputs, { ...opts, additionalSecretOutputs: ["adminPassword"] });
  }
}

/** Waits for the whole cluster, enables joined members and drops removed ones. */
export class ClusterServers extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(serversProvider, name, inputs, { ...opts, additionalSecretOutputs: ["adminPassword"] });
  }
}

/**
 * Takes removed members' servers out of the cluster before the StatefulSets shrink
 * (kubernetes.Neo4jCluster). The kubeconfig in `portForward` is as secret as the password.
 */
export class ClusterScaleIn extends pulumi.dynamic.Resource {
  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(scaleInProvider, name, inputs, {
      ...opts,
      additionalSecretOutputs: ["adminPassword", "portForward"],
    });
  }
}
