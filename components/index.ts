export { Neo4jCluster, Neo4jClusterArgs, Neo4jClusterMember, NEO4J_CLUSTER_TYPE } from "./neo4j-cluster";
export { InputError } from "./neo4j/errors";
export { ClusterShapeArgs, HostPortsSpec, DiscoveryVersion } from "./neo4j/cluster-spec";
export { BackupVolume, BackupVolumeArgs, BACKUP_VOLUME_TYPE } from "./backup-volume";
export {
  MonitoringStack,
  MonitoringStackArgs,
  MonitoredCluster,
  MONITORING_STACK_TYPE,
} from "./monitoring-stack";
export { AlertThresholds } from "./monitoring/spec";
export { MONITORING_METRICS_FILTER } from "./monitoring/metrics";
export { RbacPolicy, RbacPolicyArgs, RBAC_POLICY_TYPE } from "./rbac-policy";
export { RbacSpec, RbacRole, RbacUser } from "./rbac/spec";
export { rbacToCypher, RbacStatement } from "./rbac/planner";
export { privilege, deny, GrantedPrivilege, DeniedPrivilege } from "./rbac/builder";
export { Neo4jEnterprise, Neo4jEnterpriseArgs, NEO4J_ENTERPRISE_TYPE } from "./neo4j-enterprise";
export * as docker from "./docker";
export * as kubernetes from "./kubernetes";
