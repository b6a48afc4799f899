/** The homelab composition: K3s on the Raspberry Pi hosts and k3d in a Proxmox VM, with Flux. */
import { ProxmoxK3dCluster } from "../components/cluster/k3d";
import { K3sCluster } from "../components/cluster/k3s";
import type { ClusterHandle } from "../components/cluster/contract";
import type { ClusterConfig, StackConfig } from "../config/types";
import { proxmoxProvider } from "../providers";
import { installEngine } from "./delivery";
import type { PlatformUnits } from "./units";
import { existingHandle } from "./existing";
import { clusterOutputs } from "./outputs";
import type { Composition } from "./program";

function buildCluster(config: StackConfig, units: PlatformUnits, cluster: ClusterConfig): ClusterHandle {
  if (cluster.kind === "existing") return existingHandle(config, units, cluster);
  const { sshPrivateKey, proxmoxApiToken } = config.secrets;
  if (!sshPrivateKey)
    throw new Error("homelab stack without platform:sshPrivateKey: loadConfig should have rejected it");
  switch (cluster.kind) {
    case "k3s": {
      const { k3sEtcdS3AccessKeyId: accessKeyId, k3sEtcdS3SecretAccessKey: secretAccessKey } = config.secrets;
      return new K3sCluster(cluster.name, {
        config: cluster,
        services: units.services,
        versions: config.versions,
        sshPrivateKey,
        etcdS3Credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      }).handle;
    }
    case "k3d-proxmox": {
      if (!proxmoxApiToken)
        throw new Error(
          "k3d-proxmox cluster without platform:proxmoxApiToken: loadConfig should have rejected it",
        );
      const provider = proxmoxProvider(`${cluster.name}-proxmox`, cluster.proxmox, proxmoxApiToken);
      return new ProxmoxK3dCluster(cluster.name, {
        config: cluster,
        services: units.services,
        versions: config.versions,
        proxmoxProvider: provider,
        sshPrivateKey,
      }).handle;
    }
    default:
      throw new Error(
        `cluster kind ${cluster.kind} does not belong in a homelab stack: loadConfig should have rejected it`,
      );
  }
}

/** Builds every cluster of the homelab stack with its engine. */
export function homelabStack(config: StackConfig, units: PlatformUnits): Composition {
  const result: Composition = { clusters: {}, emitted: {}, apps: {}, databases: {} };
  for (const cluster of config.clusters) {
    const handle = buildCluster(config, units, cluster);
    const delivered = installEngine(config, units, cluster, handle);
    result.emitted[cluster.name] = delivered.files;
    Object.assign(result.apps, delivered.apps);
    Object.assign(result.databases, delivered.databases);
    result.clusters[cluster.name] = clusterOutputs(cluster, handle);
  }
  return result;
}
