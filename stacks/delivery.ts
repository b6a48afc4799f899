/**
 * Installs a cluster's GitOps engine from config. Both compositions use it, so switching a
 * cluster between Flux and Argo CD, or between deploy and emit, is a stack-file change
 * (in two steps, see the README's "Switching engine or delivery").
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../components/cluster/contract";
import { createEngine, withDerivedDependencies } from "../components/gitops";
import type { DeliveryItem } from "../components/gitops/delivery";
import type { ClusterComponentFacts } from "../components/platform/types";
import type { ClusterConfig, StackConfig } from "../config/types";
import { ConfigError, ConfigErrors } from "../config/reader";
import { buildApps } from "./apps";
import { capacityPreflight } from "./capacity";
import { withRecommendations } from "./recommendations";
import { PLATFORM_PROVIDERS } from "./dependencies";
import type { AppOutputs, DatabaseOutputs } from "./outputs";
import { buildServices } from "./services";
import type { PlatformUnits } from "./units";

/** What the engine left to write (the emit tree, empty in deploy mode), and the apps' outputs. */
export interface Delivered {
  /** Repository-relative path -> file content. */
  readonly files: Readonly<Record<string, string>>;
  readonly apps: Readonly<Record<string, AppOutputs>>;
  readonly databases: Readonly<Record<string, DatabaseOutputs>>;
}

/**
 * Creates the engine of one cluster, named `<cluster>-gitops`, with the cluster's services
 * and apps, and the items its cluster component hands over to the engine after bootstrap
 * (`clusterItems`: Cilium on Talos).
 */
export function installEngine(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ClusterConfig,
  handle: ClusterHandle,
  fromCluster: ClusterComponentFacts = {},
  clusterItems: readonly DeliveryItem[] = [],
): Delivered {
  const platform = buildServices(config, units, cluster, handle, fromCluster);
  const apps = buildApps(config, units, cluster, handle);
  for (const image of apps.waitingForImages)
    void pulumi.log.warn(
      `${cluster.name}: ${image} has no usable image reference yet (none set, or a digest required); its workloads are left out until platform:clusters.${cluster.name}.appSettings.${image.replace("/", ".images.")} is set in the stack file (by hand or by the image_update flow)`,
    );
  // The capacity preflight, before the engine and what it delivers are registered.
  const items = withRecommendations(cluster, [...clusterItems, ...platform.items, ...apps.items]);
  const capacity = capacityPreflight(cluster, items);
  if (capacity.errors.length)
    throw new ConfigErrors(
      capacity.errors.map(
        (e) =>
          new ConfigError(
            `platform:clusters.${cluster.name}.apps`,
            cluster.apps,
            `${e}; add or enlarge nodes, let the workload tolerate an autoscaled pool, or run fewer apps here (README "Capacity preflight")`,
          ),
      ),
    );
  for (const warning of capacity.warnings) void pulumi.log.warn(warning);
  const engine = createEngine(cluster.engine, `${cluster.name}-gitops`, {
    cluster: handle,
    stack: config.stack,
    delivery: cluster.delivery,
    git: cluster.git,
    versions: config.versions,
    gitToken: config.secrets.gitToken,
    // SOPS is a Flux feature; loadConfig rejects a key on a stack without Flux.
    sopsAgeKey: cluster.engine === "flux" ? config.secrets.sopsAgeKey : undefined,
    // Each item waits for what it uses (its namespace, CRDs, store, issuer, database), not
    // for every item of the layer before it.
    items: withDerivedDependencies(items, PLATFORM_PROVIDERS),
    liveSecrets: [...platform.liveSecrets, ...apps.liveSecrets],
    handover: cluster.handover,
    ...(cluster.engineInstallFrom ? { installFrom: cluster.engineInstallFrom } : {}),
  });
  return { files: engine.files, apps: apps.apps, databases: apps.databases };
}
