/**
 * Settings of the external-secrets platform service (`serviceSettings.external-secrets` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { VERSION, HOST_URL, UUID } from "../settings-patterns";
import type { ServiceChart } from "../types";

/** External Secrets Operator and its ClusterSecretStores (002 Bitwarden, 003 Vault, 001 1Password). */
export interface ExternalSecretsSettings {
  readonly version: string;
  /** Set `bitwarden.organizationId` + `projectId` to create the `bitwarden-backend` store. @default none */
  readonly bitwarden?: {
    readonly sdkServerVersion: string;
    readonly organizationId: string;
    readonly projectId: string;
    readonly apiUrl: string;
    readonly identityUrl: string;
  };
  /** Set `vault.server` to create the `vault-backend` store. @default none */
  readonly vault?: {
    readonly server: string;
    readonly path: string;
    readonly version: "v1" | "v2";
    readonly auth: "token" | "kubernetes";
    /** The Vault role of `auth: kubernetes`. @default none (required with that auth) */
    readonly role?: string;
    readonly mountPath: string;
  };
  /** Set `onepassword.connectHost` to create the `onepassword-backend` store. @default none */
  readonly onepassword?: {
    readonly connectHost: string;
    readonly vaults: readonly string[];
  };
}

/** The external-secrets chart: repository, name and default version. */
export const EXTERNAL_SECRETS_CHART: ServiceChart = {
  repository: "https://charts.external-secrets.io",
  name: "external-secrets",
  // renovate: datasource=helm depName=external-secrets registryUrl=https://charts.external-secrets.io
  version: "1.2.1",
};

/**
 * The bitwarden-sdk-server chart, the dependency the ESO chart pins, installed on its own
 * (OCI: the repository without the chart name).
 */
export const BITWARDEN_SDK_SERVER_CHART: ServiceChart = {
  repository: "oci://ghcr.io/external-secrets/charts",
  name: "bitwarden-sdk-server",
  // renovate: datasource=docker depName=ghcr.io/external-secrets/charts/bitwarden-sdk-server
  version: "v0.5.2",
};

export const EXTERNAL_SECRETS_DEFAULTS = {
  // 002's repository (goingdark-social/IaC base-system/external-secrets/kustomization.yaml): 1.2.1.
  // bitwarden-sdk-server v0.5.2 from oci://ghcr.io/external-secrets/charts is the dependency the
  // ESO chart pins (deploy/charts/external-secrets/Chart.yaml at 0060da0b).
  version: EXTERNAL_SECRETS_CHART.version,
  sdkServerVersion: BITWARDEN_SDK_SERVER_CHART.version,
  // The public Bitwarden cloud (ESO docs/provider/bitwarden-secrets-manager.md: both optional).
  apiUrl: "https://api.bitwarden.com",
  identityUrl: "https://identity.bitwarden.com",
  // 003 keeps its secrets in a KV engine; v2 is Vault's default for `secret/`.
  vaultPath: "secret",
  vaultVersion: "v2" as const,
  vaultMountPath: "kubernetes",
  // 001: "OnePasswordItem CRDs referencing items in the `Development` vault".
  onepasswordVaults: ["Development"],
};

export function parseExternalSecretsSettings(r: Reader, _cluster: ClusterConfig): ExternalSecretsSettings {
  r.only(["version", "bitwarden", "vault", "onepassword"]);
  const d = EXTERNAL_SECRETS_DEFAULTS;
  const settings: { -readonly [K in keyof ExternalSecretsSettings]: ExternalSecretsSettings[K] } = {
    version: r.string("version", VERSION, d.version),
  };
  if (r.has("bitwarden")) {
    const b = r
      .object("bitwarden")
      .only(["sdkServerVersion", "organizationId", "projectId", "apiUrl", "identityUrl"]);
    settings.bitwarden = {
      sdkServerVersion: b.string("sdkServerVersion", VERSION, d.sdkServerVersion),
      organizationId: b.string("organizationId", UUID),
      projectId: b.string("projectId", UUID),
      apiUrl: b.string("apiUrl", HOST_URL, d.apiUrl),
      identityUrl: b.string("identityUrl", HOST_URL, d.identityUrl),
    };
  }
  if (r.has("vault")) {
    const v = r.object("vault").only(["server", "path", "version", "auth", "role", "mountPath"]);
    const auth = v.string<"token" | "kubernetes">("auth", { oneOf: ["token", "kubernetes"] }, "token");
    const role = v.optionalString("role");
    if (auth === "kubernetes" && role === undefined) {
      throw new ConfigError(
        v.key("role"),
        undefined,
        'required when auth is "kubernetes"; set the Vault role bound to the external-secrets ServiceAccount',
      );
    }
    settings.vault = {
      server: v.string("server", HOST_URL),
      path: v.string(
        "path",
        { pattern: /^[A-Za-z0-9_\-/]+$/, expected: "a KV mount path such as secret" },
        d.vaultPath,
      ),
      version: v.string<"v1" | "v2">("version", { oneOf: ["v1", "v2"] }, d.vaultVersion),
      auth,
      role,
      mountPath: v.string("mountPath", {}, d.vaultMountPath),
    };
  }
  if (r.has("onepassword")) {
    const o = r.object("onepassword").only(["connectHost", "vaults"]);
    settings.onepassword = {
      connectHost: o.string("connectHost", HOST_URL),
      vaults: o.stringList("vaults", {}, d.onepasswordVaults),
    };
  }
  return settings;
}
