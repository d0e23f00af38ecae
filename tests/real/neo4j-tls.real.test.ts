import * as pulumi from "@pulumi/pulumi";
import neo4j from "neo4j-driver";
import { Neo4jCluster } from "../../components/neo4j-cluster";
import { RbacPolicy } from "../../components/rbac-policy";
import { boltTarget } from "../../components/neo4j/connection";
import { DockerApi } from "./support/docker-api";
import { CapturedResource, DOCKER, Replay, capture } from "./support/replay";
import { NEO4J_IMAGE, freePort, runId } from "./support/env";
import { httpsGet, returnOne } from "../helpers/tls-clients";

/**
 * A Community member with Bolt and HTTPS TLS required, as Neo4jCluster renders it with the
 * estate's own certificates, on the real Docker engine: the image's Neo4j loads our SSL policies
 * and files, a driver that trusts the estate's authority connects, one that does not is refused,
 * plain text is refused on both ports, and RbacPolicy's provider provisions a user over TLS.
 */
const docker = new DockerApi();
const id = runId();
const replay = new Replay(id, docker);
const adminPassword = `admin-${id}-Secret1`;
const alicePassword = `alice-${id}-Secret2`;
let bolt: number;
let http: number;
let resources: CapturedResource[];
let caCertificate: string;
let boltUri: string;

beforeAll(async () => {
  bolt = await freePort();
  http = await freePort();
  resources = await capture(() => {
    const cluster = new Neo4jCluster(id, {
      image: NEO4J_IMAGE,
      adminPassword: pulumi.secret(adminPassword),
      hostPorts: { http, bolt },
      healthyTimeoutSeconds: 300,
      settings: { "dbms.usage_report.enabled": "false" },
      tls: {},
    });
    cluster.caCertificate.apply((pem) => (caCertificate = pem!));
    cluster.boltUri.apply((uri) => (boltUri = uri));
    new RbacPolicy(`${id}-access`, {
      uri: cluster.boltUri,
      caCertificate: cluster.caCertificate,
      adminUsername: cluster.adminUsername,
      adminPassword: cluster.adminPassword,
      users: [{ name: "alice", password: pulumi.secret(alicePassword), passwordChangeRequired: false }],
    });
  }, docker);
  await replay.apply(resources, (r) => r.type !== DOCKER.dynamic);
});
afterAll(() => replay.cleanup());

describe("a Community member with Bolt and HTTPS TLS required, on the real Docker engine", () => {
  it("starts on the rendered SSL policies and turns healthy (the health check uses HTTP on the container's loopback)", async () => {
    const member = resources.find((r) => r.type === DOCKER.container)!;
    const info = await replay.inspect(String(member.inputs.name));
    expect((info.State as { Health: { Status: string } }).Health.Status).toBe("healthy");
    expect(boltUri).toBe(`bolt+s://localhost:${bolt}`);
  });

  it("serves a driver that trusts the estate's authority, and says TLS is required", async () => {
    const target = boltTarget(boltUri, caCertificate);
    const driver = neo4j.driver(target.uri, neo4j.auth.basic("neo4j", adminPassword), target.config);
    try {
      const result = await driver.executeQuery(
        "SHOW SETTINGS YIELD name, value WHERE name IN ['server.bolt.tls_level', 'server.https.enabled'] RETURN name, value ORDER BY name",
      );
      expect(result.records.map((r) => r.toObject())).toEqual([
        { name: "server.bolt.tls_level", value: "REQUIRED" },
        { name: "server.https.enabled", value: "true" },
      ]);
    } finally {
      await driver.close();
    }
  });

  it("refuses a driver that does not trust the authority, and plain-text Bolt", async () => {
    await expect(returnOne(`bolt+s://localhost:${bolt}`, "neo4j", adminPassword)).rejects.toThrow(
      /certificate|trust/i,
    );
    await expect(returnOne(`bolt://localhost:${bolt}`, "neo4j", adminPassword)).rejects.toThrow();
  });

  it("serves HTTPS on the Browser port to clients that trust the authority, and nothing in plain text", async () => {
    const answer = await httpsGet(`https://localhost:${http}/`, caCertificate);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).bolt_direct).toBe(`bolt://localhost:${bolt}`);
    await expect(httpsGet(`https://localhost:${http}/`)).rejects.toThrow(
      /self.signed|unable to (get|verify)/i,
    );
    const plain = await fetch(`http://127.0.0.1:${http}/`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(plain).not.toBe(200);
  });

  it("lets RbacPolicy's provider provision over TLS with the authority, and the new user log in", async () => {
    await replay.apply(resources, (r) => r.type === DOCKER.dynamic);
    const target = boltTarget(boltUri, caCertificate);
    expect(
      await returnOne(target.uri, "alice", alicePassword, target.config as Record<string, unknown>),
    ).toBe(1);
  });
});
