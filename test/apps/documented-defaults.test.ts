/**
 * STYLE.md "Tooling": every optional property of an exported interface or type, in the
 * components, the stacks, config, lib and the examples, documents its default with `@default`
 * (nested object types included), read with the TypeScript compiler API.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "../..");
const SCANNED = [
  "components/apps",
  "components/platform",
  "components/cluster",
  "components/gitops",
  "providers",
  "stacks",
  "config",
  "lib",
  "examples",
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** `<Type>.<property>` of each optional property without `@default` in the exported types of `text`. */
function undocumentedDefaults(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!(ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement))) continue;
    if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isPropertySignature(node) && node.questionToken) {
        const tags = ts.getJSDocTags(node).map((t) => t.tagName.text);
        if (!tags.includes("default")) found.push(`${statement.name.text}.${node.name.getText(source)}`);
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(statement, visit);
  }
  return found;
}

describe("optional properties document their default", () => {
  it("finds an optional property without @default, nested ones included", () => {
    const text = [
      "export interface A {",
      "  /** Documented. @default 1 */ readonly a?: number;",
      "  /** Not documented. */ readonly b?: number;",
      "  readonly c: { readonly d?: string };",
      "}",
      "interface Private { readonly e?: number }",
    ].join("\n");
    expect(undocumentedDefaults("a.ts", text)).toEqual(["A.b", "A.d"]);
  });

  it("holds in the components, stacks, config, lib and the examples", () => {
    const missing: Record<string, string[]> = {};
    for (const root of SCANNED)
      for (const file of sourceFiles(path.join(ROOT, root))) {
        const found = undocumentedDefaults(file, fs.readFileSync(file, "utf8"));
        if (found.length) missing[path.relative(ROOT, file).split(path.sep).join("/")] = found;
      }
    expect(missing).toEqual({});
  });
});
