import { argChecks } from "../../components/neo4j/checks";
import {
  TlsClusterFacts,
  TlsSpec,
  boltScheme,
  checkCaBundle,
  checkProvidedCertificate,
  memberAlternativeNames,
  planTls,
  tlsFiles,
  tlsSettings,
} from "../../components/neo4j/tls";
import { createCertificateAuthority, issueCertificate } from "../../components/tls/x509";

const check = argChecks("Neo4jCluster", "core");
const cluster: TlsClusterFacts = {
  edition: "enterprise",
  clustered: true,
  onlineBackup: true,
  memberNames: ["core-1", "core-2", "core-3"],
  httpsHostPort: false,
};
const solo: TlsClusterFacts = { ...cluster, clustered: false, onlineBackup: false, memberNames: ["solo-1"] };

describe("planTls", () => {
  it("is off unless asked, and secures every channel a cluster has when asked", () => {
    expect(planTls({}, cluster, check)).toBeUndefined();
    expect(planTls({ tls: {} }, cluster, check)).toEqual({
      bolt: "required",
      https: "required",
      cluster: true,
      backup: true,
      source: "generated",
      validityDays: 365,
      renewBeforeDays: 30,
      authorityValidityDays: 3650,
    });
  });

  it("secures Bolt and HTTPS only on a single Community server", () => {
    expect(planTls({ tls: {} }, { ...solo, edition: "community" }, check)).toMatchObject({
      cluster: false,
      backup: false,
    });
  });

  it.each([
    [
      { tls: { bolt: "yes" } },
      cluster,
      /tls.bolt must be one of "off", "optional", "required" \(got "yes"\)/,
    ],
    [{ tls: { bolts: "required" } }, cluster, /tls.bolts is not a field of tls; did you mean bolt\?/],
    [
      { tls: { cluster: true } },
      solo,
      /tls.cluster secures traffic between cluster members, and this is a single server/,
    ],
    [{ tls: { backup: true } }, solo, /tls.backup secures the online-backup port, but onlineBackup is off/],
    [{ tls: { https: "optional" } }, cluster, /hostPorts.https is needed with tls.https "optional"/],
    [
      { tls: {} },
      { ...cluster, httpsHostPort: true },
      /hostPorts.https is not used with tls.https "required"/,
    ],
    [{}, { ...cluster, httpsHostPort: true }, /hostPorts.https publishes HTTPS, but tls is not set/],
    [
      { tls: { bolt: "off", https: "off", cluster: false, backup: false } },
      cluster,
      /tls turns every channel off/,
    ],
    [
      { tls: { validityDays: 3 } },
      cluster,
      /tls.validityDays must be a whole number from 7 to 3650 \(got 3\)/,
    ],
    [
      { tls: { validityDays: 30, renewBeforeDays: 30 } },
      cluster,
      /tls.renewBeforeDays must be less than tls.validityDays \(30\)/,
    ],
    [{ tlsCertificates: {} }, cluster, /tlsCertificates are only used with tls/],
  ])("refuses %j", (args, facts, message) => {
    expect(() => planTls(args, facts, check)).toThrow(message);
  });

  describe("with certificates you provide", () => {
    const pair = { certificate: "pem", privateKey: "pem" };
    const members = { "core-1": pair, "core-2": pair, "core-3": pair };

    it("takes them instead of generating", () => {
      expect(
        planTls(
          { tls: {}, tlsCertificates: { caCertificate: "pem", members, backupClient: pair } },
          cluster,
          check,
        )?.source,
      ).toBe("provided");
    });

    it.each([
      [{ members }, /tlsCertificates.caCertificate is required/],
      [
        { caCertificate: "pem", members: { "core-1": pair, "core-2": pair }, backupClient: pair },
        /tlsCertificates.members\["core-3"\] is missing/,
      ],
      [
        { caCertificate: "pem", members: { ...members, "core-4": pair }, backupClient: pair },
        /tlsCertificates.members.core-4 is not a field of tlsCertificates.members/,
      ],
      [
        {
          caCertificate: "pem",
          members: { ...members, "core-1": { certificate: "pem" } },
          backupClient: pair,
        },
        /tlsCertificates.members\["core-1"\].privateKey is required/,
      ],
      [{ caCertificate: "pem", members }, /tlsCertificates.backupClient is required with backup TLS/],
    ])("refuses an incomplete set: %j", (certificates, message) => {
      expect(() => planTls({ tls: {}, tlsCertificates: certificates }, cluster, check)).toThrow(message);
    });
  });
});

const spec = (over: Partial<TlsSpec> = {}): TlsSpec => ({
  ...planTls({ tls: {} }, cluster, check)!,
  ...over,
});

describe("a member's TLS settings", () => {
  it("enable one policy per channel, in /ssl/<scope>, mutual with host names checked between members", () => {
    const settings = tlsSettings(spec(), { http: 7474, https: 7473 }, { httpsAddress: "localhost:7475" });
    expect(settings).toEqual({
      "dbms.ssl.policy.bolt.enabled": "true",
      "dbms.ssl.policy.bolt.base_directory": "/ssl/bolt",
      "dbms.ssl.policy.bolt.client_auth": "NONE",
      "dbms.ssl.policy.https.enabled": "true",
      "dbms.ssl.policy.https.base_directory": "/ssl/https",
      "dbms.ssl.policy.https.client_auth": "NONE",
      "dbms.ssl.policy.cluster.enabled": "true",
      "dbms.ssl.policy.cluster.base_directory": "/ssl/cluster",
      "dbms.ssl.policy.cluster.client_auth": "REQUIRE",
      "dbms.ssl.policy.cluster.verify_hostname": "true",
      "dbms.ssl.policy.backup.enabled": "true",
      "dbms.ssl.policy.backup.base_directory": "/ssl/backup",
      "dbms.ssl.policy.backup.client_auth": "REQUIRE",
      "dbms.ssl.policy.backup.verify_hostname": "true",
      "server.bolt.tls_level": "REQUIRED",
      "server.https.enabled": "true",
      "server.https.listen_address": "0.0.0.0:7473",
      "server.https.advertised_address": "localhost:7475",
      "server.http.listen_address": "127.0.0.1:7474",
    });
  });

  it("leave plain HTTP where it was and Bolt optional when asked", () => {
    const settings = tlsSettings(
      spec({ bolt: "optional", https: "optional" }),
      { http: 7474, https: 7473 },
      {
        httpsAddress: "localhost:7480",
      },
    );
    expect(settings["server.bolt.tls_level"]).toBe("OPTIONAL");
    expect(settings["server.http.listen_address"]).toBeUndefined();
    expect(settings["server.https.advertised_address"]).toBe("localhost:7480");
  });

  it("set nothing for a channel that is off", () => {
    const settings = tlsSettings(
      spec({ https: "off", cluster: false }),
      { http: 7474, https: 7473 },
      {
        httpsAddress: "",
      },
    );
    expect(Object.keys(settings).filter((k) => /https|cluster/.test(k))).toEqual([]);
  });

  it("read a key, a certificate and the authority per enabled channel", () => {
    expect(tlsFiles(spec({ https: "off", cluster: false, backup: false }))).toEqual([
      { path: "/ssl/bolt/private.key", content: "privateKey" },
      { path: "/ssl/bolt/public.crt", content: "certificate" },
      { path: "/ssl/bolt/trusted/ca.crt", content: "caCertificate" },
    ]);
  });

  it("name the member's host name, the host name clients use and localhost", () => {
    expect(memberAlternativeNames("core-1", "localhost", "127.0.0.1")).toEqual({
      dnsNames: ["core-1", "localhost"],
      ipAddresses: ["127.0.0.1"],
    });
    expect(memberAlternativeNames("core-2", "graph.example.com", "10.0.0.5")).toEqual({
      dnsNames: ["core-2", "localhost", "graph.example.com"],
      ipAddresses: ["127.0.0.1", "10.0.0.5"],
    });
    expect(memberAlternativeNames("core-3", "10.0.0.5", "0.0.0.0").ipAddresses).toEqual([
      "127.0.0.1",
      "10.0.0.5",
    ]);
  });

  it("give clients the +s schemes when Bolt is encrypted", () => {
    expect(boltScheme(true, spec())).toBe("neo4j+s");
    expect(boltScheme(false, spec({ bolt: "optional" }))).toBe("bolt+s");
    expect(boltScheme(true, spec({ bolt: "off" }))).toBe("neo4j");
    expect(boltScheme(false, undefined)).toBe("bolt");
  });
});

describe("certificates you provide, checked once known", () => {
  const DAY = 86_400_000;
  const now = Date.now();
  const validity = { notBefore: new Date(now - DAY), notAfter: new Date(now + 30 * DAY) };
  const ca = createCertificateAuthority({ commonName: "corp CA" }, validity);
  const names = { dnsNames: ["core-1", "localhost"], ipAddresses: ["127.0.0.1"] };
  const good = issueCertificate(
    { subject: { commonName: "core-1" }, ...names, usages: ["server", "client"], ...validity },
    ca,
  );
  const field = 'tlsCertificates.members["core-1"]';
  const run = (pair: { certificate: string; privateKey: string }, bundle = ca.certificate, at = now) =>
    checkProvidedCertificate(check, field, pair, bundle, names, at);

  it("accept a certificate of the authority that names what the member is reached by", () => {
    expect(() => run(good)).not.toThrow();
    const other = createCertificateAuthority({ commonName: "old CA" }, validity);
    expect(() => run(good, other.certificate + ca.certificate)).not.toThrow();
  });

  it.each([
    [
      "a key of another certificate",
      () => ({ ...good, privateKey: ca.privateKey }),
      /\.privateKey does not belong to tlsCertificates.members\["core-1"\].certificate$/,
    ],
    [
      "a PKCS #1 key",
      () => ({ ...good, privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----" }),
      /must be an unencrypted PKCS #8 PEM key/,
    ],
    ["no certificate", () => ({ ...good, certificate: "not pem" }), /\.certificate is not a PEM certificate/],
    [
      "a certificate of another authority",
      () =>
        issueCertificate(
          { subject: { commonName: "core-1" }, ...names, ...validity },
          createCertificateAuthority({ commonName: "x" }, validity),
        ),
      /is not signed by tlsCertificates.caCertificate/,
    ],
    [
      "a certificate without the member's host name",
      () =>
        issueCertificate(
          {
            subject: { commonName: "core-1" },
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1"],
            ...validity,
          },
          ca,
        ),
      /does not name core-1 in its subject alternative names, .* \(it names DNS:localhost, IP Address:127.0.0.1\)/,
    ],
  ])("refuse %s, naming the field", (_what, pair, message) => {
    expect(() => run(pair())).toThrow(message);
  });

  it("refuse an expired certificate, which Neo4j would refuse to start with", () => {
    expect(() => run(good, ca.certificate, now + 40 * DAY)).toThrow(/\.certificate is not valid now/);
  });

  it("never show key material in an error", () => {
    try {
      run({ ...good, privateKey: ca.privateKey });
    } catch (e) {
      expect((e as Error).message).not.toContain("PRIVATE KEY");
    }
    expect.assertions(1);
  });

  it("refuse an authority bundle with no certificate in it", () => {
    expect(() => checkCaBundle(check, "nothing")).toThrow(
      /tlsCertificates.caCertificate must be one or more PEM certificates/,
    );
    expect(checkCaBundle(check, ca.certificate)).toBe(ca.certificate);
  });
});
