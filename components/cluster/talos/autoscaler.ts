/**
 * Settings the cluster autoscaler (a later platform service) runs with for this cluster's
 * autoscaled pools, rendered here so the pool, its taint and the scaling behaviour of
 * source document 002 live next to the pool definition and are testable.
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/hetzner/README.md
 */
import type { TalosHcloudClusterConfig, Taint } from "../../../config/types";
import { autoscaledPools } from "./plan";

/** One node group as the Hetzner provider's `--nodes=min:max:TYPE:LOCATION:name` describes it. */
export interface AutoscalerNodeGroup {
  /** Node group name: `<cluster>-<pool>`; also the server name prefix the autoscaler uses. */
  readonly name: string;
  readonly pool: string;
  readonly min: number;
  readonly max: number;
  readonly serverType: string;
  readonly location: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** What the autoscaler service needs, minus secrets (token, worker machine config). */
export interface AutoscalerSettings {
  readonly nodeGroups: readonly AutoscalerNodeGroup[];
  /** Container args of cluster-autoscaler. */
  readonly args: readonly string[];
  /**
   * Non-secret part of `HCLOUD_CLUSTER_CONFIG`: per node group labels and taints. The
   * service adds `cloudInit` (the worker machine config, a secret) through a Secret.
   */
  readonly clusterConfig: {
    readonly nodeConfigs: Readonly<
      Record<string, { readonly labels: Readonly<Record<string, string>>; readonly taints: readonly Taint[] }>
    >;
  };
  /** Plain environment of the Hetzner provider (network and firewall are names, not ids). */
  readonly env: Readonly<Record<string, string>>;
}

/** Renders the autoscaler settings of a cluster; empty node groups when no pool is autoscaled. */
export function autoscalerSettings(config: TalosHcloudClusterConfig): AutoscalerSettings {
  const nodeGroups: AutoscalerNodeGroup[] = autoscaledPools(config).map((pool) => ({
    name: `${config.name}-${pool.name}`,
    pool: pool.name,
    min: pool.count,
    max: pool.autoscaler?.max ?? pool.count,
    serverType: pool.serverType,
    location: config.location,
    labels: { ...pool.labels, nodepool: pool.name },
    taints: [...pool.taints],
  }));
  const s = config.autoscaler;
  const args = [
    "--cloud-provider=hetzner",
    ...nodeGroups.map(
      (g) => `--nodes=${g.min}:${g.max}:${g.serverType.toUpperCase()}:${g.location.toUpperCase()}:${g.name}`,
    ),
    `--scale-down-delay-after-add=${s.scaleDownDelayAfterAdd}`,
    `--scale-down-delay-after-delete=${s.scaleDownDelayAfterDelete}`,
    `--scale-down-unneeded-time=${s.scaleDownUnneededTime}`,
    `--expander=${s.expander}`,
    "--balance-similar-node-groups=false",
  ];
  const nodeConfigs: Record<string, { labels: Readonly<Record<string, string>>; taints: readonly Taint[] }> =
    {};
  for (const g of nodeGroups) nodeConfigs[g.name] = { labels: g.labels, taints: g.taints };
  return {
    nodeGroups,
    args,
    clusterConfig: { nodeConfigs },
    env: {
      HCLOUD_NETWORK: config.name,
      HCLOUD_FIREWALL: config.name,
      HCLOUD_PUBLIC_IPV4: "true",
      HCLOUD_PUBLIC_IPV6: "false",
      // Image of new nodes: ID, name or label selector (Hetzner provider README, HCLOUD_IMAGE);
      // the same Talos snapshot the static nodes boot.
      HCLOUD_IMAGE: "snapshotId" in config.image ? String(config.image.snapshotId) : config.image.selector,
    },
  };
}
