/** The victoria-logs platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type VictoriaLogsSettings, parseVictoriaLogsSettings } from "./settings";
import type { Addon } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { VICTORIA_LOGS_CHART } from "./settings";

export const VL_NAMESPACE = "victorialogs";

export const victoriaLogsService = defineService<VictoriaLogsSettings>({
  name: "victoria-logs",
  catalog: { description: "Log aggregation", source: "002" },
  charts: { server: VICTORIA_LOGS_CHART },
  parse: parseVictoriaLogsSettings,
  build(ctx) {
    const s = ctx.settings;
    const addon: Addon = {
      kind: "addon",
      name: "victoria-logs",
      layer: "monitoring",
      namespace: VL_NAMESPACE,
      ...addonChart(VICTORIA_LOGS_CHART, s.version),
      includeCrds: false,
      // Values from 002's victorialogs/helm-values.yaml (server.*, vector.*).
      values: {
        server: {
          retentionPeriod: s.retentionPeriod,
          // 002 also caps disk use (`retentionDiskSpaceUsage: "40"`, larger than its 15Gi volume);
          // not carried over: the value's unit is not verified here.
          persistentVolume: {
            enabled: true,
            storageClassName: ctx.cluster.capabilities.defaultStorageClass,
            size: s.storageSize,
          },
          resources: { requests: { cpu: "45m", memory: "1664Mi" }, limits: { memory: "1664Mi" } },
        },
        vector: {
          enabled: s.collector,
          // 002: "OOMKill if set to less than 1Gi".
          resources: { requests: { cpu: "85m", memory: "233Mi" }, limits: { memory: "1Gi" } },
        },
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
});
