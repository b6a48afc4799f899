/**
 * `npm run bench [-- --short]`: how fast and how large the offline synth is.
 *
 * 1. Per stack, in a fresh child process each: synth wall time, peak RSS, resource count.
 * 2. Per stack, the program's cost per resource against a floor: a program that registers
 *    the same number of trivial resources under the same mock runtime (runProgram),
 *    measured alternately in this one process; printed as `ratio to floor`. Beside it, a
 *    size-matched floor that registers the program's own inputs (see timeMatchedFloor).
 * 3. Scaling: the stack's clusters (each a full copy with its engine, services and apps)
 *    repeated 1x, 2x and 4x; prints the time per resource at each size.
 *
 * Targets (each stack's figures from its own process, as `npm run synth` runs it): each stack
 * at most 2.5 s, the three together at most 6 s, at most 2.5 times the floor, peak RSS at most
 * 300 MB, time per resource flat (4x within 1.25x of 1x). `--short` is a smoke run for
 * `npm test` (one repetition, no child processes, no warm-up, stage scaled 1x and 2x only):
 * it checks that every figure is computed, not the targets.
 *
 * Every figure is taken twice: wall time, and the CPU time of this process (user + system,
 * `process.cpuUsage`, every thread of the process: V8's garbage collector works beside the
 * program on helper threads). The synth is mostly one thread, so on an idle machine the two
 * are close; on a shared one wall time also counts the time the process waited for a core, which grows with
 * the machine's load (printed at the start and the end) and says nothing about the program.
 * The per-stack targets are wall-time targets and are judged on wall time; the two ratios
 * (program to floor, 4x to 1x) are judged on CPU time, which other processes do not inflate.
 */
// First: a bench child starts its schema validator before the SDK loads, as the synth does
// (early-validator.ts); then a compiled tool refuses to run from a stale bin/ (lib/fresh.ts).
import "./early-validator";
import "../lib/fresh";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../lib/mock-runtime";
import { REPO_ROOT } from "../lib/root";
import { runStack } from "../stacks/program";
import { loadOfflineConfig, type OfflineConfig } from "./stack-config";
import { synthesize } from "./synth";

const ROOT = REPO_ROOT;
export const STACKS = ["stage", "prod", "homelab"] as const;

/** Targets of the issue. */
export const TARGETS = {
  stackMs: 2_500,
  ratioToFloor: 2.5,
  allStacksMs: 6_000,
  peakRssMb: 300,
  scalingDrift: 1.25,
} as const;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** CPU milliseconds (user + system) this process has used so far. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Wall and CPU milliseconds of one measured piece of work. */
export interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

/** Runs `work` and returns its wall and CPU time beside its value. */
async function timed<T>(work: () => Promise<T>): Promise<Timing & { value: T }> {
  const start = now();
  const cpu = cpuNow();
  const value = await work();
  return { ms: now() - start, cpuMs: cpuNow() - cpu, value };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs the real program for a config on the mock runtime: its timing, resource count and inputs. */
async function timeProgram(
  stack: string,
  offline: OfflineConfig,
): Promise<Timing & { resources: number; inputs: Record<string, unknown>[] }> {
  const { ms, cpuMs, value } = await timed(() =>
    runProgram(() => runStack(), {
      project: offline.project,
      stack,
      config: offline.config,
      secretKeys: offline.secretKeys,
    }),
  );
  return { ms, cpuMs, resources: value.resources.length, inputs: value.resources.map((r) => r.inputs) };
}

/** A resource with one plain input and no behaviour: the cheapest thing a program registers. */
class Trivial extends pulumi.CustomResource {
  constructor(name: string, inputs: Record<string, unknown>) {
    super("bench:index/trivial:Trivial", name, inputs);
  }
}

/** The floor: `count` trivial custom resources, nothing else, on the same runtime. */
export async function timeFloor(count: number): Promise<Timing> {
  const { ms, cpuMs } = await timed(() =>
    runProgram(() => {
      for (let i = 0; i < count; i++) new Trivial(`r${i}`, { i });
    }),
  );
  return { ms, cpuMs };
}

/**
 * The size-matched floor: as many trivial resources, each registering the inputs one of the
 * program's resources registered (Kubernetes objects, Talos configs), so the serialization
 * and property transfer the data itself costs is on both sides; what remains above it is
 * the program's own work (config, builders, Outputs).
 */
export async function timeMatchedFloor(inputs: readonly Record<string, unknown>[]): Promise<Timing> {
  const { ms, cpuMs } = await timed(() =>
    runProgram(() => {
      inputs.forEach((props, i) => new Trivial(`r${i}`, props));
    }),
  );
  return { ms, cpuMs };
}

/** The stack's config with every cluster repeated `times` (copies named `<name>x<k>`). */
export function scaledConfig(offline: OfflineConfig, times: number): OfflineConfig {
  const clusters = offline.config["platform:clusters"] as Record<string, unknown>;
  const scaled: Record<string, unknown> = {};
  for (const [name, cluster] of Object.entries(clusters)) {
    scaled[name] = cluster;
    for (let k = 2; k <= times; k++) scaled[`${name}x${k}`] = cluster;
  }
  return { ...offline, config: { ...offline.config, "platform:clusters": scaled } };
}

/**
 * One stack's synth in this process: its wall and CPU time, the CPU time of the whole process
 * (start included), resources, and this process's peak RSS.
 */
export async function synthOnce(
  stack: string,
): Promise<Timing & { processCpuMs: number; resources: number; peakRssMb: number }> {
  const { ms, cpuMs, value } = await timed(() => synthesize(stack, ROOT));
  return {
    ms,
    cpuMs,
    processCpuMs: cpuNow(),
    resources: value.resources.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Figures of one run. */
export interface BenchResult {
  /** The machine's 1-minute load average when the run started and when it ended. */
  readonly load: { start: number; end: number };
  readonly stacks: {
    stack: string;
    ms: number;
    cpuMs: number;
    resources: number;
    peakRssMb: number;
    /** The child process, start to end (wall), and its CPU time; absent in the short run. */
    processMs?: number;
    processCpuMs?: number;
  }[];
  readonly floor: {
    stack: string;
    resources: number;
    programMs: number;
    floorMs: number;
    ratio: number;
    programCpuMs: number;
    floorCpuMs: number;
    cpuRatio: number;
    matchedFloorMs: number;
    matchedRatio: number;
    matchedCpuRatio: number;
  }[];
  readonly scaling: {
    stack: string;
    times: number;
    resources: number;
    ms: number;
    usPerResource: number;
    cpuMs: number;
    cpuUsPerResource: number;
  }[];
}

/** The floor row of one stack from its program, plain floor and size-matched floor timings. */
function floorRow(stack: string, resources: number, program: Timing, floor: Timing, matched: Timing) {
  return {
    stack,
    resources,
    programMs: program.ms,
    floorMs: floor.ms,
    ratio: program.ms / floor.ms,
    programCpuMs: program.cpuMs,
    floorCpuMs: floor.cpuMs,
    cpuRatio: program.cpuMs / floor.cpuMs,
    matchedFloorMs: matched.ms,
    matchedRatio: program.ms / matched.ms,
    matchedCpuRatio: program.cpuMs / matched.cpuMs,
  };
}

/** The scaling row of one stack at one size. */
function scalingRow(stack: string, times: number, resources: number, t: Timing) {
  return {
    stack,
    times,
    resources,
    ms: t.ms,
    usPerResource: (t.ms * 1000) / resources,
    cpuMs: t.cpuMs,
    cpuUsPerResource: (t.cpuMs * 1000) / resources,
  };
}

/** The median of each of wall and CPU time over runs. */
function medianTiming(runs: readonly Timing[]): Timing {
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)) };
}

/** Runs the benchmark; `short` for the quick variant `npm test` runs. */
export async function runBench(options: { short: boolean; reps?: number }): Promise<BenchResult> {
  if (options.short) return runShort();
  const loadAtStart = os.loadavg()[0];
  const reps = options.reps ?? 5;
  const stacks: BenchResult["stacks"] = [];
  for (const stack of STACKS) {
    // A fresh process per stack, so peak RSS is that stack's alone.
    const start = now();
    const child = spawnSync(
      process.execPath,
      // This same file: compiled (`npm run bench` runs bin/), or its source under ts-node.
      [
        ...(__filename.endsWith(".ts") ? ["-r", "ts-node/register/transpile-only"] : []),
        __filename,
        "--child",
        stack,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    if (child.status !== 0) throw new Error(`bench child for ${stack} failed: ${child.stderr}`);
    const figures = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Awaited<
      ReturnType<typeof synthOnce>
    >;
    stacks.push({ stack, ...figures, processMs: now() - start });
  }

  const floor: BenchResult["floor"] = [];
  for (const stack of STACKS) {
    const offline = loadOfflineConfig(ROOT, stack);
    const warm = await timeProgram(stack, offline);
    await timeFloor(warm.resources);
    await timeMatchedFloor(warm.inputs);
    const program: Timing[] = [];
    const trivial: Timing[] = [];
    const matched: Timing[] = [];
    // Alternate, so machine noise lands on all sides alike.
    for (let i = 0; i < reps; i++) {
      program.push(await timeProgram(stack, offline));
      trivial.push(await timeFloor(warm.resources));
      matched.push(await timeMatchedFloor(warm.inputs));
    }
    floor.push(
      floorRow(stack, warm.resources, medianTiming(program), medianTiming(trivial), medianTiming(matched)),
    );
  }

  const scaling: BenchResult["scaling"] = [];
  for (const stack of STACKS) {
    const offline = loadOfflineConfig(ROOT, stack);
    for (const times of [1, 2, 4]) {
      const config = scaledConfig(offline, times);
      await timeProgram(stack, config); // warm-up
      const runs: (Timing & { resources: number })[] = [];
      for (let i = 0; i < reps; i++) runs.push(await timeProgram(stack, config));
      scaling.push(scalingRow(stack, times, runs[0].resources, medianTiming(runs)));
    }
  }
  return { load: { start: loadAtStart, end: os.loadavg()[0] }, stacks, floor, scaling };
}

/**
 * The smoke run `npm test` makes: every figure computed once, from as few program runs as
 * possible (one per stack, which is also its floor comparison, and stage at 2x).
 */
async function runShort(): Promise<BenchResult> {
  const loadAtStart = os.loadavg()[0];
  const stacks: BenchResult["stacks"] = [];
  const floor: BenchResult["floor"] = [];
  const scaling: BenchResult["scaling"] = [];
  await timeFloor(50); // the runtime's own first-run cost, off the first stack's floor
  for (const stack of STACKS) {
    const offline = loadOfflineConfig(ROOT, stack);
    const run = await timeProgram(stack, offline);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    stacks.push({ stack, ms: run.ms, cpuMs: run.cpuMs, resources: run.resources, peakRssMb });
    floor.push(
      floorRow(stack, run.resources, run, await timeFloor(run.resources), await timeMatchedFloor(run.inputs)),
    );
    if (stack === "stage") {
      const twice = await timeProgram(stack, scaledConfig(offline, 2));
      scaling.push(scalingRow(stack, 1, run.resources, run), scalingRow(stack, 2, twice.resources, twice));
    }
  }
  return { load: { start: loadAtStart, end: os.loadavg()[0] }, stacks, floor, scaling };
}

function verdict(ok: boolean): string {
  return ok ? "ok" : "MISSED";
}

/** The figures as a table, with each target's verdict. */
export function report(r: BenchResult, short: boolean): string {
  const lines = [
    `platform bench${short ? " (short: one program run per stack in this process, no schema validation, no warm-up, stage scaled 1x and 2x; a smoke run, verdicts meaningless)" : ""}`,
    `load average (1 min) ${r.load.start.toFixed(2)} at the start, ${r.load.end.toFixed(2)} at the end, on ${os.availableParallelism()} cores: wall times above CPU times are time spent waiting for a core`,
    "",
  ];
  lines.push(
    "synth per stack            wall ms  with process ms  CPU ms  process CPU ms  resources  peak RSS MB",
  );
  for (const s of r.stacks) {
    const whole = s.processMs ?? s.ms;
    lines.push(
      `  ${s.stack.padEnd(22)} ${s.ms.toFixed(0).padStart(8)}  ${(s.processMs?.toFixed(0) ?? "-").padStart(15)}  ${s.cpuMs.toFixed(0).padStart(6)}  ${(s.processCpuMs?.toFixed(0) ?? "-").padStart(14)}  ${String(s.resources).padStart(9)}  ${s.peakRssMb.toFixed(0).padStart(11)}  (target <= ${TARGETS.stackMs} ms: ${verdict(whole <= TARGETS.stackMs)})`,
    );
  }
  const total = r.stacks.reduce((n, s) => n + s.ms, 0);
  const processTotal = r.stacks.every((s) => s.processMs !== undefined)
    ? r.stacks.reduce((n, s) => n + s.processMs!, 0)
    : undefined;
  const peak = Math.max(...r.stacks.map((s) => s.peakRssMb));
  lines.push(
    `  all three stacks: ${total.toFixed(0)} ms synth${processTotal !== undefined ? `, ${processTotal.toFixed(0)} ms with process start` : ""} (target <= ${TARGETS.allStacksMs} ms: ${verdict((processTotal ?? total) <= TARGETS.allStacksMs)})`,
    short
      ? `  peak RSS: ${peak.toFixed(0)} MB of this whole process (shared with whatever ran in it before; \`npm run bench\` measures each stack alone)`
      : `  peak RSS: ${peak.toFixed(0)} MB (target <= ${TARGETS.peakRssMb} MB: ${verdict(peak <= TARGETS.peakRssMb)})`,
    "",
    "program vs floor (same runtime, same resource count, alternated, median; the ratio is judged on CPU time)",
    "  stack      resources  program ms  floor ms  wall ratio  program CPU ms  floor CPU ms  CPU us/resource  CPU ratio  size-matched CPU ratio",
  );
  for (const f of r.floor)
    lines.push(
      `  ${f.stack.padEnd(10)} ${String(f.resources).padStart(9)}  ${f.programMs.toFixed(1).padStart(10)}  ${f.floorMs.toFixed(1).padStart(8)}  ${f.ratio.toFixed(2).padStart(10)}  ${f.programCpuMs.toFixed(1).padStart(14)}  ${f.floorCpuMs.toFixed(1).padStart(12)}  ${((f.programCpuMs * 1000) / f.resources).toFixed(0).padStart(15)}  ${f.cpuRatio.toFixed(2).padStart(9)} (${verdict(f.cpuRatio <= TARGETS.ratioToFloor)})  ${f.matchedCpuRatio.toFixed(2).padStart(22)}`,
    );
  lines.push(
    "  (the floor registers one integer per resource; the size-matched floor registers the program's own inputs,",
    "   so its ratio is the program's work above what registering that data costs)",
  );
  lines.push(
    "",
    "scaling: every cluster of the stack, with its apps, repeated (judged on CPU time per resource)",
  );
  lines.push("  stack      size  resources  program ms  us/resource  CPU ms  CPU us/resource");
  for (const s of r.scaling)
    lines.push(
      `  ${s.stack.padEnd(10)} ${`${s.times}x`.padStart(4)}  ${String(s.resources).padStart(9)}  ${s.ms.toFixed(1).padStart(10)}  ${s.usPerResource.toFixed(0).padStart(11)}  ${s.cpuMs.toFixed(0).padStart(6)}  ${s.cpuUsPerResource.toFixed(0).padStart(15)}`,
    );
  for (const stack of new Set(r.scaling.map((s) => s.stack))) {
    const rows = r.scaling.filter((s) => s.stack === stack);
    const drift = rows.at(-1)!.cpuUsPerResource / rows[0].cpuUsPerResource;
    const wallDrift = rows.at(-1)!.usPerResource / rows[0].usPerResource;
    lines.push(
      `  ${stack}: CPU time per resource ${rows.at(-1)!.times}x / 1x = ${drift.toFixed(2)} (target <= ${TARGETS.scalingDrift}: ${verdict(drift <= TARGETS.scalingDrift)}; wall ${wallDrift.toFixed(2)})`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function cli(argv: string[]): Promise<number> {
  const childIndex = argv.indexOf("--child");
  if (childIndex >= 0) {
    process.stdout.write(`${JSON.stringify(await synthOnce(argv[childIndex + 1]))}\n`);
    return 0;
  }
  const short = argv.includes("--short");
  const unknown = argv.filter((a) => a !== "--short");
  if (unknown.length > 0) {
    process.stderr.write("usage: npm run bench [-- --short]\n");
    return 64;
  }
  process.stdout.write(report(await runBench({ short }), short));
  return 0;
}

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
