/**
 * The offline synth of a shipped stack file, computed once per test run and shared by every
 * suite that reads it (the synth is deterministic, which test/synth.test.ts checks against a
 * fresh synth). The first suite to ask synthesizes the stack and stores the result in the
 * run's cache directory (test/setup/synth-cache.ts); later suites, in any worker, read it.
 * Without the directory (a run outside jest.config.js) each call synthesizes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesize, type SynthResult } from "../../tools/synth";
import { CACHE_ENV } from "../setup/synth-cache";

type Stored = Omit<SynthResult, "files"> & { files: [string, string][] };

/** The shipped stack's synth result; each call returns a fresh copy, so a suite may mutate it. */
export async function shippedSynth(stack: string): Promise<SynthResult> {
  const dir = process.env[CACHE_ENV];
  const file = dir ? path.join(dir, `${stack}.json`) : undefined;
  if (file && fs.existsSync(file)) {
    const stored = JSON.parse(fs.readFileSync(file, "utf8")) as Stored;
    return { ...stored, files: new Map(stored.files) };
  }
  const result = await synthesize(stack);
  if (file) {
    const stored: Stored = { ...result, files: [...result.files.entries()] };
    // Written whole, then renamed: a worker reading at the same moment sees all or nothing.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(stored));
    fs.renameSync(partial, file);
  }
  return result;
}
