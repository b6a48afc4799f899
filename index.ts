// Entry point for the Pulumi CLI: the exported function's result becomes the stack outputs.
// First: the compiled program refuses to run from a stale bin/ (lib/fresh.ts).
import "./lib/fresh";
import { program } from "./stacks/program";

export = program;
