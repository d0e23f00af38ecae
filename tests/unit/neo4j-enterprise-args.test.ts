import * as pulumi from "@pulumi/pulumi";
import { recordResources, settle } from "./support/pulumi-mocks";
import { refusalsRegisteredNothing, refusedBeforeRegistering } from "./support/bad-input";

const recorded = recordResources();
// Imported after the mocks are installed, as Pulumi's testing guide does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Neo4jEnterprise } = require("../../components") as typeof import("../../components");

const E = 'Neo4jEnterprise "graph": ';
const cluster = { acceptLicenseAgreement: "eval", adminPassword: "password123" };
const alice = { name: "alice", password: "alice-password", roles: ["reader"] };
const DIRECTORY =
  "use a directory of its own such as /srv/neo4j-backups, since the directory is handed to the container's user";

/**
 * Before this composite validated its parts up front, a bad backup or rbac part was refused only
 * after the cluster (and monitoring) had registered 8 to 27 resources: a partial estate.
 */
describe("Neo4jEnterprise refuses a bad part before registering any part", () => {
  afterAll(() => refusalsRegisteredNothing(recorded));

  it.each<[string, unknown, string]>([
    // The composite's own arguments.
    [
      "no arguments",
      undefined,
      'takes an object of arguments such as { cluster: { acceptLicenseAgreement: "eval" } } (got undefined)',
    ],
    [
      "no cluster",
      { backup: true },
      'cluster is required: the Neo4jCluster arguments, at least { acceptLicenseAgreement: "eval" }',
    ],
    [
      "a misspelled part",
      { cluster, monitor: true },
      "monitor is not an argument of Neo4jEnterprise; did you mean monitoring?",
    ],
    [
      "backup as a string",
      { cluster, backup: "yes" },
      'backup must be true, false or an object of BackupVolume arguments (got "yes")',
    ],
    [
      "monitoring as a number",
      { cluster, monitoring: 1 },
      "monitoring must be true, false or an object of MonitoringStack arguments (got 1)",
    ],
    [
      "a part the composite wires",
      { cluster, backup: { pushgatewayUrl: "http://pg:9091" } },
      "backup.pushgatewayUrl is wired by Neo4jEnterprise itself; leave it out",
    ],
    [
      "backups asked of Community",
      { cluster: { image: "neo4j:5.26-community" }, backup: {} },
      "backup is on, but the cluster runs Neo4j Community, which has no online backup (back it up offline with neo4j-admin database dump); leave backup out or set it to false",
    ],
    [
      "monitoring asked without metrics",
      { cluster: { ...cluster, prometheusMetrics: false }, monitoring: true },
      "monitoring is on, but the cluster's prometheusMetrics is off, so its members serve no metrics; leave monitoring out or set it to false",
    ],
    // The cluster part.
    [
      "primaries as a string",
      { cluster: { ...cluster, primaries: "3" } },
      'cluster.primaries must be a whole number from 1 to 11 (got "3")',
    ],
    [
      "a misspelled edition",
      { cluster: { ...cluster, image: "neo4j:5.26-enterpise" } },
      'cluster.image tag "5.26-enterpise" has "enterpise", which is neither an edition (enterprise, community) nor a base-image variant (bullseye, bookworm, trixie, ubi8, ubi9, ubi10); did you mean enterprise?. For an image of your own with another tag scheme, set neo4jVersion and edition',
    ],
    [
      "the system database as default",
      { cluster: { ...cluster, defaultDatabase: "system" } },
      'cluster.defaultDatabase must not be "system": that is Neo4j\'s own database of users, roles and databases; choose a name such as "neo4j" or "graph"',
    ],
    // The backup part.
    [
      "backups in the root directory",
      { cluster, backup: { hostPath: "/" } },
      `backup.hostPath is the root directory: ${DIRECTORY} (got "/")`,
    ],
    [
      "a zero retention",
      { cluster, backup: { retention: { days: 0 } } },
      "backup.retention.days must be a whole number from 1 to 10000 (got 0)",
    ],
    [
      "a misspelled backup argument",
      { cluster, backup: { shedule: "1h" } },
      "backup.shedule is not a field of backup; did you mean schedule?",
    ],
    // The monitoring part.
    [
      "a zero scrape interval",
      { cluster, monitoring: { scrapeInterval: "0s" } },
      'monitoring.scrapeInterval must be a duration such as 15s or 1m (units ms, s, m, h, d, w, y, largest first) from 1s to 5m (got "0s")',
    ],
    [
      "a misspelled threshold",
      { cluster, monitoring: { alertThresholds: { heapUsageRatio: 0.8 } } },
      "monitoring.alertThresholds.heapUsageRatio is not a field of alertThresholds; did you mean heapUsedRatio?",
    ],
    [
      "ports that collide across parts",
      { cluster, monitoring: { grafanaHostPort: 7690 } },
      "monitoring.grafanaHostPort collides with cluster.hostPorts.bolt: host port 7690 would be published for both the bolt port of graph-3 and Grafana; choose another port",
    ],
    [
      "the Alertmanager's port on a member's",
      { cluster, monitoring: { alertmanagerHostPort: 7475 } },
      "monitoring.alertmanagerHostPort collides with cluster.hostPorts.http: host port 7475 would be published for both the http port of graph-1 and the Alertmanager; choose another port",
    ],
    [
      "a receiver route to nowhere",
      { cluster, monitoring: { alertReceivers: [{ name: "ops" }], alertRoute: { receiver: "pager" } } },
      'monitoring.alertRoute.receiver names no receiver: "pager" is not in alertReceivers (known: "ops")',
    ],
    // The rbac part.
    [
      "a role that does not exist",
      { cluster, rbac: { users: [{ ...alice, roles: ["raeder"] }] } },
      'rbac.users[0].roles[0] "raeder" is neither declared in roles nor a built-in role (reader, editor, publisher, architect, admin)',
    ],
    [
      "a connection in the rbac part",
      { cluster, rbac: { uri: "neo4j://elsewhere:7687", users: [alice] } },
      "rbac.uri is wired by Neo4jEnterprise itself; leave it out",
    ],
    [
      "the cluster's own admin in the rbac part",
      { cluster, rbac: { users: [{ name: "neo4j", password: "other-password" }] } },
      "rbac.users[0].name",
    ],
    [
      "a zero wait",
      { cluster, rbac: { users: [alice], waitTimeoutSeconds: 0 } },
      "rbac.waitTimeoutSeconds must be a whole number from 1 to 86400 (got 0)",
    ],
  ])("%s", async (_case, args, problem) => {
    const message = await refusedBeforeRegistering(
      recorded,
      () => new Neo4jEnterprise("graph", args as never),
    );
    if (problem === "rbac.users[0].name") expect(message.startsWith(E + problem + " ")).toBe(true);
    else expect(message).toBe(E + problem);
  });
});

describe("Neo4jEnterprise warns about values that are legal but likely mistakes", () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
  });
  afterEach(() => warn.mockRestore());

  it("warns when the stale-backup alert would fire before every backup", async () => {
    new Neo4jEnterprise("weekly", {
      cluster: cluster as never,
      backup: { schedule: "@weekly" },
      monitoring: {
        alertThresholds: { backupStaleAfterHours: 26 },
        alertReceivers: [{ name: "ops", webhook_configs: [{ url: "http://hooks.internal/neo4j" }] }],
      },
    });
    await settle();
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'Neo4jEnterprise "weekly": monitoring.alertThresholds.backupStaleAfterHours is 26, shorter than the 1w between backups, so the stale-backup alert fires before every backup; allow at least the time between two backups',
    ]);
  });

  it("passes on a part's warning once, from the part", async () => {
    new Neo4jEnterprise("even", { cluster: { ...(cluster as object), primaries: 4 } as never });
    await settle();
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'Neo4jCluster "even": primaries is 4: 4 primaries tolerate no more failures than 3; an odd number is usually what you want',
      'MonitoringStack "even-monitoring": alerts reach nobody: the Alertmanager has no receivers, so it only shows alerts at its URL. Give alertReceivers (a webhook, email, Slack or PagerDuty), or set alertmanager: false',
    ]);
  });
});
