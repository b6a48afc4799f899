/**
 * Installs a cluster's GitOps engine from config. Both compositions use it, so switching a
 * cluster between Flux and Argo CD, or between deploy and emit, is a stack-file change
 * (in two steps, see the README's "Switching engine or delivery").
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterCapabilities, ClusterHandle } from "../components/cluster/contract";
import { createEngine, withDerivedDependencies } from "../components/gitops";
import type { DeliveryItem, LiveSecret } from "../components/gitops/delivery";
import type { ClusterComponentFacts } from "../components/platform/types";
import type { ClusterConfig, StackConfig } from "../config/types";
import { buildApps, type AppsDelivery } from "./apps";
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

/** Everything one cluster's engine delivers: the items, the live Secrets and the apps' build. */
export interface ClusterDelivery {
  readonly items: DeliveryItem[];
  readonly liveSecrets: LiveSecret[];
  readonly apps: AppsDelivery;
}

/**
 * The delivery items of one cluster: the items its cluster component hands over
 * (`clusterItems`: Cilium on Talos), its services' and its apps', with the VPAs of the `vpa`
 * service. With `dryRun` nothing is registered (stacks/preflight.ts reads these items before
 * the stack registers its first resource).
 */
export function clusterDelivery(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ClusterConfig,
  capabilities: ClusterCapabilities,
  fromCluster: ClusterComponentFacts,
  clusterItems: readonly DeliveryItem[],
  dryRun = false,
): ClusterDelivery {
  const platform = buildServices(config, units, cluster, capabilities, fromCluster, dryRun);
  const apps = buildApps(config, units, cluster, capabilities, dryRun);
  return {
    items: withRecommendations(cluster, [...clusterItems, ...platform.items, ...apps.items]),
    liveSecrets: [...platform.liveSecrets, ...apps.liveSecrets],
    apps,
  };
}

/**
 * Creates the engine of one cluster, named `<cluster>-gitops`, with the cluster's services
 * and apps, and the items its cluster component hands over to the engine after bootstrap
 * (`clusterItems`: Cilium on Talos). The capacity preflight has already passed on the same
 * items (stacks/preflight.ts, run by loadConfig before anything is registered).
 */
export function installEngine(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ClusterConfig,
  handle: ClusterHandle,
  fromCluster: ClusterComponentFacts = {},
  clusterItems: readonly DeliveryItem[] = [],
): Delivered {
  const { items, liveSecrets, apps } = clusterDelivery(
    config,
    units,
    cluster,
    handle.capabilities,
    fromCluster,
    clusterItems,
  );
  for (const image of apps.waitingForImages)
    void pulumi.log.warn(
      `${cluster.name}: ${image} has no usable image reference yet (none set, or a digest required); its workloads are left out until platform:clusters.${cluster.name}.appSettings.${image.replace("/", ".images.")} is set in the stack file (by hand or by the image_update flow)`,
    );
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
    liveSecrets,
    handover: cluster.handover,
    ...(cluster.engineInstallFrom ? { installFrom: cluster.engineInstallFrom } : {}),
  });
  return { files: engine.files, apps: apps.apps, databases: apps.databases };
}
