import * as pulumi from "@pulumi/pulumi";
import { kubernetes } from "../../../../components";
import { skipAwaitEverywhere } from "../no-pods";

/**
 * One kubernetes.Neo4jCluster, a Community server on our local image, as
 * tests/real/kubernetes-cluster.real.test.ts deploys it into a real API server (the provider from
 * KUBECONFIG, as a user's default provider).
 *
 * Config:
 * - `adminPassword` (secret). Given, because the default (a random password) needs the
 *   @pulumi/random provider, which cannot be had in CI.
 * - `pageCache`: `server.memory.pagecache.size`; a change must update only the member's StatefulSet.
 */
skipAwaitEverywhere();
const config = new pulumi.Config();

const graph = new kubernetes.Neo4jCluster("graph", {
  image: "neo4j-estate/neo4j:5.26.30-community",
  primaries: 1,
  adminPassword: config.requireSecret("adminPassword"),
  storageSize: "1Gi",
  waitForHealthy: false,
  settings: {
    "dbms.usage_report.enabled": "false",
    "server.memory.pagecache.size": config.require("pageCache"),
  },
});

export const boltUri = graph.boltUri;
export const namespace = graph.namespace;
export const members = graph.members;
export const adminPassword = graph.adminPassword;
