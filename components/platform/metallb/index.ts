/** The metallb platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { METALLB_DEFAULTS as MLB, type MetallbSettings, parseMetallbSettings } from "./settings";
import type { Addon, Bundle } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";

/** MetalLB in layer 2 mode: one pool from the cluster's `loadBalancerPool`, announced by ARP. */
export const metallbService = defineService<MetallbSettings>({
  name: "metallb",
  catalog: {
    description: "Layer-2 load balancer serving the VIP",
    source: "004",
    kinds: ["k3s"],
    providesLoadBalancer: "metallb",
  },
  charts: { metallb: MLB.chart },
  parse: parseMetallbSettings,
  build(ctx) {
    if (ctx.settings.addresses.length === 0) {
      throw new Error(
        `metallb on cluster "${ctx.cluster.name}": no addresses; set loadBalancerPool or serviceSettings.metallb.addresses`,
      );
    }
    const chart: Addon = {
      kind: "addon",
      name: "metallb",
      layer: "infrastructure-controllers",
      namespace: MLB.namespace,
      ...addonChart(MLB.chart),
      includeCrds: true,
      // The controller writes the CA of its conversion webhook into this CRD.
      ignoreDifferences: [
        {
          group: "apiextensions.k8s.io",
          kind: "CustomResourceDefinition",
          name: "bgppeers.metallb.io",
          jsonPointers: ["/spec/conversion/webhook/clientConfig/caBundle"],
        },
      ],
    };
    const pool: Bundle = {
      kind: "bundle",
      name: "metallb-pool",
      layer: "infrastructure-configs",
      namespace: MLB.namespace,
      dependsOn: ["metallb"],
      objects: [
        {
          apiVersion: "metallb.io/v1beta1",
          kind: "IPAddressPool",
          metadata: { name: MLB.poolName },
          spec: { addresses: [...ctx.settings.addresses] },
        },
        {
          apiVersion: "metallb.io/v1beta1",
          kind: "L2Advertisement",
          metadata: { name: MLB.poolName },
          spec: { ipAddressPools: [MLB.poolName] },
        },
      ],
    };
    return { items: [chart, pool], liveSecrets: [] };
  },
});
