/**
 * Runs components with inputs that resolve to bad values, under Pulumi's mock runtime, in a
 * process of its own: there, as in `pulumi up`, an input that fails its check fails the
 * registration of what uses it, which Node reports as an unhandled rejection. Prints, per case,
 * the distinct messages, as one JSON line for the test to read.
 *
 * Run by tests/unit/late-inputs.test.ts with tsx; a case is a function that constructs components.
 */
import * as pulumi from "@pulumi/pulumi";
import { recordResources, settle } from "./pulumi-mocks";
import { createCertificateAuthority, issueCertificate } from "../../../components/tls/x509";

recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const c = require("../../../components") as typeof import("../../../components");

const admin = { acceptLicenseAgreement: "eval" as const, adminPassword: "password123" };
const late = <T>(value: T) => pulumi.output(value);

export const CASES: Record<string, () => void> = {
  "Neo4jCluster adminPassword": () => new c.Neo4jCluster("late", { ...admin, adminPassword: late("short") }),
  "Neo4jCluster networkName": () => new c.Neo4jCluster("late", { ...admin, networkName: late("my net") }),
  "Neo4jCluster settings": () =>
    new c.Neo4jCluster("late", {
      ...admin,
      settings: { "db.logs.query.enabled": late(true as unknown as string) },
    }),
  "BackupVolume pushgatewayUrl": () =>
    new c.BackupVolume("late-backups", {
      cluster: new c.Neo4jCluster("late-backed", admin),
      pushgatewayUrl: late("https://pg:9091"),
    }),
  "BackupVolume offsite.secretAccessKey": () =>
    new c.BackupVolume("late-offsite", {
      cluster: new c.Neo4jCluster("late-copied", admin),
      offsite: {
        bucket: "neo4j-backups",
        accessKeyId: late("AKIAEXAMPLE"),
        secretAccessKey: pulumi.secret("secret key with spaces"),
      },
    }),
  "kubernetes.BackupVolume offsite.secretAccessKey": () =>
    new c.kubernetes.BackupVolume("late-k8s-offsite", {
      cluster: new c.kubernetes.Neo4jCluster("late-k8s-copied", admin),
      offsite: {
        bucket: "neo4j-backups",
        accessKeyId: late("AKIAEXAMPLE"),
        secretAccessKey: pulumi.secret("secret key with spaces"),
      },
    }),
  "kubernetes.Neo4jCluster tlsCertificates": () => {
    // A certificate that names the member as Docker does, not by its Service.
    const now = Date.now();
    const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
    const ca = createCertificateAuthority({ commonName: "corp CA" }, validity);
    const member = issueCertificate(
      {
        subject: { commonName: "late-tls-1" },
        dnsNames: ["late-tls-1", "localhost"],
        ipAddresses: ["127.0.0.1"],
        usages: ["server", "client"],
        ...validity,
      },
      ca,
    );
    new c.kubernetes.Neo4jCluster("late-tls", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
      tls: {},
      tlsCertificates: {
        caCertificate: ca.certificate,
        members: {
          "late-tls-1": { certificate: member.certificate, privateKey: pulumi.secret(member.privateKey) },
        },
      },
    });
  },
  "MonitoringStack grafanaAdminPassword": () =>
    new c.MonitoringStack("late-monitoring", {
      cluster: new c.Neo4jCluster("late-watched", admin),
      grafanaAdminPassword: late(""),
    }),
  "MonitoringStack alertReceivers secret": () =>
    new c.MonitoringStack("late-alerts", {
      cluster: new c.Neo4jCluster("late-alerted", admin),
      alertReceivers: [{ name: "ops", webhook_configs: [{ url: late("hooks.internal/token-123") }] }],
    }),
  "RbacPolicy uri": () =>
    new c.RbacPolicy("late-access", {
      uri: late("http://localhost:7474"),
      adminUsername: "neo4j",
      adminPassword: "password123",
    }),
};

async function main() {
  const failures: Record<string, string[]> = {};
  let current: string[] = [];
  process.on("unhandledRejection", (e) => {
    const message = e instanceof Error ? e.message : String(e);
    // Pulumi prefixes the property path it was serializing; the check's own message follows it.
    const own = message.replace(/^(error serializing property "[^"]*": )+/, "");
    if (!current.includes(own)) current.push(own);
  });
  for (const [name, run] of Object.entries(CASES)) {
    current = [];
    failures[name] = current;
    try {
      run();
    } catch (e) {
      current.push(`thrown at construction: ${(e as Error).message}`);
    }
    await settle();
    await settle();
  }
  process.stdout.write(`\nRESULT ${JSON.stringify(failures)}\n`);
}

void main();
