import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { isSecretOutput, runProgram, valueOf, type RecordedResource } from "../../lib/mock-runtime";
import { K3D_KUBECONFIG, VERSIONS, stagingConfig } from "./k3s-fixtures";

type K3dModule = typeof import("../../components/cluster/k3d");
let mod: K3dModule;
beforeAll(async () => {
  mod = await import("../../components/cluster/k3d");
});

async function synth(config = stagingConfig(), versions = VERSIONS) {
  return runProgram(
    async () => {
      const proxmoxProvider = new proxmox.Provider("proxmox", {
        endpoint: config.proxmox.endpoint,
        insecure: true,
      });
      const cluster = new mod.ProxmoxK3dCluster("staging", {
        config,
        services: [],
        versions,
        proxmoxProvider,
        sshPrivateKey: pulumi.output(
          "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----",
        ),
      });
      const h = cluster.handle;
      return {
        handle: h,
        kubeconfig: await valueOf(h.kubeconfig),
        kubeconfigSecret: await isSecretOutput(h.kubeconfig),
        apiEndpoint: await valueOf(h.apiEndpoint),
        loadBalancerAddress: await valueOf(h.loadBalancerAddress),
      };
    },
    { outputsFor: (args) => (args.name === "staging-kubeconfig" ? { stdout: K3D_KUBECONFIG } : undefined) },
  );
}

const byName = (resources: RecordedResource[], name: string): RecordedResource => {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource named ${name}`);
  return found;
};

describe("ProxmoxK3dCluster", () => {
  let resources: RecordedResource[];
  let outputs: Awaited<ReturnType<typeof synth>>["outputs"];
  beforeAll(async () => {
    ({ resources, outputs } = await synth());
  });

  it("creates exactly these children, each parented to the component", () => {
    const component = byName(resources, "staging");
    expect(component.type).toBe("platform:cluster:ProxmoxK3dCluster");
    expect(
      resources
        .filter((r) => r.parent === component.urn)
        .map((r) => `${r.name} ${r.type}`)
        .sort(),
    ).toEqual([
      "staging-cluster command:remote:Command",
      "staging-docker command:remote:Command",
      "staging-k3d command:remote:Command",
      "staging-k8s pulumi:providers:kubernetes",
      "staging-kubeconfig command:remote:Command",
      "staging-vm proxmoxve:index/vmLegacy:VmLegacy",
    ]);
  });

  it("protects the VM and never replaces it for cloud-init changes", () => {
    const vm = byName(resources, "staging-vm");
    expect(vm.protect).toBe(true);
    expect(vm.ignoreChanges).toEqual(["initialization", "clone"]);
    expect(vm.provider).toBe(byName(resources, "proxmox").urn);
    expect(vm.inputs).toMatchObject({ vmId: 152, nodeName: "pve", clone: { vmId: 9000, full: true } });
  });

  it("runs VM -> Docker -> k3d -> cluster -> kubeconfig over SSH with a secret key", () => {
    const urn = (name: string) => byName(resources, name).urn;
    expect(byName(resources, "staging-docker").dependsOn).toEqual([urn("staging-vm")]);
    expect(byName(resources, "staging-k3d").dependsOn).toEqual([urn("staging-docker")]);
    expect(byName(resources, "staging-cluster").dependsOn).toEqual([urn("staging-k3d")]);
    expect(byName(resources, "staging-kubeconfig").dependsOn).toEqual([urn("staging-cluster")]);
    for (const name of ["staging-docker", "staging-k3d", "staging-cluster", "staging-kubeconfig"]) {
      expect(byName(resources, name).inputs["connection"]).toBe("[secret]");
    }
    expect(JSON.stringify(resources)).not.toContain("OPENSSH PRIVATE KEY");
  });

  it("recreates the cluster (delete first) only when k3d, the image or the topology changes", () => {
    const cluster = byName(resources, "staging-cluster");
    expect(cluster.deleteBeforeReplace).toBe(true);
    expect(cluster.ignoreChanges).toEqual(["connection"]);
    expect(cluster.inputs["delete"]).toContain("$SUDO k3d cluster delete staging");
    // The update's output tells the operator what a recreation deletes.
    expect(cluster.inputs["delete"]).toContain(
      "deleting k3d cluster staging with its workloads and local-path volumes (k3d cannot upgrade in place",
    );
    const triggers = cluster.inputs["triggers"] as string[];
    expect(triggers[0]).toBe("v5.8.3");
    expect(triggers).toEqual(
      expect.arrayContaining(["--servers=1", "--agents=3", "--image=rancher/k3s:v1.33.5-k3s1"]),
    );
    expect(triggers).not.toContain("28.5.2");
    expect(byName(resources, "staging-docker").inputs["triggers"]).toEqual(["28.5.2"]);
    expect(byName(resources, "staging-k3d").inputs["triggers"]).toEqual(["v5.8.3", "amd64"]);
  });

  it("re-keys the cluster and its kubeconfig on a k3d or K3s image bump, not on a Docker bump", async () => {
    const triggersWith = async (versions: typeof VERSIONS) => {
      const { resources: r } = await synth(stagingConfig(), versions);
      return {
        cluster: byName(r, "staging-cluster").inputs["triggers"],
        kubeconfig: byName(r, "staging-kubeconfig").inputs["triggers"],
      };
    };
    const base = await triggersWith(VERSIONS);
    const k3d = await triggersWith({ ...VERSIONS, k3d: "v5.9.0" });
    const image = await triggersWith({ ...VERSIONS, k3dK3sImage: "v1.33.6-k3s1" });
    const docker = await triggersWith({ ...VERSIONS, docker: "29.0.0" });
    expect(k3d.cluster).not.toEqual(base.cluster);
    expect(k3d.kubeconfig).toEqual(k3d.cluster);
    expect(image.cluster).not.toEqual(base.cluster);
    expect(docker.cluster).toEqual(base.cluster);
  });

  it("reads the kubeconfig as a secret, rewritten to the VM address", () => {
    expect(byName(resources, "staging-kubeconfig").additionalSecretOutputs).toContain("stdout");
    expect(outputs.kubeconfigSecret).toBe(true);
    const doc = parse(outputs.kubeconfig);
    expect(doc.clusters[0].cluster.server).toBe("https://10.0.40.52:6443");
    expect(doc["current-context"]).toBe("staging");
    expect(byName(resources, "staging-k8s").inputs["kubeconfig"]).toBe("[secret]");
  });

  it("exposes the cluster contract", () => {
    expect(outputs.handle.kind).toBe("k3d-proxmox");
    expect(outputs.apiEndpoint).toBe("https://10.0.40.52:6443");
    expect(outputs.loadBalancerAddress).toBe("10.0.40.52");
    expect(outputs.handle.capabilities).toMatchObject({
      loadBalancer: "k3d",
      defaultStorageClass: "local-path",
    });
  });

  it("fails validation before creating anything", async () => {
    await expect(
      synth(stagingConfig({ k3d: { servers: 2, agents: 3, registryMirrors: {} } })),
    ).rejects.toThrow(
      'ProxmoxK3dCluster "staging": config.k3d.servers is 2; embedded etcd needs an odd number',
    );
  });
});

describe("ProxmoxK3dCluster keys", () => {
  it("gives the VM the public half of platform:sshPrivateKey when no keys are listed", async () => {
    const { fakeOpenSshPrivateKey, publicKeyLine } = await import("../../lib/ssh");
    const { runProgram } = await import("../../lib/mock-runtime");
    const { ProxmoxK3dCluster } = await import("../../components/cluster/k3d");
    const { stagingConfig, VERSIONS } = await import("./k3s-fixtures");
    const proxmox = await import("@muhlba91/pulumi-proxmoxve");
    const pulumi = await import("@pulumi/pulumi");
    const key = fakeOpenSshPrivateKey("test");
    const base = stagingConfig();
    const { resources } = await runProgram(() => {
      const provider = new proxmox.Provider("px", { endpoint: "https://10.0.40.50:8006/" });
      new ProxmoxK3dCluster("staging", {
        config: { ...base, vm: { ...base.vm, sshPublicKeys: [] } },
        services: [],
        versions: VERSIONS,
        proxmoxProvider: provider,
        sshPrivateKey: pulumi.secret(key),
      });
      return {};
    });
    const vm = resources.find((r) => r.type === "proxmoxve:index/vmLegacy:VmLegacy")!;
    const init = vm.inputs["initialization"] as { userAccount: { keys: string[] } };
    expect(init.userAccount.keys).toEqual([publicKeyLine(key)]);
    expect(JSON.stringify(vm.inputs)).not.toContain("NOT-A-REAL-KEY");
  });
});

describe("ProxmoxK3dCluster rebuilds and the Kubernetes provider", () => {
  const providerOf = async (config = stagingConfig(), versions = VERSIONS) =>
    byName((await synth(config, versions)).resources, "staging-k8s").inputs;

  it("gives a rebuilt cluster a new identity, so its objects are created in it, not updated in the old", async () => {
    const base = await providerOf();
    const bumped = await providerOf(stagingConfig(), { ...VERSIONS, k3dK3sImage: "v1.33.6-k3s1" });
    expect(base["clusterIdentifier"]).toMatch(/^k3d\/staging\/[0-9a-f]{12}$/);
    expect(bumped["clusterIdentifier"]).toMatch(/^k3d\/staging\/[0-9a-f]{12}$/);
    expect(bumped["clusterIdentifier"]).not.toBe(base["clusterIdentifier"]);
    // The old objects' deletes go through the old provider, whose cluster is gone: they are
    // dropped from state instead of failing the update halfway.
    expect(base["deleteUnreachable"]).toBe("true");
    expect(base["kubeconfig"]).toBe("[secret]");
  });

  it("keeps the identity when nothing rebuilds the cluster (a bigger VM, other DNS servers)", async () => {
    const base = await providerOf();
    const moved = await providerOf(
      stagingConfig({ vm: { ...stagingConfig().vm, cores: 8, dnsServers: ["10.0.40.2"] } }),
    );
    expect(moved["clusterIdentifier"]).toBe(base["clusterIdentifier"]);
  });
});

describe("ProxmoxK3dCluster registry mirrors and host key", () => {
  const mirrors = { "docker.io": ["https://mirror.home.arpa:5000"] };
  const config = stagingConfig({
    k3d: { servers: 1, agents: 3, registryMirrors: mirrors },
    vm: {
      ...stagingConfig().vm,
      hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZBS0UtSE9TVC1LRVktdm0tLS0tLS0tLS0tLS0tLS0t",
    },
  });

  it("writes the mirrors as K3s registries.yaml and creates the cluster with it", async () => {
    const { resources } = await synth(config);
    const cluster = byName(resources, "staging-cluster");
    const create = cluster.inputs["create"] as string;
    expect(create).toContain("| $SUDO tee /etc/k3d/staging-registries.yaml >/dev/null");
    expect(create).toContain("--registry-config=/etc/k3d/staging-registries.yaml");
    expect(parse(mod.renderRegistriesYaml(config)!)).toEqual({
      mirrors: { "docker.io": { endpoint: ["https://mirror.home.arpa:5000"] } },
    });
    // Mirrors are read at creation, so a change recreates the cluster (and says so).
    const plain = byName((await synth()).resources, "staging-cluster");
    expect(cluster.inputs["triggers"]).not.toEqual(plain.inputs["triggers"]);
    expect(mod.renderK3dCreateScript(stagingConfig(), VERSIONS)).not.toContain("registry-config");
  });

  it("verifies the VM's host key once it is configured", async () => {
    const seen = new Map<string, unknown>();
    await runProgram(
      () => {
        new mod.ProxmoxK3dCluster("staging", {
          config,
          services: [],
          versions: VERSIONS,
          proxmoxProvider: new proxmox.Provider("proxmox", { endpoint: config.proxmox.endpoint }),
          sshPrivateKey: pulumi.output(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----",
          ),
        });
      },
      {
        outputsFor: (args) => {
          if (args.type === "command:remote:Command") {
            const c = args.inputs["connection"] as { hostKey?: string; value?: { hostKey?: string } };
            seen.set(args.name, c.value?.hostKey ?? c.hostKey);
          }
          return args.name === "staging-kubeconfig" ? { stdout: K3D_KUBECONFIG } : undefined;
        },
      },
    );
    expect([...seen.values()]).toEqual(Array(seen.size).fill(config.vm.hostKey));
    expect(seen.size).toBe(4);
  });
});
