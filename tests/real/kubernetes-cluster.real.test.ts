import { OUR_KINDS, kubernetesSuite, labelled, waitUntilGone } from "./support/kubernetes";
import { X509Certificate } from "crypto";
import { runId } from "./support/env";

/**
 * kubernetes.Neo4jCluster through the real Pulumi CLI and the Kubernetes provider built here, into
 * a real kube-apiserver (with etcd and kube-controller-manager, no scheduler or kubelet): every
 * object it renders is accepted by server-side dry run in `pulumi preview`, validated and stored
 * by `pulumi up`, and taken up by the controllers (the StatefulSet controller makes the member's
 * pod under its Neo4j name); a second preview changes nothing; a setting change updates the
 * member's StatefulSet and nothing else; `pulumi destroy` leaves nothing of ours. Whether the pod
 * then runs Neo4j is the pod-level suite's question (kubernetes-pods.real.test.ts).
 */
const id = runId();
const password = `pw-${id}-Secret1`;
const ns = "graph";

type Env = { name: string; value?: string }[];
interface StatefulSet {
  metadata: { generation: number; labels: Record<string, string> };
  spec: {
    replicas: number;
    serviceName: string;
    template: { spec: { containers: { image: string; env: Env }[] } };
  };
}

const statefulSet = async () =>
  (await suite.cluster.request<StatefulSet>("GET", `/apis/apps/v1/namespaces/${ns}/statefulsets/graph`)).body;

const suite = kubernetesSuite("kubernetes-cluster", id, async (stack) => {
  await stack.config("pageCache", "256m");
  await stack.secret("adminPassword", password);
});

test("pulumi preview: the API server accepts every object Neo4jCluster renders", async () => {
  expect(await suite.stack.plannedChanges()).toEqual([
    "create kubernetes:apps/v1:StatefulSet::graph",
    "create kubernetes:core/v1:Namespace::graph-namespace",
    "create kubernetes:core/v1:Secret::graph-auth",
    "create kubernetes:core/v1:Service::graph-1-service",
    "create kubernetes:core/v1:Service::graph-client",
    "create kubernetes:core/v1:Service::graph-headless",
    "create neo4j-estate:kubernetes:Neo4jCluster::graph",
    "create pulumi-nodejs:dynamic:Resource::graph-admin",
    "create pulumi-nodejs:dynamic:Resource::graph-record",
    "create pulumi:pulumi:Stack::kubernetes-cluster-test-" + id,
  ]);
});

test("pulumi up: the objects are stored, and the StatefulSet controller makes member graph-1", async () => {
  const up = await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
  expect(up.output).not.toMatch(/expected to have version/);
  const sts = await statefulSet();
  expect(sts.spec.replicas).toBe(1);
  expect(sts.spec.template.spec.containers[0].image).toBe("neo4j-estate/neo4j:5.26.30-community");
  expect(sts.spec.template.spec.containers[0].env).toContainEqual({
    name: "NEO4J_server_memory_pagecache_size",
    value: "256m",
  });
  for (const service of ["graph", "graph-headless", "graph-1"]) {
    const got = await suite.cluster.request("GET", `/api/v1/namespaces/${ns}/services/${service}`);
    expect([service, got.status]).toEqual([service, 200]);
  }
  const secret = await suite.cluster.request<{ data: Record<string, string> }>(
    "GET",
    `/api/v1/namespaces/${ns}/secrets/graph-auth`,
  );
  expect(Buffer.from(secret.body.data["neo4j-auth"], "base64").toString()).toBe(`neo4j/${password}`);
  // The controller manager's StatefulSet controller accepted the spec: the pod carries the
  // member's name (ordinals from 1), waiting for a scheduler this cluster does not have.
  const deadline = Date.now() + 120_000;
  let pod = await suite.cluster.request("GET", `/api/v1/namespaces/${ns}/pods/graph-1`);
  while (pod.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    pod = await suite.cluster.request("GET", `/api/v1/namespaces/${ns}/pods/graph-1`);
  }
  expect(pod.status).toBe(200);

  const outputs = JSON.parse(
    (await suite.stack.expectSuccess(["stack", "output", "--json", "--stack", id])).stdout,
  ) as Record<string, unknown>;
  expect(outputs.boltUri).toBe("bolt://graph.graph.svc.cluster.local:7687");
  expect(outputs.namespace).toBe(ns);
  // The password went to the Secret only: not into the state, the outputs or any command's output.
  expect(await suite.stack.exportState()).not.toContain(password);
  for (const r of suite.stack.transcript) expect(r.output).not.toContain(password);
  // adminPassword is the admin resource's, the one Neo4j has (the Secret keeps the first).
  const shown = await suite.stack.expectSuccess([
    "stack",
    "output",
    "adminPassword",
    "--show-secrets",
    "--stack",
    id,
  ]);
  expect(shown.stdout.trim()).toBe(password);
});

// This found a bug: the provider planned to replace the admin password Secret on every update
// ([diff: -data]) while the component ignored changes to stringData but not to the data the API
// server derives from it.
test("a second preview shows no change", async () => {
  await suite.stack.expectStackCommand(["preview", "--expect-no-changes"]);
});

test("pulumi refresh finds nothing changed after up", async () => {
  const clean = await suite.stack.stackCommand(["refresh", "--expect-no-changes", "--yes"]);
  expect(clean.code).toBe(0);
});

test("a label of ours changed by hand is what refresh reports, and up puts it back", async () => {
  // Someone edits the client Service as `kubectl edit` would: the whole object, PUT back.
  const path = `/api/v1/namespaces/${ns}/services/graph`;
  type Service = { metadata: { labels: Record<string, string> } };
  const service = (await suite.cluster.request<Service>("GET", path)).body;
  const ours = service.metadata.labels["app.kubernetes.io/name"];
  expect(ours).toBeDefined();
  service.metadata.labels["app.kubernetes.io/name"] = "edited-by-hand";
  expect((await suite.cluster.request("PUT", path, service)).status).toBe(200);
  const found = await suite.stack.stackCommand(["refresh", "--expect-no-changes", "--diff", "--yes"]);
  expect(found.code).not.toBe(0);
  expect(found.output).toMatch(/no changes were expected/);
  expect(found.output).toContain("edited-by-hand");
  expect(await suite.stack.plannedChanges()).toEqual(["update kubernetes:core/v1:Service::graph-client"]);
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
  expect(
    (await suite.cluster.request<Service>("GET", path)).body.metadata.labels["app.kubernetes.io/name"],
  ).toBe(ours);
  await suite.stack.expectStackCommand(["preview", "--expect-no-changes"]);
});

test("a setting change updates the member's StatefulSet and nothing else", async () => {
  await suite.stack.config("pageCache", "384m");
  expect(await suite.stack.plannedChanges()).toEqual(["update kubernetes:apps/v1:StatefulSet::graph"]);
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);
  const sts = await statefulSet();
  expect(sts.spec.template.spec.containers[0].env).toContainEqual({
    name: "NEO4J_server_memory_pagecache_size",
    value: "384m",
  });
  expect(sts.metadata.generation).toBe(2);
});

const offsiteAccessKey = `AKIA${id}`.toUpperCase().replace(/[^A-Z0-9]/g, "0");
const offsiteSecretKey = `offsite-${id}-SecretKey`;
const base64 = (text: string) => Buffer.from(text).toString("base64");
const decoded = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));

test("a TLS estate with offsite backups: accepted by dry run, stored, keys only in Secrets", async () => {
  await suite.stack.config("secure", "true");
  await suite.stack.secret("offsiteAccessKey", offsiteAccessKey);
  await suite.stack.secret("offsiteSecretKey", offsiteSecretKey);
  const changes = await suite.stack.plannedChanges();
  // Only the new estate's objects: the first cluster is left as it is.
  expect(changes.filter((c) => !c.startsWith("create "))).toEqual([]);
  expect(changes).toEqual(
    expect.arrayContaining([
      "create kubernetes:core/v1:Secret::secure-tls",
      "create kubernetes:core/v1:Secret::secure-backups-runner-secrets",
      "create kubernetes:batch/v1:CronJob::secure-backups",
      "create kubernetes:apps/v1:StatefulSet::secure",
      "create pulumi-nodejs:dynamic:Resource::secure-tls-ca",
      "create pulumi-nodejs:dynamic:Resource::secure-3-tls",
      "create pulumi-nodejs:dynamic:Resource::secure-backup-client-tls",
    ]),
  );
  await suite.stack.expectStackCommand(["up", "--yes", "--skip-preview"]);

  // The members' pairs and the authority, as one Secret; each certificate names its member's Service.
  const tls = await suite.cluster.request<{ data: Record<string, string> }>(
    "GET",
    "/api/v1/namespaces/secure/secrets/secure-tls",
  );
  const pems = decoded(tls.body.data);
  expect(Object.keys(pems).sort()).toEqual([
    "ca.crt",
    "secure-1.crt",
    "secure-1.key",
    "secure-2.crt",
    "secure-2.key",
    "secure-3.crt",
    "secure-3.key",
  ]);
  const member = new X509Certificate(pems["secure-2.crt"]);
  expect(member.checkIssued(new X509Certificate(pems["ca.crt"]))).toBe(true);
  for (const name of ["secure-2", "secure-2.secure.svc.cluster.local", "secure.secure.svc", "localhost"])
    expect([name, member.checkHost(name, { subject: "never" })]).toEqual([name, name]);

  const sts = (
    await suite.cluster.request<{
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: {
            volumes: { name: string; secret?: { secretName: string; defaultMode: number } }[];
            containers: { env: Env; readinessProbe: { httpGet: { port: number; scheme: string } } }[];
          };
        };
      };
    }>("GET", "/apis/apps/v1/namespaces/secure/statefulsets/secure")
  ).body.spec.template;
  expect(sts.spec.volumes).toContainEqual({
    name: "tls-members",
    secret: { secretName: "secure-tls", defaultMode: 0o440 },
  });
  expect(sts.metadata.annotations["neo4j-estate/tls-certificates"]).toMatch(/^[0-9a-f]{64}$/);
  const env = sts.spec.containers[0].env;
  expect(env.find((e) => e.value === "/ssl/members/$(POD_NAME).key")).toBeDefined();
  expect(env.find((e) => e.value?.includes("PRIVATE KEY"))).toBeUndefined();
  expect(sts.spec.containers[0].readinessProbe.httpGet).toMatchObject({ port: 7473, scheme: "HTTPS" });

  // Each backup run gets the client certificate and the bucket's keys as files from a Secret.
  const runner = await suite.cluster.request<{ data: Record<string, string> }>(
    "GET",
    "/api/v1/namespaces/secure/secrets/secure-backups-runner-secrets",
  );
  const files = decoded(runner.body.data);
  expect(Object.keys(files).sort()).toEqual([
    "access-key-id",
    "secret-access-key",
    "tls-ca.crt",
    "tls.crt",
    "tls.key",
  ]);
  expect(files["secret-access-key"]).toBe(offsiteSecretKey);
  const cronJob = await suite.cluster.request<Record<string, unknown>>(
    "GET",
    "/apis/batch/v1/namespaces/secure/cronjobs/secure-backups",
  );
  expect(JSON.stringify(cronJob.body)).toContain('"name":"secure-backups-runner-secrets"');
  expect(JSON.stringify(cronJob.body)).not.toContain(offsiteSecretKey);

  const outputs = JSON.parse(
    (await suite.stack.expectSuccess(["stack", "output", "--json", "--stack", id])).stdout,
  ) as Record<string, string>;
  expect(outputs.secureBoltUri).toBe("neo4j+s://secure.secure.svc.cluster.local:7687");
  expect(outputs.secureCaCertificate).toBe(pems["ca.crt"]);
  expect(outputs.secureOffsite).toBe("s3://neo4j-backups/secure-backups/");
  // No key or credential in plain text (or base64) in the state or any command's output.
  const state = await suite.stack.exportState();
  for (const secret of [
    offsiteSecretKey,
    base64(offsiteSecretKey),
    "PRIVATE KEY",
    base64("-----BEGIN PRIVATE KEY"),
  ])
    expect([secret, state.includes(secret)]).toEqual([secret, false]);
  for (const r of suite.stack.transcript) expect(r.output).not.toContain(offsiteSecretKey);
});

test("a second preview of the TLS estate shows no change", async () => {
  await suite.stack.expectStackCommand(["preview", "--expect-no-changes"]);
});

test("pulumi destroy leaves no object of ours in the API server", async () => {
  await suite.stack.expectStackCommand(["destroy", "--yes", "--skip-preview"]);
  suite.destroyed = true;
  expect(await waitUntilGone(suite.cluster, `/api/v1/namespaces/${ns}`)).toBe(404);
  expect(await waitUntilGone(suite.cluster, "/api/v1/namespaces/secure")).toBe(404);
  expect(await labelled(suite.cluster, OUR_KINDS, "neo4j-estate.cluster=graph")).toEqual([]);
  expect(await labelled(suite.cluster, OUR_KINDS, "app.kubernetes.io/instance=graph")).toEqual([]);
});
