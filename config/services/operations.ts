/**
 * Settings, defaults and placement rules of the `operations` group: monitoring
 * (kube-prometheus-stack, victoria-metrics, victoria-logs), secret operators
 * (external-secrets, onepassword-operator, sealed-secrets) and cluster helpers
 * (metrics-server, vpa, descheduler, cluster-autoscaler, renovate).
 *
 * Each service reads `platform:clusters.<cluster>.serviceSettings.<service>`; an absent
 * block means all defaults. Chart versions are defaults here too, so a bump is one
 * stack-file line and never a code change.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AutoscalerSettings } from "../../components/cluster/talos/autoscaler";
import { ConfigError, type Reader } from "../reader";
import type { ClusterConfig } from "../types";

const DURATION = { pattern: /^\d+[hdwy]$/, expected: "a retention such as 14d, 4w or 1y" };
const QUANTITY = { pattern: /^\d+(Mi|Gi|Ti)$/, expected: "a volume size such as 20Gi" };
const CRON = { pattern: /^(\S+\s+){4}\S+$/, expected: "a five-field cron schedule such as 0 * * * *" };
const VERSION = { pattern: /^v?\d+\.\d+\.\d+$/, expected: "an exact chart version such as 1.2.3" };
const HOST_URL = { pattern: /^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/, expected: "an http(s):// URL" };
const UUID = {
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  expected: "a UUID from the Bitwarden web vault",
};

// ---------------------------------------------------------------- monitoring

/** kube-prometheus-stack (004, homelab). */
export interface KubePrometheusStackSettings {
  readonly version: string;
  /** Prometheus `retention`. */
  readonly retention: string;
  /** Prometheus volume size. */
  readonly storageSize: string;
  /** Grafana volume size. */
  readonly grafanaStorageSize: string;
}

export const KUBE_PROMETHEUS_STACK_DEFAULTS: KubePrometheusStackSettings = {
  // Chart.yaml at prometheus-community/helm-charts@0013e202 (charts/kube-prometheus-stack): version 67.8.0.
  version: "67.8.0",
  // 004 names kube-prometheus-stack but gives no retention or size; 10d is the chart's own
  // `prometheus.prometheusSpec.retention` default, kept explicit so it is visible here.
  retention: "10d",
  // Our number (004 gives none): 10 days of a 3-node homelab fit well in 20Gi of Longhorn.
  storageSize: "20Gi",
  grafanaStorageSize: "5Gi",
};

/** victoria-metrics-k8s-stack with Grafana and the Prometheus adapter (002). */
export interface VictoriaMetricsSettings {
  readonly version: string;
  readonly adapterVersion: string;
  /** VMSingle `retentionPeriod` (VictoriaMetrics units: 14d, 4w, 1y). */
  readonly retentionPeriod: string;
  readonly storageSize: string;
}

export const VICTORIA_METRICS_DEFAULTS: VictoriaMetricsSettings = {
  // Chart.yaml at VictoriaMetrics/helm-charts@000784db (charts/victoria-metrics-k8s-stack): 0.54.0.
  version: "0.54.0",
  // prometheus-adapter 5.2.0: released 2025-10 (DaoCloud/dce-charts-repackage#3538 "found newer version 5.2.0").
  adapterVersion: "5.2.0",
  // 002 gives no retention; 14d covers the HPA windows and two weeks of dashboards.
  retentionPeriod: "14d",
  storageSize: "20Gi",
};

/** victoria-logs-single (002 "VictoriaLogs - Log aggregation"). */
export interface VictoriaLogsSettings {
  readonly version: string;
  readonly retentionPeriod: string;
  readonly storageSize: string;
  /** Whether the chart's bundled Vector collector ships container logs (`vector.enabled`). */
  readonly collector: boolean;
}

export const VICTORIA_LOGS_DEFAULTS: VictoriaLogsSettings = {
  // Chart.yaml at VictoriaMetrics/helm-charts@01a9915a (charts/victoria-logs-single): 0.11.7, app v1.31.0.
  version: "0.11.7",
  // 002 gives no retention; 14d matches the metrics retention.
  retentionPeriod: "14d",
  storageSize: "20Gi",
  // 002 does not name a collector; without one VictoriaLogs receives nothing, so the chart's
  // own Vector dependency (Chart.yaml: vector 0.40.*, condition vector.enabled) is on.
  collector: true,
};

// ---------------------------------------------------------------- secret operators

/** External Secrets Operator and its ClusterSecretStores (002 Bitwarden, 003 Vault, 001 1Password). */
export interface ExternalSecretsSettings {
  readonly version: string;
  /** Set `bitwarden.organizationId` + `projectId` to create the `bitwarden-backend` store. */
  readonly bitwarden?: {
    readonly sdkServerVersion: string;
    readonly organizationId: string;
    readonly projectId: string;
    readonly apiUrl: string;
    readonly identityUrl: string;
  };
  /** Set `vault.server` to create the `vault-backend` store. */
  readonly vault?: {
    readonly server: string;
    readonly path: string;
    readonly version: "v1" | "v2";
    readonly auth: "token" | "kubernetes";
    readonly role?: string;
    readonly mountPath: string;
  };
  /** Set `onepassword.connectHost` to create the `onepassword-backend` store. */
  readonly onepassword?: {
    readonly connectHost: string;
    readonly vaults: readonly string[];
  };
}

export const EXTERNAL_SECRETS_DEFAULTS = {
  // Chart.yaml at external-secrets/external-secrets@0060da0b (deploy/charts/external-secrets): 2.0.0;
  // its bitwarden-sdk-server dependency is v0.5.2 from oci://ghcr.io/external-secrets/charts.
  version: "2.0.0",
  sdkServerVersion: "v0.5.2",
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

/** 1Password Connect + operator (001). */
export interface OnePasswordOperatorSettings {
  readonly version: string;
}

export const ONEPASSWORD_OPERATOR_DEFAULTS: OnePasswordOperatorSettings = {
  // Chart.yaml at 1Password/connect-helm-charts@08052e61 (charts/connect): 1.13.0, Connect 1.7.2.
  version: "1.13.0",
};

/** Bitnami SealedSecrets controller (000). */
export interface SealedSecretsSettings {
  readonly version: string;
}

export const SEALED_SECRETS_DEFAULTS: SealedSecretsSettings = {
  // helm-v2.17.9: bitnami-labs/sealed-secrets chart release (graphops/launchpad-namespaces#1834, 2025-11).
  version: "2.17.9",
};

// ---------------------------------------------------------------- cluster helpers

export interface MetricsServerSettings {
  readonly version: string;
  /**
   * Adds `--kubelet-insecure-tls`. Off: Talos kubelets rotate serving certificates
   * (machineConfig.ts `rotate-server-certificates`), which needs a CSR approver instead.
   */
  readonly kubeletInsecureTls: boolean;
}

export const METRICS_SERVER_DEFAULTS: MetricsServerSettings = {
  // metrics-server chart 3.13.0, released 2025-07-22 (kubernetes-sigs/metrics-server; rancher/rke2-charts#740).
  version: "3.13.0",
  kubeletInsecureTls: false,
};

export interface VpaSettings {
  readonly version: string;
}

export const VPA_DEFAULTS: VpaSettings = {
  // Chart.yaml at FairwindsOps/charts@65441f6a (stable/vpa): 4.7.1, VPA 1.0.0.
  version: "4.7.1",
};

export interface DeschedulerSettings {
  readonly version: string;
  /** CronJob schedule of the descheduler run (002 gives no policy; chart policy kept). */
  readonly schedule: string;
}

export const DESCHEDULER_DEFAULTS: DeschedulerSettings = {
  // descheduler chart 0.34.0 for Kubernetes 1.34 (released 2025-10-30; AndreiGavriliu/homelab#4333).
  version: "0.34.0",
  // The chart's default `schedule` ("*/2 * * * *") is busy for a 2-3 node cluster; every 30m.
  schedule: "*/30 * * * *",
};

/** cluster-autoscaler for Hetzner (002): the Talos component's settings plus the secret worker config. */
export interface ClusterAutoscalerSettings {
  readonly version: string;
  /** Image tag; its minor must equal the Kubernetes minor. */
  readonly imageTag: string;
  /** From `autoscalerSettings()` of components/cluster/talos/autoscaler.ts. */
  readonly autoscaler: AutoscalerSettings;
  /** `HCLOUD_CLOUD_INIT`: base64 of the worker machine config; secret, only in a live Secret. */
  readonly workerConfigBase64: pulumi.Output<string>;
}

export const CLUSTER_AUTOSCALER_DEFAULTS = {
  // cluster-autoscaler chart 9.50.1 (kubernetes/autoscaler, 2025-10; entigolabs/entigo-infralib#1079).
  version: "9.50.1",
  // Image v1.34.2 promoted to registry.k8s.io (kubernetes/k8s.io#8815), matching Kubernetes v1.34.
  imageTag: "v1.34.2",
};

export interface RenovateSettings {
  readonly version: string;
  /** Hourly (004: "Runs hourly as a CronJob in the cluster"). */
  readonly schedule: string;
  readonly platform: "github" | "gitlab" | "gitea" | "forgejo";
  /** Repositories Renovate works on (`owner/name`); required. */
  readonly repositories: readonly string[];
}

export const RENOVATE_DEFAULTS = {
  // Chart.yaml at renovatebot/helm-charts@0046e29c (charts/renovate): 46.181.0, Renovate 43.212.0.
  version: "46.181.0",
  schedule: "0 * * * *",
  platform: "github" as const,
};

// ---------------------------------------------------------------- parsers

export function parseKubePrometheusStackSettings(
  r: Reader,
  _cluster: ClusterConfig,
): KubePrometheusStackSettings {
  r.only(["version", "retention", "storageSize", "grafanaStorageSize"]);
  const d = KUBE_PROMETHEUS_STACK_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    retention: r.string("retention", DURATION, d.retention),
    storageSize: r.string("storageSize", QUANTITY, d.storageSize),
    grafanaStorageSize: r.string("grafanaStorageSize", QUANTITY, d.grafanaStorageSize),
  };
}

export function parseVictoriaMetricsSettings(r: Reader, _cluster: ClusterConfig): VictoriaMetricsSettings {
  r.only(["version", "adapterVersion", "retentionPeriod", "storageSize"]);
  const d = VICTORIA_METRICS_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    adapterVersion: r.string("adapterVersion", VERSION, d.adapterVersion),
    retentionPeriod: r.string("retentionPeriod", DURATION, d.retentionPeriod),
    storageSize: r.string("storageSize", QUANTITY, d.storageSize),
  };
}

export function parseVictoriaLogsSettings(r: Reader, _cluster: ClusterConfig): VictoriaLogsSettings {
  r.only(["version", "retentionPeriod", "storageSize", "collector"]);
  const d = VICTORIA_LOGS_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    retentionPeriod: r.string("retentionPeriod", DURATION, d.retentionPeriod),
    storageSize: r.string("storageSize", QUANTITY, d.storageSize),
    collector: r.boolean("collector", d.collector),
  };
}

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

export function parseOnePasswordOperatorSettings(
  r: Reader,
  _cluster: ClusterConfig,
): OnePasswordOperatorSettings {
  r.only(["version"]);
  return { version: r.string("version", VERSION, ONEPASSWORD_OPERATOR_DEFAULTS.version) };
}

export function parseSealedSecretsSettings(r: Reader, _cluster: ClusterConfig): SealedSecretsSettings {
  r.only(["version"]);
  return { version: r.string("version", VERSION, SEALED_SECRETS_DEFAULTS.version) };
}

export function parseMetricsServerSettings(r: Reader, _cluster: ClusterConfig): MetricsServerSettings {
  r.only(["version", "kubeletInsecureTls"]);
  const d = METRICS_SERVER_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    kubeletInsecureTls: r.boolean("kubeletInsecureTls", d.kubeletInsecureTls),
  };
}

export function parseVpaSettings(r: Reader, _cluster: ClusterConfig): VpaSettings {
  r.only(["version"]);
  return { version: r.string("version", VERSION, VPA_DEFAULTS.version) };
}

export function parseDeschedulerSettings(r: Reader, _cluster: ClusterConfig): DeschedulerSettings {
  r.only(["version", "schedule"]);
  const d = DESCHEDULER_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    schedule: r.string("schedule", CRON, d.schedule),
  };
}

/**
 * The lead passes the Talos component's `autoscalerSettings(config)` and the worker machine
 * config Output; `kubernetesVersion` is `platform:versions.kubernetes`, whose minor the image must match.
 */
export function parseClusterAutoscalerSettings(
  r: Reader,
  _cluster: ClusterConfig,
  autoscaler: AutoscalerSettings,
  workerConfigBase64: pulumi.Output<string>,
  kubernetesVersion: string,
): ClusterAutoscalerSettings {
  r.only(["version", "imageTag"]);
  const d = CLUSTER_AUTOSCALER_DEFAULTS;
  const imageTag = r.string(
    "imageTag",
    { pattern: /^v\d+\.\d+\.\d+$/, expected: "a tag such as v1.34.2" },
    d.imageTag,
  );
  const minor = (v: string): string => v.replace(/^v/, "").split(".").slice(0, 2).join(".");
  if (minor(imageTag) !== minor(kubernetesVersion)) {
    throw new ConfigError(
      r.key("imageTag"),
      imageTag,
      `the cluster-autoscaler minor must equal the Kubernetes minor (${kubernetesVersion}); set a v${minor(kubernetesVersion)}.x tag`,
    );
  }
  return { version: r.string("version", VERSION, d.version), imageTag, autoscaler, workerConfigBase64 };
}

export function parseRenovateSettings(r: Reader, _cluster: ClusterConfig): RenovateSettings {
  r.only(["version", "schedule", "platform", "repositories"]);
  const d = RENOVATE_DEFAULTS;
  const repositories = r.stringList("repositories", {
    pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+$/,
    expected: "owner/name",
  });
  if (repositories.length === 0) {
    throw new ConfigError(
      r.key("repositories"),
      [],
      "required; list the repositories Renovate updates, e.g. [ronaldlokers/homelab]",
    );
  }
  return {
    version: r.string("version", VERSION, d.version),
    schedule: r.string("schedule", CRON, d.schedule),
    platform: r.string<RenovateSettings["platform"]>(
      "platform",
      { oneOf: ["github", "gitlab", "gitea", "forgejo"] },
      d.platform,
    ),
    repositories,
  };
}

// ---------------------------------------------------------------- placement

/** Capability errors of the group, one message each (the lead folds them into validation). */
export function checkOperationsPlacement(cluster: ClusterConfig): string[] {
  const errors: string[] = [];
  const has = (s: string): boolean => cluster.services.includes(s);
  const fix = `remove it from platform:clusters.${cluster.name}.services`;
  if (has("cluster-autoscaler") && cluster.kind !== "talos-hcloud") {
    errors.push(`cluster-autoscaler runs only on talos-hcloud, not ${cluster.kind}; ${fix}`);
  }
  if (has("victoria-metrics") && has("kube-prometheus-stack")) {
    errors.push(
      `victoria-metrics and kube-prometheus-stack are alternatives (both install Grafana and scrape the same targets); keep one in platform:clusters.${cluster.name}.services`,
    );
  }
  if (has("metrics-server") && cluster.kind !== "talos-hcloud") {
    errors.push(`metrics-server is bundled with K3s on ${cluster.kind} clusters; ${fix}`);
  }
  return errors;
}
