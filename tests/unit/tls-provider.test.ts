import * as pulumi from "@pulumi/pulumi";
import { X509Certificate } from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CertificateInputs,
  CertificateOutputs,
  certificateProvider,
  makeCertificate,
  planCertificate,
} from "../../components/tls/provider";
import { throughEngineStruct } from "../helpers/engine-struct";

const DAY = 86_400_000;
const now = Date.parse("2026-11-26T12:00:00Z");

const authorityInputs: CertificateInputs = {
  role: "authority",
  commonName: "core estate CA",
  organization: "neo4j-estate",
  dnsNames: [],
  ipAddresses: [],
  usages: [],
  validityDays: 3650,
  renewBeforeDays: 30,
};
const authority = makeCertificate(authorityInputs, now);
const memberInputs: CertificateInputs = {
  role: "certificate",
  commonName: "core-1",
  organization: "neo4j-estate",
  dnsNames: ["core-1", "localhost"],
  ipAddresses: ["127.0.0.1"],
  usages: ["server", "client"],
  validityDays: 365,
  renewBeforeDays: 30,
  caCertificate: authority.certificate,
  caPrivateKey: authority.privateKey,
};
const member = makeCertificate(memberInputs, now);

describe("generated certificates", () => {
  it("start five minutes early (clock skew) and last validityDays, in whole seconds", () => {
    expect(member.notBefore).toBe("2026-11-26T11:55:00.000Z");
    expect(member.notAfter).toBe("2027-11-26T12:00:00.000Z");
    const cert = new X509Certificate(member.certificate);
    expect(new Date(cert.validTo).toISOString()).toBe(member.notAfter);
    expect(cert.verify(new X509Certificate(authority.certificate).publicKey)).toBe(true);
  });

  it("need the authority's certificate and key", () => {
    expect(() => makeCertificate({ ...memberInputs, caPrivateKey: undefined }, now)).toThrow(
      "certificate core-1: the authority's certificate and key are required",
    );
  });
});

describe("when a generated certificate is made again", () => {
  it("keeps it when nothing changed", () => {
    expect(planCertificate(member, memberInputs, now + DAY)).toEqual({
      changes: false,
      replaces: [],
      renew: false,
    });
  });

  it.each([
    ["dnsNames", { dnsNames: ["core-1", "localhost", "graph.example.com"] }],
    ["ipAddresses", { ipAddresses: ["127.0.0.1", "10.0.0.5"] }],
    ["usages", { usages: ["server"] as ("server" | "client")[] }],
    ["validityDays", { validityDays: 90 }],
    ["caCertificate", { caCertificate: "another authority" }],
  ])("replaces it when its %s change", (field, change) => {
    expect(planCertificate(member, { ...memberInputs, ...change }, now + DAY).replaces).toEqual([field]);
  });

  it("updates in place when only the renewal window moves", () => {
    expect(planCertificate(member, { ...memberInputs, renewBeforeDays: 60 }, now + DAY)).toEqual({
      changes: true,
      replaces: [],
      renew: false,
    });
  });

  it("renews it within renewBeforeDays of expiry, and after it", () => {
    const expiry = Date.parse(member.notAfter);
    expect(planCertificate(member, memberInputs, expiry - 31 * DAY).renew).toBe(false);
    expect(planCertificate(member, memberInputs, expiry - 30 * DAY)).toEqual({
      changes: true,
      replaces: ["notAfter"],
      renew: true,
    });
    expect(planCertificate(member, memberInputs, expiry + DAY).replaces).toEqual(["notAfter"]);
  });

  it("keeps the certificate and key through an update", async () => {
    const { outs } = await certificateProvider.update!("id", member, {
      ...memberInputs,
      renewBeforeDays: 60,
    });
    expect(outs).toEqual({ ...member, renewBeforeDays: 60 });
  });
});

/** Loads the serialized provider as Pulumi's Node host does, in a fresh process, and creates a CA with it. */
const HOST = `
const fs = require("fs");
const requireFromString = require("require-from-string");
const [file, inputs] = process.argv.slice(1);
const provider = requireFromString(fs.readFileSync(file, "utf8")).handler();
provider.create(JSON.parse(inputs)).then((result) => process.stdout.write(JSON.stringify(result)));
`;

describe("the serialized certificate provider", () => {
  it("needs nothing but Node's crypto and rebuilds into a provider that makes certificates", async () => {
    const { text } = await pulumi.runtime.serializeFunction(() => certificateProvider);
    const required = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    expect(required).toEqual(["crypto", "net"]);
    expect(text.length).toBeLessThan(40_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-provider-"));
    try {
      const file = path.join(dir, "provider.js");
      fs.writeFileSync(file, text);
      const output = execFileSync(process.execPath, ["-e", HOST, file, JSON.stringify(authorityInputs)], {
        cwd: path.resolve(__dirname, "..", ".."),
        encoding: "utf8",
      });
      const { outs } = JSON.parse(output) as { outs: CertificateOutputs };
      expect(new X509Certificate(outs.certificate).ca).toBe(true);
      expect(outs.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("what the real engine's provider host receives", () => {
  it("is the same after the protobuf Struct it is sent in, for an authority, a certificate and an update", async () => {
    const made = await certificateProvider.create!(authorityInputs);
    expect(throughEngineStruct(made.outs)).toEqual(made.outs);
    const member = await certificateProvider.create!(memberInputs);
    expect(throughEngineStruct(member.outs)).toEqual(member.outs);
    const updated = await certificateProvider.update!(member.id, member.outs, {
      ...memberInputs,
      renewBeforeDays: 20,
    });
    expect(throughEngineStruct(updated.outs)).toEqual(updated.outs);
  });
});
