import * as pulumi from "@pulumi/pulumi";
import { X509Certificate } from "crypto";
import {
  byType,
  plaintextStrings,
  recordResources,
  secretAndValue,
  settle,
  unwrapSecretInput,
  unwrapSecrets,
  valueOf,
} from "./support/pulumi-mocks";
import { createCertificateAuthority, issueCertificate } from "../../components/tls/x509";

const recorded = recordResources();
const { BackupVolume, Neo4jCluster, Neo4jEnterprise, RbacPolicy } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../components") as typeof import("../../components");

const CONTAINER = "docker:index/container:Container";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
/** The estate's certificate resources among the dynamic ones (the day-2 resources are others). */
const certificates = () =>
  byType(recorded, DYNAMIC).filter((r) => r.inputs.role === "authority" || r.inputs.role === "certificate");

interface Upload {
  file: string;
  content?: unknown;
  permissions?: string;
  owner?: string;
  group?: string;
}

async function container(name: string) {
  await settle();
  const found = byType(recorded, CONTAINER).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0].inputs as Record<string, unknown> & { envs: string[]; uploads: Upload[] };
}

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

describe("Neo4jCluster with TLS, under the mock runtime", () => {
  const cluster = () =>
    new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123", tls: {} });

  it("makes one authority, a certificate per member and one for the backup runner", async () => {
    cluster();
    await settle();
    const made = certificates()
      .map((r) => [r.name, r.inputs.role, r.inputs.commonName])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(made).toEqual([
      ["core-1-tls", "certificate", "core-1"],
      ["core-2-tls", "certificate", "core-2"],
      ["core-3-tls", "certificate", "core-3"],
      ["core-backup-client-tls", "certificate", "core-backup-client"],
      ["core-tls-ca", "authority", "core estate CA"],
    ]);
  });

  it("hands the authority's key to the certificates only as a secret", async () => {
    cluster();
    await settle();
    const member = certificates().find((r) => r.name === "core-2-tls")!;
    expect(unwrapSecretInput(member.inputs.caPrivateKey)).toMatch(/BEGIN PRIVATE KEY/);
    for (const r of recorded)
      expect(plaintextStrings(r.inputs).filter((t) => t.includes("PRIVATE KEY"))).toEqual([]);
  });

  it("uploads each member's key (secret, 0400, Neo4j's user), certificate and the authority per channel", async () => {
    cluster();
    const c = await container("core-2");
    const uploads = unwrapSecrets(c.uploads) as Upload[];
    const tls = uploads.filter((u) => u.file.startsWith("/ssl/"));
    expect(tls.map((u) => [u.file, u.permissions, u.owner, u.group])).toEqual(
      ["bolt", "https", "cluster", "backup"].flatMap((scope) => [
        [`/ssl/${scope}/private.key`, "0400", "7474", "7474"],
        [`/ssl/${scope}/public.crt`, "0444", "7474", "7474"],
        [`/ssl/${scope}/trusted/ca.crt`, "0444", "7474", "7474"],
      ]),
    );
    const certificate = new X509Certificate(
      String(tls.find((u) => u.file === "/ssl/bolt/public.crt")!.content),
    );
    expect(certificate.subjectAltName).toBe("DNS:core-2, DNS:localhost, IP Address:127.0.0.1");
    const ca = new X509Certificate(String(tls.find((u) => u.file === "/ssl/bolt/trusted/ca.crt")!.content));
    expect(certificate.verify(ca.publicKey)).toBe(true);
  });

  it("requires TLS on Bolt, serves HTTPS on the Browser ports and keeps plain HTTP inside the container", async () => {
    cluster();
    const c = await container("core-1");
    expect(c.envs).toEqual(
      expect.arrayContaining([
        "NEO4J_server_bolt_tls__level=REQUIRED",
        "NEO4J_dbms_ssl_policy_bolt_enabled=true",
        "NEO4J_dbms_ssl_policy_cluster_client__auth=REQUIRE",
        "NEO4J_server_https_enabled=true",
        "NEO4J_server_https_advertised__address=localhost:7475",
        "NEO4J_server_http_listen__address=127.0.0.1:7474",
      ]),
    );
    expect(c.envs.filter((e) => e.startsWith("NEO4J_server_http_advertised"))).toEqual([]);
    expect(c.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ internal: 7473, external: 7475, ip: "127.0.0.1" })]),
    );
    expect((c.ports as { internal: number }[]).map((p) => p.internal)).not.toContain(7474);
  });

  it("outputs +s URIs, https Browser URLs, the authority and the runner's certificate as a secret", async () => {
    const core = cluster();
    expect(await valueOf(core.boltUri)).toBe("neo4j+s://localhost:7688");
    expect((await valueOf(core.members)).map((m) => m.httpUrl)).toEqual([
      "https://localhost:7475",
      "https://localhost:7476",
      "https://localhost:7477",
    ]);
    const ca = new X509Certificate(String(await valueOf(core.caCertificate)));
    expect(ca.ca).toBe(true);
    const runner = await secretAndValue(core.backupClientCertificate);
    expect(runner.secret).toBe(true);
    expect(new X509Certificate(runner.value!.certificate).keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(core.tls).toEqual({ bolt: "required", https: "required", cluster: true, backup: true });
  });

  it("passes the authority to RbacPolicy, which trusts it for its +s URI", async () => {
    const core = cluster();
    new RbacPolicy("access", {
      uri: core.boltUri,
      adminUsername: core.adminUsername,
      adminPassword: core.adminPassword,
      caCertificate: core.caCertificate,
      users: [],
    });
    await settle();
    const policy = byType(recorded, DYNAMIC).find((r) => r.name === "access-policy")!;
    expect(policy.inputs.uri).toBe("neo4j+s://localhost:7688");
    expect(String(policy.inputs.caCertificate)).toMatch(/BEGIN CERTIFICATE/);
  });

  it("lets the day-2 resources (password rotation, rollout gates) speak TLS with the authority", async () => {
    cluster();
    await settle();
    for (const name of ["core-admin", "core-1-rollout", "core-servers"]) {
      const resource = byType(recorded, DYNAMIC).find((r) => r.name === name)!;
      const target = unwrapSecrets(resource.inputs.target) as { scheme: string; caCertificate: string };
      expect(target.scheme).toBe("neo4j+s");
      expect(new X509Certificate(target.caCertificate).ca).toBe(true);
    }
  });

  it("gives the backup runner its client certificate, and neo4j-admin the backup policy to use it", async () => {
    const core = cluster();
    new BackupVolume("backups", { cluster: core, databases: ["neo4j"] });
    const runner = await container("backups-runner");
    const uploads = unwrapSecrets(runner.uploads) as Upload[];
    const config = String(uploads.find((u) => u.file === "/opt/neo4j-backup/config.sh")!.content);
    expect(config).toContain("'--additional-config=/opt/neo4j-backup/neo4j-admin.conf'");
    expect(uploads.find((u) => u.file === "/opt/neo4j-backup/neo4j-admin.conf")!.content).toBe(
      [
        "dbms.ssl.policy.backup.enabled=true",
        "dbms.ssl.policy.backup.base_directory=/opt/neo4j-backup/tls/backup",
        "dbms.ssl.policy.backup.client_auth=REQUIRE",
        "dbms.ssl.policy.backup.verify_hostname=true",
        "",
      ].join("\n"),
    );
    const key = uploads.find((u) => u.file === "/opt/neo4j-backup/tls/backup/private.key")!;
    expect([key.permissions, key.owner]).toEqual(["0400", "7474"]);
    const certificate = new X509Certificate(
      String(uploads.find((u) => u.file === "/opt/neo4j-backup/tls/backup/public.crt")!.content),
    );
    expect(certificate.subject).toBe("O=neo4j-estate\nCN=core-backup-client");
    expect(plaintextStrings(runner).filter((t) => t.includes("PRIVATE KEY"))).toEqual([]);
  });

  it("wires the authority from the cluster to RbacPolicy in the composite", async () => {
    new Neo4jEnterprise("graph", {
      cluster: { acceptLicenseAgreement: "yes", adminPassword: "password123", tls: {} },
      rbac: { users: [] },
      monitoring: false,
      backup: false,
    });
    await settle();
    const policy = byType(recorded, DYNAMIC).find((r) => r.name === "graph-rbac-policy")!;
    expect(policy.inputs.uri).toBe("neo4j+s://localhost:7688");
    expect(new X509Certificate(String(policy.inputs.caCertificate)).ca).toBe(true);
  });

  it("has no TLS, authority or certificate resources unless asked", async () => {
    const core = new Neo4jCluster("core", { acceptLicenseAgreement: "yes", adminPassword: "password123" });
    await settle();
    expect(certificates()).toEqual([]);
    expect(await valueOf(core.caCertificate)).toBeUndefined();
    expect(core.tls).toBeUndefined();
    expect(await valueOf(core.boltUri)).toBe("neo4j://localhost:7688");
  });

  describe("with certificates you provide", () => {
    const now = Date.now();
    const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 30 * 86_400_000) };
    const ca = createCertificateAuthority({ commonName: "corp CA" }, validity);
    const pair = (name: string) =>
      issueCertificate(
        {
          subject: { commonName: name },
          dnsNames: [name, "localhost"],
          ipAddresses: ["127.0.0.1"],
          usages: ["server", "client"],
          ...validity,
        },
        ca,
      );

    it("uploads them instead of making any, the keys as secrets", async () => {
      const solo = pair("solo-1");
      const server = new Neo4jCluster("solo", {
        image: "neo4j:5.26-community",
        adminPassword: "password123",
        tls: { https: "off" },
        tlsCertificates: {
          caCertificate: ca.certificate,
          members: {
            "solo-1": { certificate: solo.certificate, privateKey: pulumi.secret(solo.privateKey) },
          },
        },
      });
      const c = await container("solo-1");
      expect(certificates()).toEqual([]);
      const uploads = unwrapSecrets(c.uploads) as Upload[];
      expect(uploads.find((u) => u.file === "/ssl/bolt/private.key")!.content).toBe(solo.privateKey);
      expect(uploads.map((u) => u.file).filter((f) => f.startsWith("/ssl/https"))).toEqual([]);
      expect(plaintextStrings(c).filter((t) => t.includes("PRIVATE KEY"))).toEqual([]);
      expect(await valueOf(server.caCertificate)).toBe(ca.certificate);
      expect(await valueOf(server.boltUri)).toBe("bolt+s://localhost:7688");
    });
  });
});
