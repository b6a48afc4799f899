/** The vpa platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type VpaSettings, parseVpaSettings } from "./settings";
import type { Addon } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { VPA_CHART } from "./settings";

/**
 * VPA recommender only (002: "recommender mode only, updater/admission disabled"). Fairwinds
 * `vpa` chart values `recommender.enabled`, `updater.enabled`, `admissionController.enabled`
 * (FairwindsOps/charts#1133 shows exactly these keys).
 */
export const vpaService = defineService<VpaSettings>({
  name: "vpa",
  catalog: { description: "Vertical Pod Autoscaler in recommender mode", source: "002" },
  charts: { vpa: VPA_CHART },
  parse: parseVpaSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "vpa",
      layer: "infrastructure-controllers",
      namespace: "vpa",
      ...addonChart(VPA_CHART, ctx.settings.version),
      includeCrds: true,
      values: {
        recommender: { enabled: true },
        updater: { enabled: false },
        admissionController: { enabled: false },
        "metrics-server": { enabled: false },
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
});
