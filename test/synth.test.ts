import { SECRET_PLACEHOLDER } from "../lib/mock-runtime";
import { synthesize, type SynthResult } from "../tools/synth";

const STACKS = ["stage", "prod", "homelab"] as const;
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  for (const stack of STACKS) results.set(stack, await synthesize(stack));
}, 180_000);

function plan(stack: string) {
  return JSON.parse(results.get(stack)!.files.get("plan.json")!) as {
    resources: { type: string; name: string; protect: boolean; inputs: Record<string, unknown> }[];
    outputs: { clusters: Record<string, Record<string, unknown>> };
  };
}

describe.each(STACKS)("offline synth of %s", (stack) => {
  it("passes schema and policy checks", () => {
    const result = results.get(stack)!;
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("is byte-identical on a second run", async () => {
    const again = await synthesize(stack);
    expect([...again.files.entries()]).toEqual([...results.get(stack)!.files.entries()]);
  }, 120_000);

  it("keeps kubeconfigs secret in the outputs contract", () => {
    for (const cluster of Object.values(plan(stack).outputs.clusters)) {
      expect(cluster["kubeconfig"]).toBe(SECRET_PLACEHOLDER);
      if ("talosconfig" in cluster) expect(cluster["talosconfig"]).toBe(SECRET_PLACEHOLDER);
    }
  });

  it("never writes a fake secret value into any artifact", () => {
    const result = results.get(stack)!;
    expect(result.fakes.length).toBeGreaterThan(0);
    for (const [file, content] of result.files) {
      expect({ file, leaked: /FAKE-OFFLINE-/.test(content) }).toEqual({ file, leaked: false });
    }
  });
});

describe("stack shapes", () => {
  it("builds Talos on Hetzner with Argo CD for prod", () => {
    const types = plan("prod").resources.map((r) => r.type);
    expect(types).toContain("platform:cluster:TalosHcloudCluster");
    expect(types).toContain("platform:gitops:ArgoCdEngine");
    // Deploy mode: projects, no ApplicationSet or Application pointing at git (components/gitops).
    expect(types).toContain("kubernetes:argoproj.io/v1alpha1:AppProject");
    expect(types).not.toContain("kubernetes:argoproj.io/v1alpha1:ApplicationSet");
    const servers = plan("prod").resources.filter((r) => r.type === "hcloud:index/server:Server");
    expect(servers.map((s) => [s.name, s.inputs["serverType"], s.protect])).toEqual([
      ["prod-control-plane-1", "cx22", true],
      ["prod-worker-1", "cx32", true],
    ]);
  });

  it("builds K3s and k3d with Flux for homelab, the staging cluster in emit mode", () => {
    const result = results.get("homelab")!;
    const types = plan("homelab").resources.map((r) => r.type);
    expect(types).toContain("platform:cluster:K3sCluster");
    expect(types).toContain("platform:cluster:ProxmoxK3dCluster");
    expect(types.filter((t) => t === "platform:gitops:FluxEngine")).toHaveLength(2);
    const emitted = [...result.files.keys()].filter((f) => f.startsWith("gitops/"));
    expect(emitted).toContain("gitops/homelab/staging/kustomization.yaml");
    expect(emitted.some((f) => f.startsWith("gitops/homelab/production/"))).toBe(false);
  });
});
