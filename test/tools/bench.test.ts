import { loadOfflineConfig } from "../../tools/stack-config";
import {
  report,
  runBench,
  scaledConfig,
  timeFloor,
  timeMatchedFloor,
  type BenchResult,
} from "../../tools/bench";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

describe("npm run bench -- --short", () => {
  let result: BenchResult;
  beforeAll(async () => {
    result = await runBench({ short: true });
    // About 20 s alone; the limit leaves room for a machine shared with other jobs.
  }, 300_000);

  it("measures every stack's synth", () => {
    expect(result.stacks.map((s) => s.stack)).toEqual(["stage", "prod", "homelab"]);
    for (const s of result.stacks) {
      expect(s.resources).toBeGreaterThan(10);
      expect(s.ms).toBeGreaterThan(0);
      // CPU time is measured beside wall time.
      expect(s.cpuMs).toBeGreaterThan(0);
      expect(s.peakRssMb).toBeGreaterThan(0);
    }
  });

  it("compares each stack with a floor of the same resource count", () => {
    for (const f of result.floor) {
      expect(f.resources).toBe(result.stacks.find((s) => s.stack === f.stack)!.resources);
      expect(Number.isFinite(f.ratio) && f.ratio > 0).toBe(true);
      // The size-matched floor carries the program's inputs, so it costs more than the plain one.
      expect(f.matchedFloorMs).toBeGreaterThan(f.floorMs);
      expect(f.matchedRatio).toBeCloseTo(f.programMs / f.matchedFloorMs);
      // The ratio the verdict reads is the CPU one, which other processes do not inflate.
      expect(f.cpuRatio).toBeCloseTo(f.programCpuMs / f.floorCpuMs);
      expect(f.programCpuMs).toBeGreaterThan(0);
    }
    const text = report(result, true);
    expect(text).toMatch(/CPU ratio\s+size-matched CPU ratio/);
    expect(text).toMatch(
      /^load average \(1 min\) \d+\.\d\d at the start, \d+\.\d\d at the end, on \d+ cores/m,
    );
  });

  it("scales whole clusters: each copy adds the same resources, the stack resource is shared", () => {
    // The short run scales stage 1x and 2x; `npm run bench` scales every stack to 4x.
    expect(result.scaling.map((s) => [s.stack, s.times])).toEqual([
      ["stage", 1],
      ["stage", 2],
    ]);
    const [one, two] = result.scaling.map((s) => s.resources);
    expect(two - 1).toBe(2 * (one - 1));
    expect(report(result, true)).toMatch(
      /stage: CPU time per resource 2x \/ 1x = \d+\.\d\d \(target <= 1.25: (ok|MISSED); wall \d+\.\d\d\)/,
    );
    for (const s of result.scaling) expect(s.cpuUsPerResource).toBeCloseTo((s.cpuMs * 1000) / s.resources);
  });
});

describe("bench building blocks", () => {
  it("names the copies of each cluster <name>x<k>", () => {
    const scaled = scaledConfig(loadOfflineConfig(ROOT, "homelab"), 3);
    expect(Object.keys(scaled.config["platform:clusters"] as object)).toEqual([
      "production",
      "productionx2",
      "productionx3",
      "staging",
      "stagingx2",
      "stagingx3",
    ]);
  });

  it("times a floor program, plain and size-matched", async () => {
    const plain = await timeFloor(5);
    expect(plain.ms).toBeGreaterThan(0);
    expect(plain.cpuMs).toBeGreaterThan(0);
    const matched = await timeMatchedFloor([{ apiVersion: "v1", kind: "ConfigMap", data: { a: "b" } }]);
    expect(matched.ms).toBeGreaterThan(0);
    expect(matched.cpuMs).toBeGreaterThan(0);
  });
});
