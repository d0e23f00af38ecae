import * as fs from "fs";
import { runId } from "./support/env";
import { ControlPlane, findBinary, kubernetesPath, kubernetesSuite } from "./support/kubernetes";
import { nodePrerequisites } from "./support/kubernetes-node";

/**
 * kubernetes.MonitoringStack's own Prometheus and Alertmanager pods on a real node (kube-scheduler,
 * kubelet, containerd; ./support/kubernetes-node.ts), from the local Debian images (Prometheus
 * 2.42, Alertmanager 0.25): both become Ready, which they do only once they have loaded the
 * configuration the components rendered, read as files from the ConfigMap and the Secret under the
 * pods' own non-root user; Prometheus has loaded the core's alert rules and points at the
 * Alertmanager's Service; the Alertmanager routes to the receiver given.
 *
 * Without the node's binaries or root it reports as a skipped test whose name says why.
 */
const k8sPath = kubernetesPath();
const missing = [
  ...["kube-scheduler", "kubelet", "pause"].filter((name) => !findBinary(name, k8sPath)),
  ...nodePrerequisites(),
];
const reason = missing.length ? `${missing.join(", ")} missing` : undefined;

const IMAGES = ["neo4j-estate/prometheus:2.42.0", "neo4j-estate/alertmanager:0.25.0"];
const id = runId();
const ns = "graph";
const secrets = {
  adminPassword: `pw-${id}-Secret1`,
  grafanaPassword: `grafana-${id}-Secret2`,
  webhookUrl: `http://127.0.0.1:9/hook?token=tok-${id}`,
};

interface Pod {
  status: { conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] };
}

if (reason) {
  process.stdout.write(`[kubernetes monitoring pods] DID NOT RUN: ${reason}\n`);
  test.skip(`monitoring pods (Prometheus and Alertmanager Ready on kubelet) DID NOT RUN: ${reason}`, () => {});
} else {
  const suite = kubernetesSuite(
    "kubernetes-monitoring-pods",
    id,
    async (stack, cluster) => {
      for (const image of IMAGES) cluster.node!.importImage(image);
      // Neo4j's, Prometheus's and the Alertmanager's claims. hostPath volumes take no fsGroup, so
      // they are opened to every user here, as a storage provisioner would hand them over.
      await cluster.node!.persistentVolumes(3, "2Gi");
      const volumes = await cluster.request<{ items: { spec: { hostPath?: { path: string } } }[] }>(
        "GET",
        "/api/v1/persistentvolumes",
      );
      for (const v of volumes.body.items) if (v.spec.hostPath) fs.chmodSync(v.spec.hostPath.path, 0o1777);
      for (const [key, value] of Object.entries(secrets)) await stack.secret(key, value);
    },
    { node: true },
  );
  const cluster = (): ControlPlane => suite.cluster;
  const ready = (p: Pod) => !!p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  const waitReady = async (pod: string, ms = 420_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const got = await cluster().request<Pod>("GET", `/api/v1/namespaces/${ns}/pods/${pod}`);
      if (got.status === 200 && ready(got.body)) return got.body;
      if (Date.now() > deadline)
        throw new Error(`${pod} not Ready within ${ms / 1000} s: ${JSON.stringify(got.body)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  const json = async (url: string) => {
    const response = await fetch(url);
    expect([url, response.status]).toEqual([url, 200]);
    return (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  test("Prometheus and the Alertmanager run Ready with the configuration the components rendered", async () => {
    await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
    const prometheus = await waitReady("graph-monitoring-prometheus-0");
    const alertmanager = await waitReady("graph-monitoring-alertmanager-0");
    // Ready at the first start: the files were readable by the pods' user from the first try.
    expect(prometheus.status.containerStatuses?.[0].restartCount).toBe(0);
    expect(alertmanager.status.containerStatuses?.[0].restartCount).toBe(0);

    const prometheusIp = await cluster().node!.podIp(ns, "graph-monitoring-prometheus-0");
    const rules = await json(`http://${prometheusIp}:9090/api/v1/rules`);
    const groups = rules.data.groups as { name: string; rules: { name: string }[] }[];
    expect(groups.map((g) => g.name)).toEqual(["neo4j"]);
    expect(groups[0].rules.map((r) => r.name)).toContain("Neo4jMemberDown");
    const config = (await json(`http://${prometheusIp}:9090/api/v1/status/config`)).data.yaml as string;
    expect(config).toContain("graph-monitoring-alertmanager:9093");
    expect(config).toContain("graph-1.graph.svc.cluster.local:2004");

    const alertmanagerIp = await cluster().node!.podIp(ns, "graph-monitoring-alertmanager-0");
    const status = await json(`http://${alertmanagerIp}:9093/api/v2/status`);
    const original = status.config.original as string;
    expect(original).toMatch(/receiver: ops/);
    expect(original).toMatch(/group_wait: 15s/);
    // Alertmanager 0.25 reads a webhook URL from alertmanager.yml only, which came from the Secret.
    expect(original).toContain(`tok-${id}`);
  });
}
