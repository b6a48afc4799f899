// Entry point for the Pulumi CLI: the exported function's result becomes the stack outputs.
import { program } from "./stacks/program";

export = program;
