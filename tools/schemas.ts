/**
 * Schema validation of Kubernetes objects against the upstream schemas (kubernetes-models).
 * The model packages are ES modules only, so validation runs in a child Node process.
 */
import { spawn, spawnSync } from "node:child_process";
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

/** A validator process started ahead of the objects it will validate. */
export interface SchemaValidator {
  /** Validates objects (once); one result per object, in order. */
  validate(objects: readonly unknown[]): Promise<SchemaResult[]>;
  /** Ends the process without validating (a synth that stopped early). */
  close(): void;
}

/**
 * Starts the validator process now; {@link SchemaValidator.validate} then hands it the objects.
 * With `preload`, it imports the model packages of the kinds this program renders
 * (schema-preload.json) while the caller loads the SDK and runs the program on the other core:
 * most of a validation is those imports (about 0.7 s of prod's 0.8 s), so they run beside the
 * synth instead of after it. Without, it imports what the objects need when they arrive (no
 * import is wasted: for callers on a machine with no core to spare, such as the tests). The
 * process holds no reference on the caller's event loop until `validate` waits for it.
 */
export function startSchemaValidator(options: { readonly preload: boolean }): SchemaValidator {
  const args = [VALIDATOR, "--stdin-async", ...(options.preload ? ["--preload"] : [])];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  const chunks: { out: string[]; err: string[] } = { out: [], err: [] };
  child.stdout.setEncoding("utf8").on("data", (d: string) => chunks.out.push(d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => chunks.err.push(d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  // A synth that fails before validating must still exit: nothing here keeps it alive.
  exited.catch(() => undefined);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr])
    (stream as unknown as { unref?: () => void }).unref?.();
  let used = false;
  return {
    async validate(objects) {
      if (used) throw new Error("a schema validator validates one set of objects");
      used = true;
      // From here the caller waits for the result: the process and its output keep it alive.
      child.ref();
      for (const stream of [child.stdout, child.stderr]) (stream as unknown as { ref?: () => void }).ref?.();
      child.stdin.end(JSON.stringify(objects));
      const code = await exited;
      if (code !== 0) throw new Error(`schema validator failed: ${chunks.err.join("") || `exit ${code}`}`);
      return JSON.parse(chunks.out.join("")) as SchemaResult[];
    },
    close() {
      if (!used) child.stdin.end("[]");
      used = true;
    },
  };
}
