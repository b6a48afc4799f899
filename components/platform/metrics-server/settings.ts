/**
 * Settings of the metrics-server platform service (`serviceSettings.metrics-server` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

export interface MetricsServerSettings {
  readonly version: string;
  /**
   * Adds `--kubelet-insecure-tls`. Off: Talos kubelets rotate serving certificates
   * (machine-config.ts `rotate-server-certificates`), which needs a CSR approver instead.
   */
  readonly kubeletInsecureTls: boolean;
}

/** The metrics-server chart: repository, name and default version. */
export const METRICS_SERVER_CHART: ServiceChart = {
  repository: "https://kubernetes-sigs.github.io/metrics-server",
  name: "metrics-server",
  // renovate: datasource=helm depName=metrics-server registryUrl=https://kubernetes-sigs.github.io/metrics-server
  version: "3.13.1",
};

export const METRICS_SERVER_DEFAULTS: MetricsServerSettings = {
  // 002's repository (goingdark-social/IaC base-system/metrics-server/kustomization.yaml): 3.13.1.
  version: METRICS_SERVER_CHART.version,
  kubeletInsecureTls: false,
};

export function parseMetricsServerSettings(r: Reader, _cluster: ClusterConfig): MetricsServerSettings {
  r.only(["version", "kubeletInsecureTls"]);
  const d = METRICS_SERVER_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    kubeletInsecureTls: r.boolean("kubeletInsecureTls", d.kubeletInsecureTls),
  };
}
