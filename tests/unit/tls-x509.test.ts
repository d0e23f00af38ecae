import { X509Certificate, createPrivateKey } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createCertificateAuthority, issueCertificate } from "../../components/tls/x509";

const DAY = 86_400_000;
const validity = (from: number, days: number) => ({
  notBefore: new Date(from),
  notAfter: new Date(from + days * DAY),
});
const now = Date.now();
const ca = createCertificateAuthority(
  { commonName: "core estate CA", organization: "neo4j-estate" },
  validity(now, 3650),
);

/** Asks openssl, strict about RFC 5280, whether `certificate` chains to `authority`. */
function opensslVerify(authority: string, certificate: string, purpose?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "x509-"));
  fs.writeFileSync(path.join(dir, "ca.crt"), authority);
  fs.writeFileSync(path.join(dir, "leaf.crt"), certificate);
  const args = ["verify", "-x509_strict", "-CAfile", path.join(dir, "ca.crt")];
  if (purpose) args.push("-purpose", purpose);
  try {
    return execFileSync("openssl", [...args, path.join(dir, "leaf.crt")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the estate's certificate authority", () => {
  it("is a self-signed CA that may sign end-entity certificates only, with a PKCS #8 key", () => {
    const cert = new X509Certificate(ca.certificate);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe("O=neo4j-estate\nCN=core estate CA");
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(ca.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(cert.checkPrivateKey(createPrivateKey(ca.privateKey))).toBe(true);
    expect(opensslVerify(ca.certificate, ca.certificate)).toMatch(/: OK$/);
  });
});

describe("certificates it issues", () => {
  const member = issueCertificate(
    {
      subject: { commonName: "core-1" },
      dnsNames: ["core-1", "localhost", "graph.example.com"],
      ipAddresses: ["127.0.0.1", "10.0.0.5", "::1"],
      usages: ["server", "client"],
      ...validity(now, 365),
    },
    ca,
  );
  const cert = new X509Certificate(member.certificate);

  it("chain to the authority, as openssl checks them strictly, for servers and clients", () => {
    expect(cert.verify(new X509Certificate(ca.certificate).publicKey)).toBe(true);
    expect(opensslVerify(ca.certificate, member.certificate, "sslserver")).toMatch(/: OK$/);
    expect(opensslVerify(ca.certificate, member.certificate, "sslclient")).toMatch(/: OK$/);
  });

  it("name every host name and address given, and nothing else", () => {
    for (const host of ["core-1", "localhost", "graph.example.com"]) expect(cert.checkHost(host)).toBe(host);
    for (const ip of ["127.0.0.1", "10.0.0.5", "::1"]) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost("core-2")).toBeUndefined();
    expect(cert.checkIP("10.0.0.6")).toBeUndefined();
  });

  it("say what they are for: server and client authentication, not signing certificates", () => {
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    expect(cert.issuer).toBe("O=neo4j-estate\nCN=core estate CA");
    expect(cert.checkPrivateKey(createPrivateKey(member.privateKey))).toBe(true);
  });

  it("are refused for the wrong purpose: a client-only certificate does not serve", () => {
    const client = issueCertificate(
      { subject: { commonName: "backup-runner" }, usages: ["client"], ...validity(now, 30) },
      ca,
    );
    expect(opensslVerify(ca.certificate, client.certificate, "sslclient")).toMatch(/: OK$/);
    expect(() => opensslVerify(ca.certificate, client.certificate, "sslserver")).toThrow();
  });

  it("keep long names and dates past 2049 readable (long DER lengths, GeneralizedTime)", () => {
    const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.example`;
    const far = issueCertificate(
      {
        subject: { commonName: long.slice(0, 64) },
        dnsNames: [long, ...Array.from({ length: 20 }, (_, i) => `member-${i}.${long}`)],
        notBefore: new Date("2049-12-31T00:00:00Z"),
        notAfter: new Date("2051-06-01T12:34:56Z"),
      },
      ca,
    );
    const parsed = new X509Certificate(far.certificate);
    expect(parsed.checkHost(`member-19.${long}`)).toBe(`member-19.${long}`);
    expect(new Date(parsed.validFrom).toISOString()).toBe("2049-12-31T00:00:00.000Z");
    expect(new Date(parsed.validTo).toISOString()).toBe("2051-06-01T12:34:56.000Z");
  });

  it("are not issued with a key that does not belong to the authority", () => {
    const other = createCertificateAuthority({ commonName: "other CA" }, validity(now, 30));
    expect(() =>
      issueCertificate(
        { subject: { commonName: "x" }, ...validity(now, 1) },
        { certificate: ca.certificate, privateKey: other.privateKey },
      ),
    ).toThrow("the authority's private key does not belong to its certificate");
  });
});
