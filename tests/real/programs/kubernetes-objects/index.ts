import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { skipAwaitEverywhere } from "../no-pods";

/**
 * The kinds of object one Neo4j member needs on Kubernetes (Namespace, a Secret with the admin
 * credentials file, a headless Service, a StatefulSet with a data volume claim), written directly
 * with @pulumi/kubernetes, as tests/real/kubernetes-api.real.test.ts deploys them into a real API
 * server. It proves the path (the provider built here, the CLI, server-side dry run, stored
 * objects, deletion) independently of our components.
 *
 * Config:
 * - `namespace`: the namespace to create (unique per run).
 * - `adminPassword` (secret): goes into the Secret only.
 * - `pageCache`: the member's page cache setting (a change must update only the StatefulSet).
 * - `broken` (optional, `true`): adds a CronJob whose schedule the API server refuses.
 */
const config = new pulumi.Config();
const namespaceName = config.require("namespace");
const labels = { "app.kubernetes.io/name": "neo4j", "app.kubernetes.io/instance": "graph" };

skipAwaitEverywhere();

const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: namespaceName, labels } });
const namespace = ns.metadata.name;

const auth = new k8s.core.v1.Secret("auth", {
  metadata: { name: "graph-auth", namespace, labels },
  stringData: { "neo4j-auth": pulumi.interpolate`neo4j/${config.requireSecret("adminPassword")}` },
});

const headless = new k8s.core.v1.Service("headless", {
  metadata: { name: "graph-headless", namespace, labels },
  spec: {
    clusterIP: "None",
    publishNotReadyAddresses: true,
    selector: labels,
    ports: [{ name: "tcp-bolt", port: 7687 }],
  },
});

new k8s.apps.v1.StatefulSet("member", {
  metadata: { name: "graph", namespace, labels },
  spec: {
    serviceName: headless.metadata.name,
    replicas: 1,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        securityContext: { runAsUser: 7474, runAsGroup: 7474, fsGroup: 7474 },
        containers: [
          {
            name: "neo4j",
            image: "neo4j-estate/neo4j:5.26.30-community",
            env: [
              { name: "NEO4J_AUTH_PATH", value: "/run/secrets/neo4j-estate/neo4j-auth" },
              { name: "NEO4J_server_memory_pagecache_size", value: config.require("pageCache") },
              { name: "NEO4J_dbms_usage__report_enabled", value: "false" },
            ],
            ports: [{ name: "tcp-bolt", containerPort: 7687 }],
            volumeMounts: [
              { name: "data", mountPath: "/data" },
              { name: "auth", mountPath: "/run/secrets/neo4j-estate", readOnly: true },
            ],
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
          },
        ],
        volumes: [{ name: "auth", secret: { secretName: auth.metadata.name } }],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    ],
  },
});

if (config.getBoolean("broken")) {
  new k8s.batch.v1.CronJob("backup", {
    metadata: { name: "graph-backup", namespace, labels },
    spec: {
      schedule: "every night",
      jobTemplate: {
        spec: {
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "backup", image: "busybox" }] },
          },
        },
      },
    },
  });
}

export const namespaceOut = namespace;
