/**
 * The real-engine suite (`npm run test:real`, run by scripts/test-real.sh after provisioning):
 * our components' rendered containers on a real Docker engine, and programs through the real
 * Pulumi CLI. One file at a time: they share one Docker engine and a 2-core machine.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/real/**/*.real.test.ts"],
  testTimeout: 600000,
  maxWorkers: 1,
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
  globalSetup: "<rootDir>/tests/real/support/setup.ts",
  globalTeardown: "<rootDir>/tests/real/support/teardown.ts",
  testEnvironmentOptions: { globalsCleanup: "off" },
};
