/**
 * Settings of the traefik platform service (`serviceSettings.traefik` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";

/** Traefik as K3s ships it (004: "Ingress: Traefik (K3s built-in)"), customised by a HelmChartConfig. */
export const TRAEFIK_DEFAULTS = {
  /** Name and namespace of K3s's packaged chart (docs.k3s.io "Networking", "Traefik Ingress Controller"). */
  helmChart: { name: "traefik", namespace: "kube-system" },
  redirectToHttps: true,
} as const;

export interface TraefikSettings {
  readonly redirectToHttps: boolean;
  /** Address MetalLB gives Traefik's Service (the VIP) on k3s. @default the cluster's `vip` on k3s, none elsewhere */
  readonly loadBalancerIP?: string;
}

export function parseTraefikSettings(r: Reader, cluster: ClusterConfig): TraefikSettings {
  r.only(["redirectToHttps"]);
  const vip = cluster.kind === "k3s" && cluster.services.includes("metallb") ? cluster.vip : undefined;
  return {
    redirectToHttps: r.boolean("redirectToHttps", TRAEFIK_DEFAULTS.redirectToHttps),
    ...(vip ? { loadBalancerIP: vip } : {}),
  };
}
