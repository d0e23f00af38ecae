import * as pulumi from "@pulumi/pulumi";
import { kubernetes } from "../../../../components";

/**
 * One kubernetes.Neo4jCluster, a Community server on our local image, as
 * tests/real/kubernetes-pods.real.test.ts deploys it onto a real node (kubelet and containerd):
 * unlike the API-server tier's program, nothing here opts out of the provider's waiting, so
 * `pulumi up` returns only once the member's pod is Ready, as it does for a user.
 *
 * Config:
 * - `adminPassword` (secret). Given, because the default (a random password) needs the
 *   @pulumi/random provider, which cannot be had in CI.
 * - `transactionTimeout`: `db.transaction.timeout`, a harmless setting whose change must roll the
 *   member (its pod recreated with the new value).
 * - `tls` (optional, `true`): `tls: {}`, certificates made by the estate and mounted from a Secret;
 *   turning it on rolls the member.
 * - `rbacUri`, optional: when set, a kubernetes.RbacPolicy provisions user `alice` (password
 *   `alicePassword`, secret) through that Bolt URI, given explicitly (the member's pod IP, which
 *   the host running `pulumi up` routes to here; no Service is reachable in this cluster).
 * - `rbacAccess`, optional, `default`: the same policy without `uri`, so with its default access,
 *   the port-forward through the API server (the kubeconfig is the one the Kubernetes provider
 *   reads too: KUBECONFIG), as on a cluster whose Services are out of reach of `pulumi up`.
 * - `bobPassword` (secret), optional: the policy provisions user `bob` as well.
 */
const config = new pulumi.Config();

const graph = new kubernetes.Neo4jCluster("graph", {
  image: "neo4j-estate/neo4j:5.26.30-community",
  primaries: 1,
  adminPassword: config.requireSecret("adminPassword"),
  storageSize: "1Gi",
  tls: config.getBoolean("tls") ? {} : undefined,
  // A member that cannot start fails `pulumi up` in minutes, not the default 10.
  healthyTimeoutSeconds: 300,
  settings: {
    "dbms.usage_report.enabled": "false",
    // Small enough for a loaded 2-core test machine.
    "server.memory.heap.initial_size": "256m",
    "server.memory.heap.max_size": "256m",
    "server.memory.pagecache.size": "64m",
    "db.transaction.timeout": config.require("transactionTimeout"),
  },
});

const rbacUri = config.get("rbacUri");
const rbacAccess = config.get("rbacAccess");
const bobPassword = config.getSecret("bobPassword");
const access =
  rbacUri || rbacAccess
    ? new kubernetes.RbacPolicy("access", {
        cluster: graph,
        // No uri and no access: the default, the port-forward through the API server.
        ...(rbacUri ? { uri: rbacUri } : {}),
        users: [
          { name: "alice", password: config.requireSecret("alicePassword") },
          ...(bobPassword ? [{ name: "bob", password: bobPassword }] : []),
        ],
        waitTimeoutSeconds: 120,
      })
    : undefined;

export const users = access ? access.users : [];
export const boltUri = graph.boltUri;
export const namespace = graph.namespace;
export const members = graph.members;
export const adminPassword = graph.adminPassword;
export const caCertificate = graph.caCertificate;
