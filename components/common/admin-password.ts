import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { checkAdminPassword } from "../neo4j/cluster-args";
import { checkedInput } from "./checked-input";

/**
 * The admin password a cluster component starts its members with, as a secret: the one given,
 * checked (again once an output resolves), or a random one of 32 letters and digits, which the
 * official image reads from its `neo4j/<password>` form without any quoting.
 */
export function adminPasswordFor(
  parent: pulumi.Resource,
  name: string,
  given: pulumi.Input<string> | undefined,
): pulumi.Output<string> {
  if (given === undefined) {
    const generated = new random.RandomPassword(
      `${name}-admin-password`,
      { length: 32, special: false },
      { parent },
    );
    return pulumi.secret(generated.result);
  }
  return pulumi.secret(checkedInput(given, (password) => checkAdminPassword(name, password)));
}
