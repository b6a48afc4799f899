/** The metrics-server platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type MetricsServerSettings, parseMetricsServerSettings } from "./settings";
import type { Addon } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { METRICS_SERVER_CHART } from "./settings";

export const metricsServerService = defineService<MetricsServerSettings>({
  name: "metrics-server",
  catalog: {
    description: "Resource metrics API (K3s ships its own)",
    source: "002",
    kinds: ["talos-hcloud"],
  },
  charts: { server: METRICS_SERVER_CHART },
  parse: parseMetricsServerSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "metrics-server",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      ...addonChart(METRICS_SERVER_CHART, ctx.settings.version),
      includeCrds: false,
      // metrics-server chart values: `args` are appended to the defaults.
      values: ctx.settings.kubeletInsecureTls ? { args: ["--kubelet-insecure-tls"] } : {},
    };
    return { items: [addon], liveSecrets: [] };
  },
});
