/**
 * What a member's container is made of, as plain data: environment, published ports, health
 * check and labels. The component turns this into a docker.Container and adds nothing of its own.
 */
import { CONTAINER_PORTS, ClusterSpec, MemberSpec } from "./cluster-spec";
import { Settings } from "./settings";
import { settingsToEnv } from "./env";

/** Where the admin credentials file is uploaded; the image reads `neo4j/<password>` from NEO4J_AUTH_PATH. */
export const AUTH_FILE_PATH = "/run/secrets/neo4j-auth";

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
  const env = [
    // The password travels in an uploaded file, so the container's environment (and its diff) holds no secret.
    `NEO4J_AUTH_PATH=${AUTH_FILE_PATH}`,
    ...settingsToEnv(settings),
  ];
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
  };
}
