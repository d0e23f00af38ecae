import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Neo4jEnterprise } from "../../components";
import { seedAccess } from "../rbac/seed";

// The blog post's four demos together: a three-member cluster, its users and roles, scheduled
// backups and Prometheus + Grafana, on one network. Deploy it with `npm run up` from the repository root.
const config = new pulumi.Config();

// The seed typed its users' passwords into Cypher; here each is generated and kept as a secret.
const userPassword = (user: string) =>
  new random.RandomPassword(`${user}-password`, { length: 20, special: false }).result;
const users = {
  alice: userPassword("alice"),
  bob: userPassword("bob"),
  carol: userPassword("carol"),
};

const estate = new Neo4jEnterprise("neo4j", {
  cluster: {
    acceptLicenseAgreement: config.require("acceptLicenseAgreement") as "yes" | "eval",
    adminPassword: config.getSecret("adminPassword"),
    // Day-2 changes by config: `pulumi config set primaries 5` scales without replacing members;
    // `pulumi config set --path 'settings["db.transaction.timeout"]' 45s` rolls one member at a time.
    primaries: config.getNumber("primaries"),
    settings: config.getObject<Record<string, string>>("settings"),
  },
  // The seed's Authentication & Authorization demo: analyst reads, developer reads and writes,
  // admin_assistant manages users; alice, bob and carol hold one role each.
  rbac: seedAccess(users),
  backup: { schedule: config.get("backupSchedule") ?? "1h" },
  monitoring: true,
});

export const boltUri = estate.boltUri;
export const browserUrl = estate.browserUrl;
export const members = estate.cluster.members;
export const adminUsername = estate.adminUsername;
export const adminPassword = estate.adminPassword;
export const userPasswords = pulumi.secret(users);
export const prometheusUrl = estate.prometheusUrl;
export const grafanaUrl = estate.grafanaUrl;
export const grafanaAdminUsername = estate.grafanaAdminUsername;
export const grafanaAdminPassword = estate.grafanaAdminPassword;
export const alertmanagerUrl = estate.alertmanagerUrl;
export const backupLocation = estate.backupLocation;
export const backupRunner = estate.backup?.runnerName;
export const backupNowCommand = estate.backup?.backupNowCommand;
export const backupStatusCommand = estate.backup?.statusCommand;
export const restoreCommand = estate.restoreCommand;
