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
        certificateAuthorityData: Buffer.from("fake-test-ca").toString("base64"),
        consumerNamespace: "platform-consumer",
        consumerServiceAccount: "deployer",
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
    expect(contractProblems(ok, SECRET_PLACEHOLDER)).toEqual([]);
    const bad = referencedOutputs() as unknown as { clusters: { prod: Record<string, unknown> } };
    bad.clusters.prod["apiEndpoint"] = "https://undefined:6443";
    bad.clusters.prod["nodeAddresses"] = [null];
    delete bad.clusters.prod["loadBalancerAddress"];
    bad.clusters.prod["extra"] = "x";
    // Admin credentials are not part of the contract: a stack that exports one fails.
    bad.clusters.prod["kubeconfig"] = SECRET_PLACEHOLDER;
    bad.clusters.prod["talosconfig"] = SECRET_PLACEHOLDER;
    expect(contractProblems(bad, SECRET_PLACEHOLDER)).toEqual([
      'clusters.prod.apiEndpoint should be a plain string, found "https://undefined:6443"',
      "clusters.prod.nodeAddresses should be a non-empty list of strings, found [null]",
      "clusters.prod.loadBalancerAddress is missing",
      "clusters.prod.extra is not in the contract",
      "clusters.prod.kubeconfig is not in the contract",
      "clusters.prod.talosconfig is not in the contract",
    ]);
  });
});

describe("example consumer (examples/consumer)", () => {
  it("reads a cluster through a StackReference and deploys into its consumer namespace with a ServiceAccount token", async () => {
    const { resources } = await runProgram(
      () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exports = require(path.join(__dirname, "..", "examples", "consumer", "index.ts")) as {
          configMapName: pulumi.Output<string>;
        };
        return exports;
      },
      {
        project: "consumer",
        stack: "dev",
        config: {
          "consumer:platformStack": "acme/platform/prod",
          "consumer:cluster": "prod",
          "consumer:token": "fake-test-sa-token",
        },
        outputsFor: (args) =>
          args.type === "pulumi:pulumi:StackReference" ? { outputs: referencedOutputs() } : undefined,
      },
    );
    const types = resources.map((r) => `${r.type}::${r.name}`);
    // The StackReference is a read, not a registration; its outputs reach the provider.
    expect(types).toContain("pulumi:providers:kubernetes::platform");
    const configMap = resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
    expect(configMap.provider).toContain("pulumi:providers:kubernetes::platform");
    expect(configMap.inputs["metadata"]).toEqual({ name: "team-example", namespace: "platform-consumer" });
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    // The kubeconfig it builds carries the token, so it stays secret.
    expect(provider.inputs["kubeconfig"]).toBe(SECRET_PLACEHOLDER);
    expect(provider.inputs["namespace"]).toBe("platform-consumer");
  });

  it("builds a kubeconfig from the contract's endpoint, CA and ServiceAccount, and nothing else", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { tokenKubeconfig } = require(path.join(__dirname, "..", "examples", "consumer", "index.ts")) as {
      tokenKubeconfig: (c: unknown, token: string) => string;
    };
    const c = referencedOutputs().clusters.prod;
    expect(JSON.parse(tokenKubeconfig(c, "fake-test-sa-token"))).toEqual({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "prod",
          cluster: {
            server: "https://192.0.2.10:6443",
            "certificate-authority-data": c.certificateAuthorityData,
          },
        },
      ],
      users: [{ name: "deployer", user: { token: "fake-test-sa-token" } }],
      contexts: [
        { name: "prod", context: { cluster: "prod", user: "deployer", namespace: "platform-consumer" } },
      ],
      "current-context": "prod",
    });
  });
});
