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
 * - `secure` (optional, `true`): adds a kubernetes.Neo4jEnterprise `secure` in its own namespace:
 *   three Enterprise primaries with TLS on every channel (certificates made by the estate), and
 *   backups with TLS copied to an S3-compatible bucket, its keys `offsiteAccessKey` and
 *   `offsiteSecretKey` (secrets). No pod runs in this tier, so the image need not exist.
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

const secure = config.getBoolean("secure")
  ? new kubernetes.Neo4jEnterprise("secure", {
      cluster: {
        acceptLicenseAgreement: "eval",
        image: "neo4j-estate/neo4j:5.26.30-enterprise",
        adminPassword: config.requireSecret("adminPassword"),
        storageSize: "1Gi",
        waitForHealthy: false,
        tls: {},
        settings: { "dbms.usage_report.enabled": "false" },
      },
      backup: {
        schedule: "6h",
        storageSize: "1Gi",
        offsite: {
          bucket: "neo4j-backups",
          endpoint: "http://s3.storage.svc.cluster.local:9000",
          accessKeyId: config.requireSecret("offsiteAccessKey"),
          secretAccessKey: config.requireSecret("offsiteSecretKey"),
        },
      },
      monitoring: { enabled: false },
    })
  : undefined;
export const secureBoltUri = secure?.boltUri;
export const secureCaCertificate = secure?.caCertificate;
export const secureOffsite = secure?.backup?.offsiteLocation;

export const boltUri = graph.boltUri;
export const namespace = graph.namespace;
export const members = graph.members;
export const adminPassword = graph.adminPassword;
