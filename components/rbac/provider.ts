import type * as pulumi from "@pulumi/pulumi";
import { passwordHash, passwordMatches, readPolicy, syncPolicy } from "./engine";
import { RbacDiff, diffPolicy } from "./diff";
import { RbacState, RoleState, UserState } from "./spec";

/**
 * The dynamic provider behind RbacPolicy, kept thin: every method hands over to engine.ts.
 *
 * Dynamic-provider traps this is shaped around: the object is serialized as a closure, so it holds
 * no state, no secret and no native handle, and requires node modules inside the engine's
 * functions; the engine ignores `stables`; `update` is implemented so outputs survive; the new
 * secret output `passwordHashes` (and `adminPassword`) are listed in `additionalSecretOutputs` by
 * the component.
 */

/** The dynamic resource's inputs; `adminPassword` and `passwords` arrive as secrets. */
export interface RbacProviderInputs {
  resourceName: string;
  uri: string;
  username: string;
  adminPassword: string;
  users: UserState[];
  roles: RoleState[];
  /** Desired password per user name. */
  passwords: Record<string, string>;
  waitTimeoutSeconds: number;
}

/** The dynamic resource's outputs: the inputs without passwords, plus a salted hash per user. */
export interface RbacProviderOutputs extends Omit<RbacProviderInputs, "passwords"> {
  passwordHashes: Record<string, string>;
}

const log = (message: string) => console.log(`RbacPolicy: ${message}`);

function connectionOf(props: { uri: string; username: string; adminPassword: string }) {
  return { uri: props.uri, username: props.username, password: props.adminPassword };
}

function managedOf(state: { users?: UserState[]; roles?: RoleState[] }) {
  return { users: (state.users ?? []).map((u) => u.name), roles: (state.roles ?? []).map((r) => r.name) };
}

function hashesFor(news: RbacProviderInputs, old: Record<string, string>): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const user of news.users) {
    const password = news.passwords[user.name];
    hashes[user.name] = passwordMatches(user.name, password, old[user.name])
      ? old[user.name]
      : passwordHash(user.name, password);
  }
  return hashes;
}

function checkPasswords(news: RbacProviderInputs): void {
  news.users.forEach((user, u) => {
    const password = news.passwords[user.name];
    if (typeof password !== "string" || password.length === 0) {
      throw new Error(
        `RbacPolicy "${news.resourceName}": users[${u}].password is required (user "${user.name}")`,
      );
    }
  });
}

function outputsOf(
  news: RbacProviderInputs,
  state: RbacState,
  passwordHashes: Record<string, string>,
): RbacProviderOutputs {
  return {
    resourceName: news.resourceName,
    uri: news.uri,
    username: news.username,
    adminPassword: news.adminPassword,
    users: state.users,
    roles: state.roles,
    passwordHashes,
    waitTimeoutSeconds: news.waitTimeoutSeconds,
  };
}

async function sync(
  news: RbacProviderInputs,
  olds: Partial<RbacProviderOutputs>,
): Promise<RbacProviderOutputs> {
  checkPasswords(news);
  const oldHashes = olds.passwordHashes ?? {};
  const result = await syncPolicy({
    resourceName: news.resourceName,
    connection: connectionOf(news),
    wait: { timeoutSeconds: news.waitTimeoutSeconds, log },
    desired: { users: news.users, roles: news.roles },
    passwords: news.passwords,
    passwordHashes: oldHashes,
    managed: managedOf(olds),
  });
  for (const statement of result.plan) log(statement.text);
  return outputsOf(news, result.state, hashesFor(news, oldHashes));
}

/**
 * A dynamic provider's diff result with Pulumi's detailed diff added. @pulumi/pulumi 3.270's Node
 * dynamic-provider host forwards only `changes`, `replaces` and `deleteBeforeReplace` to the engine,
 * so `diff` also logs `summary`: that is what `pulumi preview` shows today.
 */
export interface RbacDiffResult extends pulumi.dynamic.DiffResult {
  changes: boolean;
  detailedDiff: RbacDiff["detailedDiff"];
  summary: string[];
}

/**
 * Which users, roles, privileges and connection settings differ. Nothing forces a replacement: a new
 * `uri` is an update that applies the policy to the new DBMS (see `update`).
 */
export function diffRbac(olds: RbacProviderOutputs, news: RbacProviderInputs): RbacDiffResult {
  const kept = new Set((olds.users ?? []).map((u) => u.name));
  const passwordChanges = news.users
    .filter((u) => kept.has(u.name))
    .filter((u) => !passwordMatches(u.name, news.passwords[u.name] ?? "", olds.passwordHashes?.[u.name]))
    .map((u) => u.name);
  const { detailedDiff, summary } = diffPolicy(olds, news, passwordChanges);
  return { changes: summary.length > 0, detailedDiff, summary };
}

/**
 * How long `delete` waits for the DBMS, in seconds. Shorter than `waitTimeoutSeconds`: a DBMS being
 * destroyed is rarely one that is still starting, and when it is gone for good the operator should
 * learn so in seconds, not minutes.
 */
export const DELETE_WAIT_SECONDS = 30;

export function deleteWaitSeconds(waitTimeoutSeconds: number): number {
  return Math.min(waitTimeoutSeconds, DELETE_WAIT_SECONDS);
}

function deleteFailure(
  props: RbacProviderOutputs,
  managed: { users: string[]; roles: string[] },
  cause: unknown,
): Error {
  const names = (kind: string, list: string[]) =>
    list.length > 0 ? [`${kind} ${list.map((n) => JSON.stringify(n)).join(", ")}`] : [];
  const what = [...names("users", managed.users), ...names("roles", managed.roles)].join(" and ");
  return new Error(
    `RbacPolicy "${props.resourceName}": could not remove ${what} from Neo4j at ${props.uri}: ${(cause as Error)?.message ?? String(cause)}. ` +
      "If that DBMS is reachable again, run the command again. If it is gone for good, there is nothing left to remove: " +
      `drop the resource from the stack with \`pulumi state delete <urn>\`, the URN of the pulumi-nodejs:dynamic:Resource "${props.resourceName}-policy" (\`pulumi stack --show-urns\` lists it).`,
  );
}

export const rbacProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: RbacProviderOutputs, news: RbacProviderInputs) {
    const result = diffRbac(olds, news);
    for (const line of result.summary) log(`"${news.resourceName}" changes: ${line}`);
    return result;
  },

  async create(inputs: RbacProviderInputs) {
    const outs = await sync(inputs, {});
    return { id: `rbac-${inputs.resourceName}`, outs };
  },

  async update(_id: string, olds: RbacProviderOutputs, news: RbacProviderInputs) {
    // A new uri is another DBMS: nothing there is managed by this policy yet, and no password there
    // is known to be set, so it is synced as on create. The old DBMS is left as it is.
    return { outs: await sync(news, olds.uri === news.uri ? olds : {}) };
  },

  async read(id: string, props: RbacProviderOutputs) {
    const state = await readPolicy(
      connectionOf(props),
      { timeoutSeconds: props.waitTimeoutSeconds, log },
      managedOf(props),
    );
    return { id, props: { ...props, users: state.users, roles: state.roles } };
  },

  async delete(_id: string, props: RbacProviderOutputs) {
    const managed = managedOf(props);
    if (managed.users.length === 0 && managed.roles.length === 0) return;
    try {
      await syncPolicy({
        resourceName: props.resourceName,
        connection: connectionOf(props),
        wait: { timeoutSeconds: deleteWaitSeconds(props.waitTimeoutSeconds), log },
        desired: { users: [], roles: [] },
        passwords: {},
        passwordHashes: {},
        managed,
      });
    } catch (error) {
      throw deleteFailure(props, managed, error);
    }
  },
};
