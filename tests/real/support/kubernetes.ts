import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { freePort } from "./env";
import { KubeNode, kubeletClientFlags, startNode } from "./kubernetes-node";
import { PulumiStack } from "./pulumi";

/**
 * A real Kubernetes control plane for one test file: Debian's etcd, and kube-apiserver and
 * kube-controller-manager built from Go modules by scripts/provision/kubernetes.sh. Everything
 * listens on 127.0.0.1 only, on ports free at start, and lives in one temporary folder (etcd's
 * data, certificates, keys, the admin kubeconfig, each process's log), so runs never meet.
 *
 * The API server validates and stores every object as a production one does, and answers the
 * server-side dry runs `pulumi preview` asks for. The controller manager is there because
 * deleting a Namespace is finished by its namespace controller: without it `pulumi destroy`
 * waits forever. By default no scheduler and no kubelet, so pods never start; with `node: true`
 * also kube-scheduler, a kubelet and a containerd of their own (./kubernetes-node.ts), for the
 * pod-level suite.
 */

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The folders holding the Kubernetes binaries and pulumi-resource-kubernetes, as a PATH fragment:
 * NEO4J_ESTATE_K8S_PATH (set by scripts/test-real.sh), else what scripts/provision/kubernetes.sh
 * prints (it builds them when the cache has none, which takes long: run `npm run test:real`).
 */
export function kubernetesPath(): string {
  if (process.env.NEO4J_ESTATE_K8S_PATH) return process.env.NEO4J_ESTATE_K8S_PATH;
  return execFileSync("bash", [path.join(REPO_ROOT, "scripts", "provision", "kubernetes.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

/** The first folder of a PATH fragment holding `name`, or undefined. */
export function findBinary(name: string, pathFragment = kubernetesPath()): string | undefined {
  for (const dir of pathFragment.split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** One answer of the API server. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ControlPlane {
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** A kubeconfig for an administrator (client certificate in system:masters), for KUBECONFIG. */
  readonly kubeconfig: string;
  readonly dir: string;
  /** How long starting took, in ms (every process ready). */
  readonly startMs: number;
  /** The node, when started with `node: true`. */
  readonly node?: KubeNode;
  /** Calls the API as the administrator; JSON in and out. Never throws on an HTTP status. */
  request<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<ApiResponse<T>>;
  /** The last lines of each process's log, for a failure message. */
  logs(): string;
  /** Stops every process (waiting for each to exit) and removes the folder. */
  stop(): Promise<void>;
}

interface Started {
  name: string;
  child: ChildProcess;
  log: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * A throw-away certificate authority, the API server's serving certificate (for 127.0.0.1 and
 * localhost only), the administrator's client certificate and the service-account signing key.
 * ECDSA P-256: generated in milliseconds, accepted by every part.
 */
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** `<name>.crt` and `<name>.key` in `dir`, signed by the CA there; `ext` holds the X.509 extensions. */
function issueCertificate(dir: string, name: string, subject: string, ext: string): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, ["req", "-new", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  openssl(
    dir,
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial"]
      .concat([`0x${Date.now().toString(16)}${name.length}`, "-days", "2", "-extfile", `${name}.ext`])
      .concat(["-out", `${name}.crt`]),
  );
}

function makeCertificates(dir: string): void {
  openssl(
    dir,
    ["req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2"].concat([
      "-subj",
      "/CN=neo4j-estate-test-ca",
    ]),
  );
  const issue = (name: string, subject: string, ext: string) => issueCertificate(dir, name, subject, ext);
  issue(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n",
  );
  issue(
    "admin",
    "/O=system:masters/CN=neo4j-estate-admin",
    "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n",
  );
  openssl(dir, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "sa.key"]);
  openssl(dir, ["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
}

function kubeconfigText(dir: string, server: string): string {
  const b64 = (file: string) => fs.readFileSync(path.join(dir, file)).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: test",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64("ca.crt")}`,
    "users:",
    "- name: admin",
    "  user:",
    `    client-certificate-data: ${b64("admin.crt")}`,
    `    client-key-data: ${b64("admin.key")}`,
    "contexts:",
    "- name: test",
    "  context: { cluster: test, user: admin }",
    "current-context: test",
    "",
  ].join("\n");
}

function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Every control plane still running in this process, stopped on exit whatever happened. */
const running = new Set<Started>();
process.once("exit", () => {
  for (const p of running) p.child.kill("SIGKILL");
});

function startProcess(dir: string, name: string, binary: string, args: string[]): Started {
  const log = path.join(dir, `${name}.log`);
  const fd = fs.openSync(log, "a");
  const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  const started = { name, child, log };
  running.add(started);
  child.once("exit", () => running.delete(started));
  return started;
}

async function stopProcess(p: Started): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.child.once("exit", () => resolve()));
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` every half second until it returns true, or throws after `ms` with `what`. */
async function waitFor(
  what: string,
  ms: number,
  check: () => Promise<boolean>,
  dead: () => string | undefined,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const gone = dead();
    if (gone) throw new Error(`${what}: ${gone}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface ControlPlaneOptions {
  /** Start kube-controller-manager too (needed for deleting Namespaces). Default true. */
  controllerManager?: boolean;
  /** How long each process may take to become ready, in ms. Default 180000 (a loaded machine). */
  readyTimeoutMs?: number;
  /**
   * Also run a node (kube-scheduler, a kubelet, containerd and a pod network: ./kubernetes-node.ts),
   * so that pods run. Default false. Needs root, and NEO4J_ESTATE_K8S_NODE=1's binaries.
   */
  node?: boolean;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const pathFragment = kubernetesPath();
  const binary = (name: string) => {
    const found = findBinary(name, pathFragment);
    if (!found)
      throw new Error(`${name} is not in ${pathFragment}: run bash scripts/provision/kubernetes.sh`);
    return found;
  };
  const etcdBinary = fs.existsSync("/usr/bin/etcd") ? "/usr/bin/etcd" : "etcd";
  const readyMs = options.readyTimeoutMs ?? 180_000;
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "neo4j-estate-k8s-"));
  const processes: Started[] = [];
  const [etcdClient, etcdPeer, apiPort, kcmPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const server = `https://127.0.0.1:${apiPort}`;
  const f = (name: string) => path.join(dir, name);
  const tls = () => ({
    ca: fs.readFileSync(f("ca.crt")),
    cert: fs.readFileSync(f("admin.crt")),
    key: fs.readFileSync(f("admin.key")),
  });

  const request = <T>(method: string, apiPath: string, body?: unknown): Promise<ApiResponse<T>> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: "127.0.0.1",
          port: apiPort,
          path: apiPath,
          method,
          ...tls(),
          headers: { accept: "application/json", ...(payload ? { "content-type": "application/json" } : {}) },
          timeout: 30_000,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // not JSON (healthz answers "ok")
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
        },
      );
      req.once("timeout", () => req.destroy(new Error(`${method} ${apiPath}: timed out`)));
      req.once("error", reject);
      req.end(payload);
    });

  const logs = () => processes.map((p) => `--- ${p.name} (${p.log})\n${tail(p.log)}`).join("\n");
  const dead = () => {
    const gone = processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    return (
      gone && `${gone.name} exited (${gone.child.exitCode ?? gone.child.signalCode}):\n${tail(gone.log)}`
    );
  };
  // The node's teardown: pods deleted while the kubelet still runs, the host cleaned once it is gone.
  const beforeStop: (() => Promise<void>)[] = [];
  const afterStop: (() => Promise<void>)[] = [];
  const stop = async () => {
    const failures: string[] = [];
    const each = async (steps: (() => Promise<void>)[]) => {
      for (const step of steps) await step().catch((e: Error) => failures.push(e.message));
    };
    await each(beforeStop);
    for (const p of [...processes].reverse()) await stopProcess(p);
    await each(afterStop);
    if (!process.env.NEO4J_ESTATE_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    if (failures.length) throw new Error(`stopping the Kubernetes control plane: ${failures.join("; ")}`);
  };
  let node: KubeNode | undefined;

  try {
    makeCertificates(dir);
    fs.writeFileSync(f("kubeconfig"), kubeconfigText(dir, server), { mode: 0o600 });

    processes.push(
      startProcess(dir, "etcd", etcdBinary, [
        "--name=test",
        `--data-dir=${f("etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
        "--listen-metrics-urls=",
      ]),
    );

    processes.push(
      startProcess(dir, "kube-apiserver", binary("kube-apiserver"), [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${f("apiserver-certs")}`,
        `--tls-cert-file=${f("apiserver.crt")}`,
        `--tls-private-key-file=${f("apiserver.key")}`,
        `--client-ca-file=${f("ca.crt")}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${f("sa.pub")}`,
        `--service-account-signing-key-file=${f("sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/24",
        // The `kubernetes` Service's endpoints would name 127.0.0.1, which the API refuses to store.
        "--endpoint-reconciler-type=none",
        "--profiling=false",
        ...(options.node
          ? kubeletClientFlags(dir, (name, subject, ext) => issueCertificate(dir, name, subject, ext))
          : []),
      ]),
    );
    await waitFor(
      "kube-apiserver",
      readyMs,
      async () => (await request("GET", "/readyz")).status === 200,
      dead,
    );

    if (options.controllerManager ?? true) {
      processes.push(
        startProcess(dir, "kube-controller-manager", binary("kube-controller-manager"), [
          `--kubeconfig=${f("kubeconfig")}`,
          `--authentication-kubeconfig=${f("kubeconfig")}`,
          `--authorization-kubeconfig=${f("kubeconfig")}`,
          "--bind-address=127.0.0.1",
          `--secure-port=${kcmPort}`,
          `--cert-dir=${f("kcm-certs")}`,
          "--leader-elect=false",
          `--service-account-private-key-file=${f("sa.key")}`,
          `--root-ca-file=${f("ca.crt")}`,
          "--profiling=false",
        ]),
      );
      // Ready when its namespace controller works: a Namespace created and deleted goes away.
      const probe = `probe-${process.pid}-${Date.now().toString(36)}`;
      await request("POST", "/api/v1/namespaces", { metadata: { name: probe } });
      await request("DELETE", `/api/v1/namespaces/${probe}`);
      await waitFor(
        "kube-controller-manager (namespace deletion)",
        readyMs,
        async () => (await request("GET", `/api/v1/namespaces/${probe}`)).status === 404,
        dead,
      );
    }

    if (options.node)
      node = await startNode({
        dir,
        kubeconfig: f("kubeconfig"),
        binary,
        start: (name, bin, args) => {
          processes.push(startProcess(dir, name, bin, args));
        },
        waitFor: (what, check) => waitFor(what, readyMs, check, dead),
        request,
        issueCertificate: (name, subject, ext) => issueCertificate(dir, name, subject, ext),
        beforeStop: (fn) => beforeStop.push(fn),
        afterStop: (fn) => afterStop.push(fn),
      });
  } catch (e) {
    const message = `${(e as Error).message}\n${logs()}`;
    await stop().catch(() => undefined);
    throw new Error(`starting the Kubernetes control plane failed: ${message}`);
  }

  return {
    server,
    kubeconfig: f("kubeconfig"),
    dir,
    startMs: Date.now() - started,
    node,
    request,
    logs,
    stop,
  };
}

/**
 * A stack of one of tests/real/programs' Kubernetes programs, deploying into `cluster`: the
 * provider built here found on PATH (as an ambient plugin, the CLI's first choice), the cluster
 * given by KUBECONFIG as a user's default provider reads it.
 */
export function kubernetesStack(cluster: ControlPlane, program: string, stack: string): PulumiStack {
  return new PulumiStack({
    programDir: path.join(REPO_ROOT, "tests", "real", "programs", program),
    stack,
    path: kubernetesPath().split(path.delimiter),
    env: { KUBECONFIG: cluster.kubeconfig },
  });
}

/** `namespace/name` of every object of each kind (API list paths) carrying `labelSelector`. */
export async function labelled(
  cluster: ControlPlane,
  kinds: string[],
  labelSelector: string,
): Promise<string[]> {
  const found: string[] = [];
  for (const kind of kinds) {
    const list = await cluster.request<{ items?: { metadata: { namespace?: string; name: string } }[] }>(
      "GET",
      `${kind}?labelSelector=${encodeURIComponent(labelSelector)}`,
    );
    if (list.status !== 200) throw new Error(`GET ${kind}: ${list.status} ${JSON.stringify(list.body)}`);
    for (const i of list.body.items ?? [])
      found.push(`${kind} ${i.metadata.namespace ?? ""}/${i.metadata.name}`);
  }
  return found;
}

/** The kinds our components create, as API list paths (every namespace). */
export const OUR_KINDS = [
  "/api/v1/namespaces",
  "/api/v1/secrets",
  "/api/v1/configmaps",
  "/api/v1/services",
  "/api/v1/serviceaccounts",
  "/api/v1/persistentvolumeclaims",
  "/api/v1/pods",
  "/apis/apps/v1/statefulsets",
  "/apis/batch/v1/cronjobs",
  "/apis/policy/v1/poddisruptionbudgets",
  "/apis/rbac.authorization.k8s.io/v1/roles",
  "/apis/rbac.authorization.k8s.io/v1/rolebindings",
];

/** What a test file's hooks set up: read its fields inside tests, not at load time. */
export interface KubernetesSuite {
  cluster: ControlPlane;
  stack: PulumiStack;
  /** Set once a test ran `pulumi destroy`, so that the teardown does not run it again. */
  destroyed: boolean;
}

/**
 * Registers the hooks of a test file that deploys one program into its own control plane (with a
 * node when `options.node`): before all, the control plane starts and the stack is created and
 * configured (`configure` may prepare the cluster too); after all, whatever
 * happened, the stack is destroyed (unless a test did) and removed, and the control plane stopped.
 */
export function kubernetesSuite(
  program: string,
  stackName: string,
  configure: (stack: PulumiStack, cluster: ControlPlane) => Promise<void>,
  options: ControlPlaneOptions = {},
): KubernetesSuite {
  const suite = { destroyed: false } as KubernetesSuite;
  beforeAll(async () => {
    suite.cluster = await startControlPlane(options);
    suite.stack = kubernetesStack(suite.cluster, program, stackName);
    await suite.stack.init();
    await configure(suite.stack, suite.cluster);
  }, 600_000);
  afterAll(async () => {
    try {
      if (suite.stack && !suite.destroyed)
        await suite.stack.stackCommand(["destroy", "--yes", "--skip-preview"]);
      await suite.stack?.remove();
    } finally {
      await suite.cluster?.stop();
    }
  }, 600_000);
  return suite;
}

/**
 * Waits until GET `apiPath` answers 404, or fails after `ms`: deleting a Namespace finishes in the
 * controller manager after the API call returns (and the provider does not wait for it when the
 * object is marked skipAwait).
 */
export async function waitUntilGone(cluster: ControlPlane, apiPath: string, ms = 120_000): Promise<number> {
  const deadline = Date.now() + ms;
  let status = (await cluster.request("GET", apiPath)).status;
  while (status !== 404 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    status = (await cluster.request("GET", apiPath)).status;
  }
  return status;
}
