/**
 * What a member's container is made of, as plain data: environment, published ports, health
 * check and labels. The component turns this into a docker.Container and adds nothing of its own.
 */
import { CONTAINER_PORTS, ClusterSpec, MemberSpec } from "./cluster-spec";
import { Settings } from "./settings";
import { settingsToEnv } from "./env";
import { atLeast, formatVersion } from "./version";
import { DockerHealthcheck, byContainerPort, dockerHealthcheck } from "../common/docker-health";
import type { UploadedFile } from "../common/docker-uploads";

/** The official image's `neo4j` user and group (uid and gid 7474), which the server runs as. */
export const NEO4J_UID = 7474;

/** Where the admin credentials file is uploaded; the image reads `neo4j/<password>` from NEO4J_AUTH_PATH. */
export const AUTH_FILE_PATH = "/run/secrets/neo4j-auth";

/**
 * The credentials file is readable by the `neo4j` user alone. The image's entrypoint accepts it as
 * long as that user can read it (it checks owner and mode before dropping root), so 0400 owned by
 * root would stop the member at start, and 0644 would let any process in the container read it.
 */
export const AUTH_FILE_MODE = "0400";

/**
 * The first official image whose entrypoint reads NEO4J_AUTH_PATH (neo4j/docker-neo4j#469, October
 * 2023). Older entrypoints turn the variable into a setting, which strict validation refuses.
 */
export const AUTH_PATH_SINCE = "5.14";

/**
 * How the admin password reaches a member: as an uploaded file (the environment stays free of
 * secrets and readable in a preview diff), or, for images before 5.14, as NEO4J_AUTH in the
 * environment, which then becomes a secret as a whole.
 */
export type AuthDelivery = "file" | "environment";

export function authDelivery(spec: Pick<ClusterSpec, "version">): AuthDelivery {
  return atLeast(spec.version, AUTH_PATH_SINCE) ? "file" : "environment";
}

/** A warning for the older images, which can only take the password in the environment. */
export function authDeliveryWarning(spec: ClusterSpec): string | undefined {
  if (authDelivery(spec) === "file") return undefined;
  return `Neo4jCluster "${spec.name}": Neo4j ${formatVersion(spec.version)} images cannot read the admin password from a file (NEO4J_AUTH_PATH arrived in ${AUTH_PATH_SINCE}), so it goes in the containers' environment: secret in Pulumi state, but visible to docker inspect, and the whole environment shows as [secret] in preview diffs`;
}

export interface PublishedPort {
  internal: number;
  external: number;
  ip: string;
}

export interface MemberContainerPlan {
  env: string[];
  /** In the order the Docker provider reads them back (by container port). */
  ports: PublishedPort[];
  healthcheck: DockerHealthcheck;
  labels: Record<string, string>;
  /** Where the credentials file goes, and who may read it; unused when authDelivery is `environment`. */
  authFile: UploadedFile;
  authDelivery: AuthDelivery;
  /**
   * Container limits. Memory and memory + swap are the same number: no swap, which Neo4j asks
   * for, since a swapped-out page cache or heap is slower than a cache miss.
   */
  limits: { memoryMb?: number; memorySwapMb?: number; cpus?: string };
}

/**
 * Healthy once the HTTP endpoint answers 200, checked with bash alone: the image's tool set
 * differs between versions, but bash runs its entrypoint.
 */
export const HEALTH_CHECK_COMMAND = `exec 3<>/dev/tcp/127.0.0.1/${CONTAINER_PORTS.http} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`;

export function memberContainerPlan(
  spec: ClusterSpec,
  member: MemberSpec,
  settings: Settings,
): MemberContainerPlan {
  const delivery = authDelivery(spec);
  const env = settingsToEnv(settings);
  // The password travels in an uploaded file, so the container's environment (and its diff) holds no secret.
  if (delivery === "file") env.unshift(`NEO4J_AUTH_PATH=${AUTH_FILE_PATH}`);
  if (spec.edition === "enterprise")
    env.unshift(`NEO4J_ACCEPT_LICENSE_AGREEMENT=${spec.acceptLicenseAgreement}`);

  const ports: PublishedPort[] = [
    {
      // The Browser port serves HTTPS when TLS requires it; plain HTTP then stays inside the container.
      internal: spec.tls?.https === "required" ? CONTAINER_PORTS.https : CONTAINER_PORTS.http,
      external: member.hostPorts.http,
      ip: spec.hostAddress,
    },
    { internal: CONTAINER_PORTS.bolt, external: member.hostPorts.bolt, ip: spec.hostAddress },
  ];
  if (member.hostPorts.https !== undefined)
    ports.push({ internal: CONTAINER_PORTS.https, external: member.hostPorts.https, ip: spec.hostAddress });
  if (member.hostPorts.backup !== undefined)
    ports.push({ internal: CONTAINER_PORTS.backup, external: member.hostPorts.backup, ip: spec.hostAddress });
  if (member.hostPorts.metrics !== undefined)
    ports.push({
      internal: CONTAINER_PORTS.metrics,
      external: member.hostPorts.metrics,
      ip: spec.hostAddress,
    });

  return {
    env,
    ports: byContainerPort(ports),
    healthcheck: dockerHealthcheck({
      tests: ["CMD", "bash", "-c", HEALTH_CHECK_COMMAND],
      intervalSeconds: 10,
      timeoutSeconds: 5,
      // A cluster member waits for its peers before it serves: give the first start time to form the cluster.
      startPeriodSeconds: 180,
      retries: 6,
    }),
    labels: {
      "neo4j-estate.member": member.name,
      "neo4j-estate.server-mode": member.mode,
      "neo4j-estate.edition": spec.edition,
    },
    authFile: { path: AUTH_FILE_PATH, mode: AUTH_FILE_MODE, uid: NEO4J_UID, gid: NEO4J_UID },
    authDelivery: delivery,
    limits: {
      memoryMb: spec.resources.memoryMb,
      memorySwapMb: spec.resources.memoryMb,
      cpus: spec.resources.cpus,
    },
  };
}
