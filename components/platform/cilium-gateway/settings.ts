/**
 * Settings of the cilium-gateway platform service (`serviceSettings.cilium-gateway` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { IPV4 } from "../settings-patterns";
import { IssuerName, ISSUERS } from "../cert-manager/settings";

/** The shared external Gateway on Talos (002 "HTTP Routing (Gateway API)"). */
export const CILIUM_GATEWAY_DEFAULTS = {
  namespace: "gateway",
  gatewayName: "external",
  gatewayClassName: "cilium",
  certificateSecret: "wildcard-tls",
  issuer: "letsencrypt-production" as IssuerName,
} as const;

/**
 * How the Gateway's LoadBalancer Service gets its address:
 * - `lb-ipam`: a fixed address from Cilium LB IPAM (002's `io.cilium/lb-ipam-ips`), for an
 *   address that already routes to the nodes;
 * - `hcloud`: a Hetzner Cloud Load Balancer the hcloud CCM creates for the Service from its
 *   `load-balancer.hetzner.cloud/*` annotations (hcloud-cloud-controller-manager
 *   internal/annotation/load_balancer.go), reaching the nodes over the private network.
 */
export type GatewayAddress =
  | { readonly mode: "lb-ipam"; readonly address: string }
  | { readonly mode: "hcloud"; readonly location: string; readonly type: string };

export interface CiliumGatewaySettings {
  readonly address: GatewayAddress;
  readonly issuer: IssuerName;
}

/** Hetzner Load Balancer types (docs.hetzner.com/cloud/load-balancers/overview). */
export const HCLOUD_LB_TYPES = ["lb11", "lb21", "lb31"] as const;

export function parseCiliumGatewaySettings(r: Reader, cluster: ClusterConfig): CiliumGatewaySettings {
  r.only(["address", "loadBalancer", "issuer"]);
  const issuer = r.string("issuer", { oneOf: ISSUERS }, CILIUM_GATEWAY_DEFAULTS.issuer);
  if (r.has("address")) {
    if (r.has("loadBalancer"))
      throw new ConfigError(
        r.key("loadBalancer"),
        r.value["loadBalancer"],
        "set either address (Cilium LB IPAM) or loadBalancer (a Hetzner Load Balancer), not both",
      );
    const address = r.string("address", { pattern: IPV4, expected: "the gateway's IPv4 address" });
    return { address: { mode: "lb-ipam", address }, issuer };
  }
  // Without an address, a Hetzner Load Balancer in the cluster's location fronts the Gateway.
  const lb = r.optionalObject("loadBalancer").only(["location", "type"]);
  const defaultLocation = cluster.kind === "talos-hcloud" ? cluster.location : undefined;
  return {
    address: {
      mode: "hcloud",
      location: lb.string(
        "location",
        { pattern: /^[a-z]{3}\d$/, expected: "a Hetzner location such as fsn1" },
        defaultLocation,
      ),
      type: lb.string("type", { oneOf: HCLOUD_LB_TYPES }, "lb11"),
    },
    issuer,
  };
}
