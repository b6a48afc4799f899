/**
 * Settings of the victoria-logs platform service (`serviceSettings.victoria-logs` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { DURATION, QUANTITY, VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

/** victoria-logs-single (002 "VictoriaLogs - Log aggregation"). */
export interface VictoriaLogsSettings {
  readonly version: string;
  readonly retentionPeriod: string;
  readonly storageSize: string;
  /** Whether the chart's bundled Vector collector ships container logs (`vector.enabled`). */
  readonly collector: boolean;
}

/** The victoria-logs-single chart: repository, name and default version. */
export const VICTORIA_LOGS_CHART: ServiceChart = {
  repository: "https://victoriametrics.github.io/helm-charts",
  name: "victoria-logs-single",
  // renovate: datasource=helm depName=victoria-logs-single registryUrl=https://victoriametrics.github.io/helm-charts
  version: "0.11.20",
};

export const VICTORIA_LOGS_DEFAULTS: VictoriaLogsSettings = {
  // 002's repository (goingdark-social/IaC kubernetes/apps/base-system/victorialogs/): chart
  // 0.11.20, a 15Gi volume, and the chart's Vector collector on (`vector.enabled: true`).
  version: VICTORIA_LOGS_CHART.version,
  // 002 keeps the chart default retention (1 month) and caps disk use instead; 31d says so.
  retentionPeriod: "31d",
  storageSize: "15Gi",
  collector: true,
};

export function parseVictoriaLogsSettings(r: Reader, _cluster: ClusterConfig): VictoriaLogsSettings {
  r.only(["version", "retentionPeriod", "storageSize", "collector"]);
  const d = VICTORIA_LOGS_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    retentionPeriod: r.string("retentionPeriod", DURATION, d.retentionPeriod),
    storageSize: r.string("storageSize", QUANTITY, d.storageSize),
    collector: r.boolean("collector", d.collector),
  };
}
