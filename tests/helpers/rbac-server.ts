import neo4j from "neo4j-driver";
import { connectWhenReady, readActual } from "../../components/rbac/engine";
import { RbacProviderInputs } from "../../components/rbac/provider";
import { checkRbacSpec } from "../../components/rbac/spec";
import { canLogIn as canLogInAt, neo4jTestTarget } from "./neo4j-target";

/** The RBAC integration tests' view of the real Neo4j that `npm test` started. */
export const target = neo4jTestTarget();

export type TestUser = {
  name: string;
  password: string;
  passwordChangeRequired?: boolean;
  suspended?: boolean;
};

/** Provider inputs for a users-only spec (Community has no roles), checked as the component checks it. */
export function inputs(resourceName: string, users: TestUser[]): RbacProviderInputs {
  const desired = checkRbacSpec(resourceName, { users });
  return {
    resourceName,
    uri: target.uri,
    username: target.username,
    adminPassword: target.password,
    users: desired.users,
    roles: desired.roles,
    passwords: users.map((u) => ({ name: u.name, password: u.password })),
    waitTimeoutSeconds: 30,
  };
}

/** canLogIn of neo4j-target, against the shared test server unless told otherwise. */
export function canLogIn(user: string, password: string, uri = target.uri): Promise<boolean> {
  return canLogInAt(uri, user, password);
}

/** Runs statements on `system` as the test server's admin, parameters bound, in one transaction. */
export async function admin(statement: string, parameters: Record<string, unknown> = {}): Promise<void> {
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
  const session = driver.session({ database: "system" });
  try {
    await session.executeWrite((tx) => tx.run(statement, parameters));
  } finally {
    await session.close();
    await driver.close();
  }
}

/** What `SHOW USERS` reports, and on Enterprise `SHOW ROLES` and every privilege: compared before and after. */
const OTHER_SUITES_USER = /^rotation_[0-9a-f]{8}$/;

export async function snapshot(): Promise<{ users: string[]; roles: string[] }> {
  const { driver, edition } = await connectWhenReady({ ...target }, { timeoutSeconds: 10 });
  try {
    const actual = await readActual(driver, edition);
    return {
      // Other test files (lifecycle-admin, kubernetes-port-forward) make and drop short-lived admin
      // users named rotation_<hex> on the same server while these run: not this suite's to see.
      users: actual.users
        .filter((u) => !OTHER_SUITES_USER.test(u.name))
        .map((u) => JSON.stringify(u))
        .sort(),
      roles: actual.roles.map((r) => JSON.stringify(r)).sort(),
    };
  } finally {
    await driver.close();
  }
}

export async function userNames(): Promise<string[]> {
  return (await snapshot()).users.map((u) => (JSON.parse(u) as { name: string }).name).sort();
}
