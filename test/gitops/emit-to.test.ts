/**
 * Issue #20 item 8: `synth --emit-to <checkout>` writes a cluster's tree into a checkout of
 * the repository that cluster's engine syncs (its git.url), and nothing else.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main, sameRepository } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";

function checkout(origin?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emit-to-"));
  execFileSync("git", ["init", "-q", dir]);
  if (origin) execFileSync("git", ["-C", dir, "remote", "add", "origin", origin]);
  return dir;
}

// The shipped homelab stack's synth, shared with the other suites of the run.
const run = async (argv: string[]) => {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) }, shippedSynth);
  return { code, out, err };
};

describe("synth --emit-to", () => {
  const dirs: string[] = [];
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "emit-to-out-"));
  afterAll(() => [outDir, ...dirs].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("writes the homelab staging tree into a checkout of the repository staging syncs, and only that tree", async () => {
    const dir = checkout("git@github.com:ronaldlokers/homelab.git");
    dirs.push(dir);
    const { code, out } = await run(["homelab", "--out", outDir, "--emit-to", dir]);
    expect(code).toBe(0);
    expect(out).toContain("emit: each cluster's engine syncs (commit the tree there):\n  staging: https://github.com/ronaldlokers/homelab.git branch main path gitops/homelab/staging");
    expect(out).toContain("  staging: wrote gitops/homelab/staging/ (commit it to branch main)");
    expect(fs.readdirSync(path.join(dir, "gitops", "homelab"))).toEqual(["staging"]);
    expect(fs.existsSync(path.join(dir, "gitops/homelab/staging/kustomization.yaml"))).toBe(true);
  }, 120_000);

  it("writes nothing into a checkout of another repository, and refuses a directory that is no checkout", async () => {
    const other = checkout("https://github.com/example/other.git");
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), "emit-to-plain-"));
    dirs.push(other, plain);
    const elsewhere = await run(["homelab", "--out", outDir, "--emit-to", other]);
    expect([elsewhere.code, elsewhere.out.includes("staging: syncs https://github.com/ronaldlokers/homelab.git, not https://github.com/example/other.git; not written")]).toEqual([0, true]);
    expect(fs.existsSync(path.join(other, "gitops"))).toBe(false);
    const none = await run(["homelab", "--out", outDir, "--emit-to", plain]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("not a git checkout with an origin remote");
  }, 120_000);

  it("compares repository URLs loosely", () => {
    expect(sameRepository("https://github.com/ronaldlokers/homelab.git", "git@github.com:ronaldlokers/homelab")).toBe(true);
    expect(sameRepository("ssh://git@github.com/a/b.git", "https://github.com/A/b/")).toBe(true);
    expect(sameRepository("https://github.com/a/b", "https://github.com/a/c")).toBe(false);
  });
});

describe("the pull-request workflow", () => {
  it("fails when a committed emitted tree differs from what the program emits", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require("yaml") as typeof import("yaml");
    const workflow = parse(fs.readFileSync(path.join(__dirname, "../../.github/workflows/pr.yml"), "utf8")) as {
      jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
    };
    const step = workflow.jobs.test.steps.find((s) => s.name === "Committed emitted trees are current");
    expect(step?.run).toContain('for stack in stage prod homelab; do');
    expect(step?.run).toContain('--emit-to .');
    expect(step?.run).toContain('git status --porcelain -- gitops');
    expect(step?.run).toContain("exit 1");
    // After the tests, so the synth it runs is the one they checked.
    const names = workflow.jobs.test.steps.map((s) => s.name ?? s.run);
    expect(names.indexOf("Committed emitted trees are current")).toBeGreaterThan(names.indexOf("npm test"));
  });
});
