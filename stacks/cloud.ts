/**
 * The cloud composition (stage and prod): Talos clusters on Hetzner Cloud with Argo CD.
 * Stage and prod differ only in their stack files.
 */
import * as pulumi from "@pulumi/pulumi";
import { ciliumAddon, TalosHcloudCluster } from "../components/cluster/talos";
import { ciliumGatewayService } from "../components/platform/cilium-gateway";
import type { ClusterComponentFacts } from "../components/platform/types";
import { existingHandle } from "./existing";
import type { StackConfig } from "../config/types";
import { hcloudProvider } from "../providers";
import { installEngine } from "./delivery";
import type { PlatformUnits } from "./units";
import { clusterOutputs } from "./outputs";
import type { Composition } from "./program";

/** Builds every cluster of a cloud stack with its engine. */
export function cloudStack(config: StackConfig, units: PlatformUnits): Composition {
  const { hcloudToken, etcdBackupS3AccessKeyId, etcdBackupS3SecretAccessKey } = config.secrets;
  if (!hcloudToken || !etcdBackupS3AccessKeyId || !etcdBackupS3SecretAccessKey) {
    throw new Error("cloud stack without its secrets: loadConfig should have rejected this config");
  }
  // Only Talos clusters use Hetzner: a stack of existing clusters needs no hcloud provider.
  const provider = config.clusters.some((c) => c.kind === "talos-hcloud")
    ? hcloudProvider("hcloud", hcloudToken)
    : undefined;
  const result: Composition = { clusters: {}, emitted: {}, apps: {}, databases: {} };
  for (const cluster of config.clusters) {
    if (cluster.kind === "existing") {
      const handle = existingHandle(config, units, cluster);
      const delivered = installEngine(config, units, cluster, handle);
      result.emitted[cluster.name] = delivered.files;
      Object.assign(result.apps, delivered.apps);
      Object.assign(result.databases, delivered.databases);
      result.clusters[cluster.name] = clusterOutputs(cluster, handle);
      continue;
    }
    if (cluster.kind !== "talos-hcloud") {
      throw new Error(
        `cluster kind ${cluster.kind} does not belong in a cloud stack: loadConfig should have rejected it`,
      );
    }
    const talos = new TalosHcloudCluster(cluster.name, {
      config: cluster,
      services: units.services,
      versions: config.versions,
      hcloudProvider: provider!,
      secrets: { hcloudToken, etcdBackupS3AccessKeyId, etcdBackupS3SecretAccessKey },
      gateway: ciliumGatewayService.settingsOn(cluster)?.address,
    });
    // cluster-autoscaler scales the Talos pools with the component's settings and the worker
    // machine config (HCLOUD_CLUSTER_CONFIG); both come from the cluster component.
    const workerConfig = talos.autoscalerWorkerConfig;
    const facts: ClusterComponentFacts = workerConfig
      ? {
          autoscaler: {
            settings: talos.autoscaler,
            workerConfigBase64: pulumi.secret(workerConfig.apply((c) => Buffer.from(c).toString("base64"))),
          },
        }
      : {};
    // Cilium is installed at bootstrap and owned (upgraded) by the engine from then on.
    const delivered = installEngine(config, units, cluster, talos.handle, facts, [
      ciliumAddon(cluster, config.versions),
    ]);
    result.emitted[cluster.name] = delivered.files;
    Object.assign(result.apps, delivered.apps);
    Object.assign(result.databases, delivered.databases);
    result.clusters[cluster.name] = clusterOutputs(cluster, talos.handle);
  }
  return result;
}
