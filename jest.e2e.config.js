/**
 * The acceptance suite (`npm run test:e2e`): deploys the full example with the Pulumi CLI on a real
 * Docker engine and checks what the blog post's "Verification" sections check by hand. Kept out
 * of `npm test`: it needs Docker, the Pulumi CLI and access to Docker Hub. Its global setup fails
 * the run, with what is missing, when a prerequisite is absent: it never reports a pass it did not see.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testMatch: ["<rootDir>/tests/e2e/**/*.e2e.test.ts"],
  globalSetup: "<rootDir>/tests/e2e/prerequisites.js",
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 1,
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
};
