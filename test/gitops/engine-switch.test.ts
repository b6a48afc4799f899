import { loadConfig } from "../../config/load";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { runStack } from "../../stacks/program";
import { homelabConfig, secretKeysOf } from "../fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Clusters = Record<string, any>;

async function plan(engine: "flux" | "argocd", delivery: "deploy" | "emit" = "deploy"): Promise<RecordedResource[]> {
  const config = homelabConfig();
  const clusters = config["platform:clusters"] as Clusters;
  clusters.production.engine = engine;
  clusters.production.delivery = delivery;
  const { resources } = await runProgram(
    () => {
      loadConfig();
      return runStack().outputs;
    },
    { stack: "homelab", config, secretKeys: secretKeysOf(config) },
  );
  return resources;
}

/** What Pulumi deletes when the program goes from `before` to `after`, by URN. */
function deleted(before: RecordedResource[], after: RecordedResource[]): RecordedResource[] {
  const kept = new Set(after.map((r) => r.urn));
  return before.filter((r) => !kept.has(r.urn));
}

/** Deleting these acts on the cluster (uninstall, prune, CRD cascade) unless retained. */
function unsafe(r: RecordedResource): boolean {
  if (!r.custom || r.retainOnDelete) return false;
  if (r.type === "kubernetes:core/v1:Secret" || r.type.startsWith("pulumi:providers:")) return false;
  return r.type.startsWith("kubernetes:");
}

describe("switching a cluster's engine or delivery mode", () => {
  it.each([
    ["flux", "argocd"],
    ["argocd", "flux"],
  ] as const)("from %s to %s deletes nothing that would take workloads with it", async (from, to) => {
    const before = await plan(from);
    const after = await plan(to);
    const gone = deleted(before, after);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.filter(unsafe).map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  it("from deploy to emit deletes nothing that would take workloads with it", async () => {
    const gone = deleted(await plan("flux", "deploy"), await plan("flux", "emit"));
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.filter(unsafe).map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });
});
