/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
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
  // Type errors are reported once by `npm run typecheck`; ts-jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
};
