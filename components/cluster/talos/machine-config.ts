/**
 * Typed Talos machine-config patches. `talosctl gen config` merges them over the
 * defaults it generates from the kept machine secrets (see talosctl.ts for why the CLI).
 * @see https://www.talos.dev/latest/reference/configuration/v1alpha1/config/
 */
import type { TalosHcloudClusterConfig, Taint, Versions } from "../../../config/types";
import { essentialInlineManifests, extraManifestUrls, KUBEPRISM_PORT } from "./essentials";
import { planNodes } from "./plan";

/**
 * Image Factory schematic without extensions: plain Talos. Upgrades pull
 * `factory.talos.dev/installer/<schematic>:<version>`.
 * @see https://factory.talos.dev
 */
export const VANILLA_SCHEMATIC_ID = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

/** Installer image of a Talos version. */
export function installerImage(talosVersion: string): string {
  return `factory.talos.dev/installer/${VANILLA_SCHEMATIC_ID}:v${talosVersion.replace(/^v/, "")}`;
}

/** Per-pool inputs of a patch. */
export interface PoolPatchInput {
  readonly role: "controlplane" | "worker";
  readonly pool: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** A machine-config patch (strategic merge), JSON-serializable. */
export interface MachinePatch {
  readonly machine: Record<string, unknown>;
  readonly cluster: Record<string, unknown>;
}

/**
 * Addresses the API certificates must cover: every control plane's public and private
 * address, KubePrism's loopback, and localhost.
 */
export function certSans(
  controlPlanePublicIps: readonly string[],
  config: TalosHcloudClusterConfig,
): string[] {
  const privateIps = planNodes(config)
    .filter((n) => n.role === "controlplane")
    .map((n) => n.privateIp);
  return [...new Set([...controlPlanePublicIps, ...privateIps, "127.0.0.1", "localhost"])];
}

/**
 * Taints a node registers with, as the kubelet's own `registerWithTaints`: a worker may not
 * set taints on its Node through `machine.nodeTaints` (the NodeRestriction admission plugin
 * forbids it), so hcloud-k8s sets them in the kubelet config instead.
 * @see https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/ (registerWithTaints)
 */
function registerWithTaints(taints: readonly Taint[]): { key: string; value: string; effect: string }[] {
  return taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect }));
}

/**
 * The patch for one pool. Hostnames come from Hetzner metadata, so one config serves
 * every node of a pool (and the cluster autoscaler's new nodes). No stack secret is ever
 * part of a patch: the cluster's Secrets go through the Kubernetes API (essentials.ts
 * `ESSENTIAL_SECRETS`).
 * @param bootstrapCilium the Cilium version the cluster was created with (the install Job's)
 */
export function machinePatch(
  config: TalosHcloudClusterConfig,
  versions: Versions,
  pool: PoolPatchInput,
  sans: readonly string[],
  bootstrapCilium: string = versions.cilium,
): MachinePatch {
  const hasWorkers = config.nodePools.some((p) => p.role === "worker" && (p.count > 0 || p.autoscaler));
  const machine: Record<string, unknown> = {
    install: { image: installerImage(versions.talos) },
    certSANs: [...sans],
    kubelet: {
      // External cloud provider: the hcloud CCM initialises nodes and routes.
      extraArgs: { "cloud-provider": "external", "rotate-server-certificates": "true" },
      nodeIP: { validSubnets: [config.nodeSubnetCidr] },
      ...(pool.taints.length > 0
        ? { extraConfig: { registerWithTaints: registerWithTaints(pool.taints) } }
        : {}),
    },
    nodeLabels: { ...pool.labels, nodepool: pool.pool },
    features: {
      kubePrism: { enabled: true, port: KUBEPRISM_PORT },
      hostDNS: { enabled: true, forwardKubeDNSToHost: false, resolveMemberNames: true },
      ...(pool.role === "controlplane"
        ? {
            kubernetesTalosAPIAccess: {
              enabled: true,
              allowedRoles: ["os:etcd:backup"],
              allowedKubernetesNamespaces: ["kube-system"],
            },
          }
        : {}),
    },
  };
  const network = {
    cni: { name: "none" },
    podSubnets: [config.podCidr],
    serviceSubnets: [config.serviceCidr],
  };
  // Cilium replaces kube-proxy (kubeProxyReplacement), so Talos must not deploy it.
  const proxy = { disabled: true };
  if (pool.role === "worker") return { machine, cluster: { network, proxy } };

  return {
    machine,
    cluster: {
      network,
      proxy,
      allowSchedulingOnControlPlanes: !hasWorkers,
      apiServer: { certSANs: [...sans] },
      etcd: { advertisedSubnets: [config.nodeSubnetCidr] },
      // The CCM is an inline manifest (essentials.ts `ccmManifest`), rendered with the pod CIDR.
      externalCloudProvider: { enabled: true },
      extraManifests: extraManifestUrls(versions),
      inlineManifests: essentialInlineManifests(config, versions, bootstrapCilium),
    },
  };
}
