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

/**
 * The Service of the Connect server the chart runs in `connect` mode: `connect.applicationName`
 * (default `onepassword-connect`, connect-helm-charts charts/connect/values.yaml; the program
 * keeps it) in the release namespace (charts/connect/templates/service.yaml, created only
 * with `connect.create`).
 */
export const CONNECT_SERVICE = "onepassword-connect";

/**
 * Whether `connectHost` (a URL) names the in-cluster Connect Service: its bare name, or the
 * name qualified with `namespace` (`.svc`, `.svc.cluster.local`).
 */
export function isInClusterConnect(connectHost: string, namespace: string): boolean {
  let host: string;
  try {
    host = new URL(connectHost).hostname;
  } catch {
    return false;
  }
  const [service, ns] = host.split(".");
  return service === CONNECT_SERVICE && (ns === undefined || ns === namespace);
}
