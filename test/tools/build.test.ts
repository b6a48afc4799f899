/** The built program: what `npm run build` stamps, and the check that keeps a stale bin/ from running. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  pruneOrphans,
  repositoryOfCompiled,
  sourceRoots,
  sourceDigest,
  sourceFiles,
  staleness,
  writeStamp,
} from "../../lib/build-stamp";
import { REPO_ROOT } from "../../lib/root";

const ROOT = path.join(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** A scratch repository with a Pulumi.yaml, a program file and a test. */
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "build-stamp-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: x\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "index.ts"), "export = 1;\n");
  fs.writeFileSync(
    path.join(dir, "tsconfig.build.json"),
    JSON.stringify({ include: ["index.ts", "lib/**/*.ts"] }),
  );
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = 1;\n");
  fs.writeFileSync(path.join(dir, "lib", "a.test.ts"), "test('x', () => {});\n");
  return dir;
}

describe("the build stamp", () => {
  it("covers the program's sources, not the tests", () => {
    const files = sourceFiles(ROOT);
    expect(files).toContain("index.ts");
    expect(files).toContain("lib/fresh.ts");
    expect(files).toContain("tools/synth.ts");
    expect(files.filter((f) => f.endsWith(".test.ts") || f.startsWith("test/"))).toEqual([]);
    expect(sourceFiles(scratch())).toEqual(["index.ts", "lib/a.ts"]);
  });

  it("follows content: a change makes bin/ stale, restoring the bytes makes it fresh again", () => {
    const dir = scratch();
    expect(staleness(dir)).toBe("bin/ has no build stamp (bin/.source-digest); run `npm run build`");
    writeStamp(dir);
    expect(staleness(dir)).toBeUndefined();
    const before = sourceDigest(dir);
    fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = 2;\n");
    expect(staleness(dir)).toBe(
      "bin/ was compiled from other sources than the working tree has now; run `npm run build`",
    );
    fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = 1;\n");
    expect(sourceDigest(dir)).toBe(before);
    expect(staleness(dir)).toBeUndefined();
    // A test file is not compiled, so it does not make bin/ stale.
    fs.writeFileSync(path.join(dir, "lib", "a.test.ts"), "test('y', () => {});\n");
    expect(staleness(dir)).toBeUndefined();
  });

  it("removes the outputs of moved or deleted sources, which would shadow their new home", () => {
    const dir = scratch();
    fs.mkdirSync(path.join(dir, "bin", "lib", "b"), { recursive: true });
    for (const file of ["index.js", "lib/a.js", "lib/a.js.map", "lib/b.js", "lib/b.js.map", "lib/b/index.js"])
      fs.writeFileSync(path.join(dir, "bin", file), "");
    fs.mkdirSync(path.join(dir, "lib", "b"));
    fs.writeFileSync(path.join(dir, "lib", "b", "index.ts"), "export const b = 1;\n");
    expect(pruneOrphans(dir)).toEqual(["bin/lib/b.js", "bin/lib/b.js.map"]);
    expect(fs.existsSync(path.join(dir, "bin", "lib", "b", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "bin", "lib", "a.js"))).toBe(true);
    expect(pruneOrphans(dir)).toEqual([]);
  });

  it("is checked only for compiled files under <repository>/bin/", () => {
    expect(repositoryOfCompiled(path.join(ROOT, "bin", "lib", "fresh.js"))).toBe(ROOT);
    expect(repositoryOfCompiled(path.join(ROOT, "lib", "fresh.ts"))).toBeUndefined();
    expect(repositoryOfCompiled(path.join(os.tmpdir(), "bin", "index.js"))).toBeUndefined();
  });

  it("finds the repository from the sources", () => {
    expect(REPO_ROOT).toBe(ROOT);
  });
});

describe("what runs the compiled program", () => {
  const pkg = JSON.parse(read("package.json")) as { main: string; scripts: Record<string, string> };

  it("the Pulumi CLI: package.json main, with TypeScript off", () => {
    expect(pkg.main).toBe("bin/index.js");
    expect(read("Pulumi.yaml")).toMatch(
      /^runtime:\n {2}name: nodejs\n {2}options:\n {4}typescript: false\n/m,
    );
    expect(read("index.ts")).toMatch(/^import "\.\/lib\/fresh";\nimport /m);
  });

  it("every offline tool: built first, then its compiled file", () => {
    for (const tool of ["synth", "diff", "bench", "update-image", "secrets"]) {
      expect({ tool, script: pkg.scripts[tool] }).toEqual({
        tool,
        script: `npm run --silent build && node bin/tools/${tool}.js`,
      });
      expect(read(`tools/${tool}.ts`)).toContain('import "../lib/fresh";');
    }
    expect(pkg.scripts["synth:all"]).toMatch(/^npm run --silent build && node bin\/tools\/synth\.js stage/);
  });

  it("compiles exactly the stamped folders to bin/", () => {
    const config = JSON.parse(read("tsconfig.build.json")) as {
      compilerOptions: { outDir: string; tsBuildInfoFile: string };
      include: string[];
    };
    expect(config.compilerOptions.outDir).toBe("bin");
    // Inside bin/: deleting bin/ also forgets the incremental state, so nothing is skipped.
    expect(config.compilerOptions.tsBuildInfoFile).toBe("bin/.tsbuildinfo");
    // The stamp follows exactly what the build compiles, custom app folders included.
    expect(sourceRoots(ROOT)).toEqual(config.include.map((i) => i.replace("/**/*.ts", "")));
    expect(sourceRoots(ROOT)).toContain("examples/custom-app");
    expect(read(".gitignore").split("\n")).toContain("bin/");
  });
});

describe("sourceRoots", () => {
  it("refuses an include entry the stamp could not follow", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roots-"));
    fs.writeFileSync(path.join(dir, "tsconfig.build.json"), JSON.stringify({ include: ["apps/*.ts"] }));
    expect(() => sourceRoots(dir)).toThrow('include entry "apps/*.ts": write a file or <folder>/**/*.ts');
    fs.writeFileSync(
      path.join(dir, "tsconfig.build.json"),
      JSON.stringify({ include: ["index.ts", "my-apps/**/*.ts"] }),
    );
    expect(sourceRoots(dir)).toEqual(["index.ts", "my-apps"]);
  });
});
