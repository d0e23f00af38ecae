import type * as pulumi from "@pulumi/pulumi";
import { Connection, passwordHash, passwordMatches, readPolicy, syncPolicy } from "./engine";
import { PortForwardAccess, WriterProbe, withWriterForward } from "../lifecycle/tunnel";
import { RbacDiff, diffPolicy, isUnknown } from "./diff";
import { passwordProblem, roleNameProblem, userNameProblem } from "./cypher";
import {
  BUILT_IN_USER,
  BUILT_IN_USER_PROBLEM,
  RbacState,
  RoleState,
  UserState,
  connectingUserProblem,
} from "./spec";

/**
 * The dynamic provider behind RbacPolicy, kept thin: every method hands over to engine.ts.
 *
 * Dynamic-provider traps this is shaped around: the object is serialized as a closure, so it holds
 * no state, no secret and no native handle, and requires node modules inside the engine's
 * functions; the engine ignores `stables`; `update` is implemented so outputs survive; the new
 * secret output `passwordHashes` (and `adminPassword`) are listed in `additionalSecretOutputs` by
 * the component.
 */

/** A user's desired password, as the dynamic resource takes it. */
export interface UserPassword {
  name: string;
  password: string;
}

/** The salted hash of the password last set for a user (see `passwordHash`). */
export interface UserPasswordHash {
  name: string;
  hash: string;
}

/**
 * The dynamic resource's inputs; `adminPassword` and `passwords` arrive as secrets. Everything keyed
 * by a user name is a list of `{ name, … }`, never an object with user names as keys: Pulumi's wire
 * format turns objects into JavaScript objects key by key, where a user called `__proto__` would
 * vanish and one called `constructor` would find a value that is not there.
 */
export interface RbacProviderInputs {
  resourceName: string;
  uri: string;
  /** The authority to trust for a `+s` URI (PEM); absent when the system's authorities sign the DBMS's certificate. */
  caCertificate?: string;
  username: string;
  adminPassword: string;
  users: UserState[];
  roles: RoleState[];
  /** Desired password per user. */
  passwords: UserPassword[];
  waitTimeoutSeconds: number;
  /**
   * On Kubernetes, how `pulumi up` reaches the DBMS when `uri` (then the cluster's own, in-cluster
   * URI) does not resolve where it runs: a port-forward through the API server to the writer member.
   */
  portForward?: PortForwardAccess;
}

/** The dynamic resource's outputs: the inputs without passwords, plus a salted hash per user. */
export interface RbacProviderOutputs extends Omit<RbacProviderInputs, "passwords"> {
  passwordHashes: UserPasswordHash[];
}

const log = (message: string) => console.log(`RbacPolicy: ${message}`);

function connectionOf(props: {
  uri: string;
  caCertificate?: string;
  username: string;
  adminPassword: string;
}): Connection {
  return {
    uri: props.uri,
    username: props.username,
    password: props.adminPassword,
    caCertificate: props.caCertificate,
  };
}

/** Runs `work` connected as `props` say: to `uri`, or through a port-forward to the writer member. */
async function reach<T>(
  props: Pick<RbacProviderInputs, "uri" | "caCertificate" | "username" | "adminPassword" | "portForward">,
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = connectionOf(props);
  if (!props.portForward) return work(connection);
  const scheme: WriterProbe["scheme"] = /^(neo4j|bolt)\+s(sc)?:\/\//.test(props.uri) ? "bolt+s" : "bolt";
  const probe: WriterProbe = {
    scheme,
    caCertificate: props.caCertificate,
    username: props.username,
    passwords: [props.adminPassword],
  };
  return withWriterForward(props.portForward, probe, (address) =>
    work({ ...connection, uri: `${scheme}://${address}` }),
  );
}

function managedOf(state: { users?: UserState[]; roles?: RoleState[] }) {
  return { users: (state.users ?? []).map((u) => u.name), roles: (state.roles ?? []).map((r) => r.name) };
}

function passwordsOf(news: { passwords?: UserPassword[] }): Map<string, string> {
  return new Map((Array.isArray(news.passwords) ? news.passwords : []).map((p) => [p.name, p.password]));
}

/** The stored hashes; states written by earlier versions kept them as an object keyed by user name. */
function hashesOf(olds: {
  passwordHashes?: UserPasswordHash[] | Record<string, string>;
}): Map<string, string> {
  const hashes = olds.passwordHashes ?? [];
  if (Array.isArray(hashes)) return new Map(hashes.map((h) => [h.name, h.hash]));
  return new Map(Object.entries(hashes).filter((entry) => typeof entry[1] === "string"));
}

function hashesFor(news: RbacProviderInputs, old: Map<string, string>): UserPasswordHash[] {
  const passwords = passwordsOf(news);
  return news.users.map((user) => {
    const password = passwords.get(user.name) ?? "";
    const stored = old.get(user.name);
    return {
      name: user.name,
      hash:
        stored && passwordMatches(user.name, password, stored) ? stored : passwordHash(user.name, password),
    };
  });
}

/**
 * What is wrong with the inputs, as Pulumi check failures: a user or role name outside Neo4j's
 * rules, the user the policy connects as declared, the built-in `neo4j` user suspended, a password
 * missing or too long to log in with. The component checks the same before it registers anything;
 * this repeats it for what was not known then, and for inputs that never went through it.
 * Values not known yet (during preview) are skipped; they are checked again before anything runs.
 */
export function inputFailures(news: RbacProviderInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, field: string, problem: string) =>
    failures.push({ property, reason: `RbacPolicy "${news.resourceName}": ${field} ${problem}` });
  const users = Array.isArray(news.users) ? news.users : [];
  const passwords = Array.isArray(news.passwords) ? news.passwords : undefined;
  const known = passwords ? passwordsOf(news) : undefined;
  (Array.isArray(news.roles) ? news.roles : []).forEach((role, r) => {
    const problem = isUnknown(role?.name) ? undefined : roleNameProblem(role?.name);
    if (problem) fail("roles", `roles[${r}].name`, problem);
  });
  users.forEach((user, u) => {
    if (isUnknown(user?.name)) return;
    const nameProblem = userNameProblem(user?.name);
    if (nameProblem) {
      fail("users", `users[${u}].name`, nameProblem);
      return;
    }
    if (typeof news.username === "string" && user.name === news.username)
      fail("users", `users[${u}].name`, connectingUserProblem(user.name));
    if (user.name === BUILT_IN_USER && user.suspended === true)
      fail("users", `users[${u}].suspended`, BUILT_IN_USER_PROBLEM);
    const password = known?.get(user.name);
    if (known && !isUnknown(password)) {
      const problem = passwordProblem(user.name, password);
      if (problem) fail("passwords", `users[${u}].password`, problem);
    }
  });
  return failures;
}

function checkInputs(news: RbacProviderInputs): void {
  const failures = inputFailures(news);
  if (failures.length > 0) throw new Error(failures.map((f) => f.reason).join("\n"));
}

function outputsOf(
  news: RbacProviderInputs,
  state: RbacState,
  passwordHashes: UserPasswordHash[],
): RbacProviderOutputs {
  return {
    resourceName: news.resourceName,
    uri: news.uri,
    // Absent rather than undefined: the engine's dynamic-provider host turns outputs into a protobuf
    // Struct, which refuses undefined values ("Unexpected struct type") and fails the whole update.
    ...(news.caCertificate === undefined ? {} : { caCertificate: news.caCertificate }),
    username: news.username,
    adminPassword: news.adminPassword,
    users: state.users,
    roles: state.roles,
    passwordHashes,
    waitTimeoutSeconds: news.waitTimeoutSeconds,
    ...(news.portForward === undefined ? {} : { portForward: news.portForward }),
  };
}

async function sync(
  news: RbacProviderInputs,
  olds: Partial<RbacProviderOutputs>,
): Promise<RbacProviderOutputs> {
  checkInputs(news);
  const oldHashes = hashesOf(olds);
  const result = await reach(news, (connection) =>
    syncPolicy({
      resourceName: news.resourceName,
      connection,
      wait: { timeoutSeconds: news.waitTimeoutSeconds, log },
      desired: { users: news.users, roles: news.roles },
      passwords: passwordsOf(news),
      passwordHashes: oldHashes,
      managed: managedOf(olds),
    }),
  );
  for (const statement of result.plan) log(statement.display);
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
  const passwords = passwordsOf(news);
  const hashes = hashesOf(olds);
  const keptUsers = news.users.filter((u) => kept.has(u.name)).map((u) => u.name);
  const recomputed = keptUsers.filter((name) => isUnknown(news.passwords) || isUnknown(passwords.get(name)));
  const passwordChanges = keptUsers
    .filter((name) => !recomputed.includes(name))
    .filter((name) => !passwordMatches(name, passwords.get(name) ?? "", hashes.get(name)));
  const { detailedDiff, summary } = diffPolicy(olds, news, passwordChanges, recomputed);
  if (JSON.stringify(olds.portForward ?? null) !== JSON.stringify(news.portForward ?? null)) {
    // Never the kubeconfig itself: it holds credentials.
    detailedDiff.portForward = { kind: "UPDATE", inputDiff: true };
    summary.push(
      news.portForward
        ? `reaches the DBMS through a port-forward to the pods ${news.portForward.podSelector} in namespace ${news.portForward.namespace}`
        : `reaches the DBMS at ${news.uri} directly`,
    );
  }
  return { changes: summary.length > 0, detailedDiff, summary };
}

/**
 * How long `delete` and `read` (`pulumi refresh`) wait for the DBMS, in seconds. Shorter than
 * `waitTimeoutSeconds`: a DBMS being destroyed or refreshed is rarely one that is still starting,
 * and when it is gone for good the operator should learn so in seconds, not minutes.
 */
export const SHORT_WAIT_SECONDS = 30;

export function shortWaitSeconds(waitTimeoutSeconds: number): number {
  return Math.min(waitTimeoutSeconds, SHORT_WAIT_SECONDS);
}

/** Why `delete` or `read` could not finish, what is left behind, and how to go on. */
function unreachableFailure(
  props: RbacProviderOutputs,
  managed: { users: string[]; roles: string[] },
  doing: "remove" | "read",
  cause: unknown,
): Error {
  const names = (kind: string, list: string[]) =>
    list.length > 0 ? [`${kind} ${list.map((n) => JSON.stringify(n)).join(", ")}`] : [];
  const what = [...names("users", managed.users), ...names("roles", managed.roles)].join(" and ");
  const urn = `the URN of the pulumi-nodejs:dynamic:Resource "${props.resourceName}-policy" (\`pulumi stack --show-urns\` lists it)`;
  const goneForGood =
    doing === "remove"
      ? `there is nothing left to remove: drop the resource from the stack with \`pulumi state delete <urn>\`, ${urn}`
      : `remove the policy from the program and drop it from the stack with \`pulumi state delete <urn>\`, ${urn}`;
  return new Error(
    `RbacPolicy "${props.resourceName}": could not ${doing} ${what} ${doing === "remove" ? "from" : "on"} Neo4j at ${props.uri}${props.portForward ? " (through a port-forward)" : ""}: ${(cause as Error)?.message ?? String(cause)}. ` +
      `If that DBMS is reachable again, run the command again. If it is gone for good, ${goneForGood}.`,
  );
}

export const rbacProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: RbacProviderOutputs, news: RbacProviderInputs) {
    const result = diffRbac(olds, news);
    for (const line of result.summary) log(`"${news.resourceName}" changes: ${line}`);
    return result;
  },

  async check(_olds: RbacProviderOutputs, news: RbacProviderInputs) {
    return { inputs: news, failures: inputFailures(news) };
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
    const managed = managedOf(props);
    if (managed.users.length === 0 && managed.roles.length === 0) return { id, props };
    try {
      const state = await reach(props, (connection) =>
        readPolicy(connection, { timeoutSeconds: shortWaitSeconds(props.waitTimeoutSeconds), log }, managed),
      );
      return { id, props: { ...props, users: state.users, roles: state.roles } };
    } catch (error) {
      throw unreachableFailure(props, managed, "read", error);
    }
  },

  async delete(_id: string, props: RbacProviderOutputs) {
    const managed = managedOf(props);
    if (managed.users.length === 0 && managed.roles.length === 0) return;
    try {
      await reach(props, (connection) =>
        syncPolicy({
          resourceName: props.resourceName,
          connection,
          wait: { timeoutSeconds: shortWaitSeconds(props.waitTimeoutSeconds), log },
          desired: { users: [], roles: [] },
          passwords: new Map(),
          passwordHashes: new Map(),
          managed,
        }),
      );
    } catch (error) {
      throw unreachableFailure(props, managed, "remove", error);
    }
  },
};
