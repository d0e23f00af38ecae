import type * as pulumi from "@pulumi/pulumi";
import { Issued, createCertificateAuthority, issueCertificate } from "./x509";

/**
 * The dynamic provider behind the estate's generated certificates: one resource per certificate
 * authority and per certificate it signs. There is nothing outside Pulumi's state to read or
 * delete; `create` makes the key and certificate, `diff` decides when they must be made again.
 *
 * Dynamic-provider traps this is shaped around: the object is serialized as a closure, so it holds
 * no state and no secret and needs only Node's crypto; `update` is implemented so outputs survive
 * a change that needs no new certificate; the private keys are secret outputs
 * (`additionalSecretOutputs` in the component), and the authority's key reaches the certificates
 * it signs as a secret input.
 */

/** What a certificate resource is asked for. */
export interface CertificateInputs {
  /** `authority` (self-signed, signs the others) or `certificate` (signed by the authority given). */
  role: "authority" | "certificate";
  commonName: string;
  organization: string;
  dnsNames: string[];
  ipAddresses: string[];
  usages: ("server" | "client")[];
  /** Days from creation to expiry. */
  validityDays: number;
  /** A `pulumi up` or preview with fewer days than this left makes a new certificate. */
  renewBeforeDays: number;
  /** The authority, for `certificate`. */
  caCertificate?: string;
  /** The authority's key, for `certificate`; arrives as a secret. */
  caPrivateKey?: string;
}

/** The inputs, plus the certificate (PEM), its private key (PKCS #8 PEM, secret) and its validity. */
export interface CertificateOutputs extends CertificateInputs {
  certificate: string;
  privateKey: string;
  notBefore: string;
  notAfter: string;
}

const DAY_MS = 86_400_000;
/** Backdated a little, so a member whose clock is slightly behind the machine running Pulumi accepts it. */
const BACKDATE_MS = 5 * 60_000;

/** Fields whose change means a different certificate: subject, names, usages, lifetime, issuer. */
const IDENTITY_FIELDS = [
  "role",
  "commonName",
  "organization",
  "dnsNames",
  "ipAddresses",
  "usages",
  "validityDays",
  "caCertificate",
] as const;

/**
 * What `pulumi up` must do: replace when the certificate would name or be something else, or when
 * it is within `renewBeforeDays` of expiry (or past it); update in place when only the renewal
 * window moved. Pure: the time is passed in.
 */
export function planCertificate(
  olds: CertificateOutputs,
  news: CertificateInputs,
  now: number,
): { changes: boolean; replaces: string[]; renew: boolean } {
  const replaces: string[] = IDENTITY_FIELDS.filter(
    (field) => JSON.stringify(olds[field] ?? null) !== JSON.stringify(news[field] ?? null),
  );
  const renew = now >= Date.parse(olds.notAfter) - news.renewBeforeDays * DAY_MS;
  if (renew && !replaces.includes("notAfter")) replaces.push("notAfter");
  const changes = replaces.length > 0 || olds.renewBeforeDays !== news.renewBeforeDays;
  return { changes, replaces, renew };
}

/** Makes the key and certificate the inputs ask for; `now` is the start of its validity. */
export function makeCertificate(inputs: CertificateInputs, now: number): CertificateOutputs {
  const validity = {
    notBefore: new Date(Math.floor((now - BACKDATE_MS) / 1000) * 1000),
    notAfter: new Date(Math.floor((now + inputs.validityDays * DAY_MS) / 1000) * 1000),
  };
  const subject = { commonName: inputs.commonName, organization: inputs.organization };
  let issued: Issued;
  if (inputs.role === "authority") {
    issued = createCertificateAuthority(subject, validity);
  } else {
    if (!inputs.caCertificate || !inputs.caPrivateKey)
      throw new Error(`certificate ${inputs.commonName}: the authority's certificate and key are required`);
    issued = issueCertificate(
      {
        subject,
        dnsNames: inputs.dnsNames,
        ipAddresses: inputs.ipAddresses,
        usages: inputs.usages,
        ...validity,
      },
      { certificate: inputs.caCertificate, privateKey: inputs.caPrivateKey },
    );
  }
  return {
    ...inputs,
    ...issued,
    notBefore: validity.notBefore.toISOString(),
    notAfter: validity.notAfter.toISOString(),
  };
}

export const certificateProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: CertificateInputs) {
    const outs = makeCertificate(inputs, Date.now());
    return { id: `${inputs.role}:${inputs.commonName}:${outs.notBefore}`, outs };
  },
  async diff(_id: string, olds: CertificateOutputs, news: CertificateInputs) {
    const { changes, replaces } = planCertificate(olds, news, Date.now());
    return { changes, replaces, deleteBeforeReplace: false };
  },
  async update(_id: string, olds: CertificateOutputs, news: CertificateInputs) {
    // Only the renewal window changed (diff replaces for anything else): keep the certificate.
    return { outs: { ...olds, renewBeforeDays: news.renewBeforeDays } };
  },
  async read(id: string, props: CertificateOutputs) {
    return { id, props };
  },
  async delete() {
    // Nothing outside Pulumi's state holds the key or certificate.
  },
};
