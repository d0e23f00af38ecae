/**
 * Every argument of RbacPolicy checked at once, with no Pulumi in it: the connection (URI, user,
 * password, wait), the shape of each role and user entry (so a misspelled `privilege` or
 * `passwordChangeRequierd` is refused instead of ignored), then the spec itself with checkRbacSpec.
 * The component calls this before `super()`, and Neo4jEnterprise before it registers any part.
 */
import { checkCaBundle } from "../neo4j/tls";
import { argChecks, isDeferred, orDefault, shown } from "../neo4j/checks";
import { userNameProblem } from "./cypher";
import { RBAC_POLICY_COMPONENT, RbacRole, RbacSpec, RbacState, RbacUser, checkRbacSpec } from "./spec";

/** Every argument of RbacPolicy as the core checks it; RbacPolicyArgs documents them. */
export interface RbacPolicyShapeArgs extends RbacSpec<unknown> {
  uri?: unknown;
  /** RbacPolicyArgs documents it: the authority to trust for a `+s` uri. */
  caCertificate?: unknown;
  adminUsername?: unknown;
  adminPassword?: unknown;
  waitTimeoutSeconds?: number;
}

/** Every key RbacPolicy takes; the compiler keeps it complete, and unknown keys are refused as typos. */
export const RBAC_POLICY_ARG_KEYS = Object.keys({
  uri: true,
  caCertificate: true,
  adminUsername: true,
  adminPassword: true,
  roles: true,
  users: true,
  waitTimeoutSeconds: true,
} satisfies Record<keyof RbacPolicyShapeArgs, true>);

const ROLE_KEYS = Object.keys({ name: true, privileges: true } satisfies Record<keyof RbacRole, true>);
const USER_KEYS = Object.keys({
  name: true,
  password: true,
  roles: true,
  passwordChangeRequired: true,
  suspended: true,
} satisfies Record<keyof RbacUser, true>);

/** The connection may come from a cluster's outputs; the users' passwords are inside `users`. */
const INPUT_KEYS = ["uri", "caCertificate", "adminUsername", "adminPassword"];
const REQUIRED_CONNECTION_KEYS = ["uri", "adminUsername", "adminPassword"];

/** How long `pulumi up` may wait for the DBMS, in seconds: a day at most, past which it is not starting but stuck. */
const WAIT_TIMEOUT_SECONDS = { min: 1, max: 86_400 };

/** Bolt URIs as the Neo4j drivers take them: bolt or neo4j, optionally +s or +ssc, a host and an optional port. */
const BOLT_URI = /^(bolt|neo4j)(\+s|\+ssc)?:\/\/[A-Za-z0-9._-]+(:\d{1,5})?\/?$/;

/**
 * Checks every argument of an RbacPolicy named `name`: throws an InputError naming the field on the
 * first problem, returns the desired users and roles in comparable form, and the wait.
 * `connectingAs` is for Neo4jEnterprise, which supplies the connection itself (as that user) and
 * so takes none in the arguments.
 */
export function validateRbacPolicyArgs(
  name: string,
  args: unknown,
  { connectingAs }: { connectingAs?: string } = {},
): { desired: RbacState; waitTimeoutSeconds: number } {
  const withoutConnection = connectingAs !== undefined;
  const check = argChecks(RBAC_POLICY_COMPONENT, name);
  const given = check.args<RbacPolicyShapeArgs>(
    args,
    withoutConnection ? RBAC_POLICY_ARG_KEYS.filter((k) => !INPUT_KEYS.includes(k)) : RBAC_POLICY_ARG_KEYS,
    INPUT_KEYS,
    withoutConnection ? "{ users, roles }" : "{ uri, adminUsername, adminPassword, users, roles }",
  );
  if (!withoutConnection) {
    for (const key of REQUIRED_CONNECTION_KEYS)
      if (given[key as keyof RbacPolicyShapeArgs] === undefined)
        throw check.fail(
          key,
          "is required: a Neo4jCluster's boltUri, adminUsername and adminPassword, or your own",
        );
    if (!isDeferred(given.uri)) checkUri(name, given.uri);
    if (!isDeferred(given.adminUsername)) checkAdminUsername(name, given.adminUsername);
    if (!isDeferred(given.adminPassword)) checkAdminPassword(name, given.adminPassword);
    if (given.caCertificate !== undefined && !isDeferred(given.caCertificate))
      checkCaBundle(check, given.caCertificate, "caCertificate");
  }
  // Entries that are not objects, and lists that are not lists, are checkRbacSpec's to refuse.
  if (Array.isArray(given.roles))
    given.roles.forEach((role, r) => {
      if (typeof role === "object" && role !== null) check.object(`roles[${r}]`, role, ROLE_KEYS);
    });
  if (Array.isArray(given.users))
    given.users.forEach((user, u) => {
      if (typeof user === "object" && user !== null) check.object(`users[${u}]`, user, USER_KEYS);
    });
  const desired = checkRbacSpec(
    name,
    given,
    connectingAs ?? (typeof given.adminUsername === "string" ? given.adminUsername : undefined),
  );
  const waitTimeoutSeconds = orDefault(given.waitTimeoutSeconds, 300, (v) =>
    check.wholeNumber("waitTimeoutSeconds", v, WAIT_TIMEOUT_SECONDS),
  );
  return { desired, waitTimeoutSeconds };
}

/** Checks the Bolt URI, plain or once an output resolves. */
export function checkUri(name: string, uri: unknown): string {
  if (typeof uri !== "string" || !BOLT_URI.test(uri))
    throw argChecks(RBAC_POLICY_COMPONENT, name).fail(
      "uri",
      `must be a Bolt URI such as neo4j://localhost:7688 or bolt+s://db.example.com:7687 (got ${shown(uri)})`,
    );
  return uri;
}

/** Checks the user the policy connects as, plain or once an output resolves. */
export function checkAdminUsername(name: string, user: unknown): string {
  const problem = userNameProblem(user);
  if (problem) throw argChecks(RBAC_POLICY_COMPONENT, name).fail("adminUsername", problem);
  return user as string;
}

/** Checks the password the policy connects with, plain or once an output resolves, without ever quoting it. */
export function checkAdminPassword(name: string, password: unknown): string {
  if (typeof password !== "string" || password === "")
    throw argChecks(RBAC_POLICY_COMPONENT, name).fail(
      "adminPassword",
      `must be a non-empty string (got ${typeof password === "string" ? "an empty string" : `a ${typeof password}`})`,
    );
  return password;
}
