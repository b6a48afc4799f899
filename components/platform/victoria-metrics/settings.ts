/**
 * Settings of the victoria-metrics platform service (`serviceSettings.victoria-metrics` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { DURATION, QUANTITY, VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";
import { parseDashboardSettings, type DashboardSettings } from "../grafana-dashboards";

/** victoria-metrics-k8s-stack with Grafana and the Prometheus adapter (002). */
export interface VictoriaMetricsSettings {
  readonly version: string;
  /** prometheus-operator-crds chart: ServiceMonitor/PodMonitor CRDs the VM operator converts. */
  readonly operatorCrdsVersion: string;
  readonly adapterVersion: string;
  /** VMSingle `retentionPeriod` (VictoriaMetrics units: 14d, 4w, 1y). */
  readonly retentionPeriod: string;
  readonly storageSize: string;
  /** Grafana dashboards beyond the chart's own (components/platform/grafana-dashboards.ts). */
  readonly dashboards: DashboardSettings;
}

/** The victoria-metrics-k8s-stack chart: repository, name and default version. */
export const VICTORIA_METRICS_CHART: ServiceChart = {
  repository: "https://victoriametrics.github.io/helm-charts",
  name: "victoria-metrics-k8s-stack",
  // renovate: datasource=helm depName=victoria-metrics-k8s-stack registryUrl=https://victoriametrics.github.io/helm-charts
  version: "0.85.9",
};

/** The prometheus-operator-crds chart: repository, name and default version. */
export const PROMETHEUS_OPERATOR_CRDS_CHART: ServiceChart = {
  repository: "https://prometheus-community.github.io/helm-charts",
  name: "prometheus-operator-crds",
  // renovate: datasource=helm depName=prometheus-operator-crds registryUrl=https://prometheus-community.github.io/helm-charts
  version: "28.0.1",
};

/** The prometheus-adapter chart: repository, name and default version. */
export const PROMETHEUS_ADAPTER_CHART: ServiceChart = {
  repository: "https://prometheus-community.github.io/helm-charts",
  name: "prometheus-adapter",
  // renovate: datasource=helm depName=prometheus-adapter registryUrl=https://prometheus-community.github.io/helm-charts
  version: "5.2.0",
};

export const VICTORIA_METRICS_DEFAULTS: VictoriaMetricsSettings = {
  // 002's repository (goingdark-social/IaC kubernetes/apps/base-system/victoriametrics/
  // kustomization.yaml): victoria-metrics-k8s-stack 0.85.9 with prometheus-operator-crds 28.0.1.
  version: VICTORIA_METRICS_CHART.version,
  operatorCrdsVersion: PROMETHEUS_OPERATOR_CRDS_CHART.version,
  // prometheus-adapter 5.2.0: released 2025-10 (DaoCloud/dce-charts-repackage#3538 "found newer version 5.2.0").
  adapterVersion: PROMETHEUS_ADAPTER_CHART.version,
  // 002's helm-values.yaml sets `retentionPeriod: "14"` with the comment "Reduce from 30d to
  // 14d"; a bare number is months in VictoriaMetrics, so the intended 14d is written with its unit.
  retentionPeriod: "14d",
  // Ours (002 keeps VMSingle on the operator default): 20Gi of hcloud volume.
  storageSize: "20Gi",
  dashboards: { builtIn: true, extra: {} },
};

export function parseVictoriaMetricsSettings(r: Reader, _cluster: ClusterConfig): VictoriaMetricsSettings {
  r.only([
    "version",
    "operatorCrdsVersion",
    "adapterVersion",
    "retentionPeriod",
    "storageSize",
    "dashboards",
  ]);
  const d = VICTORIA_METRICS_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    operatorCrdsVersion: r.string("operatorCrdsVersion", VERSION, d.operatorCrdsVersion),
    adapterVersion: r.string("adapterVersion", VERSION, d.adapterVersion),
    retentionPeriod: r.string("retentionPeriod", DURATION, d.retentionPeriod),
    storageSize: r.string("storageSize", QUANTITY, d.storageSize),
    dashboards: parseDashboardSettings(r),
  };
}
