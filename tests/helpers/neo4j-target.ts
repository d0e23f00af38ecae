import neo4j from "neo4j-driver";

/**
 * The Neo4j that scripts/test.sh started for this run. Integration tests call this at load time so
 * that, without the server, they fail with a message saying how to run them: they never skip.
 */
export function neo4jTestTarget(): { uri: string; username: string; password: string } {
  const { NEO4J_TEST_URI: uri, NEO4J_TEST_USER: username, NEO4J_TEST_PASSWORD: password } = process.env;
  if (!uri || !username || !password) {
    throw new Error(
      "NEO4J_TEST_URI, NEO4J_TEST_USER and NEO4J_TEST_PASSWORD are not set: run the tests with `npm test`, which starts a real Neo4j for them",
    );
  }
  return { uri, username, password };
}

/** Whether Neo4j at `uri` accepts this user and password. */
export async function canLogIn(uri: string, user: string, password: string): Promise<boolean> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
  try {
    return await driver.verifyAuthentication();
  } catch {
    return false;
  } finally {
    await driver.close();
  }
}

/** Creates `user` on the test server with `password`, no change required, as the server's admin. */
export async function createUser(user: string, password: string): Promise<void> {
  const target = neo4jTestTarget();
  const driver = neo4j.driver(target.uri, neo4j.auth.basic(target.username, target.password));
  try {
    await driver.executeQuery(
      `CREATE USER ${user} SET PASSWORD $password CHANGE NOT REQUIRED`,
      { password },
      { database: "system" },
    );
  } finally {
    await driver.close();
  }
}
