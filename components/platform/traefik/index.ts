/** The traefik platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { stringify } from "yaml";
import { TRAEFIK_DEFAULTS as TR, type TraefikSettings, parseTraefikSettings } from "./settings";
import type { Bundle, JsonValue } from "../../gitops/delivery";
import { defineService } from "../types";

/**
 * Values for K3s's packaged Traefik chart. K3s ships chart 34+ (Traefik v3), where the
 * redirect is `ports.web.redirections.entryPoint` (traefik-helm-chart PR #1301, v34.0.0
 * release notes); `redirectTo` fails there. Re-check on a K3s bump that brings chart v38+.
 */
export function traefikValues(settings: TraefikSettings): Record<string, JsonValue> {
  return {
    ...(settings.redirectToHttps
      ? {
          ports: {
            web: { redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true } } },
          },
        }
      : {}),
    // MetalLB >= 0.14.9 reads `metallb.io/loadBalancerIPs` (the metallb.universe.tf prefix is deprecated).
    ...(settings.loadBalancerIP
      ? { service: { annotations: { "metallb.io/loadBalancerIPs": settings.loadBalancerIP } } }
      : {}),
  };
}

/**
 * K3s's bundled Traefik, configured with a `HelmChartConfig` (docs.k3s.io "Networking":
 * never edit traefik.yaml, add a HelmChartConfig). The CRD comes with K3s itself, so the
 * object depends on nothing the program installs. Nothing is installed on k3d beyond the
 * same object: k3d runs K3s.
 */
export const traefikService = defineService<TraefikSettings>({
  name: "traefik",
  catalog: {
    description: "K3s's bundled Traefik, configured: HTTP to HTTPS redirect, the MetalLB VIP",
    source: "004",
    kinds: ["k3s", "k3d-proxmox"],
  },
  parse: parseTraefikSettings,
  build(ctx) {
    const config: Bundle = {
      kind: "bundle",
      name: "traefik-config",
      layer: "infrastructure-configs",
      namespace: TR.helmChart.namespace,
      objects: [
        {
          apiVersion: "helm.cattle.io/v1",
          kind: "HelmChartConfig",
          metadata: { name: TR.helmChart.name, namespace: TR.helmChart.namespace },
          spec: { valuesContent: stringify(traefikValues(ctx.settings)) },
        },
      ],
    };
    return { items: [config], liveSecrets: [] };
  },
});
