/**
 * Settings of the vpa platform service (`serviceSettings.vpa` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

export interface VpaSettings {
  readonly version: string;
}

/** The vpa chart: repository, name and default version. */
export const VPA_CHART: ServiceChart = {
  repository: "https://charts.fairwinds.com/stable",
  name: "vpa",
  // renovate: datasource=helm depName=vpa registryUrl=https://charts.fairwinds.com/stable
  version: "4.10.1",
};

export const VPA_DEFAULTS: VpaSettings = {
  // fairwinds-stable/vpa 4.10.1 ships VPA 1.4.1 (`helm search repo` output in FairwindsOps/charts#1678),
  // the release line 002's repository runs (base-system/vpa: vertical-pod-autoscaler/deploy?ref=vpa-release-1.4).
  version: VPA_CHART.version,
};

export function parseVpaSettings(r: Reader, _cluster: ClusterConfig): VpaSettings {
  r.only(["version"]);
  return { version: r.string("version", VERSION, VPA_DEFAULTS.version) };
}
