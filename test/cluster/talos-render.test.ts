import { autoscalerSettings } from "../../components/cluster/talos/autoscaler";
import { essentialInlineManifests, extraManifestUrls } from "../../components/cluster/talos/essentials";
import { firewallRules } from "../../components/cluster/talos/firewall";
import { certSans, machinePatch } from "../../components/cluster/talos/machine-config";
import { planNodes } from "../../components/cluster/talos/plan";
import { apiSourcesWarning, validateTalosHcloudArgs } from "../../components/cluster/talos/validate";
import { HCLOUD_ENCRYPTED_STORAGE_CLASS } from "../../components/cluster/capabilities";
import { parseAllDocuments } from "yaml";
import { ciliumCliFor } from "../../components/cluster/talos/essentials";
import { kubernetesCompatibility } from "../../components/cluster/talos/compat";
import { prod, versions, withConfig } from "./talos-fixture";
/* eslint-disable @typescript-eslint/no-explicit-any -- rendered YAML is read loosely */

const cp = { role: "controlplane" as const, pool: "control-plane", labels: {}, taints: [] };
/** Reads a dotted path from a rendered patch. */
function get(tree: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);
}

const sans = certSans(["198.51.100.7"], prod);
/** Every document of the control-plane patch's inline manifests. */
function inlineObjects(p: ReturnType<typeof machinePatch>): Record<string, any>[] {
  return (get(p.cluster, "inlineManifests") as { contents: string }[]).flatMap((m) =>
    parseAllDocuments(m.contents).map((d) => d.toJS() as Record<string, any>),
  );
}

describe("machine config patches", () => {
  const patch = machinePatch(prod, versions, cp, sans);
  const cluster = (path: string) => get(patch.cluster, path);
  const machine = (path: string) => get(patch.machine, path);

  it("renders the control-plane patch", () => {
    expect(patch).toMatchSnapshot();
  });
  it("disables the CNI and kube-proxy for Cilium", () => {
    expect(cluster("network.cni")).toEqual({ name: "none" });
    expect(cluster("proxy")).toEqual({ disabled: true });
  });
  it("enables KubePrism on 7445 and the external cloud provider with the hcloud CCM", () => {
    expect(machine("features.kubePrism")).toEqual({ enabled: true, port: 7445 });
    expect(machine("kubelet.extraArgs.cloud-provider")).toBe("external");
    expect(cluster("externalCloudProvider")).toEqual({ enabled: true });
  });
  it("renders the CCM with the cluster's pod CIDR, not the upstream 10.244.0.0/16", () => {
    const ccm = inlineObjects(patch).find(
      (o) => o.kind === "Deployment" && o.metadata.name === "hcloud-cloud-controller-manager",
    );
    const args = ccm!.spec.template.spec.containers[0].args as string[];
    expect(args).toContain(`--cluster-cidr=${prod.podCidr}`);
    expect(args.join(" ")).not.toContain("10.244.0.0/16");
    expect(ccm!.spec.template.spec.containers[0].image).toBe(
      "docker.io/hetznercloud/hcloud-cloud-controller-manager:v1.26.0",
    );
  });
  it("carries no Secret: the cluster's Secrets go through the Kubernetes API", () => {
    const objects = inlineObjects(patch);
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(objects.length).toBeGreaterThan(10);
  });
  it("runs the cilium CLI binary from an image that embeds the pinned chart, with a writable HOME", () => {
    const job = inlineObjects(patch).find((o) => o.kind === "Job" && o.metadata.name === "cilium-install");
    const c = job!.spec.template.spec.containers[0];
    expect(c.command).toEqual(["/usr/local/bin/cilium"]);
    expect(c.args[0]).toBe("install");
    expect(c.image).toBe("quay.io/cilium/cilium-cli:v0.18.8");
    expect(c.env).toContainEqual({ name: "HOME", value: "/tmp" });
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(ciliumCliFor("1.18.1")).toBe("v0.18.7");
    expect(ciliumCliFor("1.19.0")).toBeUndefined();
  });
  it("encrypts etcd backups to the age recipient when one is set, and says so otherwise", () => {
    const env = (config: typeof prod) =>
      inlineObjects(machinePatch(config, versions, cp, sans)).find((o) => o.kind === "CronJob")!.spec
        .jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env(prod)).toContainEqual({ name: "DISABLE_ENCRYPTION", value: "true" });
    const recipient = `age1${"q".repeat(58)}`;
    const encrypted = env(withConfig({ etcdBackup: { ...prod.etcdBackup, ageRecipient: recipient } }));
    expect(encrypted).toContainEqual({ name: "AGE_X25519_PUBLIC_KEY", value: recipient });
    expect(encrypted.map((e) => e.name)).not.toContain("DISABLE_ENCRYPTION");
  });
  it("passes the XFS format options under the key the CSI driver reads", () => {
    const sc = inlineObjects(patch).find((o) => o.kind === "StorageClass");
    expect(sc!.parameters.fsFormatOptions).toBe("-i nrext64=1");
    expect(sc!.parameters.fsFormatOption).toBeUndefined();
  });
  it("covers public, private and loopback addresses in the cert SANs", () => {
    expect(sans).toEqual(["198.51.100.7", "10.0.64.2", "127.0.0.1", "localhost"]);
    expect(cluster("apiServer.certSANs")).toEqual(sans);
    expect(machine("certSANs")).toEqual(sans);
  });
  it("loads Gateway API v1.3.0 CRDs as extra manifests", () => {
    expect(cluster("extraManifests")).toContain(
      "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml",
    );
    expect(extraManifestUrls(versions)).toHaveLength(3);
    expect(extraManifestUrls(versions).join(" ")).not.toContain("csi-driver");
    expect(extraManifestUrls(versions)[0]).toBe(
      "https://raw.githubusercontent.com/alex1989hu/kubelet-serving-cert-approver/v0.9.2/deploy/standalone-install.yaml",
    );
  });
  it("grants the backup CronJob etcd:backup access to the Talos API on control planes only", () => {
    expect(machine("features.kubernetesTalosAPIAccess.allowedRoles")).toEqual(["os:etcd:backup"]);
    const worker = machinePatch(
      prod,
      versions,
      { role: "worker", pool: "worker", labels: {}, taints: [] },
      sans,
    );
    expect(get(worker.machine, "features.kubernetesTalosAPIAccess")).toBeUndefined();
    expect(worker.cluster).toEqual({ network: cluster("network"), proxy: { disabled: true } });
  });
  it("renders the autoscaler pool's taint and label", () => {
    const pool = prod.nodePools[2];
    const p = machinePatch(
      prod,
      versions,
      { role: "worker", pool: pool.name, labels: pool.labels, taints: pool.taints },
      sans,
    );
    // Workers may not taint their own Node (NodeRestriction): the kubelet registers with it.
    expect(get(p.machine, "nodeTaints")).toBeUndefined();
    expect(get(p.machine, "kubelet.extraConfig.registerWithTaints")).toEqual([
      { key: "autoscaler-node", value: "true", effect: "NoSchedule" },
    ]);
    expect(get(p.machine, "nodeLabels")).toEqual({ "autoscaler-node": "true", nodepool: "autoscaler" });
  });
  it("keeps secrets out of the non-secret inline manifests and renders the encrypted StorageClass", () => {
    const text = essentialInlineManifests(prod, versions)
      .map((m) => m.contents)
      .join("\n");
    expect(text).not.toMatch(/kind: Secret\b/);
    expect(text).toContain(`name: ${HCLOUD_ENCRYPTED_STORAGE_CLASS}`);
    expect(text).toContain("reclaimPolicy: Retain");
    expect(text).toContain("csi.storage.k8s.io/fstype: xfs");
    expect(text).toContain("encryption.type=wireguard");
    expect(text).toContain("kubeProxyReplacement=true");
    expect(text).toContain("gatewayAPI.enabled=true");
    expect(text).toMatch(/schedule: ["']?0 \* \* \* \*/);
  });
});

describe("firewall", () => {
  // Hetzner Cloud Firewalls are stateful (replies to the nodes' own traffic pass), and no
  // node listens for the internet: the former UDP 8443 and 32768-65535 rules opened nothing
  // anyone needed (issue 21, item 7).
  it("opens exactly 6443/50000 to the allowed CIDRs and nothing else", () => {
    expect(
      firewallRules(["203.0.113.10/32"]).map((r) => [r.direction, r.protocol, r.port, r.sourceIps]),
    ).toEqual([
      ["in", "tcp", "6443", ["203.0.113.10/32"]],
      ["in", "tcp", "50000", ["203.0.113.10/32"]],
    ]);
    expect(firewallRules(["203.0.113.10/32"]).flatMap((r) => r.sourceIps)).not.toContain("0.0.0.0/0");
  });
});

describe("autoscaler settings", () => {
  const s = autoscalerSettings(prod);
  it("scales the autoscaler pool 0-2 cx32 with 002's timings and least-waste", () => {
    expect(s.nodeGroups).toEqual([
      {
        name: "prod-autoscaler",
        pool: "autoscaler",
        min: 0,
        max: 2,
        serverType: "cx32",
        location: "nbg1",
        labels: { "autoscaler-node": "true", nodepool: "autoscaler" },
        taints: [{ key: "autoscaler-node", value: "true", effect: "NoSchedule" }],
      },
    ]);
    expect(s.args).toEqual([
      "--cloud-provider=hetzner",
      "--nodes=0:2:CX32:NBG1:prod-autoscaler",
      "--scale-down-delay-after-add=10m",
      "--scale-down-delay-after-delete=10m",
      "--scale-down-unneeded-time=8m",
      "--expander=least-waste",
      "--balance-similar-node-groups=false",
    ]);
    expect(s.clusterConfig.nodeConfigs["prod-autoscaler"].taints).toEqual([
      { key: "autoscaler-node", value: "true", effect: "NoSchedule" },
    ]);
  });
});

describe("node plan", () => {
  it("plans static nodes control planes first with fixed private IPs", () => {
    expect(planNodes(prod).map((n) => [n.name, n.role, n.privateIp])).toEqual([
      ["prod-control-plane-1", "controlplane", "10.0.64.2"],
      ["prod-worker-1", "worker", "10.0.64.34"],
    ]);
  });
});

describe("validation", () => {
  const pools = prod.nodePools;
  it.each([
    [
      withConfig({ nodePools: [{ ...pools[0], count: 2 }, pools[1]] }),
      "config.nodePools: 2 control-plane nodes in total; etcd needs an odd number",
    ],
    [
      withConfig({ nodePools: [{ ...pools[0], serverType: "cx99" }, pools[1]] }),
      'config.nodePools[0].serverType: unknown Hetzner server type "cx99"',
    ],
    [
      withConfig({ podCidr: "10.244.0.0/16" }),
      'config.podCidr: "10.244.0.0/16" must lie inside config.networkCidr "10.0.0.0/16"',
    ],
    [
      withConfig({ podCidr: "10.0.64.0/18" }),
      'config.podCidr: "10.0.64.0/18" overlaps config.nodeSubnetCidr "10.0.64.0/24"',
    ],
    [
      withConfig({ serviceCidr: "10.0.128.0/20" }),
      'config.serviceCidr: "10.0.128.0/20" overlaps config.podCidr "10.0.128.0/17"',
    ],
    [
      withConfig({ nodeSubnetCidr: "10.1.0.0/24" }),
      'config.nodeSubnetCidr: "10.1.0.0/24" must lie inside config.networkCidr',
    ],
    [
      withConfig({ apiAllowedCidrs: ["0.0.0.0/0"] }),
      'config.apiAllowedCidrs[0]: "0.0.0.0/0" opens the APIs to the whole internet',
    ],
    [
      withConfig({ nodePools: [pools[0], { ...pools[2], autoscaler: { max: 0 }, count: 0 }] }),
      "config.nodePools[1].autoscaler.max: 0 must be an integer",
    ],
    [
      withConfig({ autoscaler: { ...prod.autoscaler, expander: "cheapest" } }),
      'config.autoscaler.expander: unknown expander "cheapest"',
    ],
    [
      withConfig({ nodePools: [{ ...pools[0], serverType: "cax21" }] }),
      'config.nodePools[0].serverType: "cax21" is arm64 but config.architecture is "amd64"',
    ],
  ])("rejects bad args (%#)", (config, message) => {
    expect(() => validateTalosHcloudArgs(config, versions)).toThrow(message);
  });
  it("rejects versions upstream does not support together", () => {
    expect(() => validateTalosHcloudArgs(prod, { ...versions, kubernetes: "v1.34.1" })).toThrow(
      'versions.kubernetes: "v1.34.1" is outside what cilium 1.18.2 supports (Kubernetes 1.30 to 1.33)',
    );
    expect(
      kubernetesCompatibility({ ...versions, kubernetes: "v1.34.1", cilium: "1.18.2", hcloudCsi: "2.17.0" }),
    ).toEqual([
      'versions.kubernetes: "v1.34.1" is outside what cilium 1.18.2 supports (Kubernetes 1.30 to 1.33); pin Kubernetes in that range or a cilium that supports 1.34',
      'versions.kubernetes: "v1.34.1" is outside what hcloudCcm 1.26.0 supports (Kubernetes 1.31 to 1.33); pin Kubernetes in that range or a hcloudCcm that supports 1.34',
    ]);
    expect(() => validateTalosHcloudArgs(prod, { ...versions, cilium: "1.18.9" })).toThrow(
      'versions.cilium: "1.18.9" is not embedded by any known cilium-cli release',
    );
  });
  it("rejects an unpinned version", () => {
    expect(() => validateTalosHcloudArgs(prod, { ...versions, talos: "latest" })).toThrow(
      'versions.talos: "latest" is not a pinned version',
    );
  });
  it("accepts prod", () => {
    expect(() => validateTalosHcloudArgs(prod, versions)).not.toThrow();
  });
});

describe("validation reports every problem at once", () => {
  it("names each bad key, its value and the fix in one error", () => {
    const config = withConfig({
      location: "fsn2",
      apiAllowedCidrs: ["10.20.0.0/16"],
      nodePools: [{ ...prod.nodePools[0], count: 2 }, ...prod.nodePools.slice(1)],
    });
    expect(() => validateTalosHcloudArgs(config, versions)).toThrow(
      [
        "3 problems:",
        '  - config.location: "fsn2" is not a Hetzner Cloud location; expected one of fsn1, nbg1, hel1, ash, hil, sin',
        `  - config.apiAllowedCidrs: ["10.20.0.0/16"] are private ranges only: the firewall filters the servers' public addresses, where no packet from a private address arrives, so nobody could reach the Kubernetes and Talos APIs; list public egress CIDRs`,
        "  - config.nodePools: 2 control-plane nodes in total; etcd needs an odd number (1, 3 or 5): it needs a majority of members up (quorum), and 2 members survive no more failures than 1",
      ].join("\n"),
    );
  });
  it("warns, without failing, when current alone would admit only the last caller", () => {
    expect(apiSourcesWarning(["current"])).toContain("admits only whoever ran pulumi last");
    expect(apiSourcesWarning(["current", "198.18.0.0/15"])).toBeUndefined();
    expect(() =>
      validateTalosHcloudArgs(withConfig({ apiAllowedCidrs: ["current"] }), versions),
    ).not.toThrow();
  });
});
