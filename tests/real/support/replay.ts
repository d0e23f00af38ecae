import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "crypto";
import * as fs from "fs";
import { DockerApi, tarOneFile } from "./docker-api";

/**
 * Replays what our components register through the Docker Engine API, the way the Docker provider
 * would, because the provider plugin cannot be had on this project's machines. The program runs
 * under Pulumi's mock runtime (so the inputs are exactly what `pulumi up` would send the
 * provider); every Docker resource is then created, uploaded to, started and health-waited on a
 * real engine, and every dynamic resource (RbacPolicy and friends) runs its serialized provider
 * as Pulumi's Node host does.
 *
 * The translation follows the provider's container create: env, command, entrypoint, user,
 * hostname, labels, exposed and published ports (default host IP 0.0.0.0, protocol tcp), named
 * volumes and host paths as binds, the health check's durations parsed as Go durations, restart
 * policy, memory in MB, networks joined with their aliases after leaving the default bridge,
 * uploads as one-file tar archives extracted at `/` (mode `permissions`, else 0644 or 0744 when
 * executable; owner and group as given, else root) before start, then a wait for healthy when `wait` is set. An input it does not know fails
 * the replay, so a field the components add cannot be silently left out of the test.
 */

export interface CapturedResource {
  type: string;
  name: string;
  /** The inputs as the engine would send them to the provider: secrets unwrapped. */
  inputs: Record<string, unknown>;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Removes Pulumi's secret wrappers, as the engine does before it calls a provider. */
export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (SECRET_SIG in record) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

export const DOCKER = {
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  container: "docker:index/container:Container",
  randomPassword: "random:index/randomPassword:RandomPassword",
  dynamic: "pulumi-nodejs:dynamic:Resource",
};

/**
 * Runs a Pulumi program under the mock runtime and returns what it registered. Mocked outputs are
 * what the providers would return: a local image's real id, a generated password, a container id.
 */
export async function capture(
  program: () => void,
  docker: DockerApi = new DockerApi(),
): Promise<CapturedResource[]> {
  const captured: CapturedResource[] = [];
  pulumi.runtime.setMocks(
    {
      async newResource(args: pulumi.runtime.MockResourceArgs) {
        captured.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === DOCKER.remoteImage) {
          // An image that is not here (Grafana, say) only fails the replay if a test starts it.
          const image = await docker
            .request<{ Id: string }>("GET", `/images/${encodeURIComponent(String(args.inputs.name))}/json`)
            .catch(() => ({ Id: `absent:${args.inputs.name}` }));
          state.imageId = image.Id;
          state.repoDigest = image.Id;
        }
        if (args.type === DOCKER.randomPassword)
          state.result = generatedPassword(Number(args.inputs.length ?? 32));
        // The estate's certificates need nothing but Node's crypto: their serialized provider makes
        // them here, as `pulumi up` would before any container, so containers get real ones.
        if (isOfflineDynamic(args.type, args.inputs))
          Object.assign(state, (await runDynamicProvider(unwrapSecrets(args.inputs) as Inputs)).outs);
        return { id: `${args.name}-id`, state };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    },
    "neo4j-estate-real",
    "replay",
    false,
  );
  program();
  // Resources registered from apply callbacks arrive later: wait until the count stops growing.
  let seen = -1;
  while (seen !== captured.length) {
    seen = captured.length;
    await new Promise((r) => setTimeout(r, 300));
  }
  return captured.map((r) => ({ ...r, inputs: unwrapSecrets(r.inputs) as Record<string, unknown> }));
}

/** The estate's certificate resources (EstateCertificate): made offline, at capture. */
function isOfflineDynamic(type: string, inputs: Inputs): boolean {
  return type === DOCKER.dynamic && (inputs.role === "authority" || inputs.role === "certificate");
}

/**
 * Runs a dynamic resource's serialized provider the way Pulumi's Node dynamic-provider host
 * does: rebuilt from its text, then `check` (when present) and `create` on the inputs.
 */
async function runDynamicProvider(
  allInputs: Inputs,
  name = String(allInputs.commonName ?? "dynamic resource"),
): Promise<{ id: string; outs: Record<string, unknown> }> {
  // The same loader Pulumi's dynamic-provider host uses; it ships with @pulumi/pulumi, untyped.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const requireFromString = require("require-from-string") as (code: string) => {
    handler: () => DynamicProvider;
  };
  const provider = requireFromString(String(allInputs.__provider)).handler();
  const inputs = Object.fromEntries(Object.entries(allInputs).filter(([k]) => k !== "__provider"));
  const checked = provider.check ? await provider.check({}, inputs) : { inputs };
  if (checked.failures?.length)
    throw new Error(`${name}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  return provider.create(checked.inputs ?? inputs);
}

function generatedPassword(length: number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = randomBytes(length);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Go's time.ParseDuration for the units Docker durations use, in nanoseconds. */
export function goDurationNanos(text: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text)
    throw new Error(`not a Go duration: ${JSON.stringify(text)}`);
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0));
}

type Inputs = Record<string, unknown>;

/** The container inputs the replay understands; anything else fails loudly. */
const CONTAINER_INPUTS = new Set([
  "image",
  "name",
  "hostname",
  "envs",
  "command",
  "entrypoints",
  "user",
  "labels",
  "ports",
  "volumes",
  "uploads",
  "healthcheck",
  "restart",
  "memory",
  "networksAdvanced",
  "wait",
  "waitTimeout",
  "mustRun",
  "destroyGraceSeconds",
  "stopTimeout",
  "stopSignal",
  "logDriver",
  "logOpts",
  "workingDir",
  "memorySwap",
  "cpuShares",
  "cpuSet",
  "cpus",
  "init",
  "start",
  "removeVolumes",
  "readOnly",
  "tmpfs",
  "capabilities",
  "ulimits",
  "shmSize",
]);

export interface ReplayedContainer {
  id: string;
  name: string;
  /** From `destroyGraceSeconds`: how long `docker stop` waits before it kills. */
  graceSeconds: number;
}

export class Replay {
  readonly containers = new Map<string, ReplayedContainer>();
  private readonly runLabel: Record<string, string>;

  constructor(
    readonly runId: string,
    readonly docker: DockerApi = new DockerApi(),
  ) {
    this.runLabel = {
      "neo4j-estate.replay": runId,
      "neo4j-estate.suite": process.env.NEO4J_ESTATE_SUITE ?? "none",
    };
  }

  /** Creates every resource in registration order (the order Pulumi's dependencies allow). */
  async apply(resources: CapturedResource[], only?: (r: CapturedResource) => boolean): Promise<void> {
    for (const r of resources) {
      if (only && !only(r)) continue;
      if (r.type === DOCKER.network) await this.network(r.inputs);
      else if (r.type === DOCKER.volume) await this.volume(r.inputs);
      else if (r.type === DOCKER.remoteImage)
        await this.docker.request("GET", `/images/${encodeURIComponent(String(r.inputs.name))}/json`);
      else if (r.type === DOCKER.container) await this.container(r.inputs);
      else if (r.type === DOCKER.dynamic && !isOfflineDynamic(r.type, r.inputs)) await this.dynamic(r);
    }
  }

  async network(inputs: Inputs): Promise<void> {
    await this.docker.request("POST", "/networks/create", {
      Name: inputs.name,
      Driver: inputs.driver ?? "bridge",
      Internal: Boolean(inputs.internal),
      Attachable: Boolean(inputs.attachable),
      CheckDuplicate: true,
      Labels: { ...labelMap(inputs.labels), ...this.runLabel },
    });
  }

  async volume(inputs: Inputs): Promise<void> {
    await this.docker.request("POST", "/volumes/create", {
      Name: inputs.name,
      Driver: inputs.driver ?? "local",
      Labels: { ...labelMap(inputs.labels), ...this.runLabel },
    });
  }

  /** Create, join networks, upload, start and (when `wait`) wait for healthy, as the provider does. */
  async container(inputs: Inputs): Promise<ReplayedContainer> {
    const unknown = Object.keys(inputs).filter((k) => !CONTAINER_INPUTS.has(k));
    if (unknown.length) throw new Error(`replay does not know container input(s) ${unknown.join(", ")}`);
    const name = String(inputs.name);
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of (inputs.ports as Inputs[] | undefined) ?? []) {
      const key = `${p.internal}/${p.protocol ?? "tcp"}`;
      exposed[key] = {};
      if (p.external !== undefined)
        (bindings[key] ??= []).push({ HostIp: String(p.ip ?? "0.0.0.0"), HostPort: String(p.external) });
    }
    const binds = ((inputs.volumes as Inputs[] | undefined) ?? []).map((v) => {
      const source = v.volumeName ?? v.hostPath;
      if (!source) throw new Error(`container ${name}: a volume without volumeName or hostPath`);
      return `${source}:${v.containerPath}${v.readOnly ? ":ro" : ""}`;
    });
    const hc = inputs.healthcheck as Inputs | undefined;
    const config = {
      Image: inputs.image,
      Hostname: inputs.hostname,
      Env: inputs.envs ?? [],
      Cmd: inputs.command,
      Entrypoint: inputs.entrypoints,
      User: inputs.user,
      WorkingDir: inputs.workingDir,
      Labels: { ...labelMap(inputs.labels), ...this.runLabel },
      ExposedPorts: exposed,
      StopSignal: inputs.stopSignal,
      StopTimeout: inputs.stopTimeout,
      Healthcheck: hc && {
        Test: hc.tests,
        Interval: hc.interval ? goDurationNanos(String(hc.interval)) : 0,
        Timeout: hc.timeout ? goDurationNanos(String(hc.timeout)) : 0,
        StartPeriod: hc.startPeriod ? goDurationNanos(String(hc.startPeriod)) : 0,
        Retries: hc.retries ?? 0,
      },
      HostConfig: {
        Binds: binds,
        PortBindings: bindings,
        RestartPolicy: { Name: inputs.restart ?? "no" },
        Memory: inputs.memory ? Number(inputs.memory) * 1024 * 1024 : 0,
        MemorySwap: inputs.memorySwap ? Number(inputs.memorySwap) * 1024 * 1024 : 0,
        NanoCpus: inputs.cpus ? Math.round(Number(inputs.cpus) * 1e9) : 0,
        CpuShares: inputs.cpuShares ?? 0,
        CpusetCpus: inputs.cpuSet ?? "",
        ShmSize: inputs.shmSize ? Number(inputs.shmSize) * 1024 * 1024 : 0,
        ReadonlyRootfs: Boolean(inputs.readOnly),
        Init: Boolean(inputs.init),
        LogConfig: { Type: inputs.logDriver ?? "json-file", Config: inputs.logOpts ?? {} },
      },
    };
    const created = await this.docker.request<{ Id: string }>(
      "POST",
      `/containers/create?name=${encodeURIComponent(name)}`,
      config,
    );
    const id = created.Id;
    const networks = (inputs.networksAdvanced as Inputs[] | undefined) ?? [];
    if (networks.length) {
      await this.docker.request(
        "POST",
        "/networks/bridge/disconnect",
        { Container: id, Force: false },
        { allow: [403, 404, 500] },
      );
      for (const n of networks)
        await this.docker.request("POST", `/networks/${encodeURIComponent(String(n.name))}/connect`, {
          Container: id,
          EndpointConfig: { Aliases: n.aliases ?? [] },
        });
    }
    for (const u of (inputs.uploads as Inputs[] | undefined) ?? []) {
      // `source` is a file on the machine running Pulumi (plugin jars); the provider reads it at create.
      const content =
        u.source !== undefined
          ? fs.readFileSync(String(u.source))
          : u.contentBase64 !== undefined
            ? Buffer.from(String(u.contentBase64), "base64")
            : Buffer.from(String(u.content ?? ""), "utf8");
      const mode =
        u.permissions !== undefined ? parseInt(String(u.permissions), 8) : u.executable ? 0o744 : 0o644;
      // The provider resolves owner and group names on the machine running Pulumi; ours are numeric.
      const numericId = (field: "owner" | "group") => {
        if (u[field] === undefined) return 0;
        if (!/^\d+$/.test(String(u[field])))
          throw new Error(`replay: upload ${field} must be numeric, got ${u[field]}`);
        return Number(u[field]);
      };
      await this.docker.request(
        "PUT",
        `/containers/${id}/archive?path=/`,
        tarOneFile(String(u.file), content, mode, numericId("owner"), numericId("group")),
        {
          contentType: "application/x-tar",
        },
      );
    }
    const replayed = { id, name, graceSeconds: Number(inputs.destroyGraceSeconds ?? 0) };
    this.containers.set(name, replayed);
    if (inputs.start !== false) await this.docker.request("POST", `/containers/${id}/start`);
    if (inputs.wait) await this.waitHealthy(name, Number(inputs.waitTimeout ?? 60));
    return replayed;
  }

  /** Polls the container's health until healthy; fails with its last health log when it is not. */
  async waitHealthy(name: string, timeoutSeconds: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const info = await this.inspect(name);
      const state = info.State as { Status: string; Health?: { Status: string; Log?: { Output: string }[] } };
      if (state.Health?.Status === "healthy") return Date.now() - started;
      if (state.Status === "exited" || state.Status === "dead" || state.Health?.Status === "unhealthy") {
        const logs = await this.docker.logs(name);
        throw new Error(
          `container ${name} is ${state.Health?.Status ?? state.Status}: ` +
            `${state.Health?.Log?.slice(-1)[0]?.Output ?? ""}\n${logs.split("\n").slice(-40).join("\n")}`,
        );
      }
      if (Date.now() - started > timeoutSeconds * 1000)
        throw new Error(`container ${name} did not become healthy in ${timeoutSeconds} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  inspect(name: string): Promise<Record<string, unknown>> {
    return this.docker.request("GET", `/containers/${encodeURIComponent(name)}/json`);
  }

  /**
   * Destroys a container as the provider does: stop with the grace period, then remove with its
   * anonymous volumes. Returns what the container printed, read between the stop and the removal.
   */
  async destroyContainer(name: string): Promise<string> {
    const known = this.containers.get(name);
    const grace = known?.graceSeconds ?? 0;
    await this.docker.request("POST", `/containers/${encodeURIComponent(name)}/stop?t=${grace}`, undefined, {
      allow: [304, 404],
      timeoutMs: (grace + 60) * 1000,
    });
    const logs = await this.docker.logs(name).catch(() => "");
    await this.docker.request("DELETE", `/containers/${encodeURIComponent(name)}?v=1&force=1`, undefined, {
      allow: [404],
    });
    this.containers.delete(name);
    return logs;
  }

  /**
   * Runs a dynamic resource's serialized provider the way Pulumi's Node dynamic-provider host
   * does: rebuilt from its text, then `check` (when present) and `create` on the inputs.
   */
  async dynamic(r: CapturedResource): Promise<{ id: string; outs: Record<string, unknown> }> {
    return runDynamicProvider(r.inputs, r.name);
  }

  /** Removes every container, volume and network this run created (and nothing else). */
  async cleanup(): Promise<void> {
    const filter = encodeURIComponent(JSON.stringify({ label: [`neo4j-estate.replay=${this.runId}`] }));
    const containers = await this.docker.request<{ Id: string }[]>(
      "GET",
      `/containers/json?all=1&filters=${filter}`,
    );
    for (const c of containers)
      await this.docker.request("DELETE", `/containers/${c.Id}?v=1&force=1`, undefined, { allow: [404] });
    const volumes = await this.docker.request<{ Volumes: { Name: string }[] | null }>(
      "GET",
      `/volumes?filters=${filter}`,
    );
    for (const v of volumes.Volumes ?? [])
      await this.docker.request("DELETE", `/volumes/${encodeURIComponent(v.Name)}?force=1`, undefined, {
        allow: [404],
      });
    const networks = await this.docker.request<{ Id: string }[]>("GET", `/networks?filters=${filter}`);
    for (const n of networks)
      await this.docker.request("DELETE", `/networks/${n.Id}`, undefined, { allow: [404] });
  }
}

interface DynamicProvider {
  check?(
    olds: unknown,
    news: unknown,
  ): Promise<{ inputs?: Record<string, unknown>; failures?: { property: string; reason: string }[] }>;
  create(inputs: unknown): Promise<{ id: string; outs: Record<string, unknown> }>;
}

/** The Docker provider takes labels as `[{ label, value }]`. */
function labelMap(labels: unknown): Record<string, string> {
  if (!labels) return {};
  if (Array.isArray(labels))
    return Object.fromEntries(labels.map((l: Inputs) => [String(l.label), String(l.value)]));
  return labels as Record<string, string>;
}
