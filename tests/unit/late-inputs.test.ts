import { execFileSync } from "child_process";
import * as path from "path";

const REPO_ROOT = path.join(__dirname, "..", "..");

/**
 * Arguments that may be Pulumi outputs are checked when they resolve, with the same message as a
 * plain value gets before anything is registered. The components run in a process of their own
 * (support/late-inputs.ts), where a failed check fails the deployment as it does in `pulumi up`.
 */
let failures: Record<string, string[]>;
beforeAll(() => {
  const output = execFileSync(
    process.execPath,
    [require.resolve("tsx/cli"), "tests/unit/support/late-inputs.ts"],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  failures = JSON.parse(output.slice(output.lastIndexOf("\nRESULT ") + "\nRESULT ".length));
}, 120_000);

describe("inputs that resolve to bad values fail the deployment with the plain value's message", () => {
  it.each([
    [
      "Neo4jCluster adminPassword",
      `Neo4jCluster "late": adminPassword must be at least 8 characters (Neo4j's minimum password length)`,
    ],
    [
      "Neo4jCluster networkName",
      'Neo4jCluster "late": networkName must be a Docker object name: a letter or digit, then letters, digits, _ . - (got "my net")',
    ],
    [
      "Neo4jCluster settings",
      'Neo4jCluster "late": settings["db.logs.query.enabled"] must be a string on one line, as neo4j.conf has it, such as "true" or "512m" (got true)',
    ],
    [
      "BackupVolume pushgatewayUrl",
      'BackupVolume "late-backups": pushgatewayUrl must be plain http: the runner pushes with bash alone, which speaks no TLS (got "https://pg:9091")',
    ],
    [
      "BackupVolume offsite.secretAccessKey",
      'BackupVolume "late-offsite": offsite.secretAccessKey contains whitespace (a trailing newline from a file?); the value is not shown because it is a secret',
    ],
    [
      "kubernetes.BackupVolume offsite.secretAccessKey",
      'BackupVolume "late-k8s-offsite": offsite.secretAccessKey contains whitespace (a trailing newline from a file?); the value is not shown because it is a secret',
    ],
    [
      "kubernetes.Neo4jCluster tlsCertificates",
      'Neo4jCluster "late-tls": tlsCertificates.members["late-tls-1"].certificate does not name late-tls-1.late-tls, late-tls-1.late-tls.svc, late-tls-1.late-tls.svc.cluster.local, late-tls-1.late-tls-headless.late-tls.svc.cluster.local, late-tls, late-tls.late-tls, late-tls.late-tls.svc, late-tls.late-tls.svc.cluster.local in its subject alternative names, which clients and members connect by (it names DNS:late-tls-1, DNS:localhost, IP Address:127.0.0.1)',
    ],
    [
      "MonitoringStack grafanaAdminPassword",
      'MonitoringStack "late-monitoring": grafanaAdminPassword must not be empty',
    ],
    [
      "MonitoringStack alertReceivers secret",
      'MonitoringStack "late-alerts": alertReceivers[0].webhook_configs[0].url must be an http:// or https:// URL with a host (the value is a secret and not shown)',
    ],
    [
      "RbacPolicy uri",
      'RbacPolicy "late-access": uri must be a Bolt URI such as neo4j://localhost:7688 or bolt+s://db.example.com:7687 (got "http://localhost:7474")',
    ],
  ])("%s", (name, message) => {
    expect(failures[name]).toEqual([message]);
  });
});
