/**
 * `npm run secrets -- <stack>`: the exact `pulumi config set --secret` lines the stack needs,
 * with who needs each (config/secrets.ts, the rule the program enforces), the optional
 * secrets that something in the stack reads, and which the stack file already holds.
 */
// First: a compiled tool refuses to run from a stale bin/ (lib/fresh.ts).
import "../lib/fresh";
import { renderSecretPlan, secretPlan } from "../config/secrets";
import { REPO_ROOT } from "../lib/root";
import { unitsOfRawConfig } from "../stacks/units";
import { knownStacks, loadOfflineConfig, StackFileError } from "./stack-config";

/** Runs the CLI; returns the exit code. Exported for tests. */
export function main(
  argv: readonly string[],
  io: { out: (t: string) => void; err: (t: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  root: string = REPO_ROOT,
): number {
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    io.err(`usage: npm run secrets -- <stack>\nstacks: ${knownStacks(root).join(", ")}\n`);
    return 64;
  }
  const stack = argv[0];
  try {
    const offline = loadOfflineConfig(root, stack);
    const plan = secretPlan(
      {
        shape: offline.config["platform:shape"],
        clusters: offline.config["platform:clusters"],
        versions: offline.config["platform:versions"],
      },
      unitsOfRawConfig(offline.config),
    );
    const lines = renderSecretPlan(stack, plan);
    const set = offline.fakes.filter((f) => f.reason === "encrypted in the stack file").map((f) => f.key);
    if (set.length > 0) lines.push(`# already set in Pulumi.${stack}.yaml: ${set.join(", ")}`);
    io.out(`${lines.join("\n")}\n`);
    return 0;
  } catch (error) {
    if (error instanceof StackFileError) {
      io.err(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
