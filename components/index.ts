export { Neo4jCluster, Neo4jClusterArgs, Neo4jClusterMember, NEO4J_CLUSTER_TYPE } from "./neo4j-cluster";
export { InputError } from "./neo4j/errors";
