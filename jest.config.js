/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: [
    "<rootDir>/test",
    "<rootDir>/components",
    "<rootDir>/config",
    "<rootDir>/lib",
    "<rootDir>/providers",
    "<rootDir>/stacks",
    "<rootDir>/tools",
    "<rootDir>/policy",
  ],
  testMatch: ["**/*.test.ts"],
  // Transpile only, with swc: type errors are reported once, by `npm run typecheck`.
  // https://swc.rs/docs/usage/jest
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
        sourceMaps: "inline",
      },
    ],
  },
  // Program output (pulumi.log, console) is captured per test: a passing run prints only the summary.
  setupFilesAfterEnv: ["<rootDir>/test/setup/quiet.ts"],
  // One synth per shipped stack per run, shared by the suites (test/helpers/shipped-synth.ts).
  globalSetup: "<rootDir>/test/setup/synth-cache.ts",
  globalTeardown: "<rootDir>/test/setup/synth-cache-teardown.ts",
  // Two workers on the 2-core machine; a worker grown past the limit after a test file is
  // replaced (in band, one process reached 1.8 GB). jest-worker compares the limit with the
  // heap in use (process.memoryUsage().heapUsed), and RSS runs higher: at 700MB a worker
  // reached 1.08 GB RSS, at 500MB 0.84 GB (sampled each second over a whole run).
  maxWorkers: 2,
  workerIdleMemoryLimit: "500MB",
  testTimeout: 60000,
};
