/**
 * Settings of the descheduler platform service (`serviceSettings.descheduler` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { GO_DURATION, VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

export interface DeschedulerSettings {
  readonly version: string;
  /** `deschedulingInterval` of the Deployment. */
  readonly interval: string;
}

/** The descheduler chart: repository, name and default version. */
export const DESCHEDULER_CHART: ServiceChart = {
  repository: "https://kubernetes-sigs.github.io/descheduler",
  name: "descheduler",
  // renovate: datasource=helm depName=descheduler registryUrl=https://kubernetes-sigs.github.io/descheduler
  version: "0.34.0",
};

export const DESCHEDULER_DEFAULTS: DeschedulerSettings = {
  // 002's repository runs descheduler v0.34.0 as a Deployment (goingdark-social/IaC
  // base-system/descheduler/kustomization.yaml: kubernetes/deployment?ref=v0.34.0); the chart
  // of the same version is released (AndreiGavriliu/homelab#4333, 2025-10-30).
  version: DESCHEDULER_CHART.version,
  // The upstream kubernetes/deployment manifests' `--descheduling-interval` (5m).
  interval: "5m",
};

export function parseDeschedulerSettings(r: Reader, _cluster: ClusterConfig): DeschedulerSettings {
  r.only(["version", "interval"]);
  const d = DESCHEDULER_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    interval: r.string("interval", GO_DURATION, d.interval),
  };
}
