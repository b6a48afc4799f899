/** The metrics-server platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type MetricsServerSettings, parseMetricsServerSettings } from "./settings";
import type { Addon } from "../../gitops/delivery";
import { defineService } from "../types";

export const metricsServerService = defineService<MetricsServerSettings>({
  name: "metrics-server",
  catalog: {
    description: "Resource metrics API (K3s ships its own)",
    source: "002",
    kinds: ["talos-hcloud"],
  },
  parse: parseMetricsServerSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "metrics-server",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      repository: "https://kubernetes-sigs.github.io/metrics-server",
      chart: "metrics-server",
      version: ctx.settings.version,
      includeCrds: false,
      // metrics-server chart values: `args` are appended to the defaults.
      values: ctx.settings.kubeletInsecureTls ? { args: ["--kubelet-insecure-tls"] } : {},
    };
    return { items: [addon], liveSecrets: [] };
  },
});
