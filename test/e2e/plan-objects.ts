/**
 * Child-process helper of the e2e loop: runs the program on the SDK's mock runtime for a
 * config read from stdin (JSON: { stack, config, secretKeys }) and prints, as JSON, the
 * provider types and every Kubernetes object it would apply, by cluster. The e2e uses it to
 * know which CRDs and StorageClasses the simulated cluster must already have. A child process,
 * because the mock runtime and the Automation API's inline program share the SDK's globals.
 */
import * as fs from "node:fs";
import { runProgram } from "../../lib/mock-runtime";
import { runStack } from "../../stacks/program";
import { plannedObjects } from "../../tools/plan";

async function main(): Promise<void> {
  const input = JSON.parse(fs.readFileSync(0, "utf8")) as {
    stack: string;
    config: Record<string, unknown>;
    secretKeys: string[];
  };
  const { resources } = await runProgram(() => runStack(), {
    stack: input.stack,
    config: input.config,
    secretKeys: input.secretKeys,
  });
  const clusters = Object.keys(input.config["platform:clusters"] as Record<string, unknown>);
  const objects = plannedObjects(resources, clusters)
    .filter((o) => !o.rendered)
    .map((o) => {
      const metadata = (o.object["metadata"] ?? {}) as { name?: string; namespace?: string };
      return {
        cluster: o.cluster,
        apiVersion: o.object["apiVersion"],
        kind: o.object["kind"],
        name: metadata.name,
        namespace: metadata.namespace,
      };
    });
  const providers = [
    ...new Set(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.type)),
  ];
  const types = [...new Set(resources.map((r) => r.type))].sort();
  process.stdout.write(JSON.stringify({ providers, types, objects }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
