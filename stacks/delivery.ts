/**
 * Installs a cluster's GitOps engine from config. Both compositions use it, so switching a
 * cluster between Flux and Argo CD, or between deploy and emit, is a stack-file change
 * (in two steps, see the README's "Switching engine or delivery").
 */
import type { ClusterHandle } from "../components/cluster/contract";
import { createEngine, type EngineHandover } from "../components/gitops";
import type { ClusterConfig, StackConfig } from "../config/types";

/** What the engine left to write: the emit tree, empty in deploy mode. */
export interface Delivered {
  /** Repository-relative path -> file content. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * The cluster's `handover` (step 1 of an engine or delivery switch). The config loader
 * parses the key `platform:clusters.<name>.handover` into this shape; until it does,
 * no cluster has one.
 */
function handoverOf(cluster: ClusterConfig): EngineHandover | undefined {
  return (cluster as ClusterConfig & { readonly handover?: EngineHandover }).handover;
}

/** Creates the engine of one cluster, named `<cluster>-gitops`. */
export function installEngine(config: StackConfig, cluster: ClusterConfig, handle: ClusterHandle): Delivered {
  const engine = createEngine(cluster.engine, `${cluster.name}-gitops`, {
    cluster: handle,
    stack: config.stack,
    delivery: cluster.delivery,
    git: cluster.git,
    versions: config.versions,
    gitToken: config.secrets.gitToken,
    // SOPS is a Flux feature; loadConfig rejects a key on a stack without Flux.
    sopsAgeKey: cluster.engine === "flux" ? config.secrets.sopsAgeKey : undefined,
    // Platform services and apps join here as they are built (see config/catalog.ts).
    items: [],
    handover: handoverOf(cluster),
  });
  return { files: engine.files };
}
