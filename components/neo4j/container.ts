/**
 * What a member's container is made of, as plain data: environment, published ports, health
 * check and labels. The component turns this into a docker.Container and adds nothing of its own.
 */
import { CONTAINER_PORTS, ClusterSpec, MemberSpec } from "./cluster-spec";
import { Settings } from "./settings";
import { settingsToEnv } from "./env";
import { atLeast, formatVersion } from "./version";

/** Where the admin credentials file is uploaded; the image reads `neo4j/<password>` from NEO4J_AUTH_PATH. */
export const AUTH_FILE_PATH = "/run/secrets/neo4j-auth";

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
  ports: PublishedPort[];
  healthcheck: { tests: string[]; interval: string; timeout: string; startPeriod: string; retries: number };
  labels: Record<string, string>;
  authFilePath: string;
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
    { internal: CONTAINER_PORTS.http, external: member.hostPorts.http, ip: spec.hostAddress },
    { internal: CONTAINER_PORTS.bolt, external: member.hostPorts.bolt, ip: spec.hostAddress },
  ];
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
    ports,
    healthcheck: {
      tests: ["CMD", "bash", "-c", HEALTH_CHECK_COMMAND],
      interval: "10s",
      timeout: "5s",
      // A cluster member waits for its peers before it serves: give the first start time to form the cluster.
      startPeriod: "180s",
      retries: 6,
    },
    labels: {
      "neo4j-estate.member": member.name,
      "neo4j-estate.server-mode": member.mode,
      "neo4j-estate.edition": spec.edition,
    },
    authFilePath: AUTH_FILE_PATH,
    authDelivery: delivery,
    limits: {
      memoryMb: spec.resources.memoryMb,
      memorySwapMb: spec.resources.memoryMb,
      cpus: spec.resources.cpus,
    },
  };
}
