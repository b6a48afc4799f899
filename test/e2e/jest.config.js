/**
 * The e2e loop (`npm run e2e`): its own jest config, so the default `npm test` never runs it.
 * One scenario at a time (each runs a control plane), with the long timeouts of real runs.
 * @type {import('jest').Config}
 */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  rootDir: "../..",
  roots: ["<rootDir>/test/e2e"],
  testMatch: ["**/*.e2e.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 20 * 60 * 1000,
  maxWorkers: 1,
  // The Automation API keeps a gRPC server of the inline program open after the last run.
  forceExit: true,
};
