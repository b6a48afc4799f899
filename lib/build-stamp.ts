/**
 * Keeps `bin/` (the compiled program that the Pulumi CLI and the offline tools run) honest:
 * `npm run build` writes a stamp of the sources it compiled, and the compiled program
 * refuses to start when the sources have changed since, so a stale `bin/` never runs.
 *
 * The stamp is a SHA-256 over every source file the build compiles (path and content) and
 * the compiler settings, so it follows content, not modification times (a `git checkout`
 * that restores the same bytes keeps the build fresh).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Folders (and files) of the repository that the build compiles: `tsconfig.build.json`'s
 * `include`, each a file or a folder's `.ts` files (`<folder>/**\/*.ts`). A custom app's folder (platform:appModules)
 * is compiled beside the program by adding it there (README "Add your own app"); nothing in
 * the program's code lists it.
 */
export function sourceRoots(root: string): string[] {
  const config = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf8")) as {
    include?: unknown;
  };
  if (!Array.isArray(config.include)) throw new Error("tsconfig.build.json has no include list");
  return config.include.map((entry: unknown) => {
    const text = String(entry);
    const folder = /^([\w./-]+)\/\*\*\/\*\.ts$/.exec(text)?.[1];
    if (folder !== undefined) return folder;
    if (/^[\w./-]+\.ts$/.test(text)) return text;
    throw new Error(
      `tsconfig.build.json include entry "${text}": write a file or <folder>/**/*.ts, which the build stamp follows`,
    );
  });
}

/** Files besides the sources that change what the build emits. */
const SETTINGS = ["tsconfig.json", "tsconfig.build.json"] as const;

/** The build output directory, relative to the repository. */
export const BIN = "bin";
/** The stamp file, relative to the repository. */
export const STAMP = `${BIN}/.source-digest`;

/** Whether a path is a source file the build compiles (tests are not compiled). */
function isSource(file: string): boolean {
  return file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.endsWith(".test.ts");
}

/** Every compiled source file, repository-relative with `/`, sorted. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (rel: string): void => {
    const full = path.join(root, rel);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isFile()) {
      if (isSource(rel)) files.push(rel);
      return;
    }
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && isSource(child)) files.push(child);
    }
  };
  for (const r of sourceRoots(root)) walk(r);
  return files.sort();
}

/** The digest of the sources and compiler settings as they are now. */
export function sourceDigest(root: string): string {
  const hash = createHash("sha256");
  for (const rel of [...sourceFiles(root), ...SETTINGS.filter((f) => fs.existsSync(path.join(root, f)))]) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * The repository a compiled file belongs to, or undefined when the file is not under
 * `<repository>/bin/` (the TypeScript sources themselves, run by Jest, need no check).
 */
export function repositoryOfCompiled(file: string): string | undefined {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf(BIN);
  if (at <= 0 || !file.endsWith(".js")) return undefined;
  const root = parts.slice(0, at).join(path.sep) || path.sep;
  return fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : undefined;
}

/** Why the compiled program at `root` must not run, or undefined when it is fresh. */
export function staleness(root: string): string | undefined {
  const stampFile = path.join(root, STAMP);
  if (!fs.existsSync(stampFile)) {
    return `${BIN}/ has no build stamp (${STAMP}); run \`npm run build\``;
  }
  const built = fs.readFileSync(stampFile, "utf8").trim();
  if (built !== sourceDigest(root)) {
    return `${BIN}/ was compiled from other sources than the working tree has now; run \`npm run build\``;
  }
  return undefined;
}

/**
 * Removes what `bin/` holds for sources that no longer exist (`<file>.js`, `.js.map`), so a
 * moved module cannot shadow its new home: after `components/apps/linkding.ts` became
 * `components/apps/linkding/index.ts`, a leftover `bin/components/apps/linkding.js` would win
 * Node's resolution of `./linkding` (a file before a folder). tsc never deletes outputs.
 * @returns the removed files, repository-relative
 */
export function pruneOrphans(root: string): string[] {
  const sources = new Set(sourceFiles(root).map((f) => f.replace(/\.ts$/, "")));
  const removed: string[] = [];
  const walk = (rel: string): void => {
    const full = path.join(root, rel);
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      const m = /^bin\/(.+)\.js(\.map)?$/.exec(child);
      if (entry.isFile() && m && !sources.has(m[1])) {
        fs.rmSync(path.join(root, child));
        removed.push(child);
      }
    }
  };
  if (fs.existsSync(path.join(root, BIN))) walk(BIN);
  return removed.sort();
}

/** Writes the stamp of the sources as they are now (after a successful compile). */
export function writeStamp(root: string): void {
  fs.mkdirSync(path.join(root, BIN), { recursive: true });
  fs.writeFileSync(path.join(root, STAMP), `${sourceDigest(root)}\n`);
}
