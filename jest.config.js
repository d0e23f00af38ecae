/**
 * One run covers the pure core and the components under Pulumi's mock runtime (tests/unit) and
 * the code that talks to a real Neo4j (tests/integration). scripts/test.sh starts that Neo4j and
 * passes its address in NEO4J_TEST_* variables; integration tests fail, never skip, without it.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/unit/**/*.test.ts", "<rootDir>/tests/integration/**/*.test.ts"],
  // Generous: the mock runtime and the real Neo4j slow down several-fold on a busy 2-core machine,
  // and a test that fails only because the machine was loaded proves nothing.
  testTimeout: 120000,
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
  // Pulumi's runtime keeps module-level state that jest's global cleanup would otherwise warn about.
  testEnvironmentOptions: { globalsCleanup: "off" },
};
