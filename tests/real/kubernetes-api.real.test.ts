import { OUR_KINDS, kubernetesSuite, labelled, waitUntilGone } from "./support/kubernetes";
import { runId } from "./support/env";

/**
 * The Pulumi Kubernetes provider built here (scripts/provision/kubernetes.sh), driven by the real
 * Pulumi CLI, against a real kube-apiserver (with etcd and kube-controller-manager): the kinds of
 * object a Neo4j member needs are previewed by server-side dry run, stored, unchanged on a second
 * preview, updated one object at a time, refused with the API server's own words when invalid,
 * and all gone after `pulumi destroy`. This is the path every Kubernetes component of ours takes;
 * kubernetes-cluster.real.test.ts takes it with kubernetes.Neo4jCluster itself.
 */
const id = runId();
const namespace = `neo4j-${id}`;
const password = `pw-${id}-Secret1`;

const suite = kubernetesSuite("kubernetes-objects", id, async (stack) => {
  await stack.config("namespace", namespace);
  await stack.config("pageCache", "256m");
  await stack.secret("adminPassword", password);
});

test("pulumi preview: the API server accepts every object by server-side dry run", async () => {
  const changes = await suite.stack.plannedChanges();
  expect(changes).toEqual([
    "create kubernetes:apps/v1:StatefulSet::member",
    "create kubernetes:core/v1:Namespace::ns",
    "create kubernetes:core/v1:Secret::auth",
    "create kubernetes:core/v1:Service::headless",
    "create pulumi:pulumi:Stack::kubernetes-objects-test-" + id,
  ]);
  // The provider is the one built here, at the version @pulumi/kubernetes asks for.
  expect(suite.stack.transcript.map((r) => r.output).join("\n")).not.toMatch(/expected to have version/);
});

test("pulumi up: every object is validated and stored by the API server", async () => {
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
  const ns = await suite.cluster.request<{ status: { phase: string } }>(
    "GET",
    `/api/v1/namespaces/${namespace}`,
  );
  expect(ns.status).toBe(200);
  const secret = await suite.cluster.request<{ data: Record<string, string> }>(
    "GET",
    `/api/v1/namespaces/${namespace}/secrets/graph-auth`,
  );
  expect(Buffer.from(secret.body.data["neo4j-auth"], "base64").toString()).toBe(`neo4j/${password}`);
  const service = await suite.cluster.request<{
    spec: { clusterIP: string; publishNotReadyAddresses: boolean };
  }>("GET", `/api/v1/namespaces/${namespace}/services/graph-headless`);
  expect(service.body.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
  const sts = await suite.cluster.request<{
    spec: {
      serviceName: string;
      template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
    };
  }>("GET", `/apis/apps/v1/namespaces/${namespace}/statefulsets/graph`);
  expect(sts.status).toBe(200);
  expect(sts.body.spec.serviceName).toBe("graph-headless");
  expect(sts.body.spec.template.spec.containers[0].env).toContainEqual({
    name: "NEO4J_server_memory_pagecache_size",
    value: "256m",
  });
  // The password went to the Secret only: not into the state, outputs or any command's output.
  const state = await suite.stack.exportState();
  expect(state).not.toContain(password);
  for (const r of suite.stack.transcript) expect(r.output).not.toContain(password);
});

test("a second preview shows no change", async () => {
  await suite.stack.expectStackCommand(["preview", "--expect-no-changes"]);
});

test("a setting change updates exactly the member's StatefulSet, in place", async () => {
  await suite.stack.config("pageCache", "384m");
  expect(await suite.stack.plannedChanges()).toEqual(["update kubernetes:apps/v1:StatefulSet::member"]);
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
  const sts = await suite.cluster.request<{
    metadata: { generation: number };
    spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
  }>("GET", `/apis/apps/v1/namespaces/${namespace}/statefulsets/graph`);
  expect(sts.body.spec.template.spec.containers[0].env).toContainEqual({
    name: "NEO4J_server_memory_pagecache_size",
    value: "384m",
  });
  expect(sts.body.metadata.generation).toBe(2);
});

test("an object the API server refuses fails pulumi preview with the server's own reason", async () => {
  await suite.stack.config("broken", "true");
  try {
    const result = await suite.stack.stackCommand(["preview"]);
    expect(result.code).not.toBe(0);
    // The API server's validation message for CronJob.spec.schedule, surfaced by the preview.
    expect(result.output).toMatch(/CronJob.*graph-backup/s);
    expect(result.output).toMatch(/spec\.schedule.*"every night"/s);
  } finally {
    await suite.stack.removeConfig("broken");
  }
  const cronJob = await suite.cluster.request(
    "GET",
    `/apis/batch/v1/namespaces/${namespace}/cronjobs/graph-backup`,
  );
  expect(cronJob.status).toBe(404);
});

test("pulumi destroy leaves no object of ours in the API server", async () => {
  await suite.stack.expectStackCommand(["destroy", "--yes", "--skip-preview"]);
  suite.destroyed = true;
  expect(await waitUntilGone(suite.cluster, `/api/v1/namespaces/${namespace}`)).toBe(404);
  expect(await labelled(suite.cluster, OUR_KINDS, "app.kubernetes.io/instance=graph")).toEqual([]);
});
