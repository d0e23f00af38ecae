import * as pulumi from "@pulumi/pulumi";
import { ClusterSpec } from "../neo4j/cluster-spec";
import { argChecks } from "../neo4j/checks";
import { checkCaBundle, checkProvidedCertificate, memberAlternativeNames } from "../neo4j/tls";
import { EstateCertificate } from "./certificate";

/** A certificate and its key, the key secret. */
export interface CertificatePair {
  certificate: string;
  privateKey: string;
}

/** What the members and the backup runner need for TLS, generated or provided. */
export interface TlsMaterial {
  /** The authority every member and client trusts (PEM). */
  caCertificate: pulumi.Output<string>;
  /** Per member name: its certificate and key (secret). */
  members: Record<string, pulumi.Output<CertificatePair>>;
  /** The backup runner's client certificate and key (secret), when backup TLS is on. */
  backupClient?: pulumi.Output<CertificatePair>;
}

const ORGANIZATION = "neo4j-estate";

/**
 * The estate's certificates: made by EstateCertificate resources (an authority, a certificate per
 * member, one for the backup runner), or the ones given, checked once their values are known.
 */
export function tlsMaterial(
  parent: pulumi.Resource,
  spec: ClusterSpec,
  provided:
    | {
        caCertificate: pulumi.Input<string>;
        members: Record<string, { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> }>;
        backupClient?: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
      }
    | undefined,
): TlsMaterial {
  const tls = spec.tls!;
  const namesOf = (hostname: string) =>
    memberAlternativeNames(hostname, spec.advertisedHost, spec.hostAddress);
  if (provided) {
    const check = argChecks("Neo4jCluster", spec.name);
    const caCertificate = pulumi.output(provided.caCertificate).apply((pem) => checkCaBundle(check, pem));
    const checked = (
      field: string,
      pair: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> },
      names: { dnsNames: string[]; ipAddresses: string[] },
    ) =>
      pulumi.secret(
        pulumi
          .all([pair.certificate, pair.privateKey, caCertificate])
          .apply(([certificate, privateKey, ca]) => {
            checkProvidedCertificate(check, field, { certificate, privateKey }, ca, names);
            return { certificate, privateKey };
          }),
      );
    return {
      caCertificate,
      members: Object.fromEntries(
        spec.members.map((m) => [
          m.name,
          checked(`tlsCertificates.members["${m.name}"]`, provided.members[m.name], namesOf(m.hostname)),
        ]),
      ),
      backupClient:
        tls.backup && provided.backupClient
          ? checked("tlsCertificates.backupClient", provided.backupClient, { dnsNames: [], ipAddresses: [] })
          : undefined,
    };
  }

  const common = { organization: ORGANIZATION, renewBeforeDays: tls.renewBeforeDays };
  const authority = new EstateCertificate(
    `${spec.name}-tls-ca`,
    {
      ...common,
      role: "authority",
      commonName: `${spec.name} estate CA`,
      dnsNames: [],
      ipAddresses: [],
      usages: [],
      validityDays: tls.authorityValidityDays,
    },
    { parent },
  );
  const issue = (
    name: string,
    commonName: string,
    names: { dnsNames: string[]; ipAddresses: string[] },
    usages: ("server" | "client")[],
  ) => {
    const certificate = new EstateCertificate(
      name,
      {
        ...common,
        role: "certificate",
        commonName,
        ...names,
        usages,
        validityDays: tls.validityDays,
        caCertificate: authority.certificate,
        // Secret already (additionalSecretOutputs); said again so no path can lose it.
        caPrivateKey: pulumi.secret(authority.privateKey),
      },
      { parent },
    );
    return pulumi.secret(
      pulumi
        .all([certificate.certificate, certificate.privateKey])
        .apply(([c, k]) => ({ certificate: c, privateKey: k })),
    );
  };
  return {
    caCertificate: authority.certificate,
    // Members serve clients and, between themselves (Raft, catch-up, backups), are clients too.
    members: Object.fromEntries(
      spec.members.map((m) => [
        m.name,
        issue(`${m.name}-tls`, m.hostname, namesOf(m.hostname), ["server", "client"]),
      ]),
    ),
    backupClient: tls.backup
      ? issue(
          `${spec.name}-backup-client-tls`,
          `${spec.name}-backup-client`,
          { dnsNames: [], ipAddresses: [] },
          ["client"],
        )
      : undefined,
  };
}
