/**
 * Settings of the onepassword-operator platform service (`serviceSettings.onepassword-operator` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

/** 1Password Connect + operator (001). */
export interface OnePasswordOperatorSettings {
  readonly version: string;
}

/** The connect chart: repository, name and default version. */
export const CONNECT_CHART: ServiceChart = {
  repository: "https://1password.github.io/connect-helm-charts",
  name: "connect",
  // renovate: datasource=helm depName=connect registryUrl=https://1password.github.io/connect-helm-charts
  version: "2.0.5",
};

export const ONEPASSWORD_OPERATOR_DEFAULTS: OnePasswordOperatorSettings = {
  // connect chart v2.0.5 with Connect 1.8.1 (1Password/connect-helm-charts#247, 2025-09-12).
  version: CONNECT_CHART.version,
};

export function parseOnePasswordOperatorSettings(
  r: Reader,
  _cluster: ClusterConfig,
): OnePasswordOperatorSettings {
  r.only(["version"]);
  return { version: r.string("version", VERSION, ONEPASSWORD_OPERATOR_DEFAULTS.version) };
}
