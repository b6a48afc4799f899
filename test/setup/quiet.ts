/**
 * Jest setup (jest.config.js `setupFilesAfterEnv`): a passing run prints only Jest's summary.
 *
 * Console output of a test file is collected instead of printed (Jest would print each call
 * with a stack frame). A test that expects output spies on `console` itself and asserts it;
 * whatever else was collected fails the file, with the output, so an unexpected warning
 * cannot pile up unseen. The program's `pulumi.log` messages never reach the console: the
 * mock runtime records them (lib/mock-runtime.ts `RunResult.logs`).
 */
import { format } from "node:util";

const METHODS = ["log", "info", "warn", "error", "debug"] as const;
const collected: string[] = [];

for (const method of METHODS) {
  // Plain functions, not jest spies: a test's own jest.spyOn wraps this one, and its
  // mockRestore() comes back here.
  console[method] = (...args: unknown[]) => {
    collected.push(`console.${method}: ${format(...args)}`);
  };
}

afterAll(() => {
  if (collected.length === 0) return;
  const shown = collected.slice(0, 20).join("\n");
  const more = collected.length > 20 ? `\n(and ${collected.length - 20} more)` : "";
  throw new Error(
    `unexpected console output (capture expected output with jest.spyOn(console, ...) and assert it):\n${shown}${more}`,
  );
});
