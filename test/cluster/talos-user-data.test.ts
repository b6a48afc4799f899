/**
 * What each Hetzner server of the stage and prod clusters receives as user data, measured on
 * the offline synth, against Hetzner's limit and its exposure: the Create Server API refuses
 * `user_data` over 32 KiB, and the metadata service (169.254.169.254) serves it to every
 * process on the node, pods included, so no stack secret may be in it.
 */
import { stringify } from "yaml";
import { synthesize, type SynthResult } from "../../tools/synth";
import { fakeSecret } from "../../tools/stack-config";
import { SECRET_PLACEHOLDER } from "../../lib/mock-runtime";

/** Hetzner Cloud API `POST /servers`: "user_data ... Cloud-Init user data to use during Server creation. This field is limited to 32KiB." */
const HETZNER_USER_DATA_LIMIT = 32 * 1024;
/**
 * Headroom kept below the limit: 4 KiB, for what a Talos patch release may add to the
 * generated document and for YAML quoting that differs from this test's rendering.
 */
const MARGIN = 4 * 1024;

/**
 * An upper bound of the document `talosctl gen config --output-types worker
 * --with-docs=false --with-examples=false` generates for Talos v1.11 before the patch is
 * merged: every field siderolabs/talos `pkg/machinery/config/generate/worker.go` sets, with
 * each generated value at its longest (the OS and Kubernetes CA certificates are base64 PEM
 * of an Ed25519 and an ECDSA P-256 certificate, under 1 KiB each; 2 KiB is assumed), in
 * Talos' own YAML layout (4-space indent).
 */
function generatedWorkerBound(): string {
  const cert = "C".repeat(2048);
  return stringify(
    {
      version: "v1alpha1",
      debug: false,
      persist: true,
      machine: {
        type: "worker",
        token: "t".repeat(23),
        ca: { crt: cert, key: "" },
        certSANs: [],
        kubelet: {
          image: "ghcr.io/siderolabs/kubelet:v1.99.99",
          defaultRuntimeSeccompProfileEnabled: true,
          disableManifestsDirectory: true,
        },
        network: {},
        install: { disk: "/dev/sda", image: "ghcr.io/siderolabs/installer:v1.99.99", wipe: false },
        registries: {},
        features: {
          rbac: true,
          stableHostname: true,
          apidCheckExtKeyUsage: true,
          diskQuotaSupport: true,
          kubePrism: { enabled: true, port: 7445 },
          hostDNS: { enabled: true, forwardKubeDNSToHost: true },
        },
      },
      cluster: {
        id: "i".repeat(44),
        secret: "s".repeat(44),
        controlPlane: { endpoint: "https://255.255.255.255:6443" },
        clusterName: "c".repeat(63),
        network: {
          dnsDomain: "cluster.local",
          podSubnets: ["10.244.0.0/16"],
          serviceSubnets: ["10.96.0.0/12"],
        },
        token: "b".repeat(23),
        ca: { crt: cert, key: "" },
        discovery: { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } },
      },
    },
    { indent: 4, lineWidth: 0 },
  );
}

interface PlanResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const results = new Map<string, SynthResult>();
beforeAll(async () => {
  for (const stack of ["stage", "prod"]) results.set(stack, await synthesize(stack));
}, 120_000);

function planOf(stack: string): PlanResource[] {
  return (JSON.parse(results.get(stack)!.files.get("plan.json")!) as { resources: PlanResource[] }).resources;
}

describe.each(["stage", "prod"])("user data of the %s servers", (stack) => {
  it("is nothing for every server the program creates: they take their config through the Talos API", () => {
    const servers = planOf(stack).filter((r) => r.type === "hcloud:index/server:Server");
    expect(servers.length).toBeGreaterThan(1);
    // A secret user data would be the placeholder string here, plain data its text.
    const userData = (s: PlanResource) => {
      const value = s.inputs["userData"];
      return typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
    };
    const bytes = servers.map((s) => [s.name, Buffer.byteLength(userData(s), "utf8")]);
    expect(bytes).toEqual(servers.map((s) => [s.name, 0]));
  });

  it("stays under 32 KiB with a 4 KiB margin for the autoscaler's servers (the worker config)", () => {
    const autoscaled = planOf(stack).filter(
      (r) => r.type === "command:local:Command" && r.name === `${stack}-autoscaler-config`,
    );
    expect(autoscaled).toHaveLength(1);
    const patch = (autoscaled[0].inputs["environment"] as Record<string, string>)["TALOS_PATCH"];
    // The patch is plain data in the plan: what the test measures is what `gen config` merges.
    expect(patch).not.toBe(SECRET_PLACEHOLDER);
    const patchYaml = stringify(JSON.parse(patch), { indent: 4, lineWidth: 0 });
    // Merging can only drop duplicated keys, so the sum bounds the merged document.
    const bound = Buffer.byteLength(generatedWorkerBound()) + Buffer.byteLength(patchYaml);
    expect(bound).toBeLessThanOrEqual(HETZNER_USER_DATA_LIMIT - MARGIN);
  });

  it("carries no stack secret: no server input and no machine-config patch holds one", () => {
    const result = results.get(stack)!;
    const fakes = result.fakes.map((f) => fakeSecret(f.key));
    expect(fakes.length).toBeGreaterThan(2);
    const plan = planOf(stack);
    const patches = plan
      .filter((r) => r.type === "command:local:Command" && r.name.endsWith("-config"))
      .map((r) => (r.inputs["environment"] as Record<string, string>)["TALOS_PATCH"]);
    expect(patches.length).toBeGreaterThanOrEqual(3);
    // Plain, so the search below sees every byte (a secret patch would hide what it holds).
    expect(patches.filter((p) => p === SECRET_PLACEHOLDER)).toEqual([]);
    const servers = plan
      .filter((r) => r.type === "hcloud:index/server:Server")
      .map((r) => JSON.stringify(r.inputs));
    for (const text of [...patches, ...servers]) {
      for (const fake of fakes) expect(text).not.toContain(fake);
      expect(text).not.toMatch(/kind: Secret|"kind":"Secret"/);
    }
  });

  it("blocks pods from the metadata service with a cluster-wide Cilium policy", () => {
    const policy = results
      .get(stack)!
      .objects.map((o) => o.object)
      .find((o) => o["kind"] === "CiliumClusterwideNetworkPolicy");
    expect(policy?.["spec"]).toMatchObject({
      enableDefaultDeny: { egress: false, ingress: false },
      egressDeny: [{ toCIDR: ["169.254.169.254/32"] }],
    });
  });
});
