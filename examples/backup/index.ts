import * as pulumi from "@pulumi/pulumi";
import { BackupVolume, Neo4jCluster } from "../../components";

const config = new pulumi.Config();

// The seed's backup demo runs one server on the standard ports; `primaries: 3` turns it into the
// clustered variant, whose restore goes through a designated seeder instead.
const neo4j = new Neo4jCluster("neo4j", {
  acceptLicenseAgreement: config.require("acceptLicenseAgreement") as "yes" | "eval",
  adminPassword: config.getSecret("adminPassword"),
  primaries: config.getNumber("primaries") ?? 1,
  hostPorts: { http: 7474, bolt: 7687 },
});

// Everything else is the default: every database the cluster has, `system` included, hourly, a full
// backup then 23 differentials per chain, seven chains kept, in a named volume, and one backup right
// at deploy. The runner needs no password: neo4j-admin backs up over the members' backup port.
const backups = new BackupVolume("neo4j-backups", {
  cluster: neo4j,
  schedule: config.get("schedule"),
  hostPath: config.get("backupDir"),
  pushgatewayUrl: config.get("pushgatewayUrl"),
});

export const boltUri = neo4j.boltUri;
export const adminPassword = neo4j.adminPassword;
export const backupLocation = backups.location;
export const backupRunner = backups.runnerName;
export const statusCommand = backups.statusCommand;
export const logsCommand = backups.logsCommand;
export const backupNowCommand = backups.backupNowCommand;
export const restoreCommand = backups.restoreCommand;
