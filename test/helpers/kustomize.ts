import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

let cached: string | undefined;

/**
 * The kustomize binary the tests build with: `KUSTOMIZE` when set, else the one
 * `tools/real/install-kustomize.sh` builds from its Go module at the pinned version (it reuses
 * its cache, so after the first build this costs one process start).
 */
export function kustomizeBin(): string {
  if (cached === undefined) {
    const script = path.join(__dirname, "../../tools/real/install-kustomize.sh");
    cached =
      process.env.KUSTOMIZE ??
      execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  }
  return cached;
}

/** `kustomize build <dir>`, parsed into its objects. */
// Built YAML is untyped; tests read into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kustomizeBuild(dir: string): any[] {
  const out = execFileSync(kustomizeBin(), ["build", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return parseAllDocuments(out).map((d) => d.toJS() as unknown);
}
