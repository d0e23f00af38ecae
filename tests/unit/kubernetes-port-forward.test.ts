import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { FakeApiServer as Fake, TOKEN, fakeApiServer as fakeApi } from "../helpers/fake-kube-api";
import {
  ApiServer,
  PORT_FORWARD_PROTOCOL,
  openTunnel,
  readyPods,
  resolveApiServer,
  withTunnel,
} from "../../components/kubernetes/port-forward";
import { createCertificateAuthority, issueCertificate } from "../../components/tls/x509";

/**
 * The port-forward against a fake API server that speaks the WebSocket sub-protocol as the
 * kubelet does (a channel byte before every message, the port first on each channel), in front
 * of a local TCP echo server playing the pod; and kubeconfig resolution from files of our own.
 */

/** An echo server playing the pod: everything it receives comes back upper-cased. */
async function echoPod(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", (d) => socket.write(d.toString().toUpperCase()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    // Connections a broken tunnel left open are cut, so that a failing test fails, not hangs.
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const fakeApiServer = (
  pod: { port: number },
  tls?: https.ServerOptions,
  authorized?: Parameters<typeof fakeApi>[2],
) => fakeApi(() => ({ host: "127.0.0.1", port: pod.port }), tls, authorized);

/** How long a round trip may take: a tunnel that loses bytes fails its test in seconds, not at jest's timeout. */
const ROUND_TRIP_MS = 15_000;

/** Sends `text` through 127.0.0.1:port and resolves with what comes back, or rejects when the connection closes first. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text));
    let got = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ROUND_TRIP_MS} ms, got ${JSON.stringify(got)}`));
    }, ROUND_TRIP_MS);
    socket.on("data", (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        socket.end();
        resolve(got);
      }
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`closed after ${JSON.stringify(got)}`));
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

const target = { namespace: "graph", pod: "graph-0", port: 7687 };

describe("port-forward through the API server", () => {
  let pod: Awaited<ReturnType<typeof echoPod>>;
  let fake: Fake;
  beforeEach(async () => {
    pod = await echoPod();
    fake = await fakeApiServer(pod);
  });
  afterEach(async () => {
    await fake.close();
    await pod.close();
  });
  const api = (): ApiServer => ({ server: fake.url, token: TOKEN, source: "test" });

  it("pipes bytes both ways through the pod's portforward subresource, one WebSocket per connection", async () => {
    await withTunnel(
      api(),
      async () => target,
      async (port) => {
        expect(await roundTrip(port, "hello bolt")).toBe("HELLO BOLT");
        expect(await roundTrip(port, "again")).toBe("AGAIN");
      },
    );
    expect(fake.seen).toEqual([
      {
        path: "/api/v1/namespaces/graph/pods/graph-0/portforward?ports=7687",
        protocol: PORT_FORWARD_PROTOCOL,
        authorization: `Bearer ${TOKEN}`,
      },
      {
        path: "/api/v1/namespaces/graph/pods/graph-0/portforward?ports=7687",
        protocol: PORT_FORWARD_PROTOCOL,
        authorization: `Bearer ${TOKEN}`,
      },
    ]);
  });

  it("keeps the server's path prefix", async () => {
    await withTunnel(
      { ...api(), server: `${fake.url}/` },
      async () => target,
      async (port) => {
        await roundTrip(port, "x");
      },
    );
    expect(fake.seen[0].path.startsWith("/api/v1/")).toBe(true);
  });

  it("stops listening when the call ends", async () => {
    let local = 0;
    await withTunnel(
      api(),
      async () => target,
      async (port) => {
        local = port;
      },
    );
    await expect(roundTrip(local, "x")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("names the pod and the API server's refusal, never the token, when forwarding is refused", async () => {
    const error = await withTunnel(
      { ...api(), token: "wrong" },
      async () => target,
      async (port) => {
        await roundTrip(port, "x");
      },
    ).catch((e: Error) => e);
    expect(String(error)).toMatch(
      /port-forward: the API server \(test\) refused to forward port 7687 of pod graph\/graph-0: 403 pods "graph-0" is forbidden/,
    );
    expect(String(error)).not.toContain("wrong");
  });

  it("reports what the pod's end said on the error channel", async () => {
    fake.podError = "error forwarding port 7687 to pod graph-0: connection refused";
    const tunnel = await openTunnel(api(), async () => target);
    await expect(roundTrip(tunnel.port, "x")).rejects.toThrow();
    expect(tunnel.lastError()).toBe(
      "forwarding port 7687 of pod graph/graph-0 failed: error forwarding port 7687 to pod graph-0: connection refused",
    );
    await tunnel.close();
  });

  it("asks for the far end per connection", async () => {
    const picks: string[] = [];
    await withTunnel(
      api(),
      async () => {
        const pod = `graph-${picks.length}`;
        picks.push(pod);
        return { ...target, pod };
      },
      async (port) => {
        await roundTrip(port, "a");
        await roundTrip(port, "b");
      },
    );
    expect(fake.seen.map((s) => s.path.split("/")[6])).toEqual(["graph-0", "graph-1"]);
  });

  it("lists the Ready pods that match a selector, sorted", async () => {
    fake.pods = [
      { name: "graph-2", ready: true },
      { name: "graph-0", ready: true },
      { name: "graph-1", ready: false },
    ];
    expect(await readyPods(api(), "graph", "neo4j-estate.cluster=graph")).toEqual(["graph-0", "graph-2"]);
    await expect(readyPods({ ...api(), token: "wrong" }, "graph", "x")).rejects.toThrow(
      /the API server \(test\) refused GET \/api\/v1\/namespaces\/graph\/pods\?labelSelector=x: 401 Unauthorized/,
    );
  });
});

describe("port-forward over TLS with a client certificate", () => {
  const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000) };
  const ca = createCertificateAuthority({ commonName: "kubernetes" }, validity);
  const serving = issueCertificate(
    {
      subject: { commonName: "kube-apiserver" },
      ipAddresses: ["127.0.0.1"],
      usages: ["server"],
      ...validity,
    },
    ca,
  );
  const client = issueCertificate(
    { subject: { commonName: "admin", organization: "system:masters" }, usages: ["client"], ...validity },
    ca,
  );

  it("trusts the kubeconfig's authority and presents its client certificate", async () => {
    const pod = await echoPod();
    const fake = await fakeApiServer(
      pod,
      {
        cert: serving.certificate,
        key: serving.privateKey,
        ca: ca.certificate,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req) => (req.socket as import("tls").TLSSocket).authorized === true,
    );
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
      fs.writeFileSync(path.join(dir, "client.key"), client.privateKey);
      const kubeconfig = `
apiVersion: v1
kind: Config
current-context: test
clusters:
- name: test
  cluster:
    server: ${fake.url}
    certificate-authority-data: ${Buffer.from(ca.certificate).toString("base64")}
users:
- name: admin
  user:
    client-certificate-data: ${Buffer.from(client.certificate).toString("base64")}
    client-key: client.key
contexts:
- name: test
  context: { cluster: test, user: admin }
`;
      fs.writeFileSync(path.join(dir, "config"), kubeconfig);
      const api = await resolveApiServer({}, { KUBECONFIG: path.join(dir, "config") });
      await withTunnel(
        api,
        async () => target,
        async (port) => {
          expect(await roundTrip(port, "tls")).toBe("TLS");
        },
      );
      // Without the authority, the API server's certificate is refused.
      const untrusted = { ...api, ca: undefined };
      const error = await withTunnel(
        untrusted,
        async () => target,
        (port) => roundTrip(port, "x"),
      ).catch((e: Error) => e);
      expect(String(error)).toMatch(
        /port-forward: cannot forward port 7687 of pod graph\/graph-0 through https:\/\/127\.0\.0\.1:\d+ .*certificate/,
      );
    } finally {
      await fake.close();
      await pod.close();
    }
  });
});

describe("kubeconfig resolution", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
  });
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const config = (server: string, user: string, current?: string) => `
apiVersion: v1
kind: Config
${current ? `current-context: ${current}` : ""}
clusters:
- name: ${server}
  cluster: { server: "https://${server}:6443", insecure-skip-tls-verify: true }
users:
- name: ${user}
  user: { token: token-of-${user} }
contexts:
- name: ${server}
  context: { cluster: ${server}, user: ${user} }
`;

  it("merges KUBECONFIG's files, the first to set a value winning, and uses the current context", async () => {
    const a = write("a", config("alpha", "ann"));
    const b = write("b", config("beta", "bob", "beta"));
    const api = await resolveApiServer(
      {},
      { KUBECONFIG: [a, path.join(dir, "missing"), b].join(path.delimiter) },
    );
    expect(api).toMatchObject({
      server: "https://beta:6443",
      token: "token-of-bob",
      insecureSkipTlsVerify: true,
    });
    expect(api.source).toBe(`the kubeconfig ${a}${path.delimiter}${b}, context "beta"`);
  });

  it("takes the named context over the current one", async () => {
    const a = write("a", config("alpha", "ann"));
    const b = write("b", config("beta", "bob", "beta"));
    const env = { KUBECONFIG: [a, b].join(path.delimiter) };
    expect((await resolveApiServer({ context: "alpha" }, env)).token).toBe("token-of-ann");
    expect((await resolveApiServer({}, env)).token).toBe("token-of-bob");
  });

  it("uses ~/.kube/config without KUBECONFIG", async () => {
    fs.mkdirSync(path.join(dir, ".kube"));
    write(".kube/config", config("home", "me", "home"));
    expect((await resolveApiServer({}, {}, dir)).token).toBe("token-of-me");
  });

  it("prefers the kubeconfig given, as contents or as a path, and reads tokenFile relative to it", async () => {
    write("token", "from-file\n");
    const text = `
current-context: c
clusters: [{ name: c, cluster: { server: "https://given:6443" } }]
users: [{ name: u, user: { tokenFile: token } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
`;
    const file = write("given", text);
    const fromPath = await resolveApiServer(
      { kubeconfig: file },
      { KUBECONFIG: write("other", config("x", "y", "x")) },
    );
    expect(fromPath).toMatchObject({ server: "https://given:6443", token: "from-file" });
    const fromContents = await resolveApiServer({ kubeconfig: config("inline", "i", "inline") }, {});
    expect(fromContents).toMatchObject({
      server: "https://inline:6443",
      token: "token-of-i",
      source: 'the kubeconfig given, context "inline"',
    });
  });

  it("runs an exec credential plugin and uses the token it prints", async () => {
    const plugin = write(
      "plugin.js",
      `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: "exec-" + process.env.WHO } }));`,
    );
    const text = `
current-context: c
clusters: [{ name: c, cluster: { server: "https://exec:6443" } }]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${process.execPath}
      args: [${plugin}]
      env: [{ name: WHO, value: plugin }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
`;
    expect((await resolveApiServer({ kubeconfig: text }, {})).token).toBe("exec-plugin");
    const failing = text.replace(
      `args: [${plugin}]`,
      `args: ["-e", "console.error('run login first'); process.exit(3)"]`,
    );
    await expect(resolveApiServer({ kubeconfig: failing }, {})).rejects.toThrow(
      /the kubeconfig given, context "c": the exec credential plugin ".*" failed \(exit 3: run login first\)/,
    );
  });

  it("says which context is missing and which exist, never quoting the kubeconfig", async () => {
    const text = config("alpha", "ann", "alpha");
    const error = await resolveApiServer({ kubeconfig: text, context: "prod" }, {}).catch((e: Error) => e);
    expect(String(error)).toBe('Error: the kubeconfig given has no context "prod" (it has "alpha")');
    const broken = await resolveApiServer({ kubeconfig: "users: [\n  token: s3cret\n :" }, {}).catch(
      (e: Error) => e,
    );
    expect(String(broken)).toMatch(/^Error: the kubeconfig given is not valid YAML/);
    expect(String(broken)).not.toContain("s3cret");
  });

  it("says where it looked when there are no credentials at all", async () => {
    await expect(resolveApiServer({}, {}, dir)).rejects.toThrow(
      /no Kubernetes credentials found: no KUBECONFIG and no ~\/.kube\/config, and not running in a pod/,
    );
  });
});
