import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Neo4jCluster, RbacPolicy } from "../../components";
import { seedAccess } from "./seed";

const config = new pulumi.Config();

const cluster = new Neo4jCluster("neo4j-core", {
  acceptLicenseAgreement: config.require("acceptLicenseAgreement") as "yes" | "eval",
});

// One generated password per demo user; read them with `pulumi stack output --show-secrets`.
const password = (user: string) =>
  new random.RandomPassword(`${user}-password`, { length: 24, special: false }).result;
const passwords = { alice: password("alice"), bob: password("bob"), carol: password("carol") };

// The seed's demo, exactly: analyst reads, developer reads and writes, admin_assistant manages users.
const access = new RbacPolicy("access", {
  uri: cluster.boltUri,
  adminUsername: cluster.adminUsername,
  adminPassword: cluster.adminPassword,
  ...seedAccess(passwords),
});

export const boltUri = cluster.boltUri;
export const users = access.users;
export const roles = access.roles;
export const alicePassword = pulumi.secret(passwords.alice);
export const bobPassword = pulumi.secret(passwords.bob);
export const carolPassword = pulumi.secret(passwords.carol);
