import { argChecks } from "../../components/neo4j/checks";
import { boltTarget } from "../../components/neo4j/connection";
import { memberAlternativeNames, planTls, tlsFiles, tlsSettings } from "../../components/neo4j/tls";
import { CertificateInputs, makeCertificate } from "../../components/tls/provider";
import { FullServer, startFullServer } from "../helpers/neo4j-full-server";
import { freePort } from "../helpers/neo4j-test-server";
import { httpsGet, returnOne } from "../helpers/tls-clients";

/**
 * A whole Neo4j Community 5.26 server started on the TLS settings and files the library renders
 * for a member with Bolt and HTTPS required, and certificates made by the estate's own provider:
 * Neo4j's SSL policy loader, strict config validation and TLS stack judge them, and a driver
 * connects the way RbacPolicy and the restore CLI do.
 */
jest.setTimeout(180_000);

const tls = planTls(
  { tls: {} },
  {
    edition: "community",
    clustered: false,
    onlineBackup: false,
    memberNames: ["solo-1"],
    httpsHostPort: false,
  },
  argChecks("Neo4jCluster", "solo"),
)!;
const now = Date.now();
const base = { organization: "neo4j-estate", dnsNames: [], ipAddresses: [], usages: [], renewBeforeDays: 30 };
const authority = makeCertificate(
  { ...base, role: "authority", commonName: "solo estate CA", validityDays: 3650 } as CertificateInputs,
  now,
);
const member = makeCertificate(
  {
    ...base,
    role: "certificate",
    commonName: "solo-1",
    ...memberAlternativeNames("solo-1", "localhost", "127.0.0.1"),
    usages: ["server", "client"],
    validityDays: 365,
    caCertificate: authority.certificate,
    caPrivateKey: authority.privateKey,
  },
  now,
);

let server: FullServer;
let bolt: number;
let httpsPort: number;

beforeAll(async () => {
  bolt = await freePort();
  httpsPort = await freePort();
  const http = await freePort();
  const sslDir = "ssl";
  const files: Record<string, string> = {};
  for (const file of tlsFiles(tls, sslDir))
    files[file.path] = file.content === "caCertificate" ? authority.certificate : member[file.content];
  server = startFullServer({
    settings: {
      "server.bolt.listen_address": `127.0.0.1:${bolt}`,
      "server.bolt.advertised_address": `localhost:${bolt}`,
      "dbms.security.auth_enabled": "false",
      "server.memory.pagecache.size": "32m",
      // Neo4j reads a relative base directory against its home: the member's /ssl, moved there.
      ...tlsSettings(tls, { http, https: httpsPort }, { httpsAddress: `localhost:${httpsPort}` }, sslDir),
    },
    files,
  });
  await server.ready;
});
afterAll(() => server?.stop());

describe("a member with Bolt and HTTPS TLS required, on a real Neo4j 5.26", () => {
  it("starts: Neo4j's strict validation and SSL policy loader accept the rendered settings and files", () => {
    expect(server.output()).toMatch(/Bolt enabled on .*:\d+/);
    expect(server.output()).toMatch(/HTTPS enabled on 0\.0\.0\.0:\d+/);
  });

  it("serves a driver that trusts the estate's authority, as RbacPolicy and the restore CLI connect", async () => {
    const target = boltTarget(`bolt+s://localhost:${bolt}`, authority.certificate);
    expect(target.uri).toBe(`bolt://localhost:${bolt}`);
    expect(await returnOne(target.uri, "neo4j", "unused", target.config as Record<string, unknown>)).toBe(1);
  });

  it("refuses a driver that does not trust the authority", async () => {
    await expect(returnOne(`bolt+s://localhost:${bolt}`, "neo4j", "unused")).rejects.toThrow(
      /certificate|self.signed|trust/i,
    );
  });

  it("refuses plain-text Bolt", async () => {
    await expect(returnOne(`bolt://localhost:${bolt}`, "neo4j", "unused")).rejects.toThrow();
  });

  it("serves HTTPS with the estate's certificate and refuses clients that do not trust it", async () => {
    const answer = await httpsGet(`https://localhost:${httpsPort}/`, authority.certificate);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toHaveProperty("bolt_direct");
    await expect(httpsGet(`https://localhost:${httpsPort}/`)).rejects.toThrow(
      /self.signed|unable to (get|verify)/i,
    );
  });
});
