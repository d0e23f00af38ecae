import * as pulumi from "@pulumi/pulumi";
import { recordResources, settle } from "./support/pulumi-mocks";

const recorded = recordResources();

/**
 * Every example is a real Pulumi program: run each under the mock runtime, with the config its
 * README sets, and check that it builds its resources and exports what its README reads.
 */
function runExample(dir: string): Record<string, unknown> {
  pulumi.runtime.setAllConfig({ "project:acceptLicenseAgreement": "eval" });
  let program: Record<string, unknown> = {};
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = require(`../../examples/${dir}/index`);
  });
  return program;
}

const types = () => new Set(recorded.map((r) => r.type));

afterEach(async () => {
  await settle();
  recorded.splice(0);
});

describe("the example programs", () => {
  it.each([
    ["cluster", ["boltUri", "browserUrls", "adminPassword"], ["docker:index/container:Container"]],
    ["rbac", ["boltUri", "users", "roles"], ["pulumi-nodejs:dynamic:Resource"]],
    ["backup", ["boltUri", "backupLocation", "restoreCommand"], ["docker:index/container:Container"]],
    ["monitoring", ["prometheusUrl", "grafanaUrl", "grafanaPassword"], ["docker:index/container:Container"]],
    [
      "full",
      ["boltUri", "userPasswords", "grafanaUrl", "backupNowCommand", "restoreCommand"],
      ["pulumi-nodejs:dynamic:Resource", "neo4j-estate:index:Neo4jEnterprise"],
    ],
  ])(
    "examples/%s builds its estate and exports what its README reads",
    async (dir, outputs, expectedTypes) => {
      const program = runExample(dir);
      for (const name of outputs) expect(program[name]).toBeDefined();
      await settle();
      for (const type of expectedTypes) expect(types()).toContain(type);
    },
  );

  it("refuses to run without the license acceptance", () => {
    pulumi.runtime.setAllConfig({});
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require("../../examples/full/index")).toThrow(/acceptLicenseAgreement/);
    });
  });
});
