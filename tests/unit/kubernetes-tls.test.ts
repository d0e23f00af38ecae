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
import { KubeObject, graphCluster, oneObject } from "./support/kubernetes";
import { createCertificateAuthority, issueCertificate } from "../../components/tls/x509";
import { validateKubernetesClusterArgs } from "../../components/kubernetes/cluster-spec";
import {
  clientBoltUri,
  clientService,
  memberCertificateNames,
  podSettings,
  statefulSet,
} from "../../components/kubernetes/cluster-objects";
import { runnerFiles, validateKubernetesBackupArgs } from "../../components/kubernetes/backup-objects";

const recorded = recordResources();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kubernetes } = require("../../components") as typeof import("../../components");

const STS = "kubernetes:apps/v1:StatefulSet";
const SECRET = "kubernetes:core/v1:Secret";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
type Obj = KubeObject;

/** Whether a string shows a key or a secret, as it is or base64-encoded (a Secret's data). */
const reveals = (text: string, ...secrets: string[]) =>
  [text, Buffer.from(text, "base64").toString("utf8")].some((t) => secrets.some((x) => t.includes(x)));

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

const one = (type: string, name: string) => oneObject(recorded, type, name);
const plan = (args: Record<string, unknown>) =>
  validateKubernetesClusterArgs("graph", { acceptLicenseAgreement: "eval", ...args }).spec;
/** A Secret's data as registered: base64 values inside a Pulumi secret, decoded. */
function secretData(secret: Obj): Record<string, string> {
  return Object.fromEntries(
    Object.entries(unwrapSecretInput(secret.data) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, "base64").toString(),
    ]),
  );
}

describe("kubernetes.Neo4jCluster TLS, pure", () => {
  it("plans TLS with Docker's meaning, and HTTPS optional needs no host port on Kubernetes", () => {
    expect(plan({ tls: {} }).cluster.tls).toEqual(
      expect.objectContaining({ bolt: "required", https: "required", cluster: true, backup: true }),
    );
    expect(plan({ tls: { https: "optional" } }).cluster.tls!.https).toBe("optional");
    expect(() => plan({ tlsCertificates: { caCertificate: "x", members: {} } })).toThrow(
      'Neo4jCluster "graph": tlsCertificates are only used with tls',
    );
    expect(() => plan({ image: "neo4j:5.26-community", tls: { cluster: true } })).toThrow(
      "tls.cluster secures traffic between cluster members",
    );
    expect(() => plan({ tls: { bolt: "sometimes" } })).toThrow("tls.bolt");
    expect(() => plan({ tls: {}, tlsCertificates: { caCertificate: "x", members: {} } })).toThrow(
      'tlsCertificates.members["graph-1"] is missing',
    );
  });

  it("points every policy at the member's own pair from the Secret and the authority alone", () => {
    const settings = podSettings(plan({ tls: {} }), "PRIMARY");
    for (const scope of ["bolt", "https", "cluster", "backup"]) {
      expect(settings[`dbms.ssl.policy.${scope}.enabled`]).toBe("true");
      expect(settings[`dbms.ssl.policy.${scope}.base_directory`]).toBe("/ssl");
      expect(settings[`dbms.ssl.policy.${scope}.private_key`]).toBe("/ssl/members/$(POD_NAME).key");
      expect(settings[`dbms.ssl.policy.${scope}.public_certificate`]).toBe("/ssl/members/$(POD_NAME).crt");
      expect(settings[`dbms.ssl.policy.${scope}.trusted_dir`]).toBe("/ssl/trusted");
    }
    expect(settings["dbms.ssl.policy.cluster.verify_hostname"]).toBe("true");
    expect(settings["server.bolt.tls_level"]).toBe("REQUIRED");
    expect(settings["server.https.advertised_address"]).toBe("$(POD_NAME).graph.svc.cluster.local:7473");
    // HTTPS required: plain HTTP is the container's own.
    expect(settings["server.http.listen_address"]).toBe("127.0.0.1:7474");
  });

  it("mounts the TLS Secret as files readable by the neo4j group, and probes HTTPS when HTTP is the pod's own", () => {
    const spec = plan({ tls: {} });
    const sts = statefulSet(spec, "PRIMARY", {}, "digest") as Obj;
    const pod = sts.spec.template.spec;
    expect(pod.securityContext).toEqual(expect.objectContaining({ fsGroup: 7474, runAsUser: 7474 }));
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: "tls-members", secret: { secretName: "graph-tls", defaultMode: 0o440 } },
        {
          name: "tls-trusted",
          secret: { secretName: "graph-tls", defaultMode: 0o444, items: [{ key: "ca.crt", path: "ca.crt" }] },
        },
      ]),
    );
    const container = pod.containers[0];
    expect(container.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "tls-members", mountPath: "/ssl/members", readOnly: true },
        { name: "tls-trusted", mountPath: "/ssl/trusted/ca.crt", subPath: "ca.crt", readOnly: true },
      ]),
    );
    expect(container.readinessProbe.httpGet).toEqual({ path: "/", port: 7473, scheme: "HTTPS" });
    expect(container.startupProbe.tcpSocket).toEqual({ port: 7687 });
    expect(container.ports.map((p: Obj) => p.containerPort)).not.toContain(7474);
    expect(container.ports.map((p: Obj) => p.containerPort)).toContain(7473);
    expect(sts.spec.template.metadata.annotations).toEqual({ "neo4j-estate/tls-certificates": "digest" });
    // No key material and no TLS file content in the environment.
    expect(JSON.stringify(container.env)).not.toMatch(/BEGIN/);

    const optional = statefulSet(plan({ tls: { https: "optional" } }), "PRIMARY", {}) as Obj;
    expect(optional.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({
      path: "/",
      port: 7474,
    });
    expect(optional.spec.template.metadata.annotations).toBeUndefined();
  });

  it("publishes Bolt and HTTPS on the client Service, and says +s in the URI", () => {
    const spec = plan({ tls: {} });
    expect((clientService(spec).spec.ports as Obj[]).map((p) => [p.name, p.port])).toEqual([
      ["tcp-bolt", 7687],
      ["tcp-https", 7473],
    ]);
    expect(clientBoltUri(spec)).toBe("neo4j+s://graph.graph.svc.cluster.local:7687");
    expect(clientBoltUri(plan({ image: "neo4j:5.26-community", tls: {} }))).toBe(
      "bolt+s://graph.graph.svc.cluster.local:7687",
    );
    expect(clientBoltUri(plan({ tls: { bolt: "off" } }))).toBe("neo4j://graph.graph.svc.cluster.local:7687");
  });

  it("names a member by its Service (short, namespaced, .svc, fully qualified), the client Service and loopback", () => {
    const names = memberCertificateNames(plan({ namespace: "data", tls: {} }), "graph-2");
    expect(names.dnsNames).toEqual([
      "graph-2",
      "graph-2.data",
      "graph-2.data.svc",
      "graph-2.data.svc.cluster.local",
      "graph-2.graph-headless.data.svc.cluster.local",
      "graph",
      "graph.data",
      "graph.data.svc",
      "graph.data.svc.cluster.local",
      "localhost",
    ]);
    expect(names.ipAddresses).toEqual(["127.0.0.1"]);
  });
});

describe("kubernetes.Neo4jCluster TLS under the mock runtime", () => {
  it("makes an authority and a certificate per member naming its Service, delivered in one Secret", async () => {
    const cluster = graphCluster({ tls: {} });
    await settle();
    const certificates = byType(recorded, DYNAMIC).filter((r) => r.inputs.role === "certificate");
    expect(certificates.map((c) => c.name).sort()).toEqual([
      "graph-1-tls",
      "graph-2-tls",
      "graph-3-tls",
      "graph-backup-client-tls",
    ]);
    const data = secretData(one(SECRET, "graph-tls"));
    expect(Object.keys(data).sort()).toEqual([
      "ca.crt",
      "graph-1.crt",
      "graph-1.key",
      "graph-2.crt",
      "graph-2.key",
      "graph-3.crt",
      "graph-3.key",
    ]);
    const ca = new X509Certificate(data["ca.crt"]);
    expect(ca.ca).toBe(true);
    const member = new X509Certificate(data["graph-2.crt"]);
    expect(member.checkIssued(ca)).toBe(true);
    expect(member.checkHost("graph-2.graph.svc.cluster.local", { subject: "never" })).toBeDefined();
    expect(member.checkHost("graph.graph.svc", { subject: "never" })).toBeDefined();
    expect(member.checkHost("graph-1.graph.svc.cluster.local", { subject: "never" })).toBeUndefined();
    expect(member.checkIP("127.0.0.1")).toBeDefined();
    expect(data["graph-2.key"]).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    expect(await valueOf(cluster.boltUri)).toBe("neo4j+s://graph.graph.svc.cluster.local:7687");
    expect(await valueOf(cluster.caCertificate)).toBe(data["ca.crt"]);
    const client = await secretAndValue(cluster.backupClientCertificate);
    expect(client.secret).toBe(true);
    expect(new X509Certificate(client.value!.certificate).subject).toBe(
      "O=neo4j-estate\nCN=graph-backup-client",
    );
    expect(cluster.tls).toEqual({ bolt: "required", https: "required", cluster: true, backup: true });
    const members = await valueOf(cluster.members);
    expect(members[0].httpUrl).toBe("https://graph-1.graph.svc.cluster.local:7473");
    expect(members[0].httpsUrl).toBe("https://graph-1.graph.svc.cluster.local:7473");
  });

  it("keeps every key out of plain text: only inside secrets, in no other object", async () => {
    graphCluster({ tls: {} });
    await settle();
    for (const r of recorded)
      expect(plaintextStrings(r.inputs).filter((t) => reveals(t, "PRIVATE KEY"))).toEqual([]);
    // The pod template carries a digest of the certificates, plain (certificates are public).
    const sts = one(STS, "graph");
    const digest = sts.spec.template.metadata.annotations["neo4j-estate/tls-certificates"];
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("takes certificates you provide, checked against every name a member is reached by", async () => {
    const now = Date.now();
    const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 30 * 86_400_000) };
    const ca = createCertificateAuthority({ commonName: "corp CA" }, validity);
    const issue = (dnsNames: string[]) =>
      issueCertificate(
        {
          subject: { commonName: dnsNames[0] },
          dnsNames,
          ipAddresses: ["127.0.0.1"],
          usages: ["server", "client"],
          ...validity,
        },
        ca,
      );
    const good = issue([
      ...memberCertificateNames(plan({ image: "neo4j:5.26-community" }), "graph-1").dnsNames,
    ]);
    const solo = kubernetes.Neo4jCluster;
    const cluster = new solo("graph", {
      image: "neo4j:5.26-community",
      adminPassword: "password123",
      tls: {},
      tlsCertificates: {
        caCertificate: ca.certificate,
        members: { "graph-1": { certificate: good.certificate, privateKey: pulumi.secret(good.privateKey) } },
      },
    });
    await settle();
    expect(byType(recorded, DYNAMIC).filter((r) => r.inputs.role === "certificate")).toEqual([]);
    expect(secretData(one(SECRET, "graph-tls"))["graph-1.key"]).toBe(good.privateKey);
    expect(await valueOf(cluster.boltUri)).toBe("bolt+s://graph.graph.svc.cluster.local:7687");
  });
});

describe("kubernetes.BackupVolume with TLS and offsite", () => {
  const offsite = {
    bucket: "neo4j-backups",
    endpoint: "https://minio.storage.svc:9000",
    accessKeyId: pulumi.secret("AKIAEXAMPLE0001"),
    secretAccessKey: pulumi.secret("wJalrXUtnFEMIexampleSECRETkey"),
  };

  it("places the runner's files where the core says, secrets from the Secret and the rest from the ConfigMap", () => {
    const facts = {
      edition: "enterprise" as const,
      onlineBackup: true,
      image: "neo4j:5.26-enterprise",
      neo4jVersion: "5.26",
      backupTls: true,
    };
    const { spec } = validateKubernetesBackupArgs("backups", { cluster: {}, offsite }, facts);
    expect(runnerFiles(spec.backup)).toEqual([
      { key: "runner.sh", path: "runner.sh", from: "configMap" },
      { key: "config.sh", path: "config.sh", from: "configMap" },
      { key: "neo4j-admin.conf", path: "neo4j-admin.conf", from: "configMap" },
      { key: "tls.key", path: "tls/backup/private.key", from: "secret" },
      { key: "tls.crt", path: "tls/backup/public.crt", from: "secret" },
      { key: "tls-ca.crt", path: "tls/backup/trusted/ca.crt", from: "secret" },
      { key: "access-key-id", path: "offsite/access-key-id", from: "secret" },
      { key: "secret-access-key", path: "offsite/secret-access-key", from: "secret" },
    ]);
    expect(() =>
      validateKubernetesBackupArgs("backups", { cluster: {}, offsite: { ...offsite, bucket: "No" } }, facts),
    ).toThrow('BackupVolume "backups": offsite.bucket must be an S3 bucket name');
  });

  it("gives each run the client certificate and the bucket's keys as files, never in the pod spec", async () => {
    const cluster = graphCluster({ tls: {} });
    const backups = new kubernetes.BackupVolume("backups", { cluster, databases: ["neo4j"], offsite });
    await settle();
    const data = secretData(one(SECRET, "backups-runner-secrets"));
    expect(data["access-key-id"]).toBe("AKIAEXAMPLE0001");
    expect(data["secret-access-key"]).toBe("wJalrXUtnFEMIexampleSECRETkey");
    expect(data["tls.key"]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(data["tls.crt"]).subject).toBe("O=neo4j-estate\nCN=graph-backup-client");
    expect(new X509Certificate(data["tls-ca.crt"]).ca).toBe(true);

    const job = one(CRONJOB, "backups");
    const pod = job.spec.jobTemplate.spec.template.spec;
    const runner = pod.volumes.find((v: Obj) => v.name === "runner").projected;
    expect(runner.sources[1].secret).toEqual({
      name: "backups-runner-secrets",
      items: expect.arrayContaining([
        { key: "secret-access-key", path: "offsite/secret-access-key", mode: 0o440 },
        { key: "tls.key", path: "tls/backup/private.key", mode: 0o440 },
      ]),
    });
    expect(JSON.stringify(pod.containers[0].env)).not.toMatch(/AKIA|SECRET|PRIVATE/);
    for (const r of recorded)
      expect(
        plaintextStrings(r.inputs).filter((t) => reveals(t, "PRIVATE KEY", "wJalrXUtnFEMI", "AKIAEXAMPLE")),
      ).toEqual([]);

    const files = unwrapSecrets(one(CONFIGMAP, "backups-runner").data) as Record<string, string>;
    expect(files["config.sh"]).toContain("'--additional-config=/opt/neo4j-backup/neo4j-admin.conf'");
    expect(files["config.sh"]).toContain("OFFSITE='1'");
    expect(files["config.sh"]).toContain("OFFSITE_CREDENTIALS='/opt/neo4j-backup/offsite'");
    expect(files["neo4j-admin.conf"]).toContain(
      "dbms.ssl.policy.backup.base_directory=/opt/neo4j-backup/tls/backup",
    );
    expect(await valueOf(backups.offsiteLocation)).toBe("s3://neo4j-backups/backups/");
  });

  it("has no runner Secret without TLS or offsite", async () => {
    new kubernetes.BackupVolume("backups", { cluster: graphCluster() });
    await settle();
    expect(byType(recorded, SECRET).map((r) => r.name)).toEqual(["graph-auth"]);
    const pod = one(CRONJOB, "backups").spec.jobTemplate.spec.template.spec;
    expect(pod.volumes.find((v: Obj) => v.name === "runner").projected.sources).toHaveLength(1);
  });
});

describe("kubernetes.Neo4jEnterprise with TLS", () => {
  it("wires the authority to RbacPolicy and the client certificate to the backups", async () => {
    const estate = new kubernetes.Neo4jEnterprise("graph", {
      cluster: { acceptLicenseAgreement: "eval", adminPassword: "password123", tls: {} },
      rbac: { users: [] },
      backup: { databases: ["neo4j"] },
      monitoring: { enabled: false },
    });
    await settle();
    const policy = byType(recorded, DYNAMIC).find((r) => r.name === "graph-rbac-policy")!;
    expect(policy.inputs.uri).toBe("neo4j+s://graph.graph.svc.cluster.local:7687");
    expect(new X509Certificate(String(policy.inputs.caCertificate)).ca).toBe(true);
    expect(Object.keys(secretData(one(SECRET, "graph-backups-runner-secrets"))).sort()).toEqual([
      "tls-ca.crt",
      "tls.crt",
      "tls.key",
    ]);
    expect(new X509Certificate(String(await valueOf(estate.caCertificate))).ca).toBe(true);
  });
});
