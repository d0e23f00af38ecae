/**
 * The estate on Docker, as `docker.*`: the same classes the package exports at its top level, so
 * that a program can name its target the way it names the Kubernetes one (`kubernetes.*`).
 */
export { Neo4jCluster, Neo4jClusterArgs } from "../neo4j-cluster";
export { RbacPolicy, RbacPolicyArgs } from "../rbac-policy";
export { BackupVolume, BackupVolumeArgs } from "../backup-volume";
export { MonitoringStack, MonitoringStackArgs } from "../monitoring-stack";
export { Neo4jEnterprise, Neo4jEnterpriseArgs } from "../neo4j-enterprise";
