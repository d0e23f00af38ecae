import * as net from "net";

/**
 * Loopback TCP stand-ins for the ways a connection to Neo4j goes wrong, for the RBAC integration
 * tests: a port that accepts and never answers, and a proxy in front of the real test server that
 * counts connections and can lose the reply to a COMMIT after Neo4j has committed.
 */

/** Listens on a free 127.0.0.1 port; resolves with it. */
function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

export interface SilentServer {
  /** `bolt://127.0.0.1:<port>`. */
  uri: string;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** A port that accepts TCP connections and never sends a byte, like a wrong service or a TLS-only port. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { uri: `bolt://127.0.0.1:${port}`, accepted: () => accepted, close: closer(server, sockets) };
}

/** Bolt's COMMIT message as the driver frames it: one chunk of 2 bytes (struct B0, signature 12h), then the end marker. */
const COMMIT_CHUNK = Buffer.from([0x00, 0x02, 0xb0, 0x12, 0x00, 0x00]);

export interface BoltProxy {
  /** `bolt://127.0.0.1:<port>`, forwarding to the target. */
  uri: string;
  /** Client connections opened through the proxy so far. */
  connections(): number;
  /**
   * Lets the next COMMIT through to Neo4j, waits for Neo4j's reply (sent once the commit is done),
   * and then drops the connection instead of passing the reply on: the commit happened, the client
   * never learns it.
   */
  loseNextCommitReply(): void;
  close(): Promise<void>;
}

export async function startBoltProxy(targetUri: string): Promise<BoltProxy> {
  const target = new URL(targetUri);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let loseCommitReply = false;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    let commitSent = false;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (data) => {
      if (loseCommitReply && data.includes(COMMIT_CHUNK)) {
        loseCommitReply = false;
        commitSent = true;
      }
      upstream.write(data);
    });
    upstream.on("data", (data) => {
      if (commitSent) {
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(data);
    });
  });
  const port = await listen(server);
  return {
    uri: `bolt://127.0.0.1:${port}`,
    connections: () => connections,
    loseNextCommitReply: () => {
      loseCommitReply = true;
    },
    close: closer(server, sockets),
  };
}
