import * as pulumi from "@pulumi/pulumi";
import { Neo4jCluster } from "../../components";

const config = new pulumi.Config();

// The seed's cluster: three primaries, Browser on 7475-7477 and Bolt on 7688-7690, bound to 127.0.0.1.
const cluster = new Neo4jCluster("neo4j-core", {
  acceptLicenseAgreement: config.require("acceptLicenseAgreement") as "yes" | "eval",
  adminPassword: config.getSecret("adminPassword"),
});

export const boltUri = cluster.boltUri;
export const browserUrls = cluster.members.apply((members) => members.map((m) => m.httpUrl));
export const adminUsername = cluster.adminUsername;
export const adminPassword = cluster.adminPassword;
export const networkName = cluster.networkName;
