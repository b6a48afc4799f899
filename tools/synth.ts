/**
 * Offline synth: `npm run synth -- <stack> [--out DIR]`.
 *
 * Evaluates the real program for a stack on the Pulumi SDK's mock runtime, with no CLI,
 * credentials or network, and writes `<out>/<stack>/plan.json`, the Kubernetes objects
 * per cluster under `<out>/<stack>/manifests/<cluster>/`, and a summary on stdout. Exits
 * non-zero on any config error, schema finding or policy finding. Deterministic: two runs
 * give identical bytes.
 */
// First: a compiled tool refuses to run from a stale bin/ (lib/fresh.ts).
// First: the schema validator starts before the SDK loads (early-validator.ts).
import { takeEarlyValidator } from "./early-validator";
import "../lib/fresh";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EMIT_MARKER } from "../components/gitops/emit";
import { imagesWaiting } from "../config/apps/images";
import { ConfigError } from "../config/reader";
import {
  fakeRandomValue,
  GENERATED_SECRET_TYPES,
  runProgram,
  type LoggedMessage,
  SECRET_PLACEHOLDER,
  type RecordedResource,
} from "../lib/mock-runtime";
import { REPO_ROOT } from "../lib/root";
import { contractProblems } from "../stacks/contract";
import { runStack } from "../stacks/program";
import { unitsOfRawConfig, type PlatformUnits } from "../stacks/units";
import {
  canonical,
  manifestFileName,
  emittedObjects,
  plannedObjects,
  resolveOutputs,
  toYaml,
  type PlannedObject,
} from "./plan";
import { checkPolicies, type PolicyFinding } from "./policies";
import { startSchemaValidator, type SchemaResult, type SchemaValidator } from "./schemas";
import { knownStacks, loadOfflineConfig, StackFileError, type OfflineConfig } from "./stack-config";

/** Everything one synth produces, before anything is written. */
export interface SynthResult {
  readonly stack: string;
  /** Relative path (under `<out>/<stack>/`) -> file content. */
  readonly files: Map<string, string>;
  readonly resources: RecordedResource[];
  readonly objects: PlannedObject[];
  readonly schema: SchemaResult[];
  readonly policy: PolicyFinding[];
  /** Advisory policy findings: listed, never failing. */
  readonly advisories: PolicyFinding[];
  readonly fakes: OfflineConfig["fakes"];
  readonly unset: OfflineConfig["unset"];
  /** What the program logged with `pulumi.log` (a real preview prints these as diagnostics). */
  readonly logs: LoggedMessage[];
  readonly summary: string;
  readonly ok: boolean;
  /** Where each emit-mode cluster's engine syncs from: the repository, branch and path the tree must be committed to. */
  readonly emitTargets: readonly EmitTarget[];
}

/** The repository, branch and directory an emit-mode cluster's engine syncs (its `git` config). */
export interface EmitTarget {
  readonly cluster: string;
  readonly url: string;
  readonly branch: string;
  /** Repository-relative directory, `gitops/<stack>/<cluster>`. */
  readonly path: string;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function summarize(
  r: Omit<SynthResult, "summary" | "ok" | "files" | "emitTargets">,
  clusters: Record<string, { services?: string[]; apps?: string[]; appSettings?: Record<string, unknown> }>,
  units: PlatformUnits,
): string {
  const lines: string[] = [
    `synth ${r.stack}: ${r.resources.length} resources, ${r.objects.length} Kubernetes objects`,
  ];
  lines.push("", "resources by type:");
  for (const [type, n] of countBy(r.resources, (x) => x.type))
    lines.push(`  ${String(n).padStart(4)}  ${type}`);
  lines.push("", "Kubernetes objects by cluster:");
  for (const [cluster, n] of countBy(r.objects, (o) => o.cluster))
    lines.push(`  ${String(n).padStart(4)}  ${cluster}`);
  const unvalidated = countBy(
    r.schema.filter((s) => s.status === "unvalidated"),
    (s) => `${s.apiVersion} ${s.kind}`,
  );
  const invalid = r.schema.filter((s) => s.status === "invalid");
  lines.push(
    "",
    `schema: ${r.schema.filter((s) => s.status === "valid").length} valid, ${invalid.length} invalid, ${unvalidated.reduce((n, [, c]) => n + c, 0)} unvalidated`,
  );
  for (const s of invalid)
    lines.push(`  INVALID ${s.kind} ${s.namespace ?? "_cluster"}/${s.name}: ${s.error}`);
  for (const [kind, n] of unvalidated)
    lines.push(`  unvalidated (no upstream schema packaged): ${kind} x${n}`);
  lines.push("", `policy: ${r.policy.length} finding(s)`);
  for (const f of r.policy) lines.push(`  ${f.policy}: ${f.subject}: ${f.message}`);
  if (r.advisories.length > 0) {
    lines.push("", `advisory: ${r.advisories.length} (not failing)`);
    for (const [policy, n] of countBy(r.advisories, (a) => a.policy)) lines.push(`  ${policy} x${n}`);
  }
  lines.push("", "fake secrets used (offline values, never real):");
  for (const f of r.fakes) lines.push(`  ${f.key} (${f.reason})`);
  if (r.fakes.some((f) => f.reason === "required, not in the stack file")) {
    lines.push(
      "  (a real preview stops until each required one is set: pulumi config set --secret <key> <value>)",
    );
  }
  if (r.unset.length > 0) {
    lines.push("", "optional secrets not set, and what is left out:");
    for (const u of r.unset) lines.push(`  ${u.key}: ${u.effect}`);
  }
  if (r.logs.length > 0) {
    lines.push("", `program messages (pulumi.log; a real preview prints each): ${r.logs.length}`);
    for (const log of r.logs) lines.push(`  ${log.severity}: ${log.message}`);
  }
  const waiting: string[] = [];
  for (const [name, c] of Object.entries(clusters)) {
    const images = (c.apps ?? []).flatMap((a) => {
      const definition = units.apps.find((d) => d.name === a);
      return definition
        ? imagesWaiting(definition.images, c.appSettings?.[a]).map((image) => `${a}/${image}`)
        : [];
    });
    if (images.length > 0) waiting.push(`  ${name}: ${images.join(", ")}`);
  }
  if (waiting.length > 0)
    lines.push(
      "",
      "apps waiting for an image (set by the image_update flow, or appSettings.<app>.images.<image>):",
      ...waiting,
    );
  return lines.join("\n");
}

/**
 * Runs the program for `stack` offline and builds every artifact in memory. The schema
 * validator starts first (or was started with the process), so that its imports overlap the
 * program's run.
 */
export async function synthesize(stack: string, root: string = REPO_ROOT): Promise<SynthResult> {
  const validator = takeEarlyValidator() ?? startSchemaValidator({ preload: false });
  try {
    return await synthesizeWith(stack, root, validator);
  } finally {
    validator.close();
  }
}

async function synthesizeWith(stack: string, root: string, validator: SchemaValidator): Promise<SynthResult> {
  const offline = loadOfflineConfig(root, stack);
  const {
    resources,
    outputs: run,
    logs,
  } = await runProgram(() => runStack(), {
    project: offline.project,
    stack,
    config: offline.config,
    secretKeys: offline.secretKeys,
  });
  resources.sort((a, b) => a.urn.localeCompare(b.urn));
  const clusters = (offline.config["platform:clusters"] ?? {}) as Record<
    string,
    { services?: string[]; apps?: string[] }
  >;
  const files = new Map<string, string>();
  const plan = { project: offline.project, stack, resources, outputs: await resolveOutputs(run.outputs) };
  files.set("plan.json", `${JSON.stringify(canonical(plan), null, 2)}\n`);
  // What emit mode writes for the engines to sync, at its repository-relative path.
  for (const tree of Object.values(run.emitted)) {
    for (const [file, content] of Object.entries(tree)) files.set(file, content);
  }
  // Registered objects, and the emitted ones the engines will apply: both are checked.
  const objects = [...plannedObjects(resources, Object.keys(clusters)), ...emittedObjects(stack, files)];
  for (const o of objects) {
    const file = `manifests/${o.cluster}/${manifestFileName(o.object)}`;
    const content = toYaml(o.object);
    files.set(file, files.has(file) ? `${files.get(file)}---\n${content}` : content);
  }
  // Validated in the validator's process while this one checks the policies.
  const validating = validator.validate(objects.map((o) => o.object));
  // Every secret value the run used: the fake config secrets and every generated password.
  const fakeValues = [
    ...offline.secretKeys.map((k) => String(offline.config[k])),
    ...resources.filter((r) => GENERATED_SECRET_TYPES[r.type]).map((r) => fakeRandomValue(r.name)),
  ];
  const report = checkPolicies(resources, objects, files, fakeValues);
  // What consumers read must be there and plausible: no `undefined` endpoint, no null address.
  const contract = contractProblems(plan.outputs, SECRET_PLACEHOLDER).map((message) => ({
    policy: "outputs-contract",
    subject: `${stack} outputs`,
    message,
  }));
  const policy = [...report.findings, ...contract];
  const schema = await validating;
  const partial = {
    stack,
    resources,
    objects,
    schema,
    policy,
    advisories: report.advisories,
    fakes: offline.fakes,
    unset: offline.unset,
    logs,
  };
  const emitTargets = emitTargetsOf(offline.config["platform:clusters"], stack);
  const summary = [
    summarize(partial, clusters, unitsOfRawConfig(offline.config)),
    ...(emitTargets.length ? ["", "emit: each cluster's engine syncs (commit the tree there):"] : []),
    ...emitTargets.map((t) => `  ${t.cluster}: ${t.url} branch ${t.branch} path ${t.path}`),
  ].join("\n");
  return {
    ...partial,
    files,
    summary,
    ok: schema.every((s) => s.status !== "invalid") && policy.length === 0,
    emitTargets,
  };
}

/** The emit targets of a stack's clusters, from the stack file's `platform:clusters` (git.path defaults to the emit root). */
function emitTargetsOf(clusters: unknown, stack: string): EmitTarget[] {
  const all = (clusters ?? {}) as Record<
    string,
    { delivery?: string; git?: { url?: string; branch?: string; path?: string } }
  >;
  return Object.entries(all)
    .filter(([, c]) => c.delivery === "emit")
    .map(([cluster, c]) => ({
      cluster,
      url: String(c.git?.url),
      branch: String(c.git?.branch),
      path: (c.git?.path ?? `gitops/${stack}/${cluster}`).replace(/^\.\//, "").replace(/\/+$/, ""),
    }))
    .sort((a, b) => a.cluster.localeCompare(b.cluster));
}

/** A repository URL compared loosely: no scheme, user, `.git` suffix or trailing slash, lower case. */
export function sameRepository(a: string, b: string): boolean {
  const norm = (u: string) =>
    u
      .trim()
      .replace(/^[a-z+]+:\/\//i, "")
      .replace(/^[^@/]+@/, "")
      .replace(/:(?!\d)/, "/")
      .replace(/\.git$/, "")
      .replace(/\/+$/, "")
      .toLowerCase();
  return norm(a) === norm(b);
}

/** The `origin` URL of a git checkout, or undefined when `dir` is no checkout or has no origin. */
export function originOf(dir: string): string | undefined {
  const run = spawnSync("git", ["-C", dir, "remote", "get-url", "origin"], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/**
 * Writes the emitted GitOps tree of a synth into the repository (`gitops/<stack>/...`):
 * what a user commits after an emit. Files an earlier emit wrote (they start with
 * {@link EMIT_MARKER}) and are no longer emitted are deleted, and directories left empty
 * are removed; any other file (a SOPS-encrypted Secret a user keeps in the tree) is never
 * touched. A user file at a path the emit writes is an error, not overwritten.
 */
export function writeEmitted(result: SynthResult, root: string, paths?: readonly string[]): string[] {
  const prefix = `gitops/${result.stack}/`;
  const inPaths = (f: string) => paths === undefined || paths.some((p) => f.startsWith(`${p}/`));
  const emitted = [...result.files.keys()].filter((f) => f.startsWith(prefix) && inPaths(f)).sort();
  const stackDir = path.join(root, "gitops", result.stack);
  const isOurs = (file: string): boolean => fs.readFileSync(file, "utf8").startsWith(EMIT_MARKER);
  for (const file of emitted) {
    const target = path.join(root, file);
    if (fs.existsSync(target) && !isOurs(target)) {
      throw new Error(
        `emit: ${file} exists and was not written by an emit (no marker line); move it away, the emit needs this path`,
      );
    }
  }
  const keep = new Set(emitted.map((f) => path.join(root, f)));
  const sweep = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        sweep(full);
        if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
      } else if (entry.isFile() && !keep.has(full) && isOurs(full)) {
        fs.rmSync(full);
      }
    }
  };
  sweep(stackDir);
  for (const file of emitted) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), result.files.get(file)!);
  }
  return emitted;
}

/** Writes a synth's files under `<out>/<stack>/`, replacing what an earlier run wrote. */
export function writeSynth(result: SynthResult, out: string): string {
  const dir = path.join(out, result.stack);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, content] of [...result.files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** The synth's command-line usage. */
export function usage(root: string = REPO_ROOT): string {
  return [
    "usage: npm run synth -- <stack> [--out DIR] [--emit] [--emit-to CHECKOUT]",
    "",
    "Evaluates the program for a stack offline (no CLI, credentials or network) and writes",
    "<DIR>/<stack>/plan.json and the Kubernetes manifests (DIR defaults to out).",
    "  --emit               also write the emitted GitOps tree into gitops/<stack>/ of this repository",
    "  --emit-to CHECKOUT   write the tree of every emit-mode cluster that syncs CHECKOUT's origin",
    "                       repository into CHECKOUT (a git checkout of the cluster's git.url)",
    "  --out DIR            write under DIR instead of out",
    "",
    `stacks: ${knownStacks(root).join(", ")}`,
    "exit codes: 0 ok, 1 schema or policy findings, 2 a config or stack-file error, 64 bad usage",
  ].join("\n");
}

/**
 * What is wrong with the synth's arguments once `--emit` and `--out DIR` are taken out
 * (naming the argument), or undefined. Exported for tests.
 */
export function usageProblem(rest: readonly string[], out: string | undefined): string | undefined {
  const option = rest.find((a) => a.startsWith("-"));
  if (option !== undefined) return `unknown option ${option}`;
  if (!out) return "--out needs a directory (--out DIR)";
  if (rest.length === 0) return "no stack given";
  if (rest.length > 1) return `unexpected argument ${rest[1]} (one stack at a time)`;
  return undefined;
}

/** The line naming what a synth wrote: the plan, the manifests and the emitted GitOps tree. */
export function wroteLine(result: SynthResult, dir: string): string {
  const parts = [`${dir}/plan.json`, `${dir}/manifests/`];
  if ([...result.files.keys()].some((f) => f.startsWith("gitops/"))) {
    parts.push(`${dir}/gitops/ (the tree emit clusters sync; --emit writes it into gitops/${result.stack}/)`);
  }
  return `wrote ${parts.slice(0, -1).join(", ")} and ${parts.at(-1)!}`;
}

/**
 * Runs the synth CLI; returns the exit code. Exported for tests, which may pass `synth`: a
 * synth of the same stack the run already has (the synth is deterministic).
 */
export async function main(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  synth: (stack: string) => Promise<SynthResult> = synthesize,
): Promise<number> {
  const args = [...argv];
  if (args.includes("--help") || args.includes("-h")) {
    io.out(`${usage()}\n`);
    return 0;
  }
  const emitIndex = args.indexOf("--emit");
  const emit = emitIndex >= 0;
  if (emit) args.splice(emitIndex, 1);
  const emitToIndex = args.indexOf("--emit-to");
  const emitTo = emitToIndex >= 0 ? args.splice(emitToIndex, 2)[1] : undefined;
  if (emitToIndex >= 0 && (!emitTo || emitTo.startsWith("-"))) {
    io.err(`${usage()}\n`);
    return 64;
  }
  const outIndex = args.indexOf("--out");
  const out = outIndex >= 0 ? args.splice(outIndex, 2)[1] : "out";
  const [stack] = args;
  const problem = usageProblem(args, out);
  if (problem !== undefined) {
    io.err(`error: ${problem}\n\n${usage()}\n`);
    return 64;
  }
  try {
    const result = await synth(stack);
    const dir = writeSynth(result, out);
    io.out(`${result.summary}\n\n${wroteLine(result, dir)}\n`);
    if (emit && result.ok) {
      const written = writeEmitted(result, REPO_ROOT);
      io.out(`emitted ${written.length} files under gitops/${stack}/; review and commit them\n`);
      for (const t of result.emitTargets) {
        io.out(
          `  ${t.cluster} syncs ${t.url} (branch ${t.branch}); this repository must be that one, or use --emit-to <checkout>\n`,
        );
      }
    }
    if (emitTo !== undefined && result.ok) return emitInto(result, emitTo, io);
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StackFileError) {
      io.err(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * `--emit-to`: writes the trees of the clusters that sync the checkout's `origin` into it,
 * and says which clusters sync elsewhere. A directory that is no git checkout is refused:
 * the engine syncs a repository, and a tree written anywhere else is never seen.
 */
function emitInto(
  result: SynthResult,
  dir: string,
  io: { out: (t: string) => void; err: (t: string) => void },
): number {
  const origin = originOf(dir);
  if (origin === undefined) {
    io.err(
      `error: --emit-to ${dir}: not a git checkout with an origin remote; clone the repository a cluster syncs (its git.url) and pass that directory\n`,
    );
    return 2;
  }
  const here = result.emitTargets.filter((t) => sameRepository(t.url, origin));
  for (const t of result.emitTargets.filter((x) => !here.includes(x)))
    io.out(`  ${t.cluster}: syncs ${t.url}, not ${origin}; not written\n`);
  if (here.length === 0) {
    io.out(`no emit-mode cluster of ${result.stack} syncs ${origin}; nothing written\n`);
    return 0;
  }
  const written = writeEmitted(
    result,
    path.resolve(dir),
    here.map((t) => t.path),
  );
  for (const t of here) io.out(`  ${t.cluster}: wrote ${t.path}/ (commit it to branch ${t.branch})\n`);
  io.out(`emitted ${written.length} files into ${dir}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
