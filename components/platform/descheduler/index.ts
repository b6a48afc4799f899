/** The descheduler platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type DeschedulerSettings, parseDeschedulerSettings } from "./settings";
import type { Addon, JsonValue } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { DESCHEDULER_CHART } from "./settings";

/** 002's descheduler policy (goingdark-social/IaC base-system/descheduler/patches/policy-configmap.yaml). */
export const DESCHEDULER_POLICY: { [key: string]: JsonValue } = {
  profiles: [
    {
      name: "default",
      pluginConfig: [
        {
          name: "LowNodeUtilization",
          args: {
            useDeviationThresholds: true,
            thresholds: { cpu: 40, memory: 40, pods: 40 },
            targetThresholds: { cpu: 75, memory: 75, pods: 75 },
            evictableNamespaces: { exclude: ["kube-system"] },
          },
        },
      ],
      plugins: {
        deschedule: {
          enabled: [
            "RemovePodsViolatingInterPodAntiAffinity",
            "RemovePodsViolatingNodeAffinity",
            "RemovePodsViolatingNodeTaints",
            "RemovePodsViolatingTopologySpreadConstraint",
          ],
        },
        balance: { enabled: ["LowNodeUtilization", "RemoveDuplicates"] },
      },
    },
  ],
};

export const deschedulerService = defineService<DeschedulerSettings>({
  name: "descheduler",
  catalog: { description: "Workload rebalancing", source: "002" },
  charts: { descheduler: DESCHEDULER_CHART },
  parse: parseDeschedulerSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "descheduler",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      ...addonChart(DESCHEDULER_CHART, ctx.settings.version),
      includeCrds: false,
      // descheduler chart values: kind, deschedulingInterval, leaderElection,
      // deschedulerPolicyAPIVersion, deschedulerPolicy (chart README / values.yaml).
      values: {
        kind: "Deployment",
        replicas: 1,
        deschedulingInterval: ctx.settings.interval,
        leaderElection: { enabled: true },
        deschedulerPolicyAPIVersion: "descheduler/v1alpha2",
        deschedulerPolicy: DESCHEDULER_POLICY,
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
});
