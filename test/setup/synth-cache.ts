/**
 * Jest global setup and teardown (jest.config.js): a directory, fresh for each run, where
 * the suites share the synths they have in common (test/helpers/shipped-synth.ts) and the
 * kustomize builds of the emitted trees those synths wrote (test/helpers/kustomize.ts).
 *
 * `npm test` sets {@link SYNTH_ALL_ENV}: the setup then starts `npm run synth:all` (the
 * compiled CLI's synth of every stack into out/, which `npm test` has always run) in the
 * background, beside the suites, instead of after them; test/synth.test.ts compares its
 * output with the suites' own synth, as the second run that shows the synth deterministic.
 * The teardown waits for it, prints what it printed, and fails the run when it failed.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The environment variable naming the run's cache directory (inherited by Jest's workers). */
export const CACHE_ENV = "PLATFORM_SYNTH_CACHE";
/** Set to 1 (by `npm test`) to run `npm run synth:all` beside the suites. */
export const SYNTH_ALL_ENV = "PLATFORM_TEST_SYNTH_ALL";

const ROOT = path.join(__dirname, "..", "..");

/** The files of the background `npm run synth:all` in a cache directory: its output, then its exit code. */
export function synthAllFiles(cache: string): { log: string; code: string } {
  return { log: path.join(cache, "synth-all.log"), code: path.join(cache, "synth-all.code") };
}

export default function globalSetup(): void {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "platform-synth-cache-"));
  process.env[CACHE_ENV] = cache;
  if (process.env[SYNTH_ALL_ENV] !== "1") return;
  const { log, code } = synthAllFiles(cache);
  const out = fs.openSync(log, "w");
  // The exit code is written last, by the shell, so its file appearing means the run ended.
  const child = spawn("bash", ["-c", 'npm run --silent synth:all; echo $? > "$1"', "synth-all", code], {
    cwd: ROOT,
    stdio: ["ignore", out, out],
  });
  child.unref();
  fs.closeSync(out);
}

/** The background synth:all's exit code and output, once it has ended (undefined when none was started). */
export async function synthAllResult(
  cache: string | undefined = process.env[CACHE_ENV],
): Promise<{ code: number; output: string } | undefined> {
  if (cache === undefined) return undefined;
  const { log, code } = synthAllFiles(cache);
  if (!fs.existsSync(log)) return undefined;
  while (!fs.existsSync(code) || fs.readFileSync(code, "utf8").trim() === "") {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { code: Number(fs.readFileSync(code, "utf8").trim()), output: fs.readFileSync(log, "utf8") };
}

export async function teardown(): Promise<void> {
  const cache = process.env[CACHE_ENV];
  if (!cache) return;
  try {
    const synthAll = await synthAllResult(cache);
    if (synthAll !== undefined) {
      process.stdout.write(`\n${synthAll.output}`);
      if (synthAll.code !== 0)
        throw new Error(`npm run synth:all failed (exit code ${synthAll.code}); its output is above`);
    }
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}
