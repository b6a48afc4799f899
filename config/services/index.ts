/**
 * Settings of the platform services and apps, per cluster: `serviceSettings.<service>` and
 * `appSettings.<app>` in a cluster's config. Each enabled service or app with a settings
 * parser gets its typed settings here, once (ARCHITECTURE.md decision 1); an absent block
 * means every default. A block for a service or app the cluster does not enable is an error
 * (it would silently do nothing).
 */
import { parseImmichSettings } from "../apps/immich";
import { parseNightscoutSettings } from "../apps/nightscout";
import { parsePgadminSettings } from "../apps/pgadmin";
import { parseSteadySettings } from "../apps/steady";
import { runsOn } from "../catalog";
import { ConfigError, Reader, type ErrorCollector } from "../reader";
import type { ClusterConfig, Versions } from "../types";
import {
  parseCertManagerSettings,
  parseCiliumGatewaySettings,
  parseCloudnativePgSettings,
  parseIstioSettings,
  parseLonghornSettings,
  parseMetallbSettings,
  parseSynologyNfsSettings,
  parseTraefikSettings,
} from "./networking-data";
import {
  parseClusterAutoscalerChart,
  parseDeschedulerSettings,
  parseExternalSecretsSettings,
  parseKubePrometheusStackSettings,
  parseMetricsServerSettings,
  parseOnePasswordOperatorSettings,
  parseRenovateSettings,
  parseSealedSecretsSettings,
  parseVictoriaLogsSettings,
  parseVictoriaMetricsSettings,
  parseVpaSettings,
} from "./operations";

/** Parses one service's or app's settings block; throws a ConfigError naming the key. */
export type SettingsParser = (r: Reader, cluster: ClusterConfig, versions: Versions) => unknown;

/** Settings parsers of the platform services, by catalog name (every service has one). */
export const SERVICE_SETTINGS: Readonly<Record<string, SettingsParser>> = {
  "cert-manager": parseCertManagerSettings,
  "cloudnative-pg": parseCloudnativePgSettings,
  longhorn: parseLonghornSettings,
  "synology-nfs": parseSynologyNfsSettings,
  metallb: parseMetallbSettings,
  traefik: parseTraefikSettings,
  "cilium-gateway": parseCiliumGatewaySettings,
  istio: parseIstioSettings,
  "kube-prometheus-stack": parseKubePrometheusStackSettings,
  "victoria-metrics": parseVictoriaMetricsSettings,
  "victoria-logs": parseVictoriaLogsSettings,
  "external-secrets": parseExternalSecretsSettings,
  "onepassword-operator": parseOnePasswordOperatorSettings,
  "sealed-secrets": parseSealedSecretsSettings,
  "metrics-server": parseMetricsServerSettings,
  vpa: parseVpaSettings,
  descheduler: parseDeschedulerSettings,
  // The composition adds the Talos component's autoscaler settings and worker config.
  "cluster-autoscaler": parseClusterAutoscalerChart,
  renovate: parseRenovateSettings,
};

/** Settings parsers of the apps, by catalog name. */
export const APP_SETTINGS: Readonly<Record<string, SettingsParser>> = {
  steady: (r, cluster) => parseSteadySettings(r, cluster),
  immich: (r, cluster) => parseImmichSettings(r, cluster),
  nightscout: (r, cluster) => parseNightscoutSettings(r, cluster),
  pgadmin: (r, cluster) => parsePgadminSettings(r, cluster),
};

/**
 * Reads `<field>` (serviceSettings or appSettings) of a parsed cluster: one typed value per
 * enabled name that has a parser.
 */
export function parseSettings(
  clusterReader: Reader,
  cluster: ClusterConfig,
  field: "serviceSettings" | "appSettings",
  versions: Versions,
): Readonly<Record<string, unknown>> {
  const parsers = field === "serviceSettings" ? SERVICE_SETTINGS : APP_SETTINGS;
  const enabled = field === "serviceSettings" ? cluster.services : cluster.apps;
  const list = field === "serviceSettings" ? "services" : "apps";
  const block = clusterReader.optionalObject(field);
  for (const name of Object.keys(block.value)) {
    if (!enabled.includes(name)) {
      throw new ConfigError(
        block.key(name),
        "(set)",
        `${name} is not in this cluster's ${list}; add it there or remove these settings`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const name of enabled) {
    // A service that cannot run on this kind is reported once, by the catalog rules.
    if (field === "serviceSettings" && !runsOn(name, cluster.kind)) continue;
    const parse = parsers[name];
    if (parse) out[name] = parse(block.optionalObject(name), cluster, versions);
  }
  return out;
}

/**
 * Adds the service and app settings to parsed clusters, once the pinned versions are known;
 * every cluster's problems are recorded, and a cluster with one keeps no settings.
 */
export function withSettings(
  raw: unknown,
  clusters: readonly ClusterConfig[],
  versions: Versions,
  errors: ErrorCollector,
): ClusterConfig[] {
  const all = Reader.object("platform:clusters", raw);
  return clusters.map((cluster) => {
    const r = all.object(cluster.name);
    const settings = errors.attempt(() => ({
      serviceSettings: parseSettings(r, cluster, "serviceSettings", versions),
      appSettings: parseSettings(r, cluster, "appSettings", versions),
    }));
    return settings ? { ...cluster, ...settings } : cluster;
  });
}
