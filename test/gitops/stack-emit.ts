/**
 * The real synth of a shipped stack with every cluster switched to emit mode (and, when
 * asked, to the other engine), its emitted tree written to a temporary repository so
 * kustomize can build it the way the engines do.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument, type Document, type YAMLMap } from "yaml";
import type { SynthResult } from "../../tools/synth";
import { synthEdited } from "../apps/stack-synth";
import { cacheDir, sharedSynth } from "../helpers/shipped-synth";

const ROOT = path.join(__dirname, "..", "..");

/** The shipped stacks. */
export const STACKS = ["stage", "prod", "homelab"] as const;

/** What one emit synth gives: the synth, and the repository its tree was written into. */
export interface EmittedStack {
  readonly result: SynthResult;
  /** A temporary directory holding the emitted files at their repository paths. */
  readonly repo: string;
  /** Emit roots by cluster name (`gitops/<stack>/<cluster>`). */
  readonly roots: Readonly<Record<string, string>>;
  /** The engine of each cluster after the edit. */
  readonly engines: Readonly<Record<string, string>>;
}

/** Applies `edit` to every cluster of a stack file's `platform:clusters`. */
export function editClusters(doc: Document, edit: (cluster: YAMLMap, name: string) => void): void {
  const clusters = doc.getIn(["config", "platform:clusters"]) as YAMLMap;
  for (const pair of clusters.items) edit(pair.value as YAMLMap, String((pair.key as { value: unknown }).value ?? pair.key));
}

/** Writes the emitted GitOps files of a synth at their repository paths under `repo`. */
function writeTree(result: SynthResult, repo: string): void {
  for (const [file, content] of result.files) {
    if (!file.startsWith("gitops/")) continue;
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), content);
  }
}

/**
 * Synthesizes `stack` with every cluster in emit mode; `engine: "other"` also switches each
 * cluster to the engine it does not use, so both engines are checked on every stack.
 * `extra` edits the stack file further (an app removed, a handover step).
 *
 * Without `extra`, the synth and its tree are shared by every suite of the run that asks for
 * the same stack and engine (test/helpers/shipped-synth.ts): the tree is read-only, and
 * {@link discardEmitted} leaves it for the run's teardown to remove.
 */
export async function emitStack(
  stack: string,
  opts: { readonly engine?: "configured" | "other"; readonly extra?: (doc: Document) => void } = {},
): Promise<EmittedStack> {
  const engines: Record<string, string> = {};
  const toEmit = (doc: Document) =>
    editClusters(doc, (cluster, name) => {
      cluster.set("delivery", "emit");
      const current = String(cluster.get("engine"));
      const engine = opts.engine === "other" ? (current === "flux" ? "argocd" : "flux") : current;
      cluster.set("engine", engine);
      engines[name] = engine;
    });
  // The engines, known without a synth (a shared one may come from another suite's).
  toEmit(parseDocument(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")));
  const compute = () =>
    synthEdited(stack, (doc) => {
      toEmit(doc);
      opts.extra?.(doc);
    });
  let result: SynthResult;
  let repo: string;
  const shared =
    opts.extra === undefined
      ? await sharedSynth(`emit-${stack}-${opts.engine ?? "configured"}`, compute, writeTree)
      : undefined;
  if (shared?.dir !== undefined) {
    result = shared.result;
    repo = shared.dir;
  } else {
    result = shared?.result ?? (await compute());
    repo = fs.mkdtempSync(path.join(os.tmpdir(), `emit-${stack}-`));
    writeTree(result, repo);
  }
  const roots = Object.fromEntries(Object.keys(engines).map((c) => [c, `gitops/${stack}/${c}`]));
  return { result, repo, roots, engines };
}

/** Removes an emitted tree a suite made for itself; a shared one stays for the other suites. */
export function discardEmitted(e: EmittedStack): void {
  const cache = cacheDir();
  if (cache !== undefined && path.resolve(e.repo).startsWith(`${path.resolve(cache)}${path.sep}`)) return;
  fs.rmSync(e.repo, { recursive: true, force: true });
}

/** The parsed plan of a synth. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function planOf(result: SynthResult): { resources: any[] } {
  return JSON.parse(result.files.get("plan.json")!) as { resources: never[] };
}
