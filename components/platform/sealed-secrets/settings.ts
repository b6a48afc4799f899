/**
 * Settings of the sealed-secrets platform service (`serviceSettings.sealed-secrets` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

/** Bitnami SealedSecrets controller (000). */
export interface SealedSecretsSettings {
  readonly version: string;
}

/** The sealed-secrets chart: repository, name and default version. */
export const SEALED_SECRETS_CHART: ServiceChart = {
  repository: "https://bitnami-labs.github.io/sealed-secrets",
  name: "sealed-secrets",
  // renovate: datasource=helm depName=sealed-secrets registryUrl=https://bitnami-labs.github.io/sealed-secrets
  version: "2.17.9",
};

export const SEALED_SECRETS_DEFAULTS: SealedSecretsSettings = {
  // helm-v2.17.9: bitnami-labs/sealed-secrets chart release (graphops/launchpad-namespaces#1834, 2025-11).
  version: SEALED_SECRETS_CHART.version,
};

export function parseSealedSecretsSettings(r: Reader, _cluster: ClusterConfig): SealedSecretsSettings {
  r.only(["version"]);
  return { version: r.string("version", VERSION, SEALED_SECRETS_DEFAULTS.version) };
}
