import * as pulumi from "@pulumi/pulumi";
import { recordResources } from "./support/pulumi-mocks";
import { refusalsRegisteredNothing, refusedBeforeRegistering } from "./support/bad-input";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RbacPolicy } = require("../../components") as typeof import("../../components");

const E = 'RbacPolicy "access": ';
const connection = { uri: "neo4j://localhost:7688", adminUsername: "neo4j", adminPassword: "admin-password" };
const alice = { name: "alice", password: "alice-password", roles: ["reader"] };
const BOLT_URI = "uri must be a Bolt URI such as neo4j://localhost:7688 or bolt+s://db.example.com:7687";

describe("RbacPolicy refuses bad input before registering anything", () => {
  afterAll(() => refusalsRegisteredNothing(recorded));

  it.each<[string, unknown, string]>([
    // Missing or not an object.
    [
      "no arguments",
      undefined,
      "takes an object of arguments such as { uri, adminUsername, adminPassword, users, roles } (got undefined)",
    ],
    [
      "no connection",
      { users: [alice] },
      "uri is required: a Neo4jCluster's boltUri, adminUsername and adminPassword, or your own",
    ],
    // Wrong type.
    ["a port for the URI", { ...connection, uri: 7688 }, `${BOLT_URI} (got 7688)`],
    [
      "an HTTP URL for the URI",
      { ...connection, uri: "http://localhost:7474" },
      `${BOLT_URI} (got "http://localhost:7474")`,
    ],
    [
      "a number for the admin user",
      { ...connection, adminUsername: 1 },
      'adminUsername must be 1 to 100 printable ASCII characters other than space, "," and ":" (Neo4j\'s rule for user names; got 1)',
    ],
    [
      "an empty admin password",
      { ...connection, adminPassword: "" },
      "adminPassword must be a non-empty string (got an empty string)",
    ],
    [
      "waitTimeoutSeconds as a string",
      { ...connection, waitTimeoutSeconds: "300" },
      'waitTimeoutSeconds must be a whole number from 1 to 86400 (got "300")',
    ],
    ["users as one user", { ...connection, users: alice }, "users must be a list of users"],
    [
      "suspended as a string",
      { ...connection, users: [{ ...alice, suspended: "false" }] },
      "users[0].suspended must be true or false",
    ],
    // Out of range.
    [
      "a zero wait",
      { ...connection, waitTimeoutSeconds: 0 },
      "waitTimeoutSeconds must be a whole number from 1 to 86400 (got 0)",
    ],
    [
      "a negative wait",
      { ...connection, waitTimeoutSeconds: -30 },
      "waitTimeoutSeconds must be a whole number from 1 to 86400 (got -30)",
    ],
    // Meaning.
    [
      "a role that does not exist",
      { ...connection, users: [{ ...alice, roles: ["raeder"] }] },
      'users[0].roles[0] "raeder" is neither declared in roles nor a built-in role (reader, editor, publisher, architect, admin)',
    ],
    [
      "a built-in role redeclared",
      { ...connection, roles: [{ name: "admin", privileges: [] }] },
      'roles[0].name "admin" is a built-in role; RbacPolicy only manages roles of its own',
    ],
    // Unknown keys and values that must be known at preview.
    [
      "a misspelled argument",
      { ...connection, user: [alice] },
      "user is not an argument of RbacPolicy; did you mean users?",
    ],
    [
      "a misspelled user field",
      { ...connection, users: [{ ...alice, passwordChangeRequierd: true }] },
      "users[0].passwordChangeRequierd is not a field of users[0]; did you mean passwordChangeRequired?",
    ],
    [
      "a misspelled role field",
      { ...connection, roles: [{ name: "analyst", privilege: ["TRAVERSE ON GRAPH neo4j"] }] },
      "roles[0].privilege is not a field of roles[0]; did you mean privileges?",
    ],
    [
      "users as an Output",
      { ...connection, users: pulumi.output([alice]) },
      "users must be a plain value, not a Pulumi Output or Promise: it decides which resources are created, so it must be known at preview",
    ],
  ])("%s", async (_case, args, problem) => {
    const message = await refusedBeforeRegistering(recorded, () => new RbacPolicy("access", args as never));
    expect(message).toBe(E + problem);
  });
});
