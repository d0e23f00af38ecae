import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { withOwnFields } from "./field-ownership";
import { CLUSTER_ADMIN_USERNAME, checkSettingValue } from "../neo4j/cluster-args";
import { OnlyCheckedArgs, argChecks } from "../neo4j/checks";
import { Edition, formatVersion } from "../neo4j/version";
import { checkedInput } from "../common/checked-input";
import { adminPasswordFor } from "../common/admin-password";
import type { Neo4jClusterMember, Neo4jClusterTls } from "../neo4j-cluster";
import { TlsCertificatesArgs, boltScheme, tlsChannels } from "../neo4j/tls";
import { CertificatePair, tlsMaterial } from "../tls/estate-tls";
import { CONTAINER_PORTS } from "../neo4j/cluster-spec";
import { AdminPassword, ClusterRecord, ClusterScaleIn } from "../lifecycle/resources";
import { deployedShape } from "../neo4j/changes";
import { planFormation } from "../neo4j/formation";
import type { AdminTarget } from "../lifecycle/admin";
import type { PortForwardAccess } from "../lifecycle/tunnel";
import {
  KubernetesClusterShapeArgs,
  KubernetesClusterSpec,
  validateKubernetesClusterArgs,
} from "./cluster-spec";
import {
  AUTH_MOUNT,
  clientBoltUri,
  clientService,
  clusterLabels,
  discoveryRules,
  disruptionBudget,
  formationData,
  headlessService,
  memberCertificateNames,
  memberEndpoints,
  memberService,
  objectNames,
  statefulSet,
  tlsSecretData,
} from "./cluster-objects";

export const KUBERNETES_NEO4J_CLUSTER_TYPE = "neo4j-estate:kubernetes:Neo4jCluster";

/**
 * kubernetes.Neo4jCluster's arguments: the ones Docker's Neo4jCluster has too, with the same names,
 * types and meaning, and the Kubernetes ones. The provider (which cluster, which kubeconfig) comes
 * from the resource options, as for every Pulumi component: `{ provider }` or `{ providers }`.
 */
export interface Neo4jClusterArgs extends KubernetesClusterShapeArgs {
  /**
   * The admin (`neo4j`) user's password. Default: a random 32-character password. Always treated as
   * a secret. The first one is delivered to the members as a file from a Secret (Neo4j reads it when
   * a member's data is new); a new one is rotated in the running DBMS (ALTER CURRENT USER, through a
   * port-forward to the writer member), replacing no pod.
   */
  adminPassword?: pulumi.Input<string>;
  /** See KubernetesClusterShapeArgs.kubeconfig; a secret. */
  kubeconfig?: pulumi.Input<string>;
  /**
   * Extra Neo4j settings by their neo4j.conf name, laid over the component's own. Names are
   * checked against the settings the chosen Neo4j version accepts.
   */
  settings?: Record<string, pulumi.Input<string>>;
  /**
   * Certificates you provide instead of generated ones, with `tls`, as on Docker: the authority
   * (PEM) every member trusts, a certificate and PKCS #8 key per member, and the backup runner's
   * pair when backup TLS is on. Each certificate is checked once known: signed by the authority,
   * its key matching, valid now, and naming every name the member is reached by (its Service's
   * short, namespaced, `.svc` and fully qualified names, its pod's name under the headless
   * Service, the client Service's names, localhost and 127.0.0.1). Keys should be secrets.
   */
  tlsCertificates?: TlsCertificatesArgs<pulumi.Input<string>>;
}

/**
 * A Neo4j 5 / 2025.x cluster on Kubernetes: one StatefulSet of primaries (and one of secondaries),
 * one volume and one headless Service per member, Kubernetes-native discovery, a client Service,
 * the admin password from a Secret file, probes, a PodDisruptionBudget that keeps a write quorum
 * and anti-affinity that spreads primaries. The outputs mean what Docker's Neo4jCluster's do, with
 * addresses inside the Kubernetes cluster.
 */
export class Neo4jCluster extends pulumi.ComponentResource {
  /** Every member, primaries first; addresses are the members' Service DNS names. */
  public readonly members: pulumi.Output<Neo4jClusterMember[]>;
  /** The client Service's URI, like `neo4j://graph.graph.svc.cluster.local:7687` (`bolt://` for one server). */
  public readonly boltUri: pulumi.Output<string>;
  /** The same as boltUri: inside the Kubernetes cluster every member's advertised address resolves. */
  public readonly networkBoltUri: pulumi.Output<string>;
  /** The admin user, `neo4j`. */
  public readonly adminUsername: pulumi.Output<string>;
  /** The admin password in effect (secret): moves to a new one only once Neo4j has it. */
  public readonly adminPassword: pulumi.Output<string>;
  /** The namespace the members run in. */
  public readonly namespace: pulumi.Output<string>;
  /** `host:6362` per member; empty when onlineBackup is off. */
  public readonly backupEndpoints: pulumi.Output<string[]>;
  /** `host:2004` per member; empty when prometheusMetrics is off. */
  public readonly metricsEndpoints: pulumi.Output<string[]>;
  /** The authority (PEM) the members' certificates are signed by, for clients to trust; undefined without TLS. */
  public readonly caCertificate: pulumi.Output<string | undefined>;
  /**
   * The backup runner's client certificate and key (secret), when backup TLS is on: members accept
   * online backups only from its holder. kubernetes.BackupVolume takes it from here.
   */
  public readonly backupClientCertificate: pulumi.Output<CertificatePair | undefined>;
  /** Which channels speak TLS; undefined when TLS is off. */
  public readonly tls?: Neo4jClusterTls;
  /** The StatefulSets: primaries, then secondaries when there are any. */
  public readonly statefulSets: k8s.apps.v1.StatefulSet[];

  /** The image reference, for components that run Neo4j tools (neo4j-admin) beside the cluster. */
  public readonly image: string;
  public readonly edition: Edition;
  /** The Neo4j version the settings were rendered for, like `5.26`. */
  public readonly neo4jVersion: string;
  public readonly onlineBackup: boolean;
  public readonly prometheusMetrics: boolean;
  /** The member names, known at construction. */
  public readonly memberNames: string[];
  public readonly defaultDatabase: string;
  /** The namespace name, known at construction, for components placed beside the cluster. */
  public readonly namespaceName: string;
  /** The cluster's DNS domain, for addresses of components placed beside the cluster. */
  public readonly clusterDomain: string;
  /** The labels that select this cluster's pods, for monitors and policies. */
  public readonly podSelector: Record<string, string>;
  /**
   * How a provider running where `pulumi up` runs reaches the members: a port-forward through the
   * API server, with the kubeconfig and context given to the cluster (secret when a kubeconfig is).
   */
  public readonly portForward: pulumi.Output<PortForwardAccess>;

  constructor(name: string, args: Neo4jClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before super(): a bad argument must not register even the component.
    const { spec, warnings } = validateKubernetesClusterArgs(
      name,
      args satisfies OnlyCheckedArgs<Neo4jClusterArgs, KubernetesClusterShapeArgs>,
    );
    super(KUBERNETES_NEO4J_CLUSTER_TYPE, name, {}, withOwnFields(opts));
    for (const warning of warnings) pulumi.log.warn(warning, this);

    const cluster = spec.cluster;
    this.image = cluster.image.image;
    this.edition = cluster.edition;
    this.neo4jVersion = formatVersion(cluster.version);
    this.onlineBackup = cluster.onlineBackup;
    this.prometheusMetrics = cluster.prometheusMetrics;
    this.memberNames = cluster.members.map((m) => m.name);
    this.defaultDatabase = cluster.defaultDatabase;
    this.namespaceName = spec.namespace;
    this.clusterDomain = spec.clusterDomain;
    this.podSelector = { "neo4j-estate.cluster": name };
    if (cluster.tls) this.tls = tlsChannels(cluster.tls);

    const names = objectNames(name);
    const labels = clusterLabels(spec);
    const child = { parent: this };

    // First, as on Docker: the record refuses, at preview, a change Neo4j cannot make in place (a
    // downgrade, Enterprise back to Community, a single server to a cluster or back, a calendar
    // version not from 5.26 LTS, removing a primary the cluster formed with), with the way there,
    // before anything is touched: every object below depends on it. The members the cluster formed
    // with are its first primaries, by name (Kubernetes discovery lists pods; no seed list exists).
    const record = new ClusterRecord(
      `${name}-record`,
      {
        resourceName: name,
        shape: deployedShape(cluster),
        members: cluster.members.map((m) => ({ name: m.name, mode: m.mode })),
        formation: {
          ...planFormation(cluster),
          seeds: cluster.members.filter((m) => m.mode === "PRIMARY").map((m) => m.name),
        },
      },
      child,
    );

    // Every namespaced object waits for the namespace it goes in, created here or given.
    let namespaced: pulumi.CustomResourceOptions = { parent: this, dependsOn: [record] };
    if (spec.createNamespace) {
      const ns = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: spec.namespace, labels } },
        { parent: this, dependsOn: [record] },
      );
      namespaced = { parent: this, dependsOn: [record, ns] };
    }
    this.namespace = pulumi.output(spec.namespace);

    const requested = adminPasswordFor(this, name, args.adminPassword);
    const kubeconfig =
      args.kubeconfig === undefined ? undefined : pulumi.secret(pulumi.output(args.kubeconfig));
    const access = {
      namespace: spec.namespace,
      podSelector: Object.entries(this.podSelector)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
      port: CONTAINER_PORTS.bolt,
      ...(spec.context === undefined ? {} : { context: spec.context }),
    };
    this.portForward = kubeconfig
      ? pulumi.secret(kubeconfig.apply((k) => ({ ...access, kubeconfig: k })))
      : pulumi.output(access);
    const tls = cluster.tls
      ? tlsMaterial(
          this,
          {
            name,
            tls: cluster.tls,
            members: cluster.members,
            namesOf: (m) => memberCertificateNames(spec, m.name),
          },
          args.tlsCertificates,
        )
      : undefined;
    // The certificates name 127.0.0.1 too: through the port-forward, Bolt's TLS is verified against
    // the cluster's authority as it is inside the cluster.
    const target: AdminTarget = {
      scheme: boltScheme(cluster.clustered, cluster.tls) as AdminTarget["scheme"],
      addresses: memberEndpoints(spec).map((e) => e.bolt),
      username: CLUSTER_ADMIN_USERNAME,
    };
    // The password the members start with is the first deployment's, kept by the provider; a new
    // one is rotated in the running DBMS by the provider's update (see lifecycle/admin.ts).
    // An output inside the target: the resources' inputs take it as they take the password.
    const adminTarget = tls ? { ...target, caCertificate: tls.caCertificate } : target;
    const admin = new AdminPassword(
      `${name}-admin`,
      {
        resourceName: name,
        target: adminTarget,
        adminPassword: requested,
        // A placeholder that makes the kept one secret in state as well.
        initialPassword: requested,
        waitTimeoutSeconds: spec.healthyTimeoutSeconds,
        portForward: this.portForward,
      },
      { parent: this, ...(namespaced.dependsOn ? { dependsOn: namespaced.dependsOn } : {}) },
    );
    const secret = new k8s.core.v1.Secret(
      `${name}-auth`,
      {
        metadata: { name: names.authSecret, namespace: spec.namespace, labels },
        type: "Opaque",
        stringData: { [AUTH_MOUNT.key]: pulumi.secret(pulumi.interpolate`neo4j/${admin.initialPassword}`) },
      },
      // Neo4j reads the file when a member's data is new only: the Secret keeps the first password
      // (which the provider keeps too), so a rotation changes no pod. Both fields are ignored as well:
      // the API server turns stringData into data, and the provider would otherwise see data vanish
      // from the new inputs and replace the Secret on every update.
      {
        ...namespaced,
        ignoreChanges: ["stringData", "data"],
        additionalSecretOutputs: ["stringData", "data"],
      },
    );
    this.adminUsername = pulumi.output(CLUSTER_ADMIN_USERNAME);

    const dependencies: pulumi.Resource[] = [secret];
    let tlsDigest: pulumi.Output<string> | undefined;
    if (tls) {
      const pairs = pulumi.all(tls.members);
      dependencies.push(
        new k8s.core.v1.Secret(
          `${name}-tls`,
          {
            metadata: { name: names.tlsSecret, namespace: spec.namespace, labels },
            type: "Opaque",
            // data, base64, as the API server keeps it and reads it back.
            data: pulumi.secret(
              pulumi
                .all([tls.caCertificate, pairs])
                .apply(([ca, members]) => base64Values(tlsSecretData(ca, members))),
            ),
          },
          { ...namespaced, additionalSecretOutputs: ["data"] },
        ),
      );
      // Certificates are public: their digest is not a secret, and shows as a change in a preview.
      tlsDigest = pulumi.unsecret(
        pulumi.all([tls.caCertificate, pairs]).apply(([ca, members]) =>
          certificateDigest([
            ca,
            ...Object.keys(members)
              .sort()
              .map((m) => members[m].certificate),
          ]),
        ),
      );
    }
    this.caCertificate = tls ? tls.caCertificate : pulumi.output<string | undefined>(undefined);
    this.backupClientCertificate = tls?.backupClient
      ? pulumi.secret(tls.backupClient)
      : pulumi.output<CertificatePair | undefined>(undefined);
    const endpoints = memberEndpoints(spec);
    if (cluster.clustered) {
      dependencies.push(...this.discoveryAccess(spec, namespaced), this.formation(spec, namespaced));
      // A StatefulSet that shrinks deletes its highest ordinals at once: their servers leave the
      // cluster first, through this resource's update, which the StatefulSets wait for (see
      // lifecycle/scale-in.ts). It connects with the password in effect, after any rotation.
      dependencies.push(
        new ClusterScaleIn(
          `${name}-scale-in`,
          {
            resourceName: name,
            target: adminTarget,
            // Secret in state whatever the engine makes of the admin resource's output.
            adminPassword: pulumi.secret(admin.adminPassword),
            members: endpoints.map((e) => ({
              name: e.member.name,
              mode: e.member.mode,
              boltAddress: e.bolt,
            })),
            waitTimeoutSeconds: spec.healthyTimeoutSeconds,
            portForward: this.portForward,
          },
          child,
        ),
      );
    }

    new k8s.core.v1.Service(`${name}-headless`, headlessService(spec), namespaced);
    for (const member of cluster.members)
      new k8s.core.v1.Service(`${member.name}-service`, memberService(spec, member), namespaced);
    new k8s.core.v1.Service(`${name}-client`, clientService(spec), namespaced);
    const budget = disruptionBudget(spec);
    if (budget) new k8s.policy.v1.PodDisruptionBudget(`${name}-primaries`, budget, namespaced);

    const userSettings = this.userSettings(name, args.settings ?? {});
    const timeouts = { create: `${spec.healthyTimeoutSeconds}s`, update: `${spec.healthyTimeoutSeconds}s` };
    const primaries = new k8s.apps.v1.StatefulSet(
      name,
      statefulSet(spec, "PRIMARY", userSettings, tlsDigest),
      {
        ...namespaced,
        dependsOn: [...toList(namespaced.dependsOn), ...dependencies],
        customTimeouts: timeouts,
      },
    );
    this.statefulSets = [primaries];
    // Secondaries join a formed cluster: they start once the primaries are Ready, and roll after them.
    if (cluster.secondaries > 0)
      this.statefulSets.push(
        new k8s.apps.v1.StatefulSet(
          `${name}-secondary`,
          statefulSet(spec, "SECONDARY", userSettings, tlsDigest),
          {
            ...namespaced,
            dependsOn: [...toList(namespaced.dependsOn), ...dependencies, primaries],
            customTimeouts: timeouts,
          },
        ),
      );

    // Addresses resolve once the StatefulSets are rolled out (Pulumi waits for their pods to be
    // Ready), so whatever uses them waits for the cluster without having to say dependsOn.
    const ready = pulumi.all(this.statefulSets.map((s) => s.metadata.name));
    const onceReady = <T>(value: T) => ready.apply(() => value);
    this.adminPassword = pulumi.secret(pulumi.all([ready, admin.adminPassword]).apply(([, p]) => p));
    this.members = onceReady(
      endpoints.map((e) => {
        const member: Neo4jClusterMember = {
          name: e.member.name,
          hostname: e.member.hostname,
          mode: e.member.mode,
          boltAddress: e.bolt,
          httpUrl: e.http,
          internalBoltAddress: e.bolt,
        };
        if (e.https) member.httpsUrl = e.https;
        if (e.backup) member.backupAddress = e.backup;
        if (e.metrics) member.metricsAddress = e.metrics;
        return member;
      }),
    );
    this.boltUri = onceReady(clientBoltUri(spec));
    this.networkBoltUri = this.boltUri;
    this.backupEndpoints = onceReady(endpoints.flatMap((e) => (e.backup ? [e.backup] : [])));
    this.metricsEndpoints = onceReady(endpoints.flatMap((e) => (e.metrics ? [e.metrics] : [])));

    this.registerOutputs({
      members: this.members,
      boltUri: this.boltUri,
      networkBoltUri: this.networkBoltUri,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
      namespace: this.namespace,
      backupEndpoints: this.backupEndpoints,
      metricsEndpoints: this.metricsEndpoints,
      caCertificate: this.caCertificate,
      backupClientCertificate: this.backupClientCertificate,
    });
  }

  /** The user's settings, each checked again when an output resolves. */
  private userSettings(name: string, settings: Record<string, pulumi.Input<string>>) {
    const check = argChecks("Neo4jCluster", name);
    return Object.fromEntries(
      Object.entries(settings).map(([key, value]) => [
        key,
        checkedInput(value, (v) => checkSettingValue(check, key, v)),
      ]),
    );
  }

  /** A ServiceAccount allowed to list the namespace's Services: what discovery (resolver K8S) reads. */
  private discoveryAccess(
    spec: KubernetesClusterSpec,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Resource[] {
    const names = objectNames(spec.cluster.name);
    const labels = clusterLabels(spec);
    const metadata = (n: string) => ({ name: n, namespace: spec.namespace, labels });
    const account = new k8s.core.v1.ServiceAccount(
      `${spec.cluster.name}-account`,
      { metadata: metadata(names.serviceAccount) },
      opts,
    );
    const role = new k8s.rbac.v1.Role(
      `${spec.cluster.name}-discovery`,
      { metadata: metadata(names.discoveryRole), rules: discoveryRules() },
      opts,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${spec.cluster.name}-discovery`,
      {
        metadata: metadata(names.discoveryRole),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.discoveryRole },
        subjects: [{ kind: "ServiceAccount", name: names.serviceAccount, namespace: spec.namespace }],
      },
      opts,
    );
    return [account, role, binding];
  }

  /** The settings read when the cluster first forms, kept as first deployed (scaling must not change them). */
  private formation(spec: KubernetesClusterSpec, opts: pulumi.CustomResourceOptions): pulumi.Resource {
    const names = objectNames(spec.cluster.name);
    return new k8s.core.v1.ConfigMap(
      `${spec.cluster.name}-formation`,
      {
        metadata: { name: names.formation, namespace: spec.namespace, labels: clusterLabels(spec) },
        data: formationData(spec),
      },
      { ...opts, ignoreChanges: ["data"] },
    );
  }
}

function base64Values(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]),
  );
}

/** A digest of PEM certificates, in the order given. */
function certificateDigest(pems: string[]): string {
  return createHash("sha256").update(pems.join("\n")).digest("hex");
}

function toList(value: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value as pulumi.Input<pulumi.Resource>];
}
