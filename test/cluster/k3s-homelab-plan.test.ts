/**
 * The homelab stack's offline plan, as `npm run synth -- homelab` writes it: every address the
 * K3s and k3d clusters export is a real, answering address from the stack file, never a
 * null/undefined left by a mock that does not know the resource.
 */
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";

type Plan = {
  resources: { type: string; name: string; inputs: Record<string, unknown> }[];
  outputs: { clusters: Record<string, Record<string, unknown>> };
};

let result: SynthResult;
let plan: Plan;
beforeAll(async () => {
  result = await shippedSynth("homelab");
  plan = JSON.parse(result.files.get("plan.json")!) as Plan;
}, 120_000);

/** Paths of every null, or "undefined" text, under a value. */
function holes(value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [path];
  if (typeof value === "string")
    return /undefined|(?<!\/dev\/)\bnull\b|\[unknown\]/.test(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => holes(v, `${path}[${i}]`));
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => holes(v, `${path}.${k}`));
  }
  return [];
}

describe("homelab plan: K3s and k3d outputs", () => {
  it("exports the kube-vip API VIP for production and the VM for staging", () => {
    const { production, staging } = plan.outputs.clusters;
    expect(production["apiEndpoint"]).toBe("https://10.0.40.99:6443");
    expect(production["loadBalancerAddress"]).toBe("10.0.40.100");
    expect(production["nodeAddresses"]).toEqual(["10.0.40.101", "10.0.40.102", "10.0.40.103"]);
    expect(staging["apiEndpoint"]).toBe("https://10.0.40.52:6443");
    expect(staging["loadBalancerAddress"]).toBe("10.0.40.52");
  });

  it("has no null, undefined or unknown value in the outputs or the cluster resources' inputs", () => {
    expect(holes(plan.outputs, "outputs")).toEqual([]);
    const clusterResources = plan.resources.filter((r) =>
      /^(command:|proxmoxve:|random:|platform:cluster:)/.test(r.type),
    );
    expect(clusterResources.length).toBeGreaterThan(10);
    for (const r of clusterResources) expect(holes(r.inputs, r.name)).toEqual([]);
  });
});
