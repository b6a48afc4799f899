/**
 * Schema validation of Kubernetes objects against the upstream schemas (kubernetes-models).
 * The model packages are ES modules only, so validation runs in a child Node process.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/root";

/** The outcome for one object. */
export interface SchemaResult {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  /** `unvalidated`: no upstream schema is packaged for this kind. */
  readonly status: "valid" | "invalid" | "unvalidated";
  readonly error?: string;
}

// An ES module kept as source (not compiled): the same file from tools/ and from bin/tools/.
const VALIDATOR = path.join(REPO_ROOT, "tools", "validate-schemas.mjs");

/** Validates objects; one result per object, in order. */
export function validateSchemas(objects: readonly unknown[]): SchemaResult[] {
  if (objects.length === 0) return [];
  const run = spawnSync(process.execPath, [VALIDATOR], {
    input: JSON.stringify(objects),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`schema validator failed: ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout) as SchemaResult[];
}
