/**
 * The Node.js the package declares must be one its dependencies accept, and the tests must run on a
 * Node.js it declares: otherwise `npm ci` warns EBADENGINE and the tests vouch for a runtime users
 * are told they can use but nobody tried. `.ci/run` provides one (scripts/provision/node.sh).
 */
import * as fs from "fs";
import * as path from "path";

interface Semver {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require("semver") as Semver;

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
const declared: string = pkg.engines.node;
const minimum = semver.minVersion(declared)!.version;

describe("the Node.js the package declares", () => {
  it("is accepted by every installed package, from the oldest version it allows", () => {
    const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([name, p]) => name !== "" && p.engines?.node !== undefined)
      .filter(([, p]) => !semver.satisfies(minimum, p.engines!.node!))
      .map(([name, p]) => `${name.replace(/^node_modules\//, "")} wants ${p.engines!.node}`);
    expect([declared, refusing]).toEqual([declared, []]);
  });

  it("is the Node.js these tests run on", () => {
    expect([process.version, semver.satisfies(process.version, declared)]).toEqual([process.version, true]);
  });
});
