/**
 * The estate on Kubernetes: the same components as on Docker, with the arguments they share named
 * and typed alike, exported as `kubernetes.*` (`new kubernetes.Neo4jCluster(...)`).
 */
export { Neo4jCluster, Neo4jClusterArgs, KUBERNETES_NEO4J_CLUSTER_TYPE } from "./neo4j-cluster";
export {
  KubernetesClusterShapeArgs,
  KubernetesToleration,
  ServiceType,
  AntiAffinity,
  CommonClusterArgs,
} from "./cluster-spec";
export { BackupVolume, BackupVolumeArgs, KUBERNETES_BACKUP_VOLUME_TYPE } from "./backup-volume";
export { KubernetesBackupShapeArgs } from "./backup-objects";
export { MonitoringStack, MonitoringStackArgs, KUBERNETES_MONITORING_STACK_TYPE } from "./monitoring-stack";
export { KubernetesMonitoringShapeArgs, MonitoringMode } from "./monitoring-objects";
export { RbacPolicy, RbacPolicyArgs, KUBERNETES_RBAC_POLICY_TYPE } from "./rbac-policy";
export { Neo4jEnterprise, Neo4jEnterpriseArgs, KUBERNETES_NEO4J_ENTERPRISE_TYPE } from "./neo4j-enterprise";
