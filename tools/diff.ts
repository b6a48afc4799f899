/**
 * `npm run diff -- <stack...> [--base REF] [--markdown] [--max-lines N]`: what a change
 * does to each stack, offline. Synthesizes the base (a git ref, by default the merge base
 * with the main branch) and the working tree, and prints per cluster the resources to
 * create, update, replace and delete, a warning for each protected or stateful one
 * replaced or deleted, and a unified diff of the Kubernetes manifests and emitted GitOps
 * files. `--markdown` renders the pull-request comment.
 *
 * The base is checked out with `git worktree add` into a temporary directory (its
 * node_modules a symlink to ours) and synthesized by its own code in a child process
 * (`ts-node --swc tools/synth.ts <stack> --out <tmp>`, the base's own source), so a change to the
 * program itself is diffed too. The worktree is removed afterwards.
 */
// First: a compiled tool refuses to run from a stale bin/ (lib/fresh.ts).
import "../lib/fresh";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../config/reader";
import { REPO_ROOT } from "../lib/root";
import {
  COMMENT_MARKER,
  diffStack,
  fitComment,
  renderMarkdown,
  renderText,
  type Plan,
  type SynthSide,
} from "./diff-core";
import { knownStacks, StackFileError } from "./stack-config";
import { synthesize } from "./synth";

const ROOT = REPO_ROOT;

/** Every file under `dir`, by path relative to it. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else files.set(child, fs.readFileSync(path.join(dir, child), "utf8"));
    }
  };
  if (fs.existsSync(dir)) walk("");
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function git(root: string, args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The default base: the merge base of HEAD with `origin/main`, else with `main`. */
export function defaultBase(root: string): string {
  for (const main of ["origin/main", "main"]) {
    try {
      return git(root, ["merge-base", "HEAD", main]);
    } catch {
      // try the next name
    }
  }
  throw new DiffError(
    "no main branch to diff against (neither origin/main nor main exists); pass --base <git-ref>",
  );
}

/** A problem the user fixes (a bad ref, a base that does not synthesize). */
export class DiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DiffError";
  }
}

const EMPTY: SynthSide = { plan: { resources: [] }, files: new Map() };

/**
 * Synthesizes `stacks` at git `ref` of the repository at `root`, in a temporary worktree
 * with the base's own code. A stack the base does not have yet is empty (all creates).
 */
export function synthAtRef(root: string, ref: string, stacks: readonly string[]): Map<string, SynthSide> {
  let commit: string;
  try {
    commit = git(root, ["rev-parse", "--verify", `${ref}^{commit}`]);
  } catch {
    throw new DiffError(`--base ${ref}: not a commit in this repository; pass a branch, tag or commit`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-diff-"));
  const tree = path.join(tmp, "tree");
  const out = path.join(tmp, "out");
  git(root, ["worktree", "add", "--detach", tree, commit]);
  try {
    const modules = path.join(tree, "node_modules");
    if (!fs.existsSync(modules))
      fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules")), modules, "dir");
    const result = new Map<string, SynthSide>();
    for (const stack of stacks) {
      if (!fs.existsSync(path.join(tree, `Pulumi.${stack}.yaml`))) {
        result.set(stack, EMPTY);
        continue;
      }
      const run = spawnSync(
        path.join(tree, "node_modules", ".bin", "ts-node"),
        // --swc: ts-node transpiles with @swc/core (transpile only), far faster than TypeScript.
        ["--swc", "tools/synth.ts", stack, "--out", out],
        { cwd: tree, encoding: "utf8" },
      );
      // Exit 1 (policy or schema findings) still writes the plan; 2 and up do not.
      const planFile = path.join(out, stack, "plan.json");
      if ((run.status !== 0 && run.status !== 1) || !fs.existsSync(planFile)) {
        const why = (run.stderr || run.stdout || String(run.error ?? ""))
          .trim()
          .split("\n")
          .slice(-3)
          .join(" ");
        throw new DiffError(`the base ${ref} (${commit.slice(0, 12)}) does not synthesize ${stack}: ${why}`);
      }
      const files = readTree(path.join(out, stack));
      const plan = JSON.parse(files.get("plan.json")!) as Plan;
      result.set(stack, { plan, files });
    }
    return result;
  } finally {
    try {
      git(root, ["worktree", "remove", "--force", tree]);
    } catch {
      fs.rmSync(tree, { recursive: true, force: true });
      git(root, ["worktree", "prune"]);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Synthesizes `stack` of the working tree at `root` in this process. */
export async function synthHead(stack: string, root: string): Promise<SynthSide> {
  const result = await synthesize(stack, root);
  const files = new Map(result.files);
  return { plan: JSON.parse(files.get("plan.json")!) as Plan, files };
}

/** The usage text. */
export function usage(root = ROOT): string {
  return [
    "usage: npm run diff -- <stack>... [--base REF] [--markdown] [--max-lines N]",
    "",
    "Synthesizes each stack at REF (default: the merge base with main) and in the working",
    "tree, offline, and prints what changes per cluster: resources to create, update,",
    "replace and delete, then a unified diff of the manifests and emitted GitOps files.",
    "  --base REF     git ref to compare against",
    "  --markdown     render as a pull-request comment (collapsed sections, truncated)",
    "  --max-lines N  lines per cluster section before truncation (markdown default 300)",
    "",
    `stacks: ${knownStacks(root).join(", ")}`,
    "exit codes: 0 ok, 2 a stack or base that does not synthesize, 64 bad usage",
  ].join("\n");
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs the diff CLI; returns the exit code. `root` is the repository (tests pass a copy). */
export async function main(
  argv: readonly string[],
  io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
  root = ROOT,
): Promise<number> {
  const args = [...argv];
  if (args.includes("--help") || args.includes("-h")) {
    io.out(`${usage(root)}\n`);
    return 0;
  }
  const take = (flag: string): string | undefined | null => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const value = args[i + 1];
    args.splice(i, 2);
    return value === undefined || value.startsWith("--") ? null : value;
  };
  const markdownIndex = args.indexOf("--markdown");
  const markdown = markdownIndex >= 0;
  if (markdown) args.splice(markdownIndex, 1);
  const base = take("--base");
  const maxLinesText = take("--max-lines");
  const maxLines = maxLinesText === undefined ? undefined : Number(maxLinesText);
  const stacks = args;
  if (
    base === null ||
    maxLinesText === null ||
    (maxLines !== undefined && !(Number.isInteger(maxLines) && maxLines > 0)) ||
    stacks.length === 0 ||
    stacks.some((s) => s.startsWith("-"))
  ) {
    io.err(`${usage(root)}\n`);
    return 64;
  }
  const known = knownStacks(root);
  const unknown = stacks.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    io.err(
      `error: unknown stack "${unknown[0]}": there is no Pulumi.${unknown[0]}.yaml; stacks: ${known.join(", ")}\n`,
    );
    return 2;
  }
  try {
    const ref = base ?? defaultBase(root);
    const bases = synthAtRef(root, ref, stacks);
    const parts: string[] = [];
    for (const stack of stacks) {
      const d = diffStack(stack, bases.get(stack)!, await synthHead(stack, root));
      parts.push(markdown ? renderMarkdown(d, { maxLines }) : renderText(d, { maxLines }));
    }
    // The commit the base resolved to, and the name it was given when that says more.
    const commit = git(root, ["rev-parse", `${ref}^{commit}`]).slice(0, 12);
    const shortRef = ref.startsWith(commit) || /^[0-9a-f]{40}$/.test(ref) ? commit : `${ref} (${commit})`;
    if (markdown) {
      const body = [
        COMMENT_MARKER,
        `## Infrastructure diff (offline synth, base \`${shortRef}\`)`,
        "",
        "Computed without credentials from the program's offline synth; the `pulumi preview` checks are the authority where they run.",
        "",
        ...parts,
      ].join("\n");
      io.out(fitComment(body));
    } else {
      io.out(`base ${shortRef} -> working tree\n\n${parts.join("\n")}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof DiffError || error instanceof ConfigError || error instanceof StackFileError) {
      io.err(`error: ${error.message}\n`);
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
