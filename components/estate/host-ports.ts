/**
 * Host ports across the estate. Each component checks its own ports; only the composite sees them
 * all, so only it can tell that the cluster's Bolt range and Grafana would both claim 7690.
 */
import { inputErrors } from "../neo4j/errors";

export interface HostPortClaim {
  /** The argument that chose the port, as the user wrote it: `cluster.hostPorts.bolt`. */
  field: string;
  /** What listens there, for the message: `the bolt port of core-3`. */
  owner: string;
  address: string;
  port: number;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a === "0.0.0.0" || b === "0.0.0.0";
}

/** Throws an InputError naming both fields when two claims would bind the same host port. */
export function checkHostPortClaims(component: string, name: string, claims: HostPortClaim[]): void {
  const fail = inputErrors(component, name);
  claims.forEach((claim, i) => {
    const earlier = claims
      .slice(0, i)
      .find((c) => c.port === claim.port && overlaps(c.address, claim.address));
    if (earlier)
      throw fail(
        claim.field,
        `collides with ${earlier.field}: host port ${claim.port} would be published for both ${earlier.owner} and ${claim.owner}; choose another port`,
      );
  });
}
