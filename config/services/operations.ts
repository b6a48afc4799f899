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
import { ConfigError, type Reader } from "../reader";
import type { ClusterConfig, Versions } from "../types";

const DURATION = { pattern: /^\d+[hdwy]$/, expected: "a retention such as 14d, 4w or 1y" };
const QUANTITY = { pattern: /^\d+(Mi|Gi|Ti)$/, expected: "a volume size such as 20Gi" };
const CRON = {
  pattern: /^((\S+\s+){4}\S+|@(hourly|daily|weekly))$/,
  expected: "a cron schedule such as @hourly or 0 * * * *",
};
const GO_DURATION = { pattern: /^\d+(s|m|h)$/, expected: "a duration such as 5m" };
const IMAGE = {
  pattern: /^[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$/,
  expected: "image:tag@sha256:digest",
};
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
  // 004's repository (ronaldlokers/homelab monitoring/controllers/production/kube-prometheus-stack/
  // release.yaml): chart 88.6.5, Prometheus on a 30Gi Longhorn volume, retention left at the
  // chart default of 10 days ("where the default datasource keeps 10").
  // renovate: datasource=helm depName=kube-prometheus-stack registryUrl=https://prometheus-community.github.io/helm-charts
  version: "88.6.5",
  retention: "10d",
  storageSize: "30Gi",
  // Ours: the release keeps Grafana on its chart default (no persistence); 5Gi keeps UI edits.
  grafanaStorageSize: "5Gi",
};

/** victoria-metrics-k8s-stack with Grafana and the Prometheus adapter (002). */
export interface VictoriaMetricsSettings {
  readonly version: string;
  /** prometheus-operator-crds chart: ServiceMonitor/PodMonitor CRDs the VM operator converts. */
  readonly operatorCrdsVersion: string;
  readonly adapterVersion: string;
  /** VMSingle `retentionPeriod` (VictoriaMetrics units: 14d, 4w, 1y). */
  readonly retentionPeriod: string;
  readonly storageSize: string;
}

export const VICTORIA_METRICS_DEFAULTS: VictoriaMetricsSettings = {
  // 002's repository (goingdark-social/IaC kubernetes/apps/base-system/victoriametrics/
  // kustomization.yaml): victoria-metrics-k8s-stack 0.85.9 with prometheus-operator-crds 28.0.1.
  // renovate: datasource=helm depName=victoria-metrics-k8s-stack registryUrl=https://victoriametrics.github.io/helm-charts
  version: "0.85.9",
  // renovate: datasource=helm depName=prometheus-operator-crds registryUrl=https://prometheus-community.github.io/helm-charts
  operatorCrdsVersion: "28.0.1",
  // prometheus-adapter 5.2.0: released 2025-10 (DaoCloud/dce-charts-repackage#3538 "found newer version 5.2.0").
  // renovate: datasource=helm depName=prometheus-adapter registryUrl=https://prometheus-community.github.io/helm-charts
  adapterVersion: "5.2.0",
  // 002's helm-values.yaml sets `retentionPeriod: "14"` with the comment "Reduce from 30d to
  // 14d"; a bare number is months in VictoriaMetrics, so the intended 14d is written with its unit.
  retentionPeriod: "14d",
  // Ours (002 keeps VMSingle on the operator default): 20Gi of hcloud volume.
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
  // 002's repository (goingdark-social/IaC kubernetes/apps/base-system/victorialogs/): chart
  // 0.11.20, a 15Gi volume, and the chart's Vector collector on (`vector.enabled: true`).
  // renovate: datasource=helm depName=victoria-logs-single registryUrl=https://victoriametrics.github.io/helm-charts
  version: "0.11.20",
  // 002 keeps the chart default retention (1 month) and caps disk use instead; 31d says so.
  retentionPeriod: "31d",
  storageSize: "15Gi",
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
  // 002's repository (goingdark-social/IaC base-system/external-secrets/kustomization.yaml): 1.2.1.
  // bitwarden-sdk-server v0.5.2 from oci://ghcr.io/external-secrets/charts is the dependency the
  // ESO chart pins (deploy/charts/external-secrets/Chart.yaml at 0060da0b).
  // renovate: datasource=helm depName=external-secrets registryUrl=https://charts.external-secrets.io
  version: "1.2.1",
  // renovate: datasource=docker depName=ghcr.io/external-secrets/charts/bitwarden-sdk-server
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

export const ONEPASSWORD_OPERATOR_DEFAULTS: OnePasswordOperatorSettings = {
  // connect chart v2.0.5 with Connect 1.8.1 (1Password/connect-helm-charts#247, 2025-09-12).
  // renovate: datasource=helm depName=connect registryUrl=https://1password.github.io/connect-helm-charts
  version: "2.0.5",
  auth: "connect",
};

/** Bitnami SealedSecrets controller (000). */
export interface SealedSecretsSettings {
  readonly version: string;
}

export const SEALED_SECRETS_DEFAULTS: SealedSecretsSettings = {
  // helm-v2.17.9: bitnami-labs/sealed-secrets chart release (graphops/launchpad-namespaces#1834, 2025-11).
  // renovate: datasource=helm depName=sealed-secrets registryUrl=https://bitnami-labs.github.io/sealed-secrets
  version: "2.17.9",
};

// ---------------------------------------------------------------- cluster helpers

export interface MetricsServerSettings {
  readonly version: string;
  /**
   * Adds `--kubelet-insecure-tls`. Off: Talos kubelets rotate serving certificates
   * (machine-config.ts `rotate-server-certificates`), which needs a CSR approver instead.
   */
  readonly kubeletInsecureTls: boolean;
}

export const METRICS_SERVER_DEFAULTS: MetricsServerSettings = {
  // 002's repository (goingdark-social/IaC base-system/metrics-server/kustomization.yaml): 3.13.1.
  // renovate: datasource=helm depName=metrics-server registryUrl=https://kubernetes-sigs.github.io/metrics-server
  version: "3.13.1",
  kubeletInsecureTls: false,
};

export interface VpaSettings {
  readonly version: string;
}

export const VPA_DEFAULTS: VpaSettings = {
  // fairwinds-stable/vpa 4.10.1 ships VPA 1.4.1 (`helm search repo` output in FairwindsOps/charts#1678),
  // the release line 002's repository runs (base-system/vpa: vertical-pod-autoscaler/deploy?ref=vpa-release-1.4).
  // renovate: datasource=helm depName=vpa registryUrl=https://charts.fairwinds.com/stable
  version: "4.10.1",
};

export interface DeschedulerSettings {
  readonly version: string;
  /** `deschedulingInterval` of the Deployment. */
  readonly interval: string;
}

export const DESCHEDULER_DEFAULTS: DeschedulerSettings = {
  // 002's repository runs descheduler v0.34.0 as a Deployment (goingdark-social/IaC
  // base-system/descheduler/kustomization.yaml: kubernetes/deployment?ref=v0.34.0); the chart
  // of the same version is released (AndreiGavriliu/homelab#4333, 2025-10-30).
  // renovate: datasource=helm depName=descheduler registryUrl=https://kubernetes-sigs.github.io/descheduler
  version: "0.34.0",
  // The upstream kubernetes/deployment manifests' `--descheduling-interval` (5m).
  interval: "5m",
};

/** The chart and image of cluster-autoscaler, from config. */
export interface ClusterAutoscalerChart {
  readonly version: string;
  /** Image tag; its minor must equal the Kubernetes minor. */
  readonly imageTag: string;
}

export const CLUSTER_AUTOSCALER_DEFAULTS = {
  // cluster-autoscaler chart 9.50.1 (kubernetes/autoscaler, 2025-10; entigolabs/entigo-infralib#1079).
  // renovate: datasource=helm depName=cluster-autoscaler registryUrl=https://kubernetes.github.io/autoscaler
  version: "9.50.1",
  // The image minor must equal the Kubernetes minor (cluster-autoscaler README, "Releases");
  // v1.33.3 of registry.k8s.io/autoscaling/cluster-autoscaler matches the pinned v1.33.
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  imageTag: "v1.33.3",
};

export interface RenovateSettings {
  /** `renovate/renovate` image, tag@digest. */
  readonly image: string;
  /** Hourly (004: "Runs hourly as a CronJob in the cluster"). */
  readonly schedule: string;
  readonly platform: "github" | "gitlab" | "gitea" | "forgejo";
  /** Repositories Renovate works on (`owner/name`); required. */
  readonly repositories: readonly string[];
}

export const RENOVATE_DEFAULTS = {
  // 004's repository (ronaldlokers/homelab infrastructure/controllers/base/renovate/cronjob.yaml):
  // a plain CronJob, "@hourly", image pinned by tag and digest.
  // renovate: image
  image: "renovate/renovate:44.39.2@sha256:e6b93e709ca64495ab9307350b260064276ee02d15c6886387fd2d42c926623b",
  schedule: "@hourly",
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
  r.only(["version", "operatorCrdsVersion", "adapterVersion", "retentionPeriod", "storageSize"]);
  const d = VICTORIA_METRICS_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    operatorCrdsVersion: r.string("operatorCrdsVersion", VERSION, d.operatorCrdsVersion),
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
  r.only(["version", "interval"]);
  const d = DESCHEDULER_DEFAULTS;
  return {
    version: r.string("version", VERSION, d.version),
    interval: r.string("interval", GO_DURATION, d.interval),
  };
}

/**
 * The chart and image of cluster-autoscaler; `versions.kubernetes` is the pinned Kubernetes,
 * whose minor the image must match. The composition adds the Talos component's
 * `autoscalerSettings(config)` and the worker machine config Output (see
 * ClusterAutoscalerSettings in components/platform/clusterHelpers.ts).
 */
export function parseClusterAutoscalerChart(
  r: Reader,
  _cluster: ClusterConfig,
  versions: Pick<Versions, "kubernetes">,
): ClusterAutoscalerChart {
  r.only(["version", "imageTag"]);
  const d = CLUSTER_AUTOSCALER_DEFAULTS;
  const imageTag = r.string(
    "imageTag",
    { pattern: /^v\d+\.\d+\.\d+$/, expected: "a tag such as v1.34.2" },
    d.imageTag,
  );
  const kubernetesVersion = versions.kubernetes;
  const minor = (v: string): string => v.replace(/^v/, "").split(".").slice(0, 2).join(".");
  if (minor(imageTag) !== minor(kubernetesVersion)) {
    throw new ConfigError(
      r.key("imageTag"),
      imageTag,
      `the cluster-autoscaler minor must equal the Kubernetes minor (${kubernetesVersion}); set a v${minor(kubernetesVersion)}.x tag`,
    );
  }
  return { version: r.string("version", VERSION, d.version), imageTag };
}

export function parseRenovateSettings(r: Reader, _cluster: ClusterConfig): RenovateSettings {
  r.only(["image", "schedule", "platform", "repositories"]);
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
    image: r.string("image", IMAGE, d.image),
    schedule: r.string("schedule", CRON, d.schedule),
    platform: r.string<RenovateSettings["platform"]>(
      "platform",
      { oneOf: ["github", "gitlab", "gitea", "forgejo"] },
      d.platform,
    ),
    repositories,
  };
}
