/**
 * `config/` is the bottom layer: nothing it loads, directly or through `lib/`, comes from
 * `components/` or `stacks/`. The composition hands config the definitions it needs
 * (stacks/units.ts), so the arrows point one way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/root";

/** Every relative module a TypeScript file imports or re-exports, type-only ones included. */
export function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/g)].map(
    (m) => m[1],
  );
  const bare = [...text.matchAll(/(?:^|\n)\s*import\s+"([^"]+)"/g)].map((m) => m[1]);
  const required = [...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]);
  return [...specifiers, ...bare, ...required]
    .filter((s) => s.startsWith("."))
    .map((s) => {
      const base = path.resolve(path.dirname(file), s);
      for (const candidate of [`${base}.ts`, path.join(base, "index.ts")])
        if (fs.existsSync(candidate)) return candidate;
      throw new Error(`${path.relative(REPO_ROOT, file)} imports ${s}, which resolves to no .ts file`);
    });
}

/** Every repository file a file reaches through relative imports, with the chain to it. */
function reachable(start: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of importsOf(file)) {
      if (chains.has(next)) continue;
      chains.set(next, [...chains.get(file)!, next]);
      queue.push(next);
    }
  }
  return chains;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

const rel = (f: string) => path.relative(REPO_ROOT, f);

describe("layers", () => {
  it("finds the imports of a file, type-only and re-exports included", () => {
    const units = importsOf(path.join(REPO_ROOT, "config/units.ts")).map(rel);
    expect(units).toEqual(
      expect.arrayContaining(["config/catalog.ts", "config/reader.ts", "config/types.ts"]),
    );
    const stacks = importsOf(path.join(REPO_ROOT, "stacks/units.ts")).map(rel);
    expect(stacks).toEqual(expect.arrayContaining(["components/apps/registry.ts", "config/units.ts"]));
  });

  it("config/ reaches nothing in components/ or stacks/, not even through lib/", () => {
    const violations: string[] = [];
    for (const file of tsFiles(path.join(REPO_ROOT, "config"))) {
      for (const [reached, chain] of reachable(file)) {
        if (/^(components|stacks)\//.test(rel(reached))) violations.push(chain.map(rel).join(" -> "));
      }
    }
    expect(violations).toEqual([]);
  });
});
