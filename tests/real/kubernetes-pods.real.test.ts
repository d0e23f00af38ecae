import { findBinary, kubernetesPath } from "./support/kubernetes";

/**
 * The pod-level tier: member pods Ready with our local Neo4j image on kubelet and containerd,
 * RbacPolicy provisioning users from inside the cluster. It needs kube-scheduler and kubelet,
 * which scripts/provision/kubernetes.sh builds only with NEO4J_ESTATE_K8S_NODE=1 (they do not fit
 * in CI's time beside the API server and the provider on a cold cache), and it is not written yet.
 * Rather than pass silently, it reports as a skipped test whose name says why it did not run.
 */
const missing = ["kube-scheduler", "kubelet"].filter((name) => !findBinary(name, kubernetesPath()));
const reason = missing.length
  ? `${missing.join(" and ")} not built (NEO4J_ESTATE_K8S_NODE=1 bash scripts/provision/kubernetes.sh builds them)`
  : "the pod-level suite is not written yet";

process.stdout.write(`[kubernetes pods] the pod-level suite DID NOT RUN: ${reason}\n`);
test.skip(`pod-level suite (member pods Ready on kubelet, RbacPolicy in-cluster) DID NOT RUN: ${reason}`, () => {});
