import * as pulumi from "@pulumi/pulumi";
import { ClusterSpec } from "../neo4j/cluster-spec";
import { argChecks } from "../neo4j/checks";
import {
  AlternativeNames,
  TlsSpec,
  checkCaBundle,
  checkProvidedCertificate,
  memberAlternativeNames,
} from "../neo4j/tls";
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

/** What the estate's certificates are made for: the cluster, its TLS plan and its members. */
export interface TlsSubjects {
  /** The cluster's component name, which names the certificates and errors. */
  name: string;
  tls: TlsSpec;
  members: { name: string; hostname: string }[];
  /** The names a member's certificate must carry: every name it is reached by, on its platform. */
  namesOf: (member: { name: string; hostname: string }) => AlternativeNames;
}

/** The names Docker's members are reached by: their container host name, the host's and localhost. */
export function dockerTlsSubjects(spec: ClusterSpec): TlsSubjects {
  return {
    name: spec.name,
    tls: spec.tls!,
    members: spec.members,
    namesOf: (m) => memberAlternativeNames(m.hostname, spec.advertisedHost, spec.hostAddress),
  };
}

/**
 * The estate's certificates: made by EstateCertificate resources (an authority, a certificate per
 * member, one for the backup runner), or the ones given, checked once their values are known.
 * The same on every platform; only the names a member is reached by differ (subjects.namesOf).
 */
export function tlsMaterial(
  parent: pulumi.Resource,
  subjects: TlsSubjects,
  provided:
    | {
        caCertificate: pulumi.Input<string>;
        members: Record<string, { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> }>;
        backupClient?: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
      }
    | undefined,
): TlsMaterial {
  const { tls, namesOf } = subjects;
  if (provided) {
    const check = argChecks("Neo4jCluster", subjects.name);
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
        subjects.members.map((m) => [
          m.name,
          checked(`tlsCertificates.members["${m.name}"]`, provided.members[m.name], namesOf(m)),
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
    `${subjects.name}-tls-ca`,
    {
      ...common,
      role: "authority",
      commonName: `${subjects.name} estate CA`,
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
      subjects.members.map((m) => [
        m.name,
        issue(`${m.name}-tls`, m.hostname, namesOf(m), ["server", "client"]),
      ]),
    ),
    backupClient: tls.backup
      ? issue(
          `${subjects.name}-backup-client-tls`,
          `${subjects.name}-backup-client`,
          { dnsNames: [], ipAddresses: [] },
          ["client"],
        )
      : undefined,
  };
}
