import type * as pulumi from "@pulumi/pulumi";
import { passwordHash, passwordMatches, readPolicy, syncPolicy } from "./engine";
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
export interface RbacProviderOutputs {
  resourceName: string;
  uri: string;
  username: string;
  adminPassword: string;
  users: UserState[];
  roles: RoleState[];
  passwordHashes: Record<string, string>;
  waitTimeoutSeconds: number;
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

/** Which top-level properties differ, and whether any user's desired password changed. */
export function diffRbac(olds: RbacProviderOutputs, news: RbacProviderInputs): pulumi.dynamic.DiffResult {
  const replaces = (["uri"] as const).filter((key) => olds[key] !== news[key]);
  const changed =
    replaces.length > 0 ||
    olds.username !== news.username ||
    olds.adminPassword !== news.adminPassword ||
    olds.waitTimeoutSeconds !== news.waitTimeoutSeconds ||
    JSON.stringify(olds.users) !== JSON.stringify(news.users) ||
    JSON.stringify(olds.roles) !== JSON.stringify(news.roles) ||
    news.users.some(
      (u) => !passwordMatches(u.name, news.passwords[u.name] ?? "", olds.passwordHashes?.[u.name]),
    );
  return { changes: changed, replaces, deleteBeforeReplace: true };
}

export const rbacProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: RbacProviderOutputs, news: RbacProviderInputs) {
    return diffRbac(olds, news);
  },

  async create(inputs: RbacProviderInputs) {
    const outs = await sync(inputs, {});
    return { id: `rbac-${inputs.resourceName}`, outs };
  },

  async update(_id: string, olds: RbacProviderOutputs, news: RbacProviderInputs) {
    return { outs: await sync(news, olds) };
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
    await syncPolicy({
      resourceName: props.resourceName,
      connection: connectionOf(props),
      wait: { timeoutSeconds: props.waitTimeoutSeconds, log },
      desired: { users: [], roles: [] },
      passwords: {},
      passwordHashes: {},
      managed: managedOf(props),
    });
  },
};
