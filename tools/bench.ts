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
 */
// First: a compiled tool refuses to run from a stale bin/ (lib/fresh.ts).
import "../lib/fresh";
import { spawnSync } from "node:child_process";
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

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs the real program for a config on the mock runtime; milliseconds, resource count and inputs. */
async function timeProgram(
  stack: string,
  offline: OfflineConfig,
): Promise<{ ms: number; resources: number; inputs: Record<string, unknown>[] }> {
  const start = now();
  const { resources } = await runProgram(() => runStack(), {
    project: offline.project,
    stack,
    config: offline.config,
    secretKeys: offline.secretKeys,
  });
  return { ms: now() - start, resources: resources.length, inputs: resources.map((r) => r.inputs) };
}

/** A resource with one plain input and no behaviour: the cheapest thing a program registers. */
class Trivial extends pulumi.CustomResource {
  constructor(name: string, inputs: Record<string, unknown>) {
    super("bench:index/trivial:Trivial", name, inputs);
  }
}

/** The floor: `count` trivial custom resources, nothing else, on the same runtime. */
export async function timeFloor(count: number): Promise<number> {
  const start = now();
  await runProgram(() => {
    for (let i = 0; i < count; i++) new Trivial(`r${i}`, { i });
  });
  return now() - start;
}

/**
 * The size-matched floor: as many trivial resources, each registering the inputs one of the
 * program's resources registered (Kubernetes objects, Talos configs), so the serialization
 * and property transfer the data itself costs is on both sides; what remains above it is
 * the program's own work (config, builders, Outputs).
 */
export async function timeMatchedFloor(inputs: readonly Record<string, unknown>[]): Promise<number> {
  const start = now();
  await runProgram(() => {
    inputs.forEach((props, i) => new Trivial(`r${i}`, props));
  });
  return now() - start;
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

/** One stack's synth in this process: wall time, resources, and this process's peak RSS. */
export async function synthOnce(
  stack: string,
): Promise<{ ms: number; resources: number; peakRssMb: number }> {
  const start = now();
  const result = await synthesize(stack, ROOT);
  return {
    ms: now() - start,
    resources: result.resources.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Figures of one run. */
export interface BenchResult {
  readonly stacks: { stack: string; ms: number; resources: number; peakRssMb: number; processMs?: number }[];
  readonly floor: {
    stack: string;
    resources: number;
    programMs: number;
    floorMs: number;
    ratio: number;
    matchedFloorMs: number;
    matchedRatio: number;
  }[];
  readonly scaling: { stack: string; times: number; resources: number; ms: number; usPerResource: number }[];
}

/** Runs the benchmark; `short` for the quick variant `npm test` runs. */
export async function runBench(options: { short: boolean; reps?: number }): Promise<BenchResult> {
  if (options.short) return runShort();
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
    const figures = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
      ms: number;
      resources: number;
      peakRssMb: number;
    };
    stacks.push({ stack, ...figures, processMs: now() - start });
  }

  const floor: BenchResult["floor"] = [];
  for (const stack of STACKS) {
    const offline = loadOfflineConfig(ROOT, stack);
    const warm = await timeProgram(stack, offline);
    await timeFloor(warm.resources);
    await timeMatchedFloor(warm.inputs);
    const program: number[] = [];
    const trivial: number[] = [];
    const matched: number[] = [];
    // Alternate, so machine noise lands on all sides alike.
    for (let i = 0; i < reps; i++) {
      program.push((await timeProgram(stack, offline)).ms);
      trivial.push(await timeFloor(warm.resources));
      matched.push(await timeMatchedFloor(warm.inputs));
    }
    const programMs = median(program);
    const floorMs = median(trivial);
    const matchedFloorMs = median(matched);
    floor.push({
      stack,
      resources: warm.resources,
      programMs,
      floorMs,
      ratio: programMs / floorMs,
      matchedFloorMs,
      matchedRatio: programMs / matchedFloorMs,
    });
  }

  const scaling: BenchResult["scaling"] = [];
  for (const stack of STACKS) {
    const offline = loadOfflineConfig(ROOT, stack);
    for (const times of [1, 2, 4]) {
      const config = scaledConfig(offline, times);
      await timeProgram(stack, config); // warm-up
      const runs: { ms: number; resources: number }[] = [];
      for (let i = 0; i < reps; i++) runs.push(await timeProgram(stack, config));
      const ms = median(runs.map((r) => r.ms));
      const resources = runs[0].resources;
      scaling.push({ stack, times, resources, ms, usPerResource: (ms * 1000) / resources });
    }
  }
  return { stacks, floor, scaling };
}

/**
 * The smoke run `npm test` makes: every figure computed once, from as few program runs as
 * possible (one per stack, which is also its floor comparison, and stage at 2x).
 */
async function runShort(): Promise<BenchResult> {
  const result: BenchResult = { stacks: [], floor: [], scaling: [] };
  await timeFloor(50); // the runtime's own first-run cost, off the first stack's floor
  for (const stack of STACKS) {
    const offline = loadOfflineConfig(ROOT, stack);
    const run = await timeProgram(stack, offline);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    result.stacks.push({ stack, ms: run.ms, resources: run.resources, peakRssMb });
    const floorMs = await timeFloor(run.resources);
    const matchedFloorMs = await timeMatchedFloor(run.inputs);
    result.floor.push({
      stack,
      resources: run.resources,
      programMs: run.ms,
      floorMs,
      ratio: run.ms / floorMs,
      matchedFloorMs,
      matchedRatio: run.ms / matchedFloorMs,
    });
    if (stack === "stage") {
      const twice = await timeProgram(stack, scaledConfig(offline, 2));
      for (const [times, r] of [
        [1, run],
        [2, twice],
      ] as const)
        result.scaling.push({
          stack,
          times,
          resources: r.resources,
          ms: r.ms,
          usPerResource: (r.ms * 1000) / r.resources,
        });
    }
  }
  return result;
}

function verdict(ok: boolean): string {
  return ok ? "ok" : "MISSED";
}

/** The figures as a table, with each target's verdict. */
export function report(r: BenchResult, short: boolean): string {
  const lines = [
    `platform bench${short ? " (short: one program run per stack in this process, no schema validation, no warm-up, stage scaled 1x and 2x; a smoke run, verdicts meaningless)" : ""}`,
    "",
  ];
  lines.push("synth per stack            wall ms  with process ms  resources  peak RSS MB");
  for (const s of r.stacks) {
    const whole = s.processMs ?? s.ms;
    lines.push(
      `  ${s.stack.padEnd(22)} ${s.ms.toFixed(0).padStart(8)}  ${(s.processMs?.toFixed(0) ?? "-").padStart(15)}  ${String(s.resources).padStart(9)}  ${s.peakRssMb.toFixed(0).padStart(11)}  (target <= ${TARGETS.stackMs} ms: ${verdict(whole <= TARGETS.stackMs)})`,
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
    "program vs floor (same runtime, same resource count, alternated, median)",
    "  stack      resources  program ms  floor ms  us/resource  ratio to floor  size-matched floor ms  ratio",
  );
  for (const f of r.floor)
    lines.push(
      `  ${f.stack.padEnd(10)} ${String(f.resources).padStart(9)}  ${f.programMs.toFixed(1).padStart(10)}  ${f.floorMs.toFixed(1).padStart(8)}  ${((f.programMs * 1000) / f.resources).toFixed(0).padStart(11)}  ${f.ratio.toFixed(2).padStart(14)} (${verdict(f.ratio <= TARGETS.ratioToFloor)})  ${f.matchedFloorMs.toFixed(1).padStart(21)}  ${f.matchedRatio.toFixed(2).padStart(5)}`,
    );
  lines.push(
    "  (the floor registers one integer per resource; the size-matched floor registers the program's own inputs,",
    "   so its ratio is the program's work above what registering that data costs)",
  );
  lines.push("", "scaling: every cluster of the stack, with its apps, repeated");
  lines.push("  stack      size  resources  program ms  us/resource");
  for (const s of r.scaling)
    lines.push(
      `  ${s.stack.padEnd(10)} ${`${s.times}x`.padStart(4)}  ${String(s.resources).padStart(9)}  ${s.ms.toFixed(1).padStart(10)}  ${s.usPerResource.toFixed(0).padStart(11)}`,
    );
  for (const stack of new Set(r.scaling.map((s) => s.stack))) {
    const rows = r.scaling.filter((s) => s.stack === stack);
    const drift = rows.at(-1)!.usPerResource / rows[0].usPerResource;
    lines.push(
      `  ${stack}: time per resource ${rows.at(-1)!.times}x / 1x = ${drift.toFixed(2)} (target <= ${TARGETS.scalingDrift}: ${verdict(drift <= TARGETS.scalingDrift)})`,
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
