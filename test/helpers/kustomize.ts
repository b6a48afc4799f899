import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { CACHE_ENV } from "../setup/synth-cache";

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

/**
 * `kustomize build <dir>`, parsed into its objects. A directory inside the run's synth cache
 * (a shared emitted tree, test/gitops/stack-emit.ts, written once and never changed) is built
 * once per run: its objects are kept beside it for the other suites that build it.
 */
// Built YAML is untyped; tests read into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kustomizeBuild(dir: string): any[] {
  const cache = process.env[CACHE_ENV];
  const absolute = path.resolve(dir);
  const shared = cache !== undefined && absolute.startsWith(`${path.resolve(cache)}${path.sep}`);
  const memo = shared
    ? path.join(cache, "kustomize", `${createHash("sha256").update(absolute).digest("hex")}.json`)
    : undefined;
  if (memo && fs.existsSync(memo)) return JSON.parse(fs.readFileSync(memo, "utf8")) as unknown[];
  const out = execFileSync(kustomizeBin(), ["build", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const objects = parseAllDocuments(out).map((d) => d.toJS() as unknown);
  if (!memo) return objects;
  // Stored and returned as JSON alike, so the first suite reads what the later ones do.
  const json = JSON.stringify(objects);
  fs.mkdirSync(path.dirname(memo), { recursive: true });
  const partial = `${memo}.${process.pid}.tmp`;
  fs.writeFileSync(partial, json);
  fs.renameSync(partial, memo);
  return JSON.parse(json) as unknown[];
}
