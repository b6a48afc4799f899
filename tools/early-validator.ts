/**
 * Imported first by the synth and bench entry points (before the Pulumi SDK, which takes about
 * a second to load): when this process is `bin/tools/synth.js` or a bench child, it starts the
 * schema validator at once, so that its imports run on the other core while the SDK loads and
 * the program runs (tools/schemas.ts `startSchemaValidator`). Under Jest it starts nothing.
 */
import { startSchemaValidator, type SchemaValidator } from "./schemas";

const entry = require.main?.filename ?? "";
const isSynthProcess =
  /[\\/]tools[\\/]synth\.js$/.test(entry) ||
  (/[\\/]tools[\\/]bench\.js$/.test(entry) && process.argv.includes("--child"));

let early: SchemaValidator | undefined = isSynthProcess ? startSchemaValidator({ preload: true }) : undefined;

/** The validator started with the process, once; afterwards undefined. */
export function takeEarlyValidator(): SchemaValidator | undefined {
  const taken = early;
  early = undefined;
  return taken;
}
