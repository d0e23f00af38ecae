import type * as pulumi from "@pulumi/pulumi";
import { AUTH_FAILURE, BoltTarget, errorCode, errorText } from "./bolt";
import { rotatePassword } from "./cluster";
import { PortForwardAccess, describeReach, throughForward } from "./tunnel";

/**
 * The admin password of a running DBMS. The members are created with the initial password (the
 * official image applies it once, when `/data` is new), which this resource records at the first
 * deployment and keeps: the member containers take it from here, so a new password never
 * replaces them. A changed `adminPassword` is an update that rotates the password in Neo4j with
 * ALTER CURRENT USER, using the previous one from state; the `adminPassword` output moves to the
 * new one only once Neo4j has it, so everything that connects (RbacPolicy, the backup runner)
 * follows in the same `pulumi up`. Both passwords are secret outputs of the component.
 */

/** Where and as whom to connect; the password travels separately, as a secret. */
export type AdminTarget = Omit<BoltTarget, "password">;

export interface AdminInputs {
  /** The Neo4jCluster's name, for messages. */
  resourceName: string;
  target: AdminTarget;
  /** The password the DBMS should have; secret. */
  adminPassword: string;
  /** The password the members were created with; secret. `check` keeps the first deployment's. */
  initialPassword: string;
  waitTimeoutSeconds: number;
  /**
   * On Kubernetes, the way to the members from where `pulumi up` runs: a port-forward through the
   * API server to the writer member (`target` then names the scheme, CA and user only).
   */
  portForward?: PortForwardAccess;
}

const log = (message: string) => console.log(message);

/** What `pulumi preview` says about a change; never a password. */
export function describeAdminChange(olds: AdminInputs, news: AdminInputs): string[] {
  if (olds.adminPassword === news.adminPassword) return [];
  return [
    `Neo4jCluster "${news.resourceName}": the password of "${news.target.username}" rotates in the running DBMS (ALTER CURRENT USER SET PASSWORD, with the previous one from state); no member is replaced`,
  ];
}

/** Why a rotation failed and what to do, never quoting a password. */
export function rotationFailure(news: AdminInputs, cause: unknown): Error {
  const where = describeReach(news.target.addresses, news.portForward);
  const prefix = `Neo4jCluster "${news.resourceName}": could not rotate the admin password of "${news.target.username}"`;
  if (errorCode(cause) === AUTH_FAILURE)
    return new Error(
      `${prefix}: Neo4j at ${where} refuses both the password Pulumi last set and the new one, so it was changed outside this program. ` +
        "Set adminPassword to the password Neo4j has now and run pulumi up (nothing is replaced), then set the new one again.",
    );
  return new Error(
    `${prefix}: ${errorText(cause) || String(cause)}. Nothing changed: the previous password still works, and Pulumi keeps using it. ` +
      `Make sure Neo4j answers at ${where} (${news.portForward ? "its member pods Ready" : "a stopped member starts with docker start"}) and that it accepts the new password, then run pulumi up again.`,
  );
}

export const adminProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<AdminInputs>, news: AdminInputs) {
    return { inputs: { ...news, initialPassword: olds.initialPassword ?? news.initialPassword } };
  },

  async diff(_id: string, olds: AdminInputs, news: AdminInputs) {
    for (const line of describeAdminChange(olds, news)) log(line);
    const changes =
      olds.adminPassword !== news.adminPassword ||
      JSON.stringify(olds.target) !== JSON.stringify(news.target) ||
      JSON.stringify(olds.portForward) !== JSON.stringify(news.portForward) ||
      olds.waitTimeoutSeconds !== news.waitTimeoutSeconds;
    return { changes };
  },

  async create(inputs: AdminInputs) {
    return { id: `neo4j-admin-${inputs.resourceName}`, outs: inputs };
  },

  async update(_id: string, olds: AdminInputs, news: AdminInputs) {
    if (olds.adminPassword !== news.adminPassword) {
      try {
        // The members answer where they did before this deployment: nothing is replaced before this runs.
        const result = await throughForward(
          { ...olds.target, password: olds.adminPassword },
          news.portForward,
          (target) =>
            rotatePassword(target, news.adminPassword, {
              timeoutSeconds: news.waitTimeoutSeconds,
              log: (m) => log(`Neo4jCluster "${news.resourceName}": ${m}`),
            }),
          [news.adminPassword],
        );
        log(
          `Neo4jCluster "${news.resourceName}": ${result === "rotated" ? "the admin password was rotated" : "Neo4j already had the new admin password"}`,
        );
      } catch (error) {
        throw rotationFailure(news, error);
      }
    }
    return { outs: news };
  },
};
