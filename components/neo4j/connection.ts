/**
 * How a client of ours (RbacPolicy's provider, the restore CLI) reaches a DBMS whose certificates
 * are signed by the estate's own authority. A `neo4j+s://` or `bolt+s://` URI trusts the system's
 * authorities only, and Neo4j's JavaScript driver takes extra ones as file paths, not PEM text:
 * so with a CA certificate, the URI loses its `+s` and the driver is told to encrypt and to trust
 * that authority alone, read from a file named after its content (a public certificate, so the
 * file may outlive the driver and be shared by the next one).
 */
import type { Config } from "neo4j-driver";

/** The URI and driver options for `uri`, trusting `caCertificate` (PEM) when it is given. */
export function boltTarget(uri: string, caCertificate?: string): { uri: string; config: Config } {
  const secure = /^(neo4j|bolt)\+s:\/\//.exec(uri);
  if (caCertificate === undefined || !secure) return { uri, config: {} };
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded when called: RbacPolicy's provider is serialized as a closure */
  const crypto = require("crypto") as typeof import("crypto");
  const fs = require("fs") as typeof import("fs");
  const os = require("os") as typeof import("os");
  const path = require("path") as typeof import("path");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const digest = crypto.createHash("sha256").update(caCertificate).digest("hex").slice(0, 32);
  const file = path.join(os.tmpdir(), `neo4j-estate-ca-${digest}.crt`);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== caCertificate) {
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, caCertificate);
    fs.renameSync(partial, file);
  }
  return {
    uri: `${secure[1]}://${uri.slice(secure[0].length)}`,
    config: {
      encrypted: "ENCRYPTION_ON",
      trust: "TRUST_CUSTOM_CA_SIGNED_CERTIFICATES",
      trustedCertificates: [file],
    },
  };
}
