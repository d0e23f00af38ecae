import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "./env";

/**
 * One Kubernetes node for the pod-level suite, beside the control plane of ./kubernetes.ts: a
 * containerd of its own, kube-scheduler, a kubelet, and a CNI bridge, so that pods really run.
 * Everything it creates is its own and goes at stop(), whatever happened before:
 *
 * - containerd (Debian's, the one docker.io brings) runs with its own config, root, state folder
 *   and socket in the test's folder, so it never meets dockerd's containerd (namespace `moby`)
 *   nor touches its images. `restrict_oom_score_adj` because this machine's root lacks
 *   CAP_SYS_RESOURCE; cgroupfs because there is no systemd. Registry pulls of docker.io go to a
 *   closed loopback port: every image is imported from the local Docker engine, and a missing one
 *   fails at once instead of reaching out of the machine.
 * - The pod network is a Linux bridge with an address of ours on a private /24 that clashes with
 *   no route of the host (Docker's included). The CNI bridge plugin attaches pods to it with no
 *   gateway and no masquerading: pods have no default route, so they cannot send traffic off the
 *   machine, while the host (the test) reaches each pod at its IP over the bridge. The kubelet's
 *   node address is the bridge's, so the API server reaches the kubelet (logs, exec,
 *   port-forward) without leaving the machine either.
 * - No kube-proxy and no CoreDNS run here: a Service's ClusterIP routes nowhere and no cluster DNS
 *   name resolves. Tests reach pods by their IPs, or through the API server (port-forward), never
 *   through a Service address.
 * - No dynamic volume provisioner: PersistentVolumes are pre-created on host paths, owned by the
 *   neo4j uid/gid 7474 with the group's setgid bit, as a provisioner honouring the pod's fsGroup
 *   would give them.
 * - The kubelet's cgroups live under a cgroup root named for this run, its pods' logs and state
 *   under the test's folder; the pause image is ours (scripts/provision/kubernetes.sh builds it).
 */

/** The neo4j user and group of our image (and of the official one). */
const NEO4J_UID = 7474;
/** What every object the harness itself makes (PersistentVolumes) carries. */
export const HARNESS_LABEL = "neo4j-estate.harness";
const PAUSE_IMAGE = "neo4j-estate/pause:1";
const CNI_BIN = "/usr/lib/cni";
const NETNS_DIR = "/var/run/netns";
const CGROUP_FS = "/sys/fs/cgroup";

export interface NodeContext {
  dir: string;
  kubeconfig: string;
  /** Finds a binary of scripts/provision/kubernetes.sh's, or throws saying how to build it. */
  binary(name: string): string;
  start(name: string, binary: string, args: string[]): void;
  waitFor(what: string, check: () => Promise<boolean>): Promise<void>;
  request<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T }>;
  issueCertificate(name: string, subject: string, ext: string): void;
  /** Runs `fn` at stop, before the processes are stopped (the API server and kubelet still answer). */
  beforeStop(fn: () => Promise<void>): void;
  /** Runs `fn` at stop, after every process has exited, before the folder is removed. */
  afterStop(fn: () => Promise<void>): void;
}

/** The node's parts the tests use. */
export interface KubeNode {
  /** The Node object's name. */
  readonly name: string;
  /** The pod network, `10.244.<n>.0/24`; the host is `.1` on the bridge. */
  readonly podSubnet: string;
  /** Puts an image of the local Docker engine into the node's containerd, under the same name. */
  importImage(image: string): void;
  /**
   * Pre-creates `count` hostPath PersistentVolumes of `size` (such as "2Gi"), without a storage
   * class, as claims without one (the components' default) bind to when no default class exists.
   */
  persistentVolumes(count: number, size: string): Promise<void>;
  /** The IP of a pod once it has one (the kubelet reports it as soon as its sandbox runs). */
  podIp(namespace: string, pod: string, ms?: number): Promise<string>;
}

/**
 * The API server's flags for reaching kubelets (logs, exec and port-forward go from the API server
 * to the kubelet): the client certificate it presents, issued here by our CA (which the kubelet
 * trusts), and the CA it checks the kubelet's serving certificate with.
 */
export function kubeletClientFlags(
  dir: string,
  issueCertificate: (name: string, subject: string, ext: string) => void,
): string[] {
  issueCertificate(
    "apiserver-kubelet-client",
    "/O=system:masters/CN=kube-apiserver-kubelet-client",
    "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n",
  );
  return [
    `--kubelet-client-certificate=${path.join(dir, "apiserver-kubelet-client.crt")}`,
    `--kubelet-client-key=${path.join(dir, "apiserver-kubelet-client.key")}`,
    `--kubelet-certificate-authority=${path.join(dir, "ca.crt")}`,
    "--kubelet-preferred-address-types=InternalIP",
  ];
}

/** What is missing on this machine for a node (binaries of the provision script aside). */
export function nodePrerequisites(): string[] {
  const missing: string[] = [];
  if (os.platform() !== "linux" || process.getuid?.() !== 0) missing.push("root on Linux");
  for (const [what, file] of [
    ["containerd (Debian's, with docker.io)", "/usr/bin/containerd"],
    ["ctr", "/usr/bin/ctr"],
    ["runc", "/usr/sbin/runc"],
    ["the CNI bridge plugin (containernetworking-plugins)", `${CNI_BIN}/bridge`],
  ])
    if (!fs.existsSync(file)) missing.push(what);
  return missing;
}

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Like run, but returns undefined instead of throwing: for teardown steps that may have nothing to do. */
function tryRun(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout : undefined;
}

/** A /24 in 10.244.0.0/16 that no route of the host overlaps (Docker's networks included). */
function freeSubnet(): number {
  const routes = run("ip", ["-4", "route", "show", "table", "all"]);
  const used = new Set<number>();
  for (const m of routes.matchAll(/\b10\.244\.(\d+)\./g)) used.add(Number(m[1]));
  if (/\b10\.0\.0\.0\/8\b|\b10\.244\.0\.0\/16\b/.test(routes))
    throw new Error("10.244.0.0/16 is routed here");
  for (let tries = 0; tries < 50; tries++) {
    const n = 1 + Math.floor(Math.random() * 254);
    if (!used.has(n)) return n;
  }
  throw new Error("no free /24 in 10.244.0.0/16");
}

/** The cgroup v1 controllers mounted here (cpu, memory, pids, ...), each a folder of /sys/fs/cgroup. */
function cgroupControllers(): string[] {
  return fs
    .readdirSync(CGROUP_FS)
    .filter((c) => !fs.lstatSync(path.join(CGROUP_FS, c)).isSymbolicLink())
    .filter((c) => fs.existsSync(path.join(CGROUP_FS, c, "cgroup.procs")));
}

/** Every folder under `root`, deepest first. */
function foldersDeepestFirst(root: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(path.join(d, e.name));
    found.push(d);
  };
  if (fs.existsSync(root)) walk(root);
  return found;
}

export async function startNode(ctx: NodeContext): Promise<KubeNode> {
  const missing = nodePrerequisites();
  if (missing.length) throw new Error(`a Kubernetes node needs ${missing.join(", ")}`);
  const f = (...p: string[]) => path.join(ctx.dir, ...p);
  const id = path
    .basename(ctx.dir)
    .replace(/[^a-zA-Z0-9]/g, "")
    .slice(-6)
    .toLowerCase();
  const nodeName = `neo4j-estate-node-${id}`;
  const bridge = `n4jbr${id}`.slice(0, 15);
  const network = `neo4j-estate-pods-${id}`;
  const cgroupRoot = `/neo4j-estate-${id}`;
  const n = freeSubnet();
  const podSubnet = `10.244.${n}.0/24`;
  const hostIp = `10.244.${n}.1`;
  const socket = f("containerd", "containerd.sock");
  const ctr = (args: string[], input?: string) => run("ctr", ["-a", socket, "-n", "k8s.io", ...args], input);
  const netnsBefore = new Set(fs.existsSync(NETNS_DIR) ? fs.readdirSync(NETNS_DIR) : []);
  const cniResults = "/var/lib/cni/results";
  const cniResultsBefore = new Set(fs.existsSync(cniResults) ? fs.readdirSync(cniResults) : []);
  const iptablesBefore = new Set((tryRun("iptables-save", []) ?? "").split("\n"));

  // Teardown, registered before anything is made so that a failure half-way undoes the half made.
  ctx.beforeStop(async () => {
    // Pods first, through the kubelet, so that it stops their sandboxes: the CRI plugin then
    // deletes each pod's network namespace and returns its address (CNI DEL).
    const pods = await ctx
      .request<{ items?: { metadata: { namespace: string; name: string } }[] }>("GET", "/api/v1/pods")
      .catch(() => undefined);
    for (const p of pods?.body.items ?? [])
      await ctx
        .request("DELETE", `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, {
          gracePeriodSeconds: 1,
        })
        .catch(() => undefined);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const left = await ctx.request<{ items?: unknown[] }>("GET", "/api/v1/pods").catch(() => undefined);
      if (!left || (left.body.items ?? []).length === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
  const teardownHost = () => {
    // The processes are stopped by now (the control plane's stop). Whatever still runs in the
    // node's cgroups (shims, containers) is ours: killed by pid.
    for (const c of cgroupControllers())
      for (const d of foldersDeepestFirst(path.join(CGROUP_FS, c, cgroupRoot)))
        for (const pid of fs.readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean))
          tryRun("kill", ["-KILL", pid]);
    for (const shim of shimsOf(socket)) tryRun("kill", ["-KILL", String(shim)]);
    // Mounts under the test's folder (containerd's snapshots, the kubelet's volumes), deepest first.
    const mounts = fs
      .readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[4])
      .filter((m) => m && (m === ctx.dir || m.startsWith(ctx.dir + "/")))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) tryRun("umount", ["-l", m]);
    // Network namespaces the CRI plugin made and did not delete (a pod that never stopped).
    if (fs.existsSync(NETNS_DIR))
      for (const ns of fs.readdirSync(NETNS_DIR).filter((x) => !netnsBefore.has(x) && x.startsWith("cni-"))) {
        // Only ours, by address: another run's node may be setting one up right now.
        const addrs = tryRun("ip", ["-n", ns, "-4", "-o", "addr"]) ?? "";
        if (addrs.includes(` 10.244.${n}.`)) {
          tryRun("umount", ["-l", path.join(NETNS_DIR, ns)]);
          fs.rmSync(path.join(NETNS_DIR, ns), { force: true });
        }
      }
    tryRun("ip", ["link", "delete", bridge]);
    // The CNI library's cache of results: our network's, and the loopback ones of our sandboxes.
    if (fs.existsSync(cniResults))
      for (const r of fs.readdirSync(cniResults))
        if (r.startsWith(`${network}-`) || (r.startsWith("cni-loopback-") && !cniResultsBefore.has(r)))
          fs.rmSync(path.join(cniResults, r), { force: true });
    // Chains and rules the kubelet added (KUBE-*): nothing else on the machine makes them.
    removeNewIptables(iptablesBefore);
    for (const c of cgroupControllers())
      for (const d of foldersDeepestFirst(path.join(CGROUP_FS, c, cgroupRoot)))
        try {
          fs.rmdirSync(d);
        } catch {
          // a process still exiting: its folder goes with the next run's check below
        }
  };
  ctx.afterStop(async () => {
    process.removeListener("exit", teardownHost);
    teardownHost();
  });
  // And if the test process ends without stopping the control plane (a crash, a kill), as far as
  // a synchronous exit handler can: the processes get SIGKILL from ./kubernetes.ts's handler.
  process.once("exit", teardownHost);

  // The kubelet's serving certificate, for its address on the bridge (the API server's client
  // certificate for kubelets is made before the API server starts: kubeletClientFlags).
  ctx.issueCertificate(
    "kubelet",
    `/CN=${nodeName}`,
    `subjectAltName=IP:${hostIp},IP:127.0.0.1,DNS:${nodeName}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n`,
  );

  // The bridge, with the host's address on it, before the kubelet: that address is the node's.
  run("ip", ["link", "add", "name", bridge, "type", "bridge"]);
  run("ip", ["addr", "add", `${hostIp}/24`, "dev", bridge]);
  run("ip", ["link", "set", bridge, "up"]);
  fs.mkdirSync(f("cni", "net.d"), { recursive: true });
  fs.writeFileSync(
    f("cni", "net.d", "10-neo4j-estate.conflist"),
    JSON.stringify({
      cniVersion: "0.4.0",
      name: network,
      plugins: [
        {
          type: "bridge",
          bridge,
          // No gateway and no masquerading: pods reach the bridge's /24 only, never off the machine.
          isGateway: false,
          ipMasq: false,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: podSubnet, rangeStart: `10.244.${n}.10`, rangeEnd: `10.244.${n}.250` }]],
            dataDir: f("cni", "ipam"),
          },
        },
      ],
    }),
  );

  // containerd.
  fs.mkdirSync(f("containerd", "certs.d", "docker.io"), { recursive: true });
  fs.writeFileSync(f("containerd", "certs.d", "docker.io", "hosts.toml"), 'server = "http://127.0.0.1:9"\n');
  fs.writeFileSync(
    f("containerd", "config.toml"),
    [
      "version = 2",
      `root = "${f("containerd", "root")}"`,
      `state = "${f("containerd", "state")}"`,
      "[grpc]",
      `  address = "${socket}"`,
      "[ttrpc]",
      `  address = "${socket}.ttrpc"`,
      "[debug]",
      '  address = ""',
      "[metrics]",
      '  address = ""',
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${PAUSE_IMAGE}"`,
      "  restrict_oom_score_adj = true",
      '  stream_server_address = "127.0.0.1"',
      '  stream_server_port = "0"',
      '[plugins."io.containerd.grpc.v1.cri".containerd]',
      '  snapshotter = "overlayfs"',
      '  default_runtime_name = "runc"',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '  runtime_type = "io.containerd.runc.v2"',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
      "  SystemdCgroup = false",
      `  Root = "${f("containerd", "runc")}"`,
      '[plugins."io.containerd.grpc.v1.cri".cni]',
      `  bin_dir = "${CNI_BIN}"`,
      `  conf_dir = "${f("cni", "net.d")}"`,
      '[plugins."io.containerd.grpc.v1.cri".registry]',
      `  config_path = "${f("containerd", "certs.d")}"`,
      "",
    ].join("\n"),
  );
  ctx.start("containerd", "/usr/bin/containerd", ["--config", f("containerd", "config.toml")]);
  await ctx.waitFor("containerd", async () => {
    ctr(["version"]);
    return true;
  });

  const importImage = (image: string) => {
    // `docker save` streams the image in Docker's archive format, which ctr reads.
    const r = spawnSync(
      "bash",
      ["-o", "pipefail", "-c", `docker save "$0" | ctr -a "$1" -n k8s.io images import -`, image, socket],
      {
        encoding: "utf8",
      },
    );
    if (r.status !== 0) throw new Error(`importing ${image} into the node's containerd failed: ${r.stderr}`);
  };
  ensurePauseImage(ctx.binary("pause"));
  importImage(PAUSE_IMAGE);

  // kube-scheduler.
  const schedulerPort = await freePort();
  ctx.start("kube-scheduler", ctx.binary("kube-scheduler"), [
    `--kubeconfig=${ctx.kubeconfig}`,
    `--authentication-kubeconfig=${ctx.kubeconfig}`,
    `--authorization-kubeconfig=${ctx.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${schedulerPort}`,
    `--cert-dir=${f("scheduler-certs")}`,
    "--leader-elect=false",
    "--profiling=false",
  ]);

  // The kubelet, with its cgroups under a root of this run's.
  for (const c of cgroupControllers()) {
    const d = path.join(CGROUP_FS, c, cgroupRoot);
    fs.mkdirSync(d, { recursive: true });
    if (c === "cpuset")
      for (const file of ["cpuset.cpus", "cpuset.mems"])
        fs.writeFileSync(path.join(d, file), fs.readFileSync(path.join(CGROUP_FS, c, file)));
  }
  const [kubeletPort, healthzPort] = [await freePort(), await freePort()];
  fs.mkdirSync(f("pod-logs"), { recursive: true });
  fs.writeFileSync(
    f("kubelet.yaml"),
    JSON.stringify({
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      // This machine has cgroup v1 and no systemd.
      failCgroupV1: false,
      cgroupDriver: "cgroupfs",
      cgroupRoot,
      failSwapOn: false,
      address: hostIp,
      port: kubeletPort,
      readOnlyPort: 0,
      healthzBindAddress: "127.0.0.1",
      healthzPort,
      tlsCertFile: f("kubelet.crt"),
      tlsPrivateKeyFile: f("kubelet.key"),
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: false },
        x509: { clientCAFile: f("ca.crt") },
      },
      authorization: { mode: "AlwaysAllow" },
      containerRuntimeEndpoint: `unix://${socket}`,
      podLogsDir: f("pod-logs"),
      // A test machine's disk and memory are what they are: no eviction, and never collect the
      // images imported for the test (there is no registry to pull them back from).
      evictionHard: {
        "memory.available": "0%",
        "nodefs.available": "0%",
        "nodefs.inodesFree": "0%",
        "imagefs.available": "0%",
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      // Our test waits on readiness: report pod status changes promptly.
      nodeStatusUpdateFrequency: "10s",
    }),
  );
  ctx.start("kubelet", ctx.binary("kubelet"), [
    `--config=${f("kubelet.yaml")}`,
    `--kubeconfig=${ctx.kubeconfig}`,
    `--root-dir=${f("kubelet")}`,
    `--hostname-override=${nodeName}`,
    `--node-ip=${hostIp}`,
    "--v=1",
  ]);
  await ctx.waitFor(`node ${nodeName} Ready`, async () => {
    const node = await ctx.request<{ status?: { conditions?: { type: string; status: string }[] } }>(
      "GET",
      `/api/v1/nodes/${nodeName}`,
    );
    return (
      node.status === 200 &&
      !!node.body.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
    );
  });

  return {
    name: nodeName,
    podSubnet,
    importImage,
    async persistentVolumes(count: number, size: string) {
      for (let i = 1; i <= count; i++) {
        const name = `${nodeName}-pv-${i}`;
        const hostPath = f("volumes", name);
        fs.mkdirSync(hostPath, { recursive: true });
        fs.chownSync(hostPath, NEO4J_UID, NEO4J_UID);
        fs.chmodSync(hostPath, 0o2775);
        const r = await ctx.request("POST", "/api/v1/persistentvolumes", {
          metadata: { name, labels: { [HARNESS_LABEL]: "node" } },
          spec: {
            capacity: { storage: size },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            hostPath: { path: hostPath, type: "Directory" },
          },
        });
        if (r.status !== 201)
          throw new Error(`creating PersistentVolume ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    },
    async podIp(namespace: string, pod: string, ms = 300_000) {
      let ip = "";
      await ctx
        .waitFor(`pod ${namespace}/${pod} has an IP`, async () => {
          const got = await ctx.request<{ status?: { podIP?: string } }>(
            "GET",
            `/api/v1/namespaces/${namespace}/pods/${pod}`,
          );
          ip = got.status === 200 ? (got.body.status?.podIP ?? "") : "";
          return ip !== "";
        })
        .catch((e) => {
          throw new Error(`${(e as Error).message} (within ${ms / 1000} s)`);
        });
      return ip;
    },
  };
}

/** containerd-shim-runc-v2 processes started by the containerd listening on `socket`. */
function shimsOf(socket: string): number[] {
  const found: number[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmdline = "";
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const args = cmdline.split("\0");
    if (args[0]?.endsWith("containerd-shim-runc-v2") && args.includes(socket)) found.push(Number(pid));
  }
  return found;
}

/** Removes the iptables rules and chains named KUBE-* that were not there before the node started. */
function removeNewIptables(before: Set<string>): void {
  const now = tryRun("iptables-save", []);
  if (!now) return;
  let table = "";
  const rules: [string, string][] = [];
  const chains: [string, string][] = [];
  for (const line of now.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1);
    if (before.has(line) || !line.includes("KUBE-")) continue;
    if (line.startsWith("-A ")) rules.push([table, line.slice(3)]);
    else if (line.startsWith(":KUBE-")) chains.push([table, line.slice(1).split(" ")[0]]);
  }
  for (const [t, rule] of rules) tryRun("bash", ["-c", `iptables -t "$0" -D ${rule}`, t]);
  for (const [t, chain] of chains) {
    tryRun("iptables", ["-t", t, "-F", chain]);
    tryRun("iptables", ["-t", t, "-X", chain]);
  }
}

/** The pause image in the local Docker engine, made from our static binary when missing. */
function ensurePauseImage(binary: string): void {
  if (spawnSync("docker", ["image", "inspect", PAUSE_IMAGE], { stdio: "ignore" }).status === 0) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "neo4j-estate-pause-"));
  try {
    fs.copyFileSync(binary, path.join(root, "pause"));
    fs.chmodSync(path.join(root, "pause"), 0o755);
    const r = spawnSync(
      "bash",
      [
        "-o",
        "pipefail",
        "-c",
        `tar -C "$0" -c pause | docker import --change 'ENTRYPOINT ["/pause"]' - "$1"`,
        root,
        PAUSE_IMAGE,
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`building ${PAUSE_IMAGE}: ${r.stderr}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
