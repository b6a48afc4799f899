/**
 * The `existing` cluster kind and the air-gapped engine install (engineInstallFrom): config
 * parsing, its errors, and what the program registers for them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { kubeconfigServer } from "../components/cluster/existing";
import { fakeKubeconfig, runProgram, valueOf } from "../lib/mock-runtime";
import { runStack } from "../stacks/program";
import { FAKE, homelabConfig, secretKeysOf } from "./fixtures";

type Config = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Clusters = Record<string, any>;

/** The homelab fixture with its production cluster swapped for an existing one. */
function existingConfig(kubeconfigs: unknown = { production: fakeKubeconfig("production") }): Config {
  // null: leave platform:kubeconfigs unset.
  const c = homelabConfig();
  const clusters = c["platform:clusters"] as Clusters;
  const prod = clusters.production;
  clusters.production = {
    kind: "existing",
    engine: prod.engine,
    domain: prod.domain,
    git: prod.git,
    architecture: "arm64",
    ingress: "traefik",
    loadBalancer: "metallb",
    storageClasses: ["local-path"],
    loadBalancerAddress: "10.0.40.100",
    services: prod.services,
    serviceSettings: { ...prod.serviceSettings, metallb: { addresses: ["10.0.40.100-10.0.40.119"] } },
    apps: prod.apps,
    appSettings: prod.appSettings,
  };
  if (kubeconfigs !== null) c["platform:kubeconfigs"] = JSON.stringify(kubeconfigs);
  return c;
}

async function run(config: Config) {
  const secretKeys = [
    ...secretKeysOf(config),
    ...("platform:kubeconfigs" in config ? ["platform:kubeconfigs"] : []),
  ];
  try {
    const { resources, outputs } = await runProgram(() => runStack(), {
      stack: "homelab",
      config,
      secretKeys,
    });
    return { resources, outputs, error: undefined };
  } catch (error) {
    return { resources: [], outputs: undefined, error: error as Error };
  }
}

describe("existing cluster kind", () => {
  it("delivers the engine, services and apps through the kubeconfig's provider and builds nothing", async () => {
    const { resources, outputs, error } = await run(existingConfig());
    expect(error).toBeUndefined();
    const cluster = resources.find((r) => r.type === "platform:cluster:ExistingCluster");
    expect(cluster?.name).toBe("production");
    const provider = resources.find(
      (r) => r.type === "pulumi:providers:kubernetes" && r.name === "production-k8s",
    );
    expect(provider?.inputs).toMatchObject({ kubeconfig: "[secret]", enableServerSideApply: "true" });
    // Nothing of the K3s component: no host commands, no kube-vip.
    expect(
      resources.filter((r) => r.type.startsWith("command:") && r.name.startsWith("production-")),
    ).toEqual([]);
    expect(
      resources.some((r) => r.type === "platform:gitops:FluxEngine" && r.name === "production-gitops"),
    ).toBe(true);
    const prod = outputs!.outputs.clusters["production"];
    expect(await valueOf(prod.apiEndpoint as never)).toBe("https://127.0.0.1:6443");
    expect(prod.kind).toBe("existing");
    expect(prod.storageClasses).toEqual(expect.arrayContaining(["local-path", "longhorn"]));
  });

  it.each([
    [
      "no platform:kubeconfigs",
      () => existingConfig(null),
      "platform:kubeconfigs = (not set): required for this stack; set it with: pulumi config set --secret platform:kubeconfigs",
    ],
    [
      "no entry for the cluster",
      () => existingConfig({ other: fakeKubeconfig("other") }),
      "platform:kubeconfigs.production = (not set): existing cluster production needs its kubeconfig",
    ],
    [
      "an entry that is no kubeconfig",
      () => existingConfig({ production: FAKE("kubeconfig") }),
      'platform:kubeconfigs.production = "(secret)": not a kubeconfig',
    ],
    [
      "no storage classes",
      () => {
        const c = existingConfig();
        (c["platform:clusters"] as Clusters).production.storageClasses = [];
        return c;
      },
      "platform:clusters.production.storageClasses = []: list the StorageClasses the cluster has",
    ],
    [
      "a default storage class it does not have",
      () => {
        const c = existingConfig();
        (c["platform:clusters"] as Clusters).production.defaultStorageClass = "gp3";
        return c;
      },
      'platform:clusters.production.defaultStorageClass = "gp3": must be one of storageClasses (local-path)',
    ],
  ])("rejects %s with one clear error that never prints a kubeconfig", async (_name, make, message) => {
    const { error } = await run(make());
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain("fake-token");
    expect(error?.message).not.toContain("fake-test-kubeconfig");
  });

  it("refuses cluster-autoscaler, which scales machines an existing cluster does not have", async () => {
    const c = existingConfig();
    const prod = (c["platform:clusters"] as Clusters).production;
    prod.services = [...prod.services, "cluster-autoscaler"];
    const { error } = await run(c);
    expect(error?.message).toContain(
      'platform:clusters.production.services[5] = "cluster-autoscaler": drives the machines of a cluster the program builds',
    );
  });

  it("in a cloud stack of existing clusters, registers no Hetzner provider", async () => {
    const c = existingConfig();
    c["platform:shape"] = "cloud";
    const prod = (c["platform:clusters"] as Clusters).production;
    (c["platform:clusters"] as Clusters) = { production: { ...prod, apps: [], appSettings: undefined } };
    for (const [k, v] of Object.entries({
      hcloudToken: "h",
      etcdBackupS3AccessKeyId: "i",
      etcdBackupS3SecretAccessKey: "s",
    }))
      c[`platform:${k}`] = FAKE(v);
    delete c["platform:sshPrivateKey"];
    delete c["platform:proxmoxApiToken"];
    const { resources, error } = await run(c);
    expect(error).toBeUndefined();
    expect(resources.filter((r) => r.type === "pulumi:providers:hcloud")).toEqual([]);
  });

  it("reads the server of the kubeconfig's current context", () => {
    expect(kubeconfigServer(fakeKubeconfig("x"))).toBe("https://127.0.0.1:6443");
    expect(() => kubeconfigServer("clusters: []")).toThrow(
      "kubeconfig: its current context names no cluster with an https:// server",
    );
  });
});

describe("air-gapped engine install (engineInstallFrom)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-install-"));
  const manifest = path.join(dir, "install.yaml");
  fs.writeFileSync(manifest, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("installs Flux from the local manifest", async () => {
    const c = existingConfig();
    (c["platform:clusters"] as Clusters).production.engineInstallFrom = manifest;
    const { resources, error } = await run(c);
    expect(error).toBeUndefined();
    const install = resources.find(
      (r) => r.type === "kubernetes:yaml/v2:ConfigFile" && r.name === "production-gitops-install",
    );
    expect(install?.inputs["file"]).toBe(manifest);
  });

  it("installs Argo CD from a local chart, without a repository", async () => {
    const chart = path.join(dir, "argo-cd");
    fs.mkdirSync(chart, { recursive: true });
    fs.writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: argo-cd\nversion: 8.5.7\n");
    const c = existingConfig();
    Object.assign((c["platform:clusters"] as Clusters).production, {
      engine: "argocd",
      engineInstallFrom: chart,
    });
    const { resources, error } = await run(c);
    expect(error).toBeUndefined();
    const install = resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "production-gitops-install",
    );
    expect(install?.inputs["chart"]).toBe(chart);
    expect(install?.inputs["repositoryOpts"]).toBeUndefined();
  });

  it.each([
    [
      "a path that does not exist",
      "flux",
      () => path.join(dir, "missing.yaml"),
      "no such file or directory; expected a local path to Flux's install manifest",
    ],
    [
      "a directory for Flux",
      "flux",
      () => dir,
      "not a file; expected a local path to Flux's install manifest",
    ],
    [
      "a directory without Chart.yaml for Argo CD",
      "argocd",
      () => dir,
      "not a chart (no Chart.yaml, not a .tgz)",
    ],
  ])("rejects %s", async (_name, engine, where, message) => {
    const c = existingConfig();
    Object.assign((c["platform:clusters"] as Clusters).production, { engine, engineInstallFrom: where() });
    const { error } = await run(c);
    expect(error?.message).toContain(
      `platform:clusters.production.engineInstallFrom = "${where()}": ${message}`,
    );
  });
});
