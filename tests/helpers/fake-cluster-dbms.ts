import * as net from "net";

/**
 * A fake Neo4j Enterprise cluster's `system` database, for the lifecycle providers' paths that
 * need Enterprise (SHOW SERVERS, DEALLOCATE, DROP SERVER), which the Community test server lacks.
 * It answers on a TCP port, one JSON line per statement, to the stand-in driver below, which a
 * test installs with `jest.mock("neo4j-driver", () => fakeDriverModule())`: the bytes then travel
 * where the real driver's would, through a port-forward too, and the fake keeps what it was asked.
 */

export interface FakeServer {
  serverId: string;
  name: string;
  address: string;
  state: "Free" | "Enabled" | "Deallocating" | "Deallocated" | "Cordoned" | "Dropped";
  health: "Available" | "Unavailable";
  hosting: string[];
  requestedHosting: string[];
}

export interface FakeClusterDbms {
  port: number;
  servers: FakeServer[];
  /** Every statement run, in order, with its parameters. */
  statements: { query: string; parameters: Record<string, unknown> }[];
  password: string;
  /** When set, DEALLOCATE fails with this Neo4j error, changing nothing, as Neo4j refuses. */
  refuseDeallocation?: { code: string; message: string };
  close(): Promise<void>;
}

interface Request {
  username: string;
  password: string;
  query: string;
  parameters: Record<string, unknown>;
}

function answer(dbms: FakeClusterDbms, request: Request): { rows: Record<string, unknown>[] } {
  const fail = (code: string, message: string) => {
    throw Object.assign(new Error(message), { code });
  };
  if (request.password !== dbms.password) fail("Neo.ClientError.Security.Unauthorized", "unauthorized");
  const { query } = request;
  const server = () => {
    const found = dbms.servers.find((s) => s.serverId === request.parameters.server);
    if (!found)
      throw Object.assign(new Error("no such server"), { code: "Neo.ClientError.Cluster.ServerNotFound" });
    return found;
  };
  if (query.startsWith("CALL dbms.components()")) return { rows: [{ edition: "enterprise" }] };
  if (query.startsWith("SHOW SERVERS")) return { rows: dbms.servers.map((s) => ({ ...s })) };
  if (query.startsWith("SHOW DATABASES")) return { rows: [] };
  if (query.startsWith("SHOW DATABASE system"))
    return { rows: [{ address: dbms.servers.find((s) => s.state === "Enabled")?.address }] };
  dbms.statements.push({ query, parameters: request.parameters });
  if (query.startsWith("DEALLOCATE DATABASES FROM SERVER")) {
    if (dbms.refuseDeallocation) fail(dbms.refuseDeallocation.code, dbms.refuseDeallocation.message);
    Object.assign(server(), { state: "Deallocated", hosting: [], requestedHosting: [] });
    return { rows: [] };
  }
  if (query.startsWith("DROP SERVER")) {
    const s = server();
    if (s.state !== "Deallocated" && s.state !== "Free")
      fail("Neo.ClientError.Cluster.ServerNotDeallocated", `server ${s.serverId} is ${s.state}`);
    s.state = "Dropped";
    return { rows: [] };
  }
  throw Object.assign(new Error(`the fake DBMS does not know: ${query}`), {
    code: "Neo.ClientError.Statement.SyntaxError",
  });
}

export async function fakeClusterDbms(servers: FakeServer[], password: string): Promise<FakeClusterDbms> {
  const dbms = { servers, statements: [], password } as unknown as FakeClusterDbms;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      const end = buffer.indexOf("\n");
      if (end < 0) return;
      let reply: unknown;
      try {
        reply = answer(dbms, JSON.parse(buffer.slice(0, end)) as Request);
      } catch (error) {
        const e = error as { code?: string; message: string };
        reply = { error: { code: e.code, message: e.message } };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  dbms.port = (server.address() as net.AddressInfo).port;
  dbms.close = () =>
    new Promise((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    });
  return dbms;
}

/**
 * What the lifecycle code uses of neo4j-driver (driver, auth.basic, session.run, close), each
 * statement sent to the host and port of the driver's URI. A connection that fails is Neo4j's
 * ServiceUnavailable, as the real driver says.
 */
export function fakeDriverModule() {
  const run = (
    uri: string,
    auth: { principal: string; credentials: string },
    query: string,
    parameters = {},
  ) =>
    new Promise<{ records: { toObject(): Record<string, unknown>; get(key: string): unknown }[] }>(
      (resolve, reject) => {
        const [host, port] = uri.replace(/^[a-z0-9+]+:\/\//, "").split(":");
        const socket = net.connect(Number(port), host);
        let reply = "";
        socket.on("connect", () =>
          socket.write(
            `${JSON.stringify({ username: auth.principal, password: auth.credentials, query, parameters })}\n`,
          ),
        );
        socket.on("data", (d) => (reply += d.toString("utf8")));
        socket.on("error", (e) =>
          reject(
            Object.assign(new Error(`Could not perform discovery: ${e.message}`), {
              code: "ServiceUnavailable",
            }),
          ),
        );
        socket.on("close", () => {
          if (!reply.endsWith("\n"))
            return reject(Object.assign(new Error("connection closed"), { code: "ServiceUnavailable" }));
          const parsed = JSON.parse(reply) as {
            rows?: Record<string, unknown>[];
            error?: { code: string; message: string };
          };
          if (parsed.error)
            return reject(Object.assign(new Error(parsed.error.message), { code: parsed.error.code }));
          resolve({
            records: (parsed.rows ?? []).map((row) => ({
              toObject: () => row,
              get: (key: string) => row[key],
            })),
          });
        });
      },
    );
  const module = {
    /** Every driver made, by URI: where the code connected to. */
    uris: [] as string[],
    auth: { basic: (principal: string, credentials: string) => ({ principal, credentials }) },
    driver(uri: string, auth: { principal: string; credentials: string }) {
      module.uris.push(uri);
      return {
        session: () => ({
          run: (query: string, parameters?: Record<string, unknown>) => run(uri, auth, query, parameters),
          close: async () => undefined,
        }),
        close: async () => undefined,
      };
    },
  };
  return { ...module, default: module, __esModule: true, module };
}
