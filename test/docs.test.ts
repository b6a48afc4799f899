import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../config/keys";

const ROOT = path.join(__dirname, "..");
const scripts = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

describe.each(["docs/operating.md", "README.md"])("commands in %s", (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");

  it("name npm scripts that exist", () => {
    const used = [...text.matchAll(/npm run ([a-z0-9:-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const script of used)
      expect({ script, exists: script in scripts }).toEqual({ script, exists: true });
  });

  it("set only secret keys the program reads", () => {
    const keys = [...text.matchAll(/pulumi config set --secret platform:([A-Za-z0-9]+)/g)].map((m) => m[1]);
    for (const key of keys) {
      const spec = (CONFIG_KEYS as Record<string, { secret: boolean } | undefined>)[key];
      expect({ key, secret: spec?.secret }).toEqual({ key, secret: true });
    }
  });
});

describe("docs/operating.md rotation table", () => {
  it("has a row for every secret config key, and only for those", () => {
    const text = fs.readFileSync(path.join(ROOT, "docs/operating.md"), "utf8");
    const section = text.slice(
      text.indexOf("## Rotate a secret"),
      text.indexOf("## Import an existing cluster"),
    );
    const rows = section.split("\n").filter((l) => l.startsWith("| `"));
    const keys = rows.flatMap((row) => [...row.split("|")[1].matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]));
    const secretKeys = Object.entries(CONFIG_KEYS as Record<string, { secret: boolean }>)
      .filter(([, spec]) => spec.secret)
      .map(([key]) => key);
    expect([...keys].sort()).toEqual([...secretKeys].sort());
  });
});
