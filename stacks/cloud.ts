/**
 * The cloud composition (stage and prod): Talos clusters on Hetzner Cloud with Argo CD.
 * Stage and prod differ only in their stack files.
 */
import { TalosHcloudCluster } from "../components/cluster/talos";
import type { StackConfig } from "../config/types";
import { hcloudProvider } from "../providers";
import { installEngine } from "./delivery";
import { clusterOutputs } from "./outputs";
import type { Composition } from "./program";

/** Builds every cluster of a cloud stack with its engine. */
export function cloudStack(config: StackConfig): Composition {
  const { hcloudToken, etcdBackupS3AccessKeyId, etcdBackupS3SecretAccessKey } = config.secrets;
  if (!hcloudToken || !etcdBackupS3AccessKeyId || !etcdBackupS3SecretAccessKey) {
    throw new Error("cloud stack without its secrets: loadConfig should have rejected this config");
  }
  const provider = hcloudProvider("hcloud", hcloudToken);
  const result: Composition = { clusters: {}, emitted: {} };
  for (const cluster of config.clusters) {
    if (cluster.kind !== "talos-hcloud") {
      throw new Error(
        `cluster kind ${cluster.kind} does not belong in a cloud stack: loadConfig should have rejected it`,
      );
    }
    const talos = new TalosHcloudCluster(cluster.name, {
      config: cluster,
      versions: config.versions,
      hcloudProvider: provider,
      secrets: { hcloudToken, etcdBackupS3AccessKeyId, etcdBackupS3SecretAccessKey },
    });
    result.emitted[cluster.name] = installEngine(config, cluster, talos.handle).files;
    result.clusters[cluster.name] = clusterOutputs(cluster, talos.handle, { talosconfig: talos.talosconfig });
  }
  return result;
}
