import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import {
  CONTAINER_PORTS,
  ClusterShapeArgs,
  ClusterSpec,
  MemberSpec,
  browserUrls,
  clientUris,
} from "./neo4j/cluster-spec";
import {
  CLUSTER_ADMIN_USERNAME,
  NEO4J_CLUSTER_COMPONENT,
  checkNetworkName,
  checkSettingValue,
  validateClusterArgs,
} from "./neo4j/cluster-args";
import { OnlyCheckedArgs, argChecks } from "./neo4j/checks";
import { Edition, formatVersion } from "./neo4j/version";
import { memberSettings } from "./neo4j/settings";
import { settingsToEnv } from "./neo4j/env";
import { NEO4J_UID, memberContainerPlan } from "./neo4j/container";
import { planFormation } from "./neo4j/formation";
import { deployedShape, rolloutOrder } from "./neo4j/changes";
import { dockerLabels } from "./common/docker-labels";
import { checkedInput } from "./common/checked-input";
import { adminPasswordFor } from "./common/admin-password";
import { ownedFileUpload, ownedUpload } from "./common/docker-uploads";
import { AdminPassword, ClusterRecord, ClusterServers, MemberGate } from "./lifecycle/resources";
import { AdminTarget } from "./lifecycle/admin";
import { ClusterMember } from "./lifecycle/cluster";
import { TlsChannels, TlsCertificatesArgs, boltScheme, tlsChannels, tlsFiles } from "./neo4j/tls";
import { LICENSES_DIR, PLUGINS_DIR } from "./neo4j/plugins";
import { CertificatePair, TlsMaterial, dockerTlsSubjects, tlsMaterial } from "./tls/estate-tls";
import { checkLocalJar, fetchMavenJar } from "./common/maven";

export const NEO4J_CLUSTER_TYPE = "neo4j-estate:index:Neo4jCluster";

/**
 * Neo4jCluster's arguments: the plain ones (ClusterShapeArgs, checked in the constructor) and the
 * ones that may be Pulumi outputs, checked when they resolve. A new argument goes in
 * ClusterShapeArgs too: the constructor refuses keys it does not know, as typos.
 */
export interface Neo4jClusterArgs extends ClusterShapeArgs {
  /** The admin (`neo4j`) user's password. Default: a random 32-character password. Always treated as a secret. */
  adminPassword?: pulumi.Input<string>;
  /** An existing Docker network to join, by name. Default: a new bridge network named `<name>-network`. */
  networkName?: pulumi.Input<string>;
  /**
   * Extra Neo4j settings by their neo4j.conf name (`db.logs.query.enabled`), laid over the
   * component's own. Names are checked against the settings the chosen Neo4j version accepts.
   */
  settings?: Record<string, pulumi.Input<string>>;
  /**
   * Certificates you provide instead of generated ones, with `tls`: the authority (PEM) every member
   * trusts, a certificate (PEM) and PKCS #8 key per member name, and the backup runner's client
   * pair when backup TLS is on. Keys should be secrets; each certificate is checked, once known,
   * against the key, the authority and the names its member is reached by. Default: generated.
   */
  tlsCertificates?: TlsCertificatesArgs<pulumi.Input<string>>;
  /**
   * Licence files by name, such as `{ "gds.license": config.requireSecret("gdsLicense") }`: uploaded
   * to `/licenses/<name>` (readable by Neo4j's user only) and `server.directories.licenses` set.
   * Point the plugin at it with its own setting (GDS: `gds.enterprise.license_file`). Always secret.
   */
  licenses?: Record<string, pulumi.Input<string>>;
}

/** Which channels speak TLS, known at construction. */
export type Neo4jClusterTls = TlsChannels;

/** A cluster member as other code sees it. */
export interface Neo4jClusterMember {
  /** Member and container name, like `core-1`. */
  name: string;
  /** The host name inside the Docker network. */
  hostname: string;
  /** `PRIMARY` or `SECONDARY`. */
  mode: string;
  /** Bolt from the host, like `localhost:7688`. */
  boltAddress: string;
  /** Browser and HTTP API from the host, like `http://localhost:7475` (`https://` when TLS requires HTTPS). */
  httpUrl: string;
  /** HTTPS from the host, when HTTPS is on. */
  httpsUrl?: string;
  /** Bolt inside the network, like `core-1:7687`. */
  internalBoltAddress: string;
  /** Online backup inside the network, like `core-1:6362`; absent when onlineBackup is off. */
  backupAddress?: string;
  /** Prometheus metrics inside the network, like `core-1:2004`; absent when prometheusMetrics is off. */
  metricsAddress?: string;
}

/**
 * A Neo4j 5 cluster on Docker: primaries and secondaries on one bridge network, each with its own
 * data volume, health check and host ports, forming one Raft cluster. A Community image gives a
 * single server.
 */
export class Neo4jCluster extends pulumi.ComponentResource {
  /** Every member, primaries first. */
  public readonly members: pulumi.Output<Neo4jClusterMember[]>;
  /**
   * The URI for clients on the host, like `neo4j://localhost:7688` (`bolt://` for a single server):
   * a cluster routes writes to the leader. With a non-loopback `hostAddress` and `advertisedHost`, it
   * works from other machines and from containers too.
   */
  public readonly boltUri: pulumi.Output<string>;
  /**
   * The URI for clients in containers on the cluster's network: `boltUri` when the advertised
   * addresses are reachable from there, else `bolt://<first member>:7687`, direct to one member
   * (no routing: send writes to the leader).
   */
  public readonly networkBoltUri: pulumi.Output<string>;
  /** The admin user, `neo4j`. */
  public readonly adminUsername: pulumi.Output<string>;
  /** The admin password (secret). */
  public readonly adminPassword: pulumi.Output<string>;
  /** The Docker network the members are on. */
  public readonly networkName: pulumi.Output<string>;
  /** `host:6362` per member, inside the network; empty when onlineBackup is off. */
  public readonly backupEndpoints: pulumi.Output<string[]>;
  /** `host:2004` per member, inside the network; empty when prometheusMetrics is off. */
  public readonly metricsEndpoints: pulumi.Output<string[]>;
  /** The member containers. */
  public readonly containers: docker.Container[];
  /** The authority (PEM) the members' certificates are signed by, for clients to trust; undefined without TLS. */
  public readonly caCertificate: pulumi.Output<string | undefined>;
  /**
   * The backup runner's client certificate and key (secret), when backup TLS is on: members accept
   * online backups only from its holder. BackupVolume takes it from here.
   */
  public readonly backupClientCertificate: pulumi.Output<CertificatePair | undefined>;

  /** The image reference, for components that run Neo4j tools (neo4j-admin) beside the cluster. */
  public readonly image: string;
  /** `enterprise` or `community`. */
  public readonly edition: Edition;
  /** The Neo4j version the settings were rendered for, like `5.23`. */
  public readonly neo4jVersion: string;
  /** Whether members accept online backups from inside the network. */
  public readonly onlineBackup: boolean;
  /** Whether members serve Prometheus metrics inside the network. */
  public readonly prometheusMetrics: boolean;
  /** The member names, known at construction. */
  public readonly memberNames: string[];
  /** The default database. */
  public readonly defaultDatabase: string;
  /** Which channels speak TLS; undefined when TLS is off. */
  public readonly tls?: Neo4jClusterTls;

  constructor(name: string, args: Neo4jClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before super(): a bad argument must not register even the component.
    // Every argument must be one validateClusterArgs knows: declare a new one in ClusterShapeArgs too.
    const { spec, warnings } = validateClusterArgs(
      name,
      args satisfies OnlyCheckedArgs<Neo4jClusterArgs, ClusterShapeArgs>,
    );
    // A local jar is checked now, so a missing or changed one fails the preview before anything registers.
    const localJars = new Map(
      spec.plugins.map((plugin, i) => {
        if (plugin.source.kind !== "file") return [plugin.name, undefined];
        try {
          return [plugin.name, checkLocalJar(plugin.source.path, plugin.source.sha256)];
        } catch (e) {
          throw jarProblem(spec, i, e as Error);
        }
      }),
    );

    // Only non-secret, plain shape goes to super(): Pulumi 3.202+ stores it in state.
    super(NEO4J_CLUSTER_TYPE, name, {}, opts);
    for (const warning of warnings) pulumi.log.warn(warning, this);

    this.image = spec.image.image;
    this.edition = spec.edition;
    this.neo4jVersion = formatVersion(spec.version);
    this.onlineBackup = spec.onlineBackup;
    this.prometheusMetrics = spec.prometheusMetrics;
    this.memberNames = spec.members.map((m) => m.name);
    this.defaultDatabase = spec.defaultDatabase;
    if (spec.tls) this.tls = tlsChannels(spec.tls);

    const labels = { ...(args.labels ?? {}), "neo4j-estate.cluster": name };
    const described = spec.members.map((m) => describeMember(spec, m));
    const waitTimeoutSeconds = args.healthyTimeoutSeconds ?? 600;
    const wait = args.waitForHealthy ?? true;

    // First: the record refuses, at preview, a change Neo4j cannot make in place, before anything
    // else is touched; and it keeps what the cluster formed with.
    const record = new ClusterRecord(
      `${name}-record`,
      {
        resourceName: name,
        shape: deployedShape(spec),
        members: spec.members.map((m) => ({ name: m.name, mode: m.mode })),
        formation: planFormation(spec),
      },
      { parent: this },
    );

    // The certificates come first: the day-2 resources below speak TLS to the members when Bolt does.
    const tls = spec.tls ? tlsMaterial(this, dockerTlsSubjects(spec), args.tlsCertificates) : undefined;
    const target: AdminTarget = {
      scheme: boltScheme(spec.clustered, spec.tls) as AdminTarget["scheme"],
      addresses: described.map((m) => m.boltAddress),
      username: CLUSTER_ADMIN_USERNAME,
    };
    // An output inside the target: the resources' inputs take it as they take the password.
    const targetWithTrust = tls ? { ...target, caCertificate: tls.caCertificate } : target;
    const requested = adminPasswordFor(this, name, args.adminPassword);
    const admin = new AdminPassword(
      `${name}-admin`,
      {
        resourceName: name,
        target: targetWithTrust,
        adminPassword: requested,
        // Only the first deployment's is kept (the provider's check): the value here is a placeholder
        // that makes the kept one secret in state as well.
        initialPassword: requested,
        waitTimeoutSeconds,
      },
      { parent: this, dependsOn: [record] },
    );
    this.adminPassword = pulumi.secret(admin.adminPassword);
    this.adminUsername = pulumi.output(target.username);

    if (args.networkName !== undefined) {
      this.networkName = checkedInput(args.networkName, (v) => checkNetworkName(name, v));
    } else {
      const network = new docker.Network(
        `${name}-network`,
        { name: `${name}-network`, driver: "bridge", labels: dockerLabels(labels) },
        { parent: this, dependsOn: [record] },
      );
      this.networkName = network.name;
    }

    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: spec.image.image, keepLocally: true },
      { parent: this, dependsOn: [record] },
    );
    const authFile = pulumi.secret(pulumi.interpolate`neo4j/${admin.initialPassword}`);

    // Members in rollout order, each behind the previous one's gate: a change that replaces them all
    // replaces one at a time, each back in the cluster before the next (a single server needs none).
    const jars = spec.plugins.map((plugin, i) => {
      const local = localJars.get(plugin.name);
      return local ? pulumi.output(local) : fetchJar(spec, i);
    });
    const shared = { image, authFile, labels, record, tls, jars };
    const containers = new Map<string, docker.Container>();
    const gates: MemberGate[] = [];
    for (const member of rolloutOrder(spec.members)) {
      const container = this.memberContainer(spec, member, args, shared, gates[gates.length - 1]);
      containers.set(member.name, container);
      if (spec.clustered)
        gates.push(
          new MemberGate(
            `${member.name}-rollout`,
            {
              resourceName: name,
              member: clusterMember(spec, member),
              target: targetWithTrust,
              adminPassword: this.adminPassword,
              containerId: container.id,
              waitTimeoutSeconds,
              wait,
            },
            { parent: this },
          ),
        );
    }
    this.containers = spec.members.map((m) => containers.get(m.name)!);
    const none = pulumi.output<undefined>(undefined);
    this.caCertificate = tls?.caCertificate ?? none;
    this.backupClientCertificate = tls?.backupClient ? pulumi.secret(tls.backupClient) : none;

    // A cluster is ready when its servers resource is: every member enabled and healthy, and the
    // servers of removed members dropped. A single server is ready when its container is healthy.
    const ready: pulumi.Output<unknown> = spec.clustered
      ? new ClusterServers(
          `${name}-servers`,
          {
            resourceName: name,
            members: spec.members.map((m) => clusterMember(spec, m)),
            target: targetWithTrust,
            adminPassword: this.adminPassword,
            waitTimeoutSeconds,
            wait,
          },
          { parent: this, dependsOn: gates },
        ).id
      : pulumi.all(this.containers.map((c) => c.id));

    // Addresses resolve once the members are ready, so whatever uses them (RbacPolicy, a backup
    // runner, Prometheus) waits for the cluster without having to say dependsOn.
    const onceCreated = <T>(value: T) => ready.apply(() => value);
    this.members = onceCreated(described);
    const uris = clientUris(spec);
    this.boltUri = onceCreated(uris.boltUri);
    this.networkBoltUri = onceCreated(uris.networkBoltUri);
    this.backupEndpoints = onceCreated(
      spec.onlineBackup ? spec.members.map((m) => `${m.hostname}:${CONTAINER_PORTS.backup}`) : [],
    );
    this.metricsEndpoints = onceCreated(
      spec.prometheusMetrics ? spec.members.map((m) => `${m.hostname}:${CONTAINER_PORTS.metrics}`) : [],
    );

    this.registerOutputs({
      members: this.members,
      boltUri: this.boltUri,
      networkBoltUri: this.networkBoltUri,
      adminUsername: this.adminUsername,
      adminPassword: this.adminPassword,
      networkName: this.networkName,
      backupEndpoints: this.backupEndpoints,
      metricsEndpoints: this.metricsEndpoints,
      caCertificate: this.caCertificate,
      backupClientCertificate: this.backupClientCertificate,
    });
  }

  private memberContainer(
    spec: ClusterSpec,
    member: MemberSpec,
    args: Neo4jClusterArgs,
    shared: {
      image: docker.RemoteImage;
      authFile: pulumi.Output<string>;
      labels: Record<string, string>;
      record: ClusterRecord;
      tls?: TlsMaterial;
      jars: pulumi.Output<{ path: string; sha256: string }>[];
    },
    after: MemberGate | undefined,
  ): docker.Container {
    // Ports, health check and labels do not depend on the formation; only the settings do.
    const plan = memberContainerPlan(spec, member, memberSettings(spec, member));
    const data = new docker.Volume(
      `${member.name}-data`,
      { name: dataVolumeName(member), labels: dockerLabels({ ...shared.labels, ...plan.labels }) },
      // A resource of its own, so a replaced container finds its store again; kept when the member
      // goes unless asked, so a removal never deletes a store by accident.
      { parent: this, dependsOn: [shared.record], retainOnDelete: args.retainDataVolumes ?? true },
    );
    const logs = new docker.Volume(
      `${member.name}-logs`,
      { name: `${member.name}-logs`, labels: dockerLabels({ ...shared.labels, ...plan.labels }) },
      { parent: this, dependsOn: [shared.record] },
    );
    const extra = args.settings ?? {};
    const check = argChecks(NEO4J_CLUSTER_COMPONENT, spec.name);
    const settingEnvs = pulumi
      .all([
        shared.record.formation,
        pulumi.all(
          Object.keys(extra).map((k) =>
            checkedInput(extra[k], (v) => checkSettingValue(check, k, v)).apply((v) => [k, v] as const),
          ),
        ),
      ])
      .apply(([formation, pairs]) => [
        ...memberContainerPlan(spec, member, memberSettings(spec, member, formation)).env,
        ...settingsToEnv(Object.fromEntries(pairs)),
      ]);
    const auth =
      plan.authDelivery === "file"
        ? { envs: settingEnvs, uploads: [ownedUpload(plan.authFile, shared.authFile)] }
        : {
            envs: pulumi.secret(
              pulumi.all([settingEnvs, shared.authFile]).apply(([e, a]) => [...e, `NEO4J_AUTH=${a}`]),
            ),
            uploads: [],
          };
    // Files Neo4j's user reads: keys and licences by it alone, certificates and jars by anyone.
    const owned = (path: string, secret: boolean) => ({
      path,
      mode: secret ? "0400" : "0444",
      uid: NEO4J_UID,
      gid: NEO4J_UID,
    });
    const uploads = [...auth.uploads];
    if (spec.tls && shared.tls) {
      const pair = shared.tls.members[member.name];
      for (const file of tlsFiles(spec.tls)) {
        const kind = file.content;
        const content = kind === "caCertificate" ? shared.tls.caCertificate : pair.apply((p) => p[kind]);
        uploads.push(
          ownedUpload(
            owned(file.path, file.content === "privateKey"),
            file.content === "privateKey" ? pulumi.secret(content) : content,
          ),
        );
      }
    }
    spec.plugins.forEach((plugin, i) =>
      uploads.push(ownedFileUpload(owned(`${PLUGINS_DIR}/${plugin.jarName}`, false), shared.jars[i])),
    );
    for (const file of spec.licenses)
      uploads.push(ownedUpload(owned(`${LICENSES_DIR}/${file}`, true), pulumi.secret(args.licenses![file])));

    return new docker.Container(
      member.name,
      {
        name: member.name,
        hostname: member.hostname,
        image: shared.image.imageId,
        envs: auth.envs,
        uploads,
        networksAdvanced: [{ name: this.networkName, aliases: [member.hostname] }],
        ports: plan.ports.map((p) => ({
          internal: p.internal,
          external: p.external,
          ip: p.ip,
          protocol: "tcp",
        })),
        volumes: [
          { volumeName: data.name, containerPath: "/data" },
          { volumeName: logs.name, containerPath: "/logs" },
        ],
        healthcheck: plan.healthcheck,
        memory: plan.limits.memoryMb,
        memorySwap: plan.limits.memorySwapMb,
        cpus: plan.limits.cpus,
        restart: args.restart ?? "unless-stopped",
        // SIGTERM, then this long for Neo4j's clean shutdown (a checkpoint) before a kill: on every
        // replacement and removal by Pulumi (destroyGraceSeconds) and every `docker stop` (stopTimeout).
        destroyGraceSeconds: spec.stopGracePeriodSeconds,
        stopTimeout: spec.stopGracePeriodSeconds,
        // A cluster member cannot pass its health check before the others start, so Docker does not
        // wait for it: its rollout gate and the servers resource wait for the cluster over Bolt.
        wait: !spec.clustered && (args.waitForHealthy ?? true),
        waitTimeout: args.healthyTimeoutSeconds ?? 600,
        labels: dockerLabels({ ...shared.labels, ...plan.labels }),
      },
      { parent: this, deleteBeforeReplace: true, dependsOn: after ? [after] : [] },
    );
  }
}

function dataVolumeName(member: MemberSpec): string {
  return `${member.name}-data`;
}

function clusterMember(spec: ClusterSpec, m: MemberSpec): ClusterMember {
  return {
    name: m.name,
    mode: m.mode,
    boltAddress: describeMember(spec, m).boltAddress,
    dataVolume: dataVolumeName(m),
  };
}

function describeMember(spec: ClusterSpec, m: MemberSpec): Neo4jClusterMember {
  const member: Neo4jClusterMember = {
    name: m.name,
    hostname: m.hostname,
    mode: m.mode,
    boltAddress: `${spec.advertisedHost}:${m.hostPorts.bolt}`,
    ...browserUrls(spec, m),
    internalBoltAddress: `${m.hostname}:${CONTAINER_PORTS.bolt}`,
  };
  if (spec.onlineBackup) member.backupAddress = `${m.hostname}:${CONTAINER_PORTS.backup}`;
  if (spec.prometheusMetrics) member.metricsAddress = `${m.hostname}:${CONTAINER_PORTS.metrics}`;
  return member;
}

function jarProblem(spec: ClusterSpec, index: number, e: Error): Error {
  const plugin = spec.plugins[index];
  return argChecks(NEO4J_CLUSTER_COMPONENT, spec.name).fail(
    `plugins[${index}]`,
    `(${plugin.name} ${plugin.version}) cannot be had: ${e.message}`,
  );
}

/** A plugin's jar from the Maven repository, fetched once and cached on this machine. */
function fetchJar(spec: ClusterSpec, index: number): pulumi.Output<{ path: string; sha256: string }> {
  const plugin = spec.plugins[index];
  const source = plugin.source;
  if (source.kind !== "maven") throw new Error(`plugin ${plugin.name} is not from Maven`);
  return pulumi.output(
    fetchMavenJar(
      spec.pluginRepository,
      {
        group: source.group,
        artifact: source.artifact,
        version: plugin.version,
        classifier: source.classifier,
      },
      source.sha256,
    ).catch((e: Error) => {
      throw jarProblem(
        spec,
        index,
        plugin.whenMissing ? new Error(`${e.message}. ${plugin.whenMissing}`) : e,
      );
    }),
  );
}
