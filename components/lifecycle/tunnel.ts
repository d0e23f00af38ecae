import { KubeAccess, readyPods, resolveApiServer, withTunnel } from "../kubernetes/port-forward";
import { boltTarget } from "../neo4j/connection";
import type { BoltTarget } from "./bolt";

/**
 * Bolt to a Neo4j cluster on Kubernetes through a port-forward (kubernetes/port-forward.ts), for
 * the providers that run where `pulumi up` runs and cannot resolve the members' Service names.
 *
 * Through a tunnel only `bolt://` to one member works: a routing driver (`neo4j://`) would be
 * handed the members' advertised, in-cluster addresses; and Neo4j routes nothing on the server's
 * side for a `bolt://` connection (server-side routing serves `neo4j://` only). Administration
 * commands must reach the `system` database's writer, so each forwarded connection goes to the
 * Ready member that is the writer now: one Ready member is asked (SHOW DATABASE system), its
 * answer kept for a few seconds, so that a leader that moves is followed by the next connection a
 * retry opens. Until the cluster has a writer, connections go to the first Ready member, whose
 * "not a leader" the callers treat as "not ready yet".
 */

/** Where the members are and how to reach the API server; kubeconfig is secret. */
export interface PortForwardAccess extends KubeAccess {
  namespace: string;
  /** The label selector of the cluster's member pods. */
  podSelector: string;
  /** The members' Bolt port in the pod. */
  port: number;
}

/** Who asks the members which of them is the writer. */
export interface WriterProbe {
  /** `bolt` or `bolt+s` (the members' Bolt requires TLS). */
  scheme: "bolt" | "bolt+s";
  caCertificate?: string;
  username: string;
  /** Passwords to try in turn: during a rotation, the old one and the new one. */
  passwords: string[];
}

/** How long the writer found is trusted before the next connection asks again, in milliseconds. */
export const WRITER_TTL_MS = 5000;

/** The pod behind a Bolt advertised address `<pod>.<namespace>.svc.<domain>:7687`, if it is one of `pods`. */
export function podOfAddress(address: string, pods: string[]): string | undefined {
  const pod = address
    .replace(/^[a-z+]+:\/\//, "")
    .split(":")[0]
    .split(".")[0];
  return pods.includes(pod) ? pod : undefined;
}

/** The advertised Bolt address of the `system` database's writer, asked of the member behind 127.0.0.1:port. */
async function askWriter(port: number, probe: WriterProbe): Promise<string | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when called: serialized as a closure
  const neo4j = require("neo4j-driver") as typeof import("neo4j-driver");
  const { uri, config } = boltTarget(`${probe.scheme}://127.0.0.1:${port}`, probe.caCertificate);
  for (const password of probe.passwords) {
    const driver = neo4j.driver(uri, neo4j.auth.basic(probe.username, password), {
      ...config,
      connectionTimeout: 5000,
      maxTransactionRetryTime: 0,
    });
    try {
      const session = driver.session({ database: "system" });
      try {
        const result = await session.run(
          "SHOW DATABASE system YIELD address, writer WHERE writer RETURN address",
        );
        return result.records[0]?.get("address") as string | undefined;
      } finally {
        await session.close().catch(() => undefined);
      }
    } catch (error) {
      if ((error as { code?: string }).code !== "Neo.ClientError.Security.Unauthorized") return undefined;
    } finally {
      await driver.close().catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * Runs `work` with `127.0.0.1:<port>` forwarded to the cluster's writer member (see the module
 * comment), and closes the forward whatever happens.
 */
export async function withWriterForward<T>(
  access: PortForwardAccess,
  probe: WriterProbe,
  work: (address: string) => Promise<T>,
): Promise<T> {
  const api = await resolveApiServer(access);
  let known: { pod: string; at: number } | undefined;
  const target = (pod: string) => ({ namespace: access.namespace, pod, port: access.port });
  const pick = async () => {
    if (known && Date.now() - known.at < WRITER_TTL_MS) return target(known.pod);
    const pods = await readyPods(api, access.namespace, access.podSelector);
    if (pods.length === 0)
      throw new Error(`no member pod (${access.podSelector}) in namespace ${access.namespace} is Ready`);
    let pod = pods[0];
    if (pods.length > 1) {
      const address = await withTunnel(
        api,
        async () => target(pods[0]),
        (port) => askWriter(port, probe),
      );
      pod = (address && podOfAddress(address, pods)) ?? pods[0];
    }
    known = { pod, at: Date.now() };
    return target(pod);
  };
  return withTunnel(api, pick, (port) => work(`127.0.0.1:${port}`));
}

/**
 * Runs `work` against `target` as it is, or, with `access`, against the writer member through a
 * port-forward: the same target with `bolt://` (or `bolt+s://`) to the forwarded local address.
 * `otherPasswords` are tried after target's when asking for the writer (a rotation's new one).
 */
export async function throughForward<T>(
  target: BoltTarget,
  access: PortForwardAccess | undefined,
  work: (target: BoltTarget) => Promise<T>,
  otherPasswords: string[] = [],
): Promise<T> {
  if (!access) return work(target);
  const scheme: WriterProbe["scheme"] = target.scheme.endsWith("+s") ? "bolt+s" : "bolt";
  const probe: WriterProbe = {
    scheme,
    caCertificate: target.caCertificate,
    username: target.username,
    passwords: [target.password, ...otherPasswords],
  };
  return withWriterForward(access, probe, (address) => work({ ...target, scheme, addresses: [address] }));
}

/** Where a target is, for messages: its addresses, or the pods behind the port-forward. */
export function describeReach(addresses: string[], access: PortForwardAccess | undefined): string {
  return access
    ? `the member pods (${access.podSelector}) in namespace ${access.namespace}, through the Kubernetes API server`
    : addresses.join(", ");
}
