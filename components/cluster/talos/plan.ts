/**
 * Static node planning: which servers exist, their names and private addresses.
 * Addresses are fixed up front so the machine configs (cert SANs, etcd subnets) never
 * depend on a server that does not exist yet, and adding a node never renumbers another.
 */
import type { HcloudNodePoolConfig, TalosHcloudClusterConfig, Taint } from "../../../config/types";
import { formatIpv4, parseCidr } from "../../../lib/net";
import { POOL_BLOCK_SIZE } from "./validate";

/** One server the component creates. */
export interface NodePlan {
  /** Server and Talos hostname, `<cluster>-<pool>-<n>` (n from 1). */
  readonly name: string;
  readonly pool: string;
  readonly role: "controlplane" | "worker";
  readonly serverType: string;
  /** Private IPv4 in the node subnet. */
  readonly privateIp: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** Pools whose servers this component creates (autoscaled pools belong to the cluster autoscaler). */
export function staticPools(config: TalosHcloudClusterConfig): HcloudNodePoolConfig[] {
  return config.nodePools.filter((p) => !p.autoscaler);
}

/** Pools the cluster autoscaler scales. */
export function autoscaledPools(config: TalosHcloudClusterConfig): HcloudNodePoolConfig[] {
  return config.nodePools.filter((p) => p.autoscaler !== undefined);
}

/**
 * Every static node, control planes first (the order upgrades run in). Pool `p` (in
 * config order among static pools) owns addresses `subnet + 32p + 2 ...`; `+1` of the
 * first block is Hetzner's gateway.
 */
export function planNodes(config: TalosHcloudClusterConfig): NodePlan[] {
  const subnet = parseCidr(config.nodeSubnetCidr);
  if (!subnet) throw new Error(`config.nodeSubnetCidr: "${config.nodeSubnetCidr}" is not an IPv4 CIDR`);
  const nodes: NodePlan[] = [];
  staticPools(config).forEach((pool, p) => {
    for (let i = 0; i < pool.count; i++) {
      nodes.push({
        name: `${config.name}-${pool.name}-${i + 1}`,
        pool: pool.name,
        role: pool.role,
        serverType: pool.serverType,
        privateIp: formatIpv4(subnet.network + POOL_BLOCK_SIZE * p + 2 + i),
        labels: pool.labels,
        taints: pool.taints,
      });
    }
  });
  return [...nodes.filter((n) => n.role === "controlplane"), ...nodes.filter((n) => n.role === "worker")];
}

/**
 * The node subnet split in two Hetzner subnets: the lower half for the servers this
 * component creates (fixed addresses, pool blocks from its start), the upper half for the
 * cluster autoscaler's servers, which the Hetzner API gives an address it picks ("our system
 * will automatically assign an IPv4 address", Hetzner Networks FAQ). hcloud-k8s separates them
 * the same way (terraform-hcloud-kubernetes network.tf: `hcloud_network_subnet.autoscaler`,
 * the last block of the node range, created after the others).
 */
export function nodeSubnets(config: TalosHcloudClusterConfig): { static: string; autoscaled: string } {
  const subnet = parseCidr(config.nodeSubnetCidr);
  if (!subnet) throw new Error(`config.nodeSubnetCidr: "${config.nodeSubnetCidr}" is not an IPv4 CIDR`);
  const prefix = subnet.prefix + 1;
  const half = 2 ** (32 - prefix);
  return {
    static: `${formatIpv4(subnet.network)}/${prefix}`,
    autoscaled: `${formatIpv4(subnet.network + half)}/${prefix}`,
  };
}
