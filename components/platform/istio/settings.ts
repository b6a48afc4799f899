/**
 * Settings of the istio platform service (`serviceSettings.istio` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { HCLOUD_LB_TYPES } from "../cilium-gateway/settings";

/** Istio for the mesh of cortex-api (003: mTLS, JWT, Istio gateway). */
export const ISTIO_DEFAULTS = {
  // istio-release charts base/istiod/gateway 1.27.1 (Istio 1.27.1, Sep 2025).
  repository: "https://istio-release.storage.googleapis.com/charts",
  // renovate: datasource=helm depName=istiod registryUrl=https://istio-release.storage.googleapis.com/charts
  version: "1.27.1",
  namespace: "istio-system",
  ingressNamespace: "istio-ingress",
  ingressGateway: true,
} as const;

export interface IstioSettings {
  readonly ingressGateway: boolean;
  /**
   * The Hetzner Load Balancer the hcloud CCM creates for the ingress gateway's LoadBalancer
   * Service on Talos (its location and type); none elsewhere.
   * @default the cluster's location and lb11 on Talos, none elsewhere
   */
  readonly loadBalancer?: { readonly location: string; readonly type: string };
}

export function parseIstioSettings(r: Reader, cluster: ClusterConfig): IstioSettings {
  r.only(["ingressGateway", "loadBalancer"]);
  const ingressGateway = r.boolean("ingressGateway", ISTIO_DEFAULTS.ingressGateway);
  if (cluster.kind !== "talos-hcloud") return { ingressGateway };
  // Like the shared Gateway's: the cluster's location unless set, the smallest type.
  const lb = r.optionalObject("loadBalancer").only(["location", "type"]);
  return {
    ingressGateway,
    loadBalancer: {
      location: lb.string(
        "location",
        { pattern: /^[a-z]{3}\d$/, expected: "a Hetzner location such as fsn1" },
        cluster.location,
      ),
      type: lb.string("type", { oneOf: HCLOUD_LB_TYPES }, "lb11"),
    },
  };
}
