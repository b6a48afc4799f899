import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, SECRET_PLACEHOLDER } from "../lib/mock-runtime";
import { contractProblems } from "../stacks/contract";

/** Contract outputs of a made-up stack, as a StackReference would hand them over. */
function referencedOutputs() {
  return {
    stack: "prod",
    shape: "cloud",
    clusters: {
      prod: {
        name: "prod",
        kind: "talos-hcloud",
        engine: "argocd",
        delivery: "deploy",
        gitBranch: "prod",
        gitPath: "gitops/prod/prod",
        apiEndpoint: "https://192.0.2.10:6443",
        kubeconfig: "fake-test-kubeconfig-not-a-secret",
        nodeAddresses: ["192.0.2.10"],
        loadBalancerAddress: "192.0.2.20",
        ingress: "gateway-api",
        ingressDomain: "example.org",
        storageClasses: ["hcloud-volumes-encrypted"],
        defaultStorageClass: "hcloud-volumes-encrypted",
      },
    },
    apps: {},
    databases: {},
  };
}

describe("outputs contract check", () => {
  it("accepts conforming outputs and names each problem", () => {
    const ok = referencedOutputs();
    ok.clusters.prod.kubeconfig = SECRET_PLACEHOLDER;
    expect(contractProblems(ok, SECRET_PLACEHOLDER)).toEqual([]);
    const bad = referencedOutputs() as unknown as { clusters: { prod: Record<string, unknown> } };
    bad.clusters.prod["apiEndpoint"] = "https://undefined:6443";
    bad.clusters.prod["nodeAddresses"] = [null];
    delete bad.clusters.prod["loadBalancerAddress"];
    bad.clusters.prod["extra"] = "x";
    expect(contractProblems(bad, SECRET_PLACEHOLDER)).toEqual([
      'clusters.prod.apiEndpoint should be a plain string, found "https://undefined:6443"',
      "clusters.prod.kubeconfig is not a secret output",
      "clusters.prod.nodeAddresses should be a non-empty list of strings, found [null]",
      "clusters.prod.loadBalancerAddress is missing",
      "clusters.prod.extra is not in the contract",
    ]);
  });
});

describe("example consumer (examples/consumer)", () => {
  it("reads a cluster through a StackReference and deploys its namespace with that kubeconfig", async () => {
    const { resources } = await runProgram(
      () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exports = require(path.join(__dirname, "..", "examples", "consumer", "index.ts")) as {
          namespaceName: pulumi.Output<string>;
        };
        return exports;
      },
      {
        project: "consumer",
        stack: "dev",
        config: { "consumer:platformStack": "acme/platform/prod", "consumer:cluster": "prod" },
        outputsFor: (args) =>
          args.type === "pulumi:pulumi:StackReference"
            ? { outputs: referencedOutputs(), secretOutputNames: ["clusters"] }
            : undefined,
      },
    );
    const types = resources.map((r) => `${r.type}::${r.name}`);
    // The StackReference is a read, not a registration; its outputs reach the provider.
    expect(types).toContain("pulumi:providers:kubernetes::platform");
    const namespace = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
    expect(namespace.provider).toContain("pulumi:providers:kubernetes::platform");
    expect(namespace.inputs["metadata"]).toEqual({
      name: "team-example",
      labels: { "pod-security.kubernetes.io/enforce": "restricted" },
    });
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    expect(provider.inputs["kubeconfig"]).toBe(SECRET_PLACEHOLDER);
  });
});
