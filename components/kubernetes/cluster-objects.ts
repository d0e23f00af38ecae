/**
 * The Kubernetes objects of a Neo4j cluster, as plain data (no Pulumi calls): the component turns
 * each into the @pulumi/kubernetes resource of the same kind and adds nothing of its own. Neo4j's
 * settings come from the core (memberSettings), encoded as the official image reads them
 * (settingsToEnv); what is Kubernetes here is only where they go.
 *
 * The shape, and why:
 * - One StatefulSet for the primaries and one for the secondaries, ordinals from 1, so the pods
 *   carry the member names Docker gives them (`graph-1`, `graph-secondary-1`). A StatefulSet's
 *   rolling update changes one pod at a time, highest ordinal first, and waits for each to be Ready
 *   before the next: the rolling, one-member-at-a-time change Neo4j's cluster needs, done by the
 *   controller, with no formation deadlock at the first start (pods start in parallel, since
 *   members wait for each other before they serve). Scaling adds or removes the highest ordinals
 *   and touches no other member, since nothing in the pod template depends on the member count.
 * - One Service per member, headless, publishing not-ready addresses: the member's stable DNS name,
 *   which it advertises, and what Kubernetes-native discovery (resolver K8S) lists by label.
 * - The admin password from a Secret mounted as a file (NEO4J_AUTH_PATH), never in the environment.
 * - With TLS, every member's key and certificate from one Secret mounted as files (below `/ssl`),
 *   each member's policies naming its own pair through `$(POD_NAME)`: the pod template stays the
 *   same for every member, and a new member's pair joins the Secret without changing it.
 * - The settings Neo4j reads only when the cluster first forms come from a ConfigMap that keeps
 *   its first values (the component ignores later changes to it), so that scaling changes no pod
 *   template and restarts no member.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PORTS, ClusterSpec, MemberSpec, ServerMode } from "../neo4j/cluster-spec";
import { KubernetesDiscovery, MemberPlacement, Settings, memberSettings } from "../neo4j/settings";
import { settingToEnvVar } from "../neo4j/env";
import { NEO4J_UID, authDelivery } from "../neo4j/container";
import { Formation } from "../neo4j/formation";
import { AlternativeNames, SharedTlsFiles, TLS_DIR, boltScheme } from "../neo4j/tls";
import { KubernetesClusterSpec, memberServiceHost } from "./cluster-spec";

type ObjectArgs<Spec> = { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: Spec };
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Service port names (at most 15 characters, as Kubernetes requires), also the container ports' names. */
export const PORT_NAMES = {
  http: "tcp-http",
  https: "tcp-https",
  bolt: "tcp-bolt",
  routing: "tcp-routing",
  discoveryV1: "tcp-discovery",
  cluster: "tcp-cluster",
  raft: "tcp-raft",
  backup: "tcp-backup",
  metrics: "tcp-metrics",
} as const;

/** Where the admin credentials file (`neo4j/<password>`) is mounted from its Secret. */
export const AUTH_MOUNT = { directory: "/run/secrets/neo4j-estate", key: "neo4j-auth" } as const;
export const AUTH_FILE = `${AUTH_MOUNT.directory}/${AUTH_MOUNT.key}`;

/**
 * Where the TLS files are mounted: the TLS Secret's member pairs (`<member>.key`, `<member>.crt`)
 * as they come, and the authority alone in a directory of its own, since Neo4j trusts every
 * certificate in its trusted directory and must find no key there.
 */
export const TLS_MOUNT = {
  members: `${TLS_DIR}/members`,
  trusted: `${TLS_DIR}/trusted`,
  caKey: "ca.crt",
} as const;

/** The TLS Secret's keys of one member's pair. */
export function tlsSecretKeys(member: string): { privateKey: string; certificate: string } {
  return { privateKey: `${member}.key`, certificate: `${member}.crt` };
}

/** Every policy of a member reads the member's own pair, named by the pod's name, and the authority. */
export const MEMBER_TLS_FILES: SharedTlsFiles = {
  privateKey: `${TLS_MOUNT.members}/${tlsSecretKeys("$(POD_NAME)").privateKey}`,
  publicCertificate: `${TLS_MOUNT.members}/${tlsSecretKeys("$(POD_NAME)").certificate}`,
  trustedDir: TLS_MOUNT.trusted,
};

/**
 * The pod-template annotation that carries a digest of the certificates: a new certificate (a
 * renewal, a new authority, a certificate of yours) changes the template, and the StatefulSet
 * rolls its members one at a time onto it, as Neo4j reads its certificates only when it starts.
 */
export const TLS_DIGEST_ANNOTATION = "neo4j-estate/tls-certificates";

/** The settings Neo4j reads only when the cluster first forms: kept in the formation ConfigMap. */
export const FORMATION_SETTINGS = [
  "initial.dbms.default_primaries_count",
  "initial.dbms.default_secondaries_count",
  "dbms.cluster.minimum_initial_system_primaries_count",
] as const;

/** The label that selects every member's Service for Kubernetes-native discovery. */
export const DISCOVERY_LABEL = "neo4j-estate.discovery";
const CLUSTER_LABEL = "neo4j-estate.cluster";
const MODE_LABEL = "neo4j-estate.server-mode";
/** Set by the StatefulSet controller on each pod: how a member's Service selects its one pod. */
const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

/** The names of every object, derived from the component's name. */
export function objectNames(name: string) {
  return {
    clientService: name,
    headlessService: `${name}-headless`,
    serviceAccount: name,
    discoveryRole: `${name}-discovery`,
    authSecret: `${name}-auth`,
    tlsSecret: `${name}-tls`,
    formation: `${name}-formation`,
    disruptionBudget: `${name}-primaries`,
    statefulSet: (mode: ServerMode) => (mode === "PRIMARY" ? name : `${name}-secondary`),
  };
}

/** The labels every object of the cluster carries: Kubernetes' recommended ones, ours, the user's. */
export function clusterLabels(spec: KubernetesClusterSpec): Record<string, string> {
  return {
    ...spec.labels,
    "app.kubernetes.io/name": "neo4j",
    "app.kubernetes.io/instance": spec.cluster.name,
    "app.kubernetes.io/part-of": "neo4j-estate",
    "app.kubernetes.io/managed-by": "pulumi",
    [CLUSTER_LABEL]: spec.cluster.name,
  };
}

function modeSelector(spec: KubernetesClusterSpec, mode: ServerMode): Record<string, string> {
  return { [CLUSTER_LABEL]: spec.cluster.name, [MODE_LABEL]: mode };
}

function meta(spec: KubernetesClusterSpec, name: string, extra: Record<string, string> = {}) {
  return { name, namespace: spec.namespace, labels: { ...clusterLabels(spec), ...extra } };
}

/** Kubernetes-native discovery: members' Services by label, reached on their named ports. */
export function kubernetesDiscovery(spec: KubernetesClusterSpec): KubernetesDiscovery {
  return {
    labelSelector: `${DISCOVERY_LABEL}=${spec.cluster.name}`,
    portNames: { discoveryV1: PORT_NAMES.discoveryV1, cluster: PORT_NAMES.cluster },
    clusterDomain: spec.clusterDomain,
  };
}

/**
 * The settings every pod of one StatefulSet starts with. The pod's own name is not known to the
 * template: addresses use `$(POD_NAME)`, which the kubelet expands from the pod's name before the
 * container starts, giving each member its own Service's DNS name.
 */
export function podSettings(spec: KubernetesClusterSpec, mode: ServerMode): Settings {
  const host = memberServiceHost("$(POD_NAME)", spec.namespace, spec.clusterDomain);
  const template: MemberSpec = {
    name: "$(POD_NAME)",
    hostname: host,
    mode,
    slot: 0,
    hostPorts: { http: 0, bolt: 0 },
  };
  // Every primary hosts `system` as a primary, the default Neo4j and its Helm charts use; the
  // member counts are the formation's, which the formation ConfigMap keeps as first deployed.
  const formation: Formation = {
    seeds: spec.cluster.members.filter((m) => m.mode === "PRIMARY").map(() => host),
    primaries: spec.cluster.primaries,
    secondaries: spec.cluster.secondaries,
  };
  const placement: MemberPlacement = {
    boltAdvertisedAddress: `${host}:${CONTAINER_PORTS.bolt}`,
    httpAdvertisedAddress: `${host}:${CONTAINER_PORTS.http}`,
    httpsAdvertisedAddress: `${host}:${CONTAINER_PORTS.https}`,
    tlsFiles: MEMBER_TLS_FILES,
    kubernetesDiscovery: spec.cluster.clustered ? kubernetesDiscovery(spec) : undefined,
  };
  return memberSettings(spec.cluster, template, formation, placement);
}

/** The formation ConfigMap's data: the settings only read when the cluster first forms. */
export function formationData(spec: KubernetesClusterSpec): Record<string, string> {
  const settings = podSettings(spec, "PRIMARY");
  return Object.fromEntries(FORMATION_SETTINGS.map((key) => [key, settings[key]]));
}

/**
 * The container's environment, secret-free: the pod's name, the license, where the password file
 * is, then the settings in the official image's `NEO4J_*` encoding (the formation's from its
 * ConfigMap), then the user's settings, which replace the component's of the same name.
 */
export function podEnv(
  spec: KubernetesClusterSpec,
  mode: ServerMode,
  userSettings: Record<string, EnvVar["value"]>,
): EnvVar[] {
  const names = objectNames(spec.cluster.name);
  const env: EnvVar[] = [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }];
  if (spec.cluster.edition === "enterprise")
    env.push({ name: "NEO4J_ACCEPT_LICENSE_AGREEMENT", value: spec.cluster.acceptLicenseAgreement });
  if (authDelivery(spec.cluster) === "file") env.push({ name: "NEO4J_AUTH_PATH", value: AUTH_FILE });
  else
    // Images before 5.14 read the password only from NEO4J_AUTH: from the Secret, never a literal.
    env.push({
      name: "NEO4J_AUTH",
      valueFrom: { secretKeyRef: { name: names.authSecret, key: AUTH_MOUNT.key } },
    });
  const settings = podSettings(spec, mode);
  for (const key of Object.keys(settings).sort()) {
    if (key in userSettings) continue;
    const formation = (FORMATION_SETTINGS as readonly string[]).includes(key);
    env.push(
      formation
        ? {
            name: settingToEnvVar(key),
            valueFrom: { configMapKeyRef: { name: names.formation, key } },
          }
        : { name: settingToEnvVar(key), value: settings[key] },
    );
  }
  for (const key of Object.keys(userSettings).sort())
    env.push({ name: settingToEnvVar(key), value: userSettings[key] });
  return env;
}

/** The HTTP API's ports: plain HTTP unless HTTPS is required (then it listens on loopback only), HTTPS when on. */
function webPorts(cluster: ClusterSpec): { name: string; port: number }[] {
  const https = cluster.tls?.https ?? "off";
  const ports: { name: string; port: number }[] = [];
  if (https !== "required") ports.push({ name: PORT_NAMES.http, port: CONTAINER_PORTS.http });
  if (https !== "off") ports.push({ name: PORT_NAMES.https, port: CONTAINER_PORTS.https });
  return ports;
}

function containerPorts(cluster: ClusterSpec): { name: string; port: number }[] {
  const ports: { name: string; port: number }[] = [
    ...webPorts(cluster),
    { name: PORT_NAMES.bolt, port: CONTAINER_PORTS.bolt },
  ];
  if (cluster.clustered) {
    ports.push(
      { name: PORT_NAMES.routing, port: CONTAINER_PORTS.routing },
      { name: PORT_NAMES.cluster, port: CONTAINER_PORTS.cluster },
      { name: PORT_NAMES.raft, port: CONTAINER_PORTS.raft },
    );
    if (cluster.discovery !== "v2")
      ports.push({ name: PORT_NAMES.discoveryV1, port: CONTAINER_PORTS.discoveryV1 });
  }
  if (cluster.onlineBackup) ports.push({ name: PORT_NAMES.backup, port: CONTAINER_PORTS.backup });
  if (cluster.prometheusMetrics) ports.push({ name: PORT_NAMES.metrics, port: CONTAINER_PORTS.metrics });
  return ports;
}

/** CPU and memory as requests equal to limits: Neo4j sizes heap and page cache to the limit, and must get it. */
export function containerResources(
  cluster: ClusterSpec,
): k8s.types.input.core.v1.ResourceRequirements | undefined {
  const amounts: Record<string, string> = {};
  if (cluster.resources.cpus !== undefined) amounts.cpu = cluster.resources.cpus;
  if (cluster.resources.memoryMb !== undefined) amounts.memory = `${cluster.resources.memoryMb}Mi`;
  return Object.keys(amounts).length === 0 ? undefined : { requests: amounts, limits: { ...amounts } };
}

/** Primaries spread over nodes; `required` refuses to co-locate two, `preferred` avoids it where it can. */
export function primaryAffinity(spec: KubernetesClusterSpec): k8s.types.input.core.v1.Affinity | undefined {
  const term = {
    labelSelector: { matchLabels: modeSelector(spec, "PRIMARY") },
    topologyKey: "kubernetes.io/hostname",
  };
  if (spec.antiAffinity === "none") return undefined;
  if (spec.antiAffinity === "required")
    return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
    },
  };
}

/**
 * Pods that run Neo4j or its tools run as the image's neo4j user (uid and gid 7474), and volumes
 * are made theirs (fsGroup), so that every file in /data and in the backups is one Neo4j can read.
 */
export function neo4jPodSecurity(): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsUser: NEO4J_UID,
    runAsGroup: NEO4J_UID,
    fsGroup: NEO4J_UID,
    runAsNonRoot: true,
    fsGroupChangePolicy: "OnRootMismatch",
  };
}

/** No privilege escalation and no capabilities: Neo4j needs neither. */
export const CONTAINER_SECURITY: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};

/** How long a first start may take before the kubelet restarts the member: recovery of a large store is slow. */
export const STARTUP_PROBE = { periodSeconds: 10, failureThreshold: 180 } as const;

/** One StatefulSet per server mode; its pods are the members of that mode. */
export function statefulSet(
  spec: KubernetesClusterSpec,
  mode: ServerMode,
  userSettings: Record<string, EnvVar["value"]>,
  tlsDigest?: pulumi.Input<string>,
): ObjectArgs<k8s.types.input.apps.v1.StatefulSetSpec> {
  const cluster = spec.cluster;
  const names = objectNames(cluster.name);
  const replicas = mode === "PRIMARY" ? cluster.primaries : cluster.secondaries;
  const labels = { ...clusterLabels(spec), [MODE_LABEL]: mode };
  const annotations: Record<string, string> = {};
  // Pulumi waits for every pod of the rollout to be Ready, unless told not to.
  if (!spec.waitForHealthy) annotations["pulumi.com/skipAwait"] = "true";
  const volumes: k8s.types.input.core.v1.Volume[] = [];
  const mounts: k8s.types.input.core.v1.VolumeMount[] = [
    { name: "data", mountPath: "/data", subPath: "data" },
    // Logs on the member's volume too, so that they outlive a restart of the pod.
    { name: "data", mountPath: "/logs", subPath: "logs" },
  ];
  if (authDelivery(cluster) === "file") {
    // 0440 with the pod's fsGroup: readable by the neo4j user's group, by no one else.
    volumes.push({
      name: "auth",
      secret: {
        secretName: names.authSecret,
        defaultMode: 0o440,
        items: [{ key: AUTH_MOUNT.key, path: AUTH_MOUNT.key }],
      },
    });
    mounts.push({ name: "auth", mountPath: AUTH_MOUNT.directory, readOnly: true });
  }
  if (cluster.tls) {
    volumes.push(...tlsVolumes(names.tlsSecret));
    mounts.push(
      { name: "tls-members", mountPath: TLS_MOUNT.members, readOnly: true },
      // One file, not the volume: Neo4j trusts every entry of its trusted directory, and a Secret
      // volume's directory also holds the kubelet's own (`..data`), as Neo4j's Helm charts know.
      {
        name: "tls-trusted",
        mountPath: `${TLS_MOUNT.trusted}/${TLS_MOUNT.caKey}`,
        subPath: TLS_MOUNT.caKey,
        readOnly: true,
      },
    );
  }
  const probePort = (port: number) => ({ tcpSocket: { port } });
  const container: k8s.types.input.core.v1.Container = {
    name: "neo4j",
    image: cluster.image.image,
    imagePullPolicy: "IfNotPresent",
    env: podEnv(spec, mode, userSettings),
    ports: containerPorts(cluster).map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
    volumeMounts: mounts,
    resources: containerResources(cluster),
    // Started: Bolt listens. Ready: the HTTP endpoint answers, which a member does once it serves;
    // over HTTPS when plain HTTP is the container's own (the kubelet does not check the certificate).
    // Bolt is probed by TCP, which TLS does not change.
    startupProbe: { ...probePort(CONTAINER_PORTS.bolt), ...STARTUP_PROBE },
    readinessProbe: {
      httpGet:
        cluster.tls?.https === "required"
          ? { path: "/", port: CONTAINER_PORTS.https, scheme: "HTTPS" }
          : { path: "/", port: CONTAINER_PORTS.http },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      ...probePort(CONTAINER_PORTS.bolt),
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 6,
    },
    securityContext: CONTAINER_SECURITY,
  };
  return {
    metadata: { ...meta(spec, names.statefulSet(mode), { [MODE_LABEL]: mode }), annotations },
    spec: {
      replicas,
      ordinals: { start: 1 },
      serviceName: names.headlessService,
      selector: { matchLabels: modeSelector(spec, mode) },
      // Members wait for each other to form the cluster: they must start together, not one by one.
      podManagementPolicy: "Parallel",
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy: spec.retainDataVolumes
        ? { whenDeleted: "Retain", whenScaled: "Retain" }
        : { whenDeleted: "Delete", whenScaled: "Delete" },
      template: {
        metadata:
          tlsDigest === undefined
            ? { labels }
            : { labels, annotations: { [TLS_DIGEST_ANNOTATION]: tlsDigest } },
        spec: {
          serviceAccountName: cluster.clustered ? names.serviceAccount : undefined,
          // Only discovery needs the API; a single server gets no token at all.
          automountServiceAccountToken: cluster.clustered,
          terminationGracePeriodSeconds: cluster.stopGracePeriodSeconds,
          securityContext: neo4jPodSecurity(),
          affinity: mode === "PRIMARY" ? primaryAffinity(spec) : undefined,
          nodeSelector: Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined,
          tolerations: spec.tolerations.length > 0 ? spec.tolerations : undefined,
          containers: [container],
          volumes,
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: clusterLabels(spec) },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: spec.storageClassName,
            resources: { requests: { storage: spec.storageSize } },
          },
        },
      ],
    },
  };
}

/**
 * Headless Services have no address to wait for, and their endpoints list members before they are
 * Ready on purpose. The provider's await on a Service update also returned the object as it was
 * before the update (seen in the pod-level suite: a port renamed with TLS, the state kept the old
 * port and the next preview planned the change again), so the provider takes the API server's
 * answer to its apply instead.
 */
const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

/** The member's own headless Service: its DNS name, and what discovery finds by label. */
export function memberService(
  spec: KubernetesClusterSpec,
  member: MemberSpec,
): ObjectArgs<k8s.types.input.core.v1.ServiceSpec> {
  return {
    metadata: {
      ...meta(spec, member.name, { [DISCOVERY_LABEL]: spec.cluster.name, [MODE_LABEL]: member.mode }),
      annotations: SKIP_AWAIT,
    },
    spec: {
      clusterIP: "None",
      // Members must find each other before they are Ready: they only become Ready together.
      publishNotReadyAddresses: true,
      selector: { [CLUSTER_LABEL]: spec.cluster.name, [POD_NAME_LABEL]: member.name },
      ports: containerPorts(spec.cluster).map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
    },
  };
}

/** The StatefulSets' governing Service, which gives each pod its `<pod>.<service>` DNS name. */
export function headlessService(
  spec: KubernetesClusterSpec,
): ObjectArgs<k8s.types.input.core.v1.ServiceSpec> {
  return {
    metadata: { ...meta(spec, objectNames(spec.cluster.name).headlessService), annotations: SKIP_AWAIT },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { [CLUSTER_LABEL]: spec.cluster.name },
      ports: containerPorts(spec.cluster).map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
    },
  };
}

/** The Service clients connect to: Bolt and HTTP on every Ready member; `neo4j://` routes from there. */
export function clientService(spec: KubernetesClusterSpec): ObjectArgs<k8s.types.input.core.v1.ServiceSpec> {
  return {
    metadata: meta(spec, objectNames(spec.cluster.name).clientService),
    spec: {
      type: spec.serviceType,
      selector: { [CLUSTER_LABEL]: spec.cluster.name },
      ports: [{ name: PORT_NAMES.bolt, port: CONTAINER_PORTS.bolt }, ...webPorts(spec.cluster)].map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.port,
      })),
    },
  };
}

/** A write needs a majority of primaries: at most `primaries - majority` may be evicted at once. */
export function writeQuorum(primaries: number): number {
  return Math.floor(primaries / 2) + 1;
}

/**
 * Voluntary disruptions (node drains, upgrades) keep a write quorum of primaries. Only for more
 * than one primary: with one, a budget of 0 would block every drain for good.
 */
export function disruptionBudget(
  spec: KubernetesClusterSpec,
): ObjectArgs<k8s.types.input.policy.v1.PodDisruptionBudgetSpec> | undefined {
  const primaries = spec.cluster.primaries;
  if (primaries < 2) return undefined;
  return {
    metadata: meta(spec, objectNames(spec.cluster.name).disruptionBudget),
    spec: {
      maxUnavailable: primaries - writeQuorum(primaries),
      selector: { matchLabels: modeSelector(spec, "PRIMARY") },
    },
  };
}

/** What discovery may read: the namespace's Services, nothing else. */
export function discoveryRules(): k8s.types.input.rbac.v1.PolicyRule[] {
  return [{ apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] }];
}

/** Where each member is reached inside the cluster. */
export function memberEndpoints(spec: KubernetesClusterSpec) {
  return spec.cluster.members.map((m) => ({
    member: m,
    bolt: `${m.hostname}:${CONTAINER_PORTS.bolt}`,
    http:
      spec.cluster.tls?.https === "required"
        ? `https://${m.hostname}:${CONTAINER_PORTS.https}`
        : `http://${m.hostname}:${CONTAINER_PORTS.http}`,
    https:
      spec.cluster.tls && spec.cluster.tls.https !== "off"
        ? `https://${m.hostname}:${CONTAINER_PORTS.https}`
        : undefined,
    backup: spec.cluster.onlineBackup ? `${m.hostname}:${CONTAINER_PORTS.backup}` : undefined,
    metrics: spec.cluster.prometheusMetrics ? `${m.hostname}:${CONTAINER_PORTS.metrics}` : undefined,
  }));
}

/** The client Service's URI: `neo4j://` routes for a cluster, `bolt://` for one server, `+s` with Bolt TLS. */
export function clientBoltUri(spec: KubernetesClusterSpec): string {
  const host = memberServiceHost(
    objectNames(spec.cluster.name).clientService,
    spec.namespace,
    spec.clusterDomain,
  );
  return `${boltScheme(spec.cluster.clustered, spec.cluster.tls)}://${host}:${CONTAINER_PORTS.bolt}`;
}

/** A Service's names as clients in the cluster write them: short, namespaced, `.svc` and fully qualified. */
function serviceNames(service: string, spec: KubernetesClusterSpec): string[] {
  return [
    service,
    `${service}.${spec.namespace}`,
    `${service}.${spec.namespace}.svc`,
    memberServiceHost(service, spec.namespace, spec.clusterDomain),
  ];
}

/**
 * The names a member's certificate carries: its own Service (which it advertises, and which the
 * other members, the backup runner and discovery reach it by), its pod's name under the governing
 * Service, the client Service (which lands on any member), and localhost and 127.0.0.1 for tools
 * in the pod and for a port-forward.
 */
export function memberCertificateNames(spec: KubernetesClusterSpec, member: string): AlternativeNames {
  const names = objectNames(spec.cluster.name);
  return {
    dnsNames: [
      ...serviceNames(member, spec),
      memberServiceHost(`${member}.${names.headlessService}`, spec.namespace, spec.clusterDomain),
      ...serviceNames(names.clientService, spec),
      "localhost",
    ],
    ipAddresses: ["127.0.0.1"],
  };
}

/** The TLS Secret's data: every member's key and certificate, and the authority. */
export function tlsSecretData(
  caCertificate: string,
  members: Record<string, { certificate: string; privateKey: string }>,
): Record<string, string> {
  const data: Record<string, string> = { [TLS_MOUNT.caKey]: caCertificate };
  for (const member of Object.keys(members).sort()) {
    const keys = tlsSecretKeys(member);
    data[keys.privateKey] = members[member].privateKey;
    data[keys.certificate] = members[member].certificate;
  }
  return data;
}

/**
 * The TLS Secret as two volumes: the member pairs (0440 with the pod's fsGroup: the neo4j user's
 * group reads them, nobody else), and the authority alone (0444, a certificate is public).
 */
export function tlsVolumes(secretName: string): k8s.types.input.core.v1.Volume[] {
  return [
    { name: "tls-members", secret: { secretName, defaultMode: 0o440 } },
    {
      name: "tls-trusted",
      secret: { secretName, defaultMode: 0o444, items: [{ key: TLS_MOUNT.caKey, path: TLS_MOUNT.caKey }] },
    },
  ];
}
