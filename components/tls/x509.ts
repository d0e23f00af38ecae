/**
 * X.509 certificates made with Node's own crypto: a certificate authority and certificates it
 * signs, with the subject alternative names and key usages TLS between Neo4j members, drivers and
 * the backup runner need. Node can generate keys and sign, but not assemble a certificate, so the
 * DER structures of RFC 5280 are written here; nothing outside Node is needed, which is what lets
 * the estate make its certificates on any machine that runs Pulumi.
 *
 * Keys are ECDSA P-256 in PKCS #8 PEM (`BEGIN PRIVATE KEY`), the form Neo4j 5 reads; signatures
 * are ecdsa-with-SHA256.
 */
import {
  KeyObject,
  X509Certificate,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from "crypto";
import { isIP } from "net";

// ---------------------------------------------------------------------------------------------
// DER, the few types a certificate uses

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octetString = (content: Buffer) => tlv(0x04, content);
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, "utf8"));
const booleanTrue = () => tlv(0x01, Buffer.from([0xff]));
/** A BIT STRING of whole bytes. */
const bitString = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
/** [n] EXPLICIT, constructed. */
const explicit = (n: number, content: Buffer) => tlv(0xa0 | n, content);
/** [n] IMPLICIT, primitive. */
const implicit = (n: number, content: Buffer) => tlv(0x80 | n, content);

/** A non-negative INTEGER from big-endian bytes, with the sign byte DER asks for. */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      base128.unshift((v % 128) | (base128.length ? 0x80 : 0));
      if (v < 128) break;
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime up to 2049, GeneralizedTime after, as RFC 5280 requires; whole seconds, in UTC. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

// ---------------------------------------------------------------------------------------------
// Certificates

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/** Whom a certificate names: a common name, and the organisation that made it. */
export interface Subject {
  commonName: string;
  organization?: string;
}

function name(subject: Subject): Buffer {
  const rdns = [set(sequence(oid(OID.commonName), utf8String(subject.commonName)))];
  if (subject.organization)
    rdns.unshift(set(sequence(oid(OID.organization), utf8String(subject.organization))));
  return sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [booleanTrue()] : []), octetString(value));
}

/** keyUsage bits, numbered as RFC 5280 numbers them. */
const KEY_USAGE_BITS = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

function keyUsage(bits: (keyof typeof KEY_USAGE_BITS)[]): Buffer {
  let value = 0;
  for (const bit of bits) value |= 0x80 >> KEY_USAGE_BITS[bit];
  return tlv(0x03, Buffer.from([7 - Math.max(...bits.map((b) => KEY_USAGE_BITS[b])), value]));
}

/** One DER element found in a buffer: where its content starts and where it ends. */
interface Element {
  start: number;
  contentStart: number;
  end: number;
}

function readElement(der: Buffer, offset: number): Element {
  let size = der[offset + 1];
  let contentStart = offset + 2;
  if (size & 0x80) {
    const count = size & 0x7f;
    size = 0;
    for (let i = 0; i < count; i++) size = size * 256 + der[offset + 2 + i];
    contentStart += count;
  }
  return { start: offset, contentStart, end: contentStart + size };
}

/** The elements inside a constructed element. */
function children(der: Buffer, parent: Element): Element[] {
  const found: Element[] = [];
  for (let at = parent.contentStart; at < parent.end; at = found[found.length - 1].end)
    found.push(readElement(der, at));
  return found;
}

/** The key identifier RFC 5280 suggests: SHA-1 of the subject public key's BIT STRING content. */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: "spki", format: "der" });
  const key = children(spki, readElement(spki, 0))[1];
  // Past the BIT STRING's unused-bits byte.
  return createHash("sha1")
    .update(spki.subarray(key.contentStart + 1, key.end))
    .digest();
}

/** A certificate's subject Name exactly as encoded, to be its certificates' issuer byte for byte. */
function subjectName(certificate: X509Certificate): Buffer {
  const der = certificate.raw;
  const tbs = children(der, readElement(der, 0))[0];
  // version [0], serialNumber, signature, issuer, validity, subject
  const subject = children(der, tbs)[5];
  return der.subarray(subject.start, subject.end);
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split(".").map(Number));
  const [head, tail = ""] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array(address.includes("::") ? missing : 0).fill("0"), ...groups(tail)];
  return Buffer.concat(all.map((g) => Buffer.from(g.padStart(4, "0"), "hex")));
}

export interface CertificateRequest {
  subject: Subject;
  /** Host names the certificate is valid for (subjectAltName dNSName). */
  dnsNames?: string[];
  /** IP addresses the certificate is valid for (subjectAltName iPAddress). */
  ipAddresses?: string[];
  /** What the key may do in TLS: serve, connect as a client, or both (mutual TLS). */
  usages?: ("server" | "client")[];
  notBefore: Date;
  notAfter: Date;
}

export interface Issued {
  /** The certificate, PEM. */
  certificate: string;
  /** Its private key, PKCS #8 PEM. */
  privateKey: string;
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function signCertificate(tbs: Buffer, issuerKey: KeyObject): string {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const signature = sign("sha256", tbs, { key: issuerKey, dsaEncoding: "der" });
  return toPem(sequence(tbs, algorithm, bitString(signature)), "CERTIFICATE");
}

function tbsCertificate(fields: {
  issuer: Buffer;
  subject: Subject;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  // 16 random bytes with the top bit clear: positive, unique, at most 20 bytes as RFC 5280 allows.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  return sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    sequence(oid(OID.ecdsaWithSha256)),
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    name(fields.subject),
    fields.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...fields.extensions)),
  );
}

/** A self-signed certificate authority that may sign end-entity certificates only (pathLen 0). */
export function createCertificateAuthority(
  subject: Subject,
  validity: { notBefore: Date; notAfter: Date },
): Issued {
  const { privateKey, publicKey } = newKey();
  const id = keyIdentifier(publicKey);
  const tbs = tbsCertificate({
    issuer: name(subject),
    subject,
    publicKey,
    ...validity,
    extensions: [
      extension(OID.basicConstraints, true, sequence(booleanTrue(), unsignedInteger(Buffer.from([0])))),
      extension(OID.keyUsage, true, keyUsage(["digitalSignature", "keyCertSign", "cRLSign"])),
      extension(OID.subjectKeyIdentifier, false, octetString(id)),
    ],
  });
  return {
    certificate: signCertificate(tbs, privateKey),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** A certificate for a server or client, with a new key, signed by the authority given. */
export function issueCertificate(request: CertificateRequest, authority: Issued): Issued {
  const caCertificate = new X509Certificate(authority.certificate);
  const caKey = createPrivateKey(authority.privateKey);
  if (!caCertificate.checkPrivateKey(caKey))
    throw new Error("the authority's private key does not belong to its certificate");
  const { privateKey, publicKey } = newKey();
  const alternativeNames = [
    ...(request.dnsNames ?? []).map((dns) => implicit(2, Buffer.from(dns, "ascii"))),
    ...(request.ipAddresses ?? []).map((ip) => implicit(7, ipBytes(ip))),
  ];
  const usages = request.usages ?? ["server"];
  const extensions = [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, keyUsage(["digitalSignature"])),
    extension(
      OID.extKeyUsage,
      false,
      sequence(...usages.map((u) => oid(u === "server" ? OID.serverAuth : OID.clientAuth))),
    ),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
    extension(
      OID.authorityKeyIdentifier,
      false,
      sequence(implicit(0, keyIdentifier(caCertificate.publicKey))),
    ),
  ];
  if (alternativeNames.length > 0)
    extensions.push(extension(OID.subjectAltName, false, sequence(...alternativeNames)));
  const tbs = tbsCertificate({
    issuer: subjectName(caCertificate),
    subject: request.subject,
    publicKey,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    extensions,
  });
  return {
    certificate: signCertificate(tbs, caKey),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
