/**
 * Installs a cluster's GitOps engine from config. Both compositions use it, so switching a
 * cluster between Flux and Argo CD, or between deploy and emit, is a stack-file change
 * (in two steps, see the README's "Switching engine or delivery").
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../components/cluster/contract";
import { createEngine } from "../components/gitops";
import type { ClusterConfig, StackConfig } from "../config/types";
import { buildApps } from "./apps";
import type { AppOutputs, DatabaseOutputs } from "./outputs";
import { buildServices, type ServiceExtras } from "./services";

/** What the engine left to write (the emit tree, empty in deploy mode), and the apps' outputs. */
export interface Delivered {
  /** Repository-relative path -> file content. */
  readonly files: Readonly<Record<string, string>>;
  readonly apps: Readonly<Record<string, AppOutputs>>;
  readonly databases: Readonly<Record<string, DatabaseOutputs>>;
}

/** Creates the engine of one cluster, named `<cluster>-gitops`, with the cluster's services and apps. */
export function installEngine(
  config: StackConfig,
  cluster: ClusterConfig,
  handle: ClusterHandle,
  serviceExtras: ServiceExtras = {},
): Delivered {
  const platform = buildServices(config, cluster, handle, serviceExtras);
  const apps = buildApps(config, cluster, handle);
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
    items: [...platform.items, ...apps.items],
    liveSecrets: [...platform.liveSecrets, ...apps.liveSecrets],
    handover: cluster.handover,
    ...(cluster.engineInstallFrom ? { installFrom: cluster.engineInstallFrom } : {}),
  });
  return { files: engine.files, apps: apps.apps, databases: apps.databases };
}
