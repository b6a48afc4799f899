/**
 * The repository's root directory: the nearest folder holding `Pulumi.yaml` above this
 * file. The same from the TypeScript sources (`lib/`) and from the compiled program
 * (`bin/lib/`), so tools find the stack files, fixtures and scripts either way.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${start}`);
  }
}

/** The repository's root directory. */
export const REPO_ROOT = findRoot(__dirname);
