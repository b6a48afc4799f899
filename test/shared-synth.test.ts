/**
 * The test run's shared synths (test/helpers/shipped-synth.ts) and the `npm run synth:all`
 * that `npm test` runs beside the suites (test/setup/synth-cache.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SynthResult } from "../tools/synth";
import { sharedSynth } from "./helpers/shipped-synth";
import { CACHE_ENV, SYNTH_ALL_ENV, synthAllFiles, teardown } from "./setup/synth-cache";

const ROOT = path.join(__dirname, "..");

/** Runs `body` with the run's cache directory switched to a fresh one. */
async function inCache<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const saved = process.env[CACHE_ENV];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-synth-test-"));
  process.env[CACHE_ENV] = dir;
  try {
    return await body(dir);
  } finally {
    process.env[CACHE_ENV] = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fake = (content: string) =>
  ({ stack: "x", files: new Map([["plan.json", content]]) }) as unknown as SynthResult;

describe("a shared synth", () => {
  it("is computed once per key, also when suites ask at the same time, and its files written before it is seen", async () => {
    await inCache(async () => {
      let computed = 0;
      const compute = async () => {
        computed++;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return fake(`run ${computed}`);
      };
      const keep = (_: SynthResult, dir: string) => fs.writeFileSync(path.join(dir, "tree"), "kept");
      const [a, b] = await Promise.all([sharedSynth("k", compute, keep), sharedSynth("k", compute, keep)]);
      const c = await sharedSynth("k", compute, keep);
      expect(computed).toBe(1);
      for (const r of [a, b, c]) {
        expect(r.result.files.get("plan.json")).toBe("run 1");
        expect(fs.readFileSync(path.join(r.dir!, "tree"), "utf8")).toBe("kept");
      }
      // Another key is another synth.
      await sharedSynth("other", compute);
      expect(computed).toBe(2);
    });
  });

  it("that failed is computed again by the next suite, which gets its own error", async () => {
    await inCache(async () => {
      await expect(sharedSynth("k", () => Promise.reject(new Error("config error")))).rejects.toThrow(
        "config error",
      );
      const again = await sharedSynth("k", () => Promise.resolve(fake("fixed")));
      expect(again.result.files.get("plan.json")).toBe("fixed");
    });
  });
});

describe("npm test's synth of every stack", () => {
  it("runs `npm run synth:all` beside the suites, through the unit tests' setup", () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.test).toContain(`${SYNTH_ALL_ENV}=1 npm run unit`);
    expect(scripts.unit).toBe("jest");
    expect(scripts["synth:all"]).toBe(
      "npm run --silent build && node bin/tools/synth.js stage && node bin/tools/synth.js prod && node bin/tools/synth.js homelab",
    );
  });

  it.each([
    [0, undefined],
    [1, "npm run synth:all failed (exit code 1); its output is above"],
  ])("shows its output at the end and fails the run unless it exits 0 (exit %d)", async (code, error) => {
    const saved = process.env[CACHE_ENV];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-all-test-"));
    process.env[CACHE_ENV] = dir;
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const files = synthAllFiles(dir);
      fs.writeFileSync(files.log, "synth stage: 1 resources\n");
      // The exit code comes a moment later: the teardown waits for it.
      setTimeout(() => fs.writeFileSync(files.code, `${code}\n`), 300);
      const done = teardown();
      if (error === undefined) await expect(done).resolves.toBeUndefined();
      else await expect(done).rejects.toThrow(error);
      expect(write).toHaveBeenCalledWith("\nsynth stage: 1 resources\n");
      // The run's cache is removed either way.
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      write.mockRestore();
      process.env[CACHE_ENV] = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
