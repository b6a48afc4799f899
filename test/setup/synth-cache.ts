/**
 * Jest global setup and teardown (jest.config.js): a directory, fresh for each run, where
 * {@link shippedSynth} (test/helpers/shipped-synth.ts) keeps the synth of each shipped stack,
 * so the suites that read the same stack share one synth instead of one each.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The environment variable naming the run's cache directory (inherited by Jest's workers). */
export const CACHE_ENV = "PLATFORM_SYNTH_CACHE";

export default function globalSetup(): void {
  process.env[CACHE_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "platform-synth-cache-"));
}

export function teardown(): void {
  const dir = process.env[CACHE_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
