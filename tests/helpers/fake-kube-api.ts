import * as http from "http";
import * as https from "https";
import * as net from "net";
import { WebSocketServer } from "ws";

/**
 * A fake Kubernetes API server for the port-forward: it lists pods and answers
 * `/api/v1/namespaces/{ns}/pods/{pod}/portforward` as the kubelet does over WebSocket (a channel
 * byte before every message, the port first on each channel), piping to the TCP address that
 * `podAddress` gives for the pod. Every other path is a 404.
 */

export const TOKEN = "s3cr3t-token-value";

export interface FakeApiServer {
  server: http.Server | https.Server;
  url: string;
  /** Each upgrade request seen: its path, sub-protocol and Authorization header. */
  seen: { path: string; protocol: string; authorization?: string }[];
  /** Pods' Ready state for the pods list (any namespace). */
  pods: { name: string; ready: boolean }[];
  /** When set, the port-forward fails with this on the error channel. */
  podError?: string;
  close(): Promise<void>;
}

export async function fakeApiServer(
  podAddress: (pod: string) => { host: string; port: number },
  tls?: https.ServerOptions,
  authorized = (req: http.IncomingMessage) => req.headers.authorization === `Bearer ${TOKEN}`,
): Promise<FakeApiServer> {
  const fake = { seen: [], pods: [] } as unknown as FakeApiServer;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!authorized(req)) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", message: "Unauthorized" }));
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    if (/^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(url.pathname)) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          items: fake.pods.map((p) => ({
            metadata: { name: p.name },
            status: { conditions: [{ type: "Ready", status: p.ready ? "True" : "False" }] },
          })),
        }),
      );
      return;
    }
    res.writeHead(404).end();
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols][0] });
  server.on("upgrade", (req, socket, head) => {
    fake.seen.push({
      path: req.url ?? "",
      protocol: String(req.headers["sec-websocket-protocol"] ?? ""),
      authorization: req.headers.authorization,
    });
    if (!authorized(req)) {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\n\r\n{"kind":"Status","message":"pods \\"graph-0\\" is forbidden: cannot create resource pods/portforward"}',
      );
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    const pod = url.pathname.split("/")[6];
    wss.handleUpgrade(req, socket, head, (ws) => {
      const port = Buffer.alloc(2);
      port.writeUInt16LE(Number(url.searchParams.get("ports")));
      ws.send(Buffer.concat([Buffer.from([0]), port]));
      ws.send(Buffer.concat([Buffer.from([1]), port]));
      if (fake.podError) {
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(fake.podError)]));
        ws.close();
        return;
      }
      const to = podAddress(pod);
      const upstream = net.connect(to.port, to.host);
      upstream.on("data", (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
      upstream.on("close", () => ws.close());
      upstream.on("error", () => ws.close());
      ws.on("message", (m: Buffer) => {
        if (m[0] === 0) upstream.write(m.subarray(1));
      });
      ws.on("close", () => upstream.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.server = server;
  fake.url = `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      wss.clients.forEach((c) => c.terminate());
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return fake;
}

/** A kubeconfig for the fake API server, authenticating with its token. */
export function fakeKubeconfig(fake: FakeApiServer, context = "fake"): string {
  return `apiVersion: v1
kind: Config
current-context: ${context}
clusters: [{ name: ${context}, cluster: { server: "${fake.url}" } }]
users: [{ name: ${context}, user: { token: ${TOKEN} } }]
contexts: [{ name: ${context}, context: { cluster: ${context}, user: ${context} } }]
`;
}
