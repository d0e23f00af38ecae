import * as pulumi from "@pulumi/pulumi";
import { RbacPolicy } from "../../../../components";

/**
 * One RbacPolicy, as tests/real/rbac-engine.real.test.ts and `npm run bench:rbac` deploy it.
 * Config:
 * - `users`: the user names, a JSON list; `passwords` (secret): a JSON object, name → password.
 * - `adminPassword` (secret): the password of `neo4j` on the target.
 * - `uri`: the target's Bolt URI. Without it, `targetPort`: the policy then targets the address of
 *   a resource created in the same update, as it targets a new Neo4jCluster's `boltUri`, which
 *   `pulumi preview` cannot know yet.
 */

/** Stands in for a cluster being created: its `uri` output exists only once it is created. */
class BoltAddress extends pulumi.dynamic.Resource {
  declare readonly uri: pulumi.Output<string>;

  constructor(name: string, args: { port: number }) {
    const provider: pulumi.dynamic.ResourceProvider = {
      async create(inputs: { port: number }) {
        return { id: `bolt-${inputs.port}`, outs: { ...inputs, uri: `bolt://127.0.0.1:${inputs.port}` } };
      },
      async diff(_id: string, olds: { port: number }, news: { port: number }) {
        const changed = olds.port !== news.port;
        return { changes: changed, replaces: changed ? ["port"] : [] };
      },
    };
    super(provider, name, { ...args, uri: undefined }, {});
  }
}

const config = new pulumi.Config();
const names = config.requireObject<string[]>("users");
const passwords = config.requireSecretObject<Record<string, string>>("passwords");
const uri = config.get("uri") ?? new BoltAddress("target", { port: config.requireNumber("targetPort") }).uri;

const access = new RbacPolicy("access", {
  uri,
  adminUsername: "neo4j",
  adminPassword: config.requireSecret("adminPassword"),
  users: names.map((name) => ({ name, password: passwords.apply((p) => p[name]) })),
  waitTimeoutSeconds: 60,
});

export const users = access.users;
