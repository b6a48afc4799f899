/**
 * Offline synth: `npm run synth -- <stack> [--out DIR]`.
 *
 * Evaluates the real program for a stack on the Pulumi SDK's mock runtime, with no CLI,
 * credentials or network, and writes `<out>/<stack>/plan.json`, the Kubernetes objects
 * per cluster under `<out>/<stack>/manifests/<cluster>/`, and a summary on stdout. Exits
 * non-zero on any config error, schema finding or policy finding. Deterministic: two runs
 * give identical bytes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EMIT_MARKER } from "../components/gitops/emit";
import { APPS, SERVICES } from "../config/catalog";
import { ConfigError } from "../config/reader";
import { runProgram, type RecordedResource } from "../lib/mock-runtime";
import { runStack } from "../stacks/program";
import {
  canonical,
  manifestFileName,
  plannedObjects,
  resolveOutputs,
  toYaml,
  type PlannedObject,
} from "./plan";
import { checkPolicies, type PolicyFinding } from "./policies";
import { validateSchemas, type SchemaResult } from "./schemas";
import { loadOfflineConfig, type OfflineConfig } from "./stack-config";

/** Everything one synth produces, before anything is written. */
export interface SynthResult {
  readonly stack: string;
  /** Relative path (under `<out>/<stack>/`) -> file content. */
  readonly files: Map<string, string>;
  readonly resources: RecordedResource[];
  readonly objects: PlannedObject[];
  readonly schema: SchemaResult[];
  readonly policy: PolicyFinding[];
  readonly fakes: OfflineConfig["fakes"];
  readonly summary: string;
  readonly ok: boolean;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function summarize(
  r: Omit<SynthResult, "summary" | "ok" | "files">,
  clusters: Record<string, { services?: string[]; apps?: string[] }>,
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
  lines.push("", "fake secrets used (offline values, never real):");
  for (const f of r.fakes) lines.push(`  ${f.key} (${f.reason})`);
  const pending: string[] = [];
  for (const [name, c] of Object.entries(clusters)) {
    const services = (c.services ?? []).filter((s) => SERVICES[s] && !SERVICES[s].delivered);
    const apps = (c.apps ?? []).filter((a) => APPS[a] && !APPS[a].delivered);
    if (services.length + apps.length > 0) pending.push(`  ${name}: ${[...services, ...apps].join(", ")}`);
  }
  if (pending.length > 0) lines.push("", "enabled in config but not built yet (validated only):", ...pending);
  return lines.join("\n");
}

/** Runs the program for `stack` offline and builds every artifact in memory. */
export async function synthesize(
  stack: string,
  root: string = path.resolve(__dirname, ".."),
): Promise<SynthResult> {
  const offline = loadOfflineConfig(root, stack);
  const { resources, outputs: run } = await runProgram(() => runStack(), {
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
  const objects = plannedObjects(resources, Object.keys(clusters));
  const files = new Map<string, string>();
  const plan = { project: offline.project, stack, resources, outputs: await resolveOutputs(run.outputs) };
  files.set("plan.json", `${JSON.stringify(canonical(plan), null, 2)}\n`);
  // What emit mode writes for the engines to sync, at its repository-relative path.
  for (const tree of Object.values(run.emitted)) {
    for (const [file, content] of Object.entries(tree)) files.set(file, content);
  }
  for (const o of objects) {
    const file = `manifests/${o.cluster}/${manifestFileName(o.object)}`;
    const content = toYaml(o.object);
    files.set(file, files.has(file) ? `${files.get(file)}---\n${content}` : content);
  }
  const schema = validateSchemas(objects.map((o) => o.object));
  const fakeValues = offline.secretKeys.map((k) => String(offline.config[k]));
  const policy = checkPolicies(resources, objects, files, fakeValues);
  const partial = { stack, resources, objects, schema, policy, fakes: offline.fakes };
  return {
    ...partial,
    files,
    summary: summarize(partial, clusters),
    ok: schema.every((s) => s.status !== "invalid") && policy.length === 0,
  };
}

/**
 * Writes the emitted GitOps tree of a synth into the repository (`gitops/<stack>/...`):
 * what a user commits after an emit. Files an earlier emit wrote (they start with
 * {@link EMIT_MARKER}) and are no longer emitted are deleted, and directories left empty
 * are removed; any other file (a SOPS-encrypted Secret a user keeps in the tree) is never
 * touched. A user file at a path the emit writes is an error, not overwritten.
 */
export function writeEmitted(result: SynthResult, root: string): string[] {
  const prefix = `gitops/${result.stack}/`;
  const emitted = [...result.files.keys()].filter((f) => f.startsWith(prefix)).sort();
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

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const emitIndex = args.indexOf("--emit");
  const emit = emitIndex >= 0;
  if (emit) args.splice(emitIndex, 1);
  const outIndex = args.indexOf("--out");
  const out = outIndex >= 0 ? args.splice(outIndex, 2)[1] : "out";
  const [stack, ...extra] = args;
  if (!stack || extra.length > 0 || !out) {
    process.stderr.write("usage: npm run synth -- <stack> [--out DIR] [--emit]\n");
    return 64;
  }
  try {
    const result = await synthesize(stack);
    const dir = writeSynth(result, out);
    process.stdout.write(`${result.summary}\n\nwrote ${dir}/plan.json and ${dir}/manifests/\n`);
    if (emit && result.ok) {
      const written = writeEmitted(result, path.resolve(__dirname, ".."));
      process.stdout.write(
        `emitted ${written.length} files under gitops/${stack}/; review and commit them\n`,
      );
    }
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
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
