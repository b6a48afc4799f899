/**
 * Settings of the metallb platform service (`serviceSettings.metallb` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";

/** MetalLB in L2 mode serving the homelab VIP (004: "DNS points to 10.0.40.100 (MetalLB VIP)"). */
export const METALLB_DEFAULTS = {
  // metallb/metallb chart 0.15.2 (release notes "version 0.15.2").
  chart: {
    repository: "https://metallb.github.io/metallb",
    name: "metallb",
    // renovate: datasource=helm depName=metallb registryUrl=https://metallb.github.io/metallb
    version: "0.15.2",
  },
  namespace: "metallb-system",
  poolName: "default",
} as const;

export interface MetallbSettings {
  /** Pool addresses as CIDR or `first-last` (default: the cluster's `loadBalancerPool`). */
  readonly addresses: readonly string[];
}

export function parseMetallbSettings(r: Reader, cluster: ClusterConfig): MetallbSettings {
  r.only(["addresses"]);
  const fallback = cluster.kind === "k3s" ? [cluster.loadBalancerPool] : [];
  return { addresses: r.stringList("addresses", {}, fallback) };
}
