import * as net from "net";
import neo4j, { Driver } from "neo4j-driver";

/** The local images scripts/provision/images.sh builds; the older one first. */
export const NEO4J_IMAGES = (process.env.NEO4J_ESTATE_IMAGE_VERSIONS ?? "5.26.29 5.26.30")
  .split(/\s+/)
  .map((v) => `neo4j-estate/neo4j:${v}-community`);
export const NEO4J_IMAGE = NEO4J_IMAGES[NEO4J_IMAGES.length - 1];

/** A port nobody listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Distinct, short names so that runs never meet each other's containers. */
export function runId(): string {
  return `rt${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
}

/** Runs one Cypher query as `user` and returns its records as plain objects. */
export async function query(
  uri: string,
  user: string,
  password: string,
  cypher: string,
  params: Record<string, unknown> = {},
  database?: string,
): Promise<Record<string, unknown>[]> {
  const driver: Driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
    connectionTimeout: 10_000,
    maxConnectionPoolSize: 1,
  });
  try {
    const result = await driver.executeQuery(cypher, params, { database });
    return result.records.map((r) => r.toObject());
  } finally {
    await driver.close();
  }
}
