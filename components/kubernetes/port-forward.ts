import type * as net from "net";

/**
 * A port-forward through the Kubernetes API server, as `kubectl port-forward` does: how the dynamic
 * providers (RbacPolicy, the admin password's rotation) reach a member's Bolt port from where
 * `pulumi up` runs when the cluster's Services are not reachable from there.
 *
 * Why our own module: @kubernetes/client-node 1.x is published as ES modules only, which this
 * CommonJS package, its jest tests and the providers' closure serialization cannot load cleanly,
 * and 0.x is no longer maintained. What is needed is small: read a kubeconfig, and speak the
 * port-forward WebSocket sub-protocol `v4.channel.k8s.io` (one WebSocket per forwarded connection;
 * every message starts with a channel byte, 0 for data and 1 for errors; the first message on
 * each channel is the port as an unsigned 16-bit little-endian number).
 *
 * Credentials are found as the Kubernetes provider finds them by default: the kubeconfig given,
 * else `KUBECONFIG` (a list of files, the first to set a value wins), else `~/.kube/config`, else
 * the pod's service account when running in a pod; in the chosen context (or the current one).
 * Node modules are required inside the functions: Pulumi serializes the providers as closures.
 * Nothing here logs or quotes a credential.
 */

/** Which Kubernetes cluster and as whom; both optional, defaulting as the Kubernetes provider does. */
export interface KubeAccess {
  /** A kubeconfig's contents (YAML or JSON) or the path of one; secret. */
  kubeconfig?: string;
  /** The kubeconfig context to use. Default: its current context. */
  context?: string;
}

/** The API server and the credentials to call it with. */
export interface ApiServer {
  /** `https://host:port`, perhaps with a path prefix. */
  server: string;
  /** Authorities to trust (PEM). Default: the system's. */
  ca?: string;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
  /** A bearer token. */
  token?: string;
  username?: string;
  password?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** Where these came from, for messages: never a credential. */
  source: string;
}

/** The service account files every pod gets, unless its spec opts out. */
export const IN_CLUSTER = {
  token: "/var/run/secrets/kubernetes.io/serviceaccount/token",
  ca: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
} as const;

interface Named<T> {
  name: string;
  value: T;
}
interface KubeconfigCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
}
interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
}
interface KubeconfigUser {
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  "auth-provider"?: unknown;
}
interface Kubeconfig {
  "current-context"?: string;
  clusters: Named<KubeconfigCluster>[];
  users: Named<KubeconfigUser>[];
  contexts: Named<{ cluster?: string; user?: string; namespace?: string }>[];
}

/** One kubeconfig document, with its entries' relative file names resolved against `directory`. */
function parseKubeconfig(text: string, directory: string, source: string): Kubeconfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure
  const YAML = require("yaml") as typeof import("yaml");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("path") as typeof import("path");
  let doc: Record<string, unknown>;
  try {
    doc = (YAML.parse(text) ?? {}) as Record<string, unknown>;
  } catch (error) {
    // The parser's message may quote the document; only its position is safe to show.
    const at = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new Error(`${source} is not valid YAML${at ? ` (line ${at})` : ""}`);
  }
  const list = <T>(key: string, inner: string): Named<T>[] =>
    (Array.isArray(doc[key]) ? (doc[key] as Record<string, unknown>[]) : []).map((entry) => ({
      name: String(entry?.name ?? ""),
      value: (entry?.[inner] ?? {}) as T,
    }));
  const absolute = (file: string | undefined) =>
    file === undefined || path.isAbsolute(file) ? file : path.join(directory, file);
  return {
    "current-context": typeof doc["current-context"] === "string" ? doc["current-context"] : undefined,
    clusters: list<KubeconfigCluster>("clusters", "cluster").map((c) => ({
      ...c,
      value: { ...c.value, "certificate-authority": absolute(c.value["certificate-authority"]) },
    })),
    users: list<KubeconfigUser>("users", "user").map((u) => ({
      ...u,
      value: {
        ...u.value,
        "client-certificate": absolute(u.value["client-certificate"]),
        "client-key": absolute(u.value["client-key"]),
        tokenFile: absolute(u.value.tokenFile),
      },
    })),
    contexts: list("contexts", "context"),
  };
}

/** Several kubeconfig files as one, as kubectl merges KUBECONFIG: the first to name an entry wins. */
function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const firsts = <T>(lists: Named<T>[][]) => {
    const seen = new Map<string, Named<T>>();
    for (const entry of lists.flat()) if (!seen.has(entry.name)) seen.set(entry.name, entry);
    return [...seen.values()];
  };
  return {
    "current-context": configs.map((c) => c["current-context"]).find((c) => c),
    clusters: firsts(configs.map((c) => c.clusters)),
    users: firsts(configs.map((c) => c.users)),
    contexts: firsts(configs.map((c) => c.contexts)),
  };
}

/** Runs an exec credential plugin (client.authentication.k8s.io) and returns what it issued. */
async function execCredential(exec: ExecConfig, source: string): Promise<Partial<ApiServer>> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure */
  const childProcess = require("child_process") as typeof import("child_process");
  const util = require("util") as typeof import("util");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1";
  const env = {
    ...process.env,
    ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
    KUBERNETES_EXEC_INFO: JSON.stringify({
      apiVersion,
      kind: "ExecCredential",
      spec: { interactive: false },
    }),
  };
  let stdout: string;
  try {
    ({ stdout } = await util.promisify(childProcess.execFile)(exec.command, exec.args ?? [], {
      env,
      timeout: 60_000,
      maxBuffer: 1 << 20,
    }));
  } catch (error) {
    const e = error as { code?: unknown; stderr?: string };
    // stderr is the plugin's own explanation ("run aws sso login"); it never carries the credential.
    const why = [e.code !== undefined ? `exit ${String(e.code)}` : "", (e.stderr ?? "").trim().split("\n")[0]]
      .filter(Boolean)
      .join(": ");
    throw new Error(`${source}: the exec credential plugin "${exec.command}" failed (${why})`);
  }
  let status: { token?: string; clientCertificateData?: string; clientKeyData?: string } | undefined;
  try {
    status = JSON.parse(stdout)?.status;
  } catch {
    status = undefined;
  }
  if (!status || (!status.token && !status.clientCertificateData))
    throw new Error(
      `${source}: the exec credential plugin "${exec.command}" printed no ExecCredential with a token or a client certificate`,
    );
  return { token: status.token, cert: status.clientCertificateData, key: status.clientKeyData };
}

/** The API server and credentials of one context of a kubeconfig. */
async function fromKubeconfig(config: Kubeconfig, context: string | undefined, source: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure
  const fs = require("fs") as typeof import("fs");
  const name = context ?? config["current-context"];
  if (!name) throw new Error(`${source} has no current-context; name one with the context argument`);
  const ctx = config.contexts.find((c) => c.name === name)?.value;
  if (!ctx)
    throw new Error(
      `${source} has no context "${name}" (it has ${config.contexts.map((c) => `"${c.name}"`).join(", ") || "none"})`,
    );
  const where = `${source}, context "${name}"`;
  const cluster = config.clusters.find((c) => c.name === ctx.cluster)?.value;
  if (!cluster?.server) throw new Error(`${where}: cluster "${ctx.cluster ?? ""}" has no server`);
  if (cluster["proxy-url"])
    throw new Error(
      `${where}: proxy-url is not supported; reach the API server directly or use access "direct"`,
    );
  const user = config.users.find((u) => u.name === ctx.user)?.value ?? {};
  if (user["auth-provider"])
    throw new Error(`${where}: auth-provider plugins are not supported; use an exec plugin or a token`);
  const read = (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new Error(
        `${where}: cannot read the ${what} file ${file} (${(error as { code?: string }).code ?? "error"})`,
      );
    }
  };
  const decoded = (data: string | undefined) =>
    data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8");
  const api: ApiServer = {
    server: cluster.server,
    ca:
      decoded(cluster["certificate-authority-data"]) ??
      read(cluster["certificate-authority"], "certificate-authority"),
    cert: decoded(user["client-certificate-data"]) ?? read(user["client-certificate"], "client-certificate"),
    key: decoded(user["client-key-data"]) ?? read(user["client-key"], "client-key"),
    token: user.token ?? read(user.tokenFile, "tokenFile")?.trim(),
    username: user.username,
    password: user.password,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: cluster["tls-server-name"],
    source: where,
  };
  return user.exec ? { ...api, ...(await execCredential(user.exec, where)) } : api;
}

/**
 * The API server and credentials `access` names, found as the Kubernetes provider finds them by
 * default (see the module comment). `env` and `home` are parameters so that tests need no real
 * home directory.
 */
export async function resolveApiServer(
  access: KubeAccess,
  env: NodeJS.ProcessEnv = process.env,
  home?: string,
): Promise<ApiServer> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure */
  const fs = require("fs") as typeof import("fs");
  const os = require("os") as typeof import("os");
  const path = require("path") as typeof import("path");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const given = access.kubeconfig?.trim();
  if (given) {
    // A path is one line naming a file; anything else is a kubeconfig's contents (never quoted).
    const isPath = !given.includes("\n") && !given.startsWith("{") && fs.existsSync(given);
    const config = isPath
      ? parseKubeconfig(fs.readFileSync(given, "utf8"), path.dirname(given), `the kubeconfig ${given}`)
      : parseKubeconfig(given, process.cwd(), "the kubeconfig given");
    return fromKubeconfig(
      config,
      access.context,
      isPath ? `the kubeconfig ${given}` : "the kubeconfig given",
    );
  }
  const files = env.KUBECONFIG
    ? env.KUBECONFIG.split(path.delimiter).filter((f) => f !== "" && fs.existsSync(f))
    : [path.join(home ?? os.homedir(), ".kube", "config")].filter((f) => fs.existsSync(f));
  if (files.length > 0) {
    const config = mergeKubeconfigs(
      files.map((f) => parseKubeconfig(fs.readFileSync(f, "utf8"), path.dirname(f), `the kubeconfig ${f}`)),
    );
    return fromKubeconfig(config, access.context, `the kubeconfig ${files.join(path.delimiter)}`);
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fs.existsSync(IN_CLUSTER.token)) {
    const host = env.KUBERNETES_SERVICE_HOST.includes(":")
      ? `[${env.KUBERNETES_SERVICE_HOST}]`
      : env.KUBERNETES_SERVICE_HOST;
    return {
      server: `https://${host}:${env.KUBERNETES_SERVICE_PORT}`,
      token: fs.readFileSync(IN_CLUSTER.token, "utf8").trim(),
      ca: fs.existsSync(IN_CLUSTER.ca) ? fs.readFileSync(IN_CLUSTER.ca, "utf8") : undefined,
      source: "the pod's service account",
    };
  }
  throw new Error(
    `no Kubernetes credentials found: ${env.KUBECONFIG ? `no file of KUBECONFIG exists` : "no KUBECONFIG and no ~/.kube/config"}, and not running in a pod. Give kubeconfig (and context) to the component, or set KUBECONFIG`,
  );
}

/** TLS and header options for a request to the API server (https and wss alike). */
function requestOptions(api: ApiServer) {
  const headers: Record<string, string> = {};
  if (api.token) headers.Authorization = `Bearer ${api.token}`;
  else if (api.username !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${api.username}:${api.password ?? ""}`).toString("base64")}`;
  return {
    headers,
    ...(api.ca ? { ca: api.ca } : {}),
    ...(api.cert ? { cert: api.cert } : {}),
    ...(api.key ? { key: api.key } : {}),
    ...(api.tlsServerName ? { servername: api.tlsServerName } : {}),
    rejectUnauthorized: !api.insecureSkipTlsVerify,
  };
}

/** The API server's URL for `apiPath`, keeping a path prefix of the server's. */
export function apiUrl(api: ApiServer, apiPath: string, websocket = false): string {
  const url = new URL(api.server);
  const [pathPart, query] = apiPath.split("?");
  url.pathname = `${url.pathname.replace(/\/$/, "")}${pathPart}`;
  url.search = query ? `?${query}` : "";
  if (websocket) url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  return url.toString();
}

/** What the API server said when it refused: its Status message, which never holds our credentials. */
function refusal(status: number | undefined, body: string): string {
  try {
    const message = JSON.parse(body)?.message;
    if (typeof message === "string") return `${status} ${message}`;
  } catch {
    // not a Status object
  }
  return `${status} ${body.slice(0, 200).trim()}`;
}

/** GETs a JSON object from the API server. */
export async function apiGet(api: ApiServer, apiPath: string): Promise<unknown> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure */
  const https = require("https") as typeof import("https");
  const http = require("http") as typeof import("http");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const url = apiUrl(api, apiPath);
  const client = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { ...requestOptions(api), timeout: 30_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        if ((response.statusCode ?? 0) >= 300)
          reject(
            new Error(
              `the API server (${api.source}) refused GET ${apiPath}: ${refusal(response.statusCode, body)}`,
            ),
          );
        else
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(
              new Error(
                `the API server (${api.source}) answered GET ${apiPath} with something that is not JSON`,
              ),
            );
          }
      });
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 30 s")));
    request.on("error", (error) =>
      reject(new Error(`cannot reach the API server at ${api.server} (${api.source}): ${error.message}`)),
    );
  });
}

/** The names of a namespace's pods that match `labelSelector` and are Ready, sorted. */
export async function readyPods(api: ApiServer, namespace: string, labelSelector: string): Promise<string[]> {
  const list = (await apiGet(
    api,
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(labelSelector)}`,
  )) as {
    items?: {
      metadata?: { name?: string; deletionTimestamp?: string };
      status?: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return (list.items ?? [])
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .filter((pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    .map((pod) => pod.metadata?.name ?? "")
    .filter((name) => name !== "")
    .sort();
}

/** One forwarded connection's far end. */
export interface ForwardTarget {
  namespace: string;
  pod: string;
  port: number;
}

/** A listener on 127.0.0.1 whose every connection is forwarded to a pod through the API server. */
export interface Tunnel {
  /** The local port: connect to `127.0.0.1:<port>`. */
  port: number;
  /** Why the last forwarded connection failed, if it did: for messages. */
  lastError(): string | undefined;
  /** Stops listening and ends every forwarded connection. */
  close(): Promise<void>;
}

/** The WebSocket sub-protocol of the API server's (and kubelet's) port-forward. */
export const PORT_FORWARD_PROTOCOL = "v4.channel.k8s.io";

/** Channel bytes of the first (only) forwarded port. */
const DATA = 0;
const ERROR = 1;

/**
 * Opens a listener on 127.0.0.1 (a free port) and forwards each connection to it over its own
 * WebSocket to `/api/v1/namespaces/{ns}/pods/{pod}/portforward?ports={port}`. `pick` names the
 * far end per connection, so that a caller may follow a member that changes (the writer).
 */
export async function openTunnel(api: ApiServer, pick: () => Promise<ForwardTarget>): Promise<Tunnel> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure */
  const netModule = require("net") as typeof import("net");
  const WebSocket = require("ws") as typeof import("ws");
  /* eslint-enable @typescript-eslint/no-require-imports */
  let lastError: string | undefined;
  const open = new Set<{ socket: net.Socket; ws?: import("ws") }>();

  const forward = async (socket: net.Socket) => {
    const entry: { socket: net.Socket; ws?: import("ws") } = { socket };
    open.add(entry);
    socket.on("close", () => {
      open.delete(entry);
      entry.ws?.close();
    });
    // Bytes the client sends before the pod's end is open wait here, in order.
    const pending: Buffer[] = [];
    const hold = (chunk: Buffer) => pending.push(chunk);
    socket.on("data", hold);
    socket.on("error", () => entry.ws?.terminate());
    let target: ForwardTarget;
    try {
      target = await pick();
    } catch (error) {
      lastError = (error as Error).message;
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    const apiPath = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/portforward?ports=${target.port}`;
    const where = `port ${target.port} of pod ${target.namespace}/${target.pod}`;
    const ws = new WebSocket(apiUrl(api, apiPath, true), [PORT_FORWARD_PROTOCOL], {
      ...requestOptions(api),
      handshakeTimeout: 30_000,
    });
    entry.ws = ws;
    const seen = new Set<number>();
    ws.on("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        lastError = `the API server (${api.source}) refused to forward ${where}: ${refusal(response.statusCode, body)}`;
        socket.destroy();
      });
    });
    ws.on("error", (error) => {
      lastError ??= `cannot forward ${where} through ${api.server} (${api.source}): ${error.message}`;
      socket.destroy();
    });
    ws.on("open", () => {
      socket.off("data", hold);
      for (const chunk of pending) ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
      socket.on("data", (chunk: Buffer) => ws.send(Buffer.concat([Buffer.from([DATA]), chunk])));
      socket.on("end", () => ws.close());
    });
    ws.on("message", (raw: Buffer | ArrayBuffer | Buffer[]) => {
      const message = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      if (message.length === 0) return;
      const channel = message[0];
      let payload = message.subarray(1);
      // The first message on each channel is the port it belongs to, not data.
      if (!seen.has(channel)) {
        seen.add(channel);
        payload = payload.subarray(2);
      }
      if (payload.length === 0) return;
      if (channel === DATA) socket.write(payload);
      else if (channel === ERROR)
        lastError = `forwarding ${where} failed: ${payload.toString("utf8").trim()}`;
    });
    ws.on("close", () => socket.end());
  };

  const server = netModule.createServer((socket) => void forward(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    lastError: () => lastError,
    close: async () => {
      for (const { socket, ws } of open) {
        ws?.terminate();
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Runs `work` with a tunnel open (see openTunnel) and closes it whatever happens. When `work`
 * fails and a forwarded connection failed too, the error says why the tunnel did.
 */
export async function withTunnel<T>(
  api: ApiServer,
  pick: () => Promise<ForwardTarget>,
  work: (port: number) => Promise<T>,
): Promise<T> {
  const tunnel = await openTunnel(api, pick);
  try {
    return await work(tunnel.port);
  } catch (error) {
    const why = tunnel.lastError();
    if (why && error instanceof Error && !error.message.includes(why))
      error.message = `${error.message} (port-forward: ${why})`;
    throw error;
  } finally {
    await tunnel.close();
  }
}
