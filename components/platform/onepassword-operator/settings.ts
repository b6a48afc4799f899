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
  /**
   * How the operator reaches 1Password: `connect`, through a 1Password Connect server the
   * chart runs beside it (secrets `onePasswordCredentials` and `onePasswordConnectToken`), or
   * `service-account`, straight to 1Password with a service-account token
   * (`OP_SERVICE_ACCOUNT_TOKEN`, secret `onePasswordServiceAccountToken`), as document 001
   * runs it; no Connect server then, so External Secrets' `onepassword` store cannot be used.
   * @default connect
   */
  readonly auth: "connect" | "service-account";
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
  auth: "connect",
};

export function parseOnePasswordOperatorSettings(
  r: Reader,
  _cluster: ClusterConfig,
): OnePasswordOperatorSettings {
  r.only(["version", "auth"]);
  return {
    version: r.string("version", VERSION, ONEPASSWORD_OPERATOR_DEFAULTS.version),
    auth: r.string(
      "auth",
      { oneOf: ["connect", "service-account"] as const },
      ONEPASSWORD_OPERATOR_DEFAULTS.auth,
    ),
  };
}
