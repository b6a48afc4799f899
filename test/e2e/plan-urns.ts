/**
 * Child-process helper of the preview e2e: loads a stack's config as the offline synth does
 * (the stack file as is, every secret a recognisable fake: tools/stack-config.ts), runs the
 * offline synth (tools/synth.ts synthesize: the program on the SDK's mock runtime and the
 * policies) and prints, as JSON, that config, every resource's URN and type, and the policy
 * findings. A child process, because the mock runtime and the Automation API's inline program
 * share the SDK's globals. Usage: plan-urns.ts <stack>.
 */
import * as path from "node:path";
import { synthesize } from "../../tools/synth";
import { loadOfflineConfig } from "../../tools/stack-config";

const ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  const stack = process.argv[2];
  const offline = loadOfflineConfig(ROOT, stack);
  const { resources, policy, advisories } = await synthesize(stack, ROOT);
  process.stdout.write(
    JSON.stringify({
      config: offline.config,
      secretKeys: offline.secretKeys,
      resources: resources.map((r) => ({ urn: r.urn, type: r.type })),
      policy,
      advisories,
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
