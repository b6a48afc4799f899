/**
 * The homelab stack's offline plan, as `npm run synth -- homelab` writes it: every address the
 * K3s and k3d clusters export is a real, answering address from the stack file, never a
 * null/undefined left by a mock that does not know the resource.
 */
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";

type Plan = {
  resources: {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    additionalSecretOutputs: string[];
  }[];
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

/** A script input as text ("" when absent or not a string). */
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** Files and commands whose output is a credential (admin kubeconfig, join token). */
const CREDENTIAL_READ =
  /cat \/etc\/rancher\/k3s\/k3s\.yaml|k3d kubeconfig get|\/var\/lib\/rancher\/k3s\/server\/token/;

describe("homelab plan: credentials stay out of the Pulumi log", () => {
  it("turns logging off on every command that prints a credential, and marks its stdout secret", () => {
    const commands = plan.resources.filter((r) => r.type === "command:remote:Command");
    const printing = commands.filter(
      (r) =>
        r.additionalSecretOutputs.includes("stdout") ||
        ["create", "update"].some((k) => CREDENTIAL_READ.test(text(r.inputs[k]))),
    );
    // The K3s and the k3d admin kubeconfig reads at least.
    expect(printing.map((r) => r.name)).toEqual(
      expect.arrayContaining(["production-kubeconfig", "staging-kubeconfig"]),
    );
    for (const r of printing) {
      expect({ name: r.name, logging: r.inputs["logging"] }).toEqual({ name: r.name, logging: "none" });
      expect({ name: r.name, secret: r.additionalSecretOutputs }).toEqual({
        name: r.name,
        secret: expect.arrayContaining(["stdout"]),
      });
    }
  });
});

describe("homelab plan: host scripts test root-owned paths as root", () => {
  it("never tests a path under /etc/rancher or /var/lib/rancher without $SUDO", () => {
    // The install script creates both trees with sudo under umask 077 (mode 0700, root), so an
    // unprivileged [ -f ] or test -f there is always false and its safety check never fires.
    const scripts = plan.resources
      .filter((r) => r.type === "command:remote:Command")
      .flatMap((r) => ["create", "delete"].map((k) => [r.name, text(r.inputs[k])] as const));
    const unprivileged = /(?<!\$SUDO )(\[ -[a-z] |\btest -[a-z] )(\/etc\/rancher|\/var\/lib\/rancher)/;
    const offenders = scripts.filter(([, text]) => unprivileged.test(text)).map(([name]) => name);
    expect(offenders).toEqual([]);
    const install = scripts.find(([name]) => name === "production-cm5-2-install")![1];
    expect(install).toContain("if $SUDO test -f /etc/rancher/k3s/cluster-token; then");
    expect(install).toContain("if $SUDO test -d /var/lib/rancher/k3s/server/db/etcd || ");
  });
});

describe("homelab plan: the Proxmox API token only travels over verified TLS", () => {
  it("keeps TLS verification on for the Proxmox provider", () => {
    const providers = plan.resources.filter((r) => r.type === "pulumi:providers:proxmoxve");
    expect(providers.map((r) => [r.name, r.inputs["insecure"], r.inputs["apiToken"]])).toEqual([
      ["staging-proxmox", "false", "[secret]"],
    ]);
  });
});
