/**
 * Settings of the kube-prometheus-stack platform service (`serviceSettings.kube-prometheus-stack` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { DURATION, QUANTITY, VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";
import { parseDashboardSettings, type DashboardSettings } from "../grafana-dashboards";

/** kube-prometheus-stack (004, homelab). */
export interface KubePrometheusStackSettings {
  readonly version: string;
  /** Prometheus `retention`. */
  readonly retention: string;
  /** Prometheus volume size. */
  readonly storageSize: string;
  /** Grafana volume size. */
  readonly grafanaStorageSize: string;
  /** Grafana dashboards beyond the chart's own (components/platform/grafana-dashboards.ts). */
  readonly dashboards: DashboardSettings;
}

/** The kube-prometheus-stack chart: repository, name and default version. */
export const KUBE_PROMETHEUS_STACK_CHART: ServiceChart = {
  repository: "https://prometheus-community.github.io/helm-charts",
  name: "kube-prometheus-stack",
  // renovate: datasource=helm depName=kube-prometheus-stack registryUrl=https://prometheus-community.github.io/helm-charts
  version: "88.6.5",
};

export const KUBE_PROMETHEUS_STACK_DEFAULTS: KubePrometheusStackSettings = {
  // 004's repository (ronaldlokers/homelab monitoring/controllers/production/kube-prometheus-stack/
  // release.yaml): chart 88.6.5, Prometheus on a 30Gi Longhorn volume, retention left at the
  // chart default of 10 days ("where the default datasource keeps 10").
  version: KUBE_PROMETHEUS_STACK_CHART.version,
  retention: "10d",
  storageSize: "30Gi",
  // Ours: the release keeps Grafana on its chart default (no persistence); 5Gi keeps UI edits.
  grafanaStorageSize: "5Gi",
  dashboards: { builtIn: true, extra: {} },
};

export function parseKubePrometheusStackSettings(
  r: Reader,
  _cluster: ClusterConfig,
): KubePrometheusStackSettings {
  r.only(["version", "retention", "storageSize", "grafanaStorageSize", "dashboards"]);
  const d = KUBE_PROMETHEUS_STACK_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    retention: r.string("retention", DURATION, d.retention),
    storageSize: r.string("storageSize", QUANTITY, d.storageSize),
    grafanaStorageSize: r.string("grafanaStorageSize", QUANTITY, d.grafanaStorageSize),
    dashboards: parseDashboardSettings(r),
  };
}
