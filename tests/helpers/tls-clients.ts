import * as https from "https";
import neo4j from "neo4j-driver";

/**
 * The two clients the TLS tests need: a driver that runs `RETURN 1` once and never retries (a
 * refused connection is the answer, not something to retry for 30 s), and an HTTPS GET with an
 * optional authority to trust.
 */
export async function returnOne(
  uri: string,
  user: string,
  password: string,
  config: Record<string, unknown> = {},
): Promise<number> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
    connectionTimeout: 10_000,
    maxConnectionPoolSize: 1,
    maxTransactionRetryTime: 0,
    ...config,
  });
  try {
    const result = await driver.executeQuery("RETURN 1 AS one");
    return result.records[0].get("one").toNumber();
  } finally {
    await driver.close();
  }
}

export function httpsGet(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, timeout: 10_000 }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
  });
}
