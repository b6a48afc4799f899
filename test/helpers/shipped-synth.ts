/**
 * Synths shared by the suites of one test run. A whole-stack synth costs seconds of CPU, and
 * many suites read the same one: the shipped stack file as it is ({@link shippedSynth}), or a
 * variant of it that several suites build alike (every cluster in emit mode, on the configured
 * or the other engine: test/gitops/stack-emit.ts). Each is computed once per run, by the first
 * suite to ask, and stored in the run's cache directory (test/setup/synth-cache.ts); later
 * suites, in any worker, read it. A suite asking while another worker computes the same one
 * waits for it rather than computing it twice. Without the directory (a run outside
 * jest.config.js) each call computes.
 *
 * The synth is deterministic (test/synth.test.ts checks the shipped stacks against a fresh
 * synth), so a stored result is the one the suite would have computed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesize, type SynthResult } from "../../tools/synth";
import { CACHE_ENV } from "../setup/synth-cache";

type Stored = Omit<SynthResult, "files"> & { files: [string, string][] };

/** The run's cache directory, or undefined outside jest.config.js. */
export function cacheDir(): string | undefined {
  return process.env[CACHE_ENV];
}

/** How long a suite waits for another worker's synth of the same key before computing it itself. */
const WAIT_MS = 240_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function load(file: string): SynthResult {
  const stored = JSON.parse(fs.readFileSync(file, "utf8")) as Stored;
  return { ...stored, files: new Map(stored.files) };
}

/**
 * The synth stored under `key` in this run, computed by `compute` when no suite has yet.
 * `keep` runs after `compute`, before the result is visible to other suites (to write
 * files that belong to it, in `keep`'s directory argument: `<cache>/<key>.d/`). Each call
 * returns a fresh copy, so a suite may mutate it.
 */
export async function sharedSynth(
  key: string,
  compute: () => Promise<SynthResult>,
  keep?: (result: SynthResult, dir: string) => void,
): Promise<{ result: SynthResult; dir: string | undefined }> {
  const cache = cacheDir();
  if (!cache) return { result: await compute(), dir: undefined };
  const file = path.join(cache, `${key}.json`);
  const dir = path.join(cache, `${key}.d`);
  const lock = `${file}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (fs.existsSync(file)) return { result: load(file), dir };
    try {
      // Whoever creates the lock computes; the others wait for the file.
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (Date.now() > deadline) return { result: await compute(), dir: undefined };
    await sleep(POLL_MS);
  }
  try {
    const result = await compute();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    keep?.(result, dir);
    const stored: Stored = { ...result, files: [...result.files.entries()] };
    // Written whole, then renamed: a worker reading at the same moment sees all or nothing.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(stored));
    fs.renameSync(partial, file);
    return { result, dir };
  } finally {
    // A failed compute frees the key: a waiting suite computes it and fails with its own error.
    fs.rmSync(lock, { force: true });
  }
}

/** The shipped stack's synth result; each call returns a fresh copy, so a suite may mutate it. */
export async function shippedSynth(stack: string): Promise<SynthResult> {
  return (await sharedSynth(`shipped-${stack}`, () => synthesize(stack))).result;
}
