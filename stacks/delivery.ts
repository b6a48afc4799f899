/**
 * Installs a cluster's GitOps engine from config. Both compositions use it, so switching a
 * cluster between Flux and Argo CD, or between deploy and emit, is a stack-file change
 * (in two steps, see the README's "Switching engine or delivery").
 */
import type { ClusterHandle } from "../components/cluster/contract";
import { createEngine } from "../components/gitops";
import type { ClusterConfig, StackConfig } from "../config/types";
import { buildServices, type ServiceExtras } from "./services";

/** What the engine left to write: the emit tree, empty in deploy mode. */
export interface Delivered {
  /** Repository-relative path -> file content. */
  readonly files: Readonly<Record<string, string>>;
}

/** Creates the engine of one cluster, named `<cluster>-gitops`, with the cluster's platform services. */
export function installEngine(
  config: StackConfig,
  cluster: ClusterConfig,
  handle: ClusterHandle,
  serviceExtras: ServiceExtras = {},
): Delivered {
  const platform = buildServices(config, cluster, handle, serviceExtras);
  const engine = createEngine(cluster.engine, `${cluster.name}-gitops`, {
    cluster: handle,
    stack: config.stack,
    delivery: cluster.delivery,
    git: cluster.git,
    versions: config.versions,
    gitToken: config.secrets.gitToken,
    // SOPS is a Flux feature; loadConfig rejects a key on a stack without Flux.
    sopsAgeKey: cluster.engine === "flux" ? config.secrets.sopsAgeKey : undefined,
    items: platform.items,
    liveSecrets: platform.liveSecrets,
    handover: cluster.handover,
  });
  return { files: engine.files };
}
