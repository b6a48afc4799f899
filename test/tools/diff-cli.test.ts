import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../tools/diff";

const ROOT = path.join(__dirname, "..", "..");

/** A throwaway git repository holding the tracked files of this one, one commit. */
function repoCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-cli-"));
  const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  for (const file of files) {
    if (!fs.existsSync(path.join(ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.email=ci@example.invalid", "-c", "user.name=ci", ...args], {
      cwd: dir,
      stdio: "ignore",
    });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, "node_modules")), path.join(dir, "node_modules"), "dir");
  return dir;
}

async function run(argv: string[], root: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, root);
  return { code, out: out.join(""), err: err.join("") };
}

describe("npm run diff against a git base", () => {
  let repo: string;
  beforeAll(() => {
    repo = repoCopy();
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("synthesizes the base in a temporary worktree and shows a new node pool", async () => {
    const file = path.join(repo, "Pulumi.stage.yaml");
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(
      file,
      text.replace(
        "        - name: autoscaler\n",
        "        - name: big\n          role: worker\n          serverType: cx32\n          count: 1\n        - name: autoscaler\n",
      ),
    );
    const { code, out, err } = await run(["stage"], repo);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^base [0-9a-f]{12} -> working tree\n/);
    expect(out).toContain("+  create  hcloud:index/server:Server stage-big-1\n");
    expect(out).toContain("+  create  hcloud:index/placementGroup:PlacementGroup stage-big-placement\n");
    // The temporary worktree is gone again.
    const worktrees = execFileSync("git", ["worktree", "list"], { cwd: repo, encoding: "utf8" });
    expect(worktrees.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("renders the pull-request comment with --markdown", async () => {
    const { code, out } = await run(["stage", "--base", "HEAD", "--markdown"], repo);
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines[0]).toBe("<!-- platform-diff -->");
    expect(lines[1]).toMatch(/^## Infrastructure diff \(offline synth, base `HEAD \([0-9a-f]{12}\)`\)$/);
    // The node pool added by the test above.
    expect(out).toMatch(/### `stage`: [1-9]\d* to create, /);
    expect(out).toMatch(/<summary><b>stage<\/b>: [1-9]\d* to create, /);
    expect(out).toContain("+  create  hcloud:index/server:Server stage-big-1\n");
  }, 60_000);

  it("names a base ref that does not exist", async () => {
    const { code, err } = await run(["stage", "--base", "no-such-ref"], repo);
    expect(code).toBe(2);
    expect(err).toBe(
      "error: --base no-such-ref: not a commit in this repository; pass a branch, tag or commit\n",
    );
  });

  it("rejects an unknown stack and bad usage", async () => {
    expect(await run(["prdo"], repo)).toEqual({
      code: 2,
      out: "",
      err: 'error: unknown stack "prdo": there is no Pulumi.prdo.yaml; stacks: homelab, prod, stage\n',
    });
    expect((await run([], repo)).code).toBe(64);
    expect((await run(["stage", "--max-lines", "0"], repo)).code).toBe(64);
  });
});
