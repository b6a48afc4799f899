/**
 * Settings of the platform services and apps, per cluster: `serviceSettings.<service>` and
 * `appSettings.<app>` in a cluster's config. Each enabled service or app with a settings
 * parser gets its typed settings here, once (ARCHITECTURE.md decision 1); an absent block
 * means every default. A block for a service or app the cluster does not enable is an error
 * (it would silently do nothing).
 */
import { parseCortexApiSettings } from "../apps/cortex-api";
import {
  parseEtcdSettings,
  parseLitellmSettings,
  parseNatsSettings,
  parseOpenWebuiSettings,
  parsePostgresSettings,
  parseRedisSettings,
} from "../apps/ai-services";
import { parseCryptpadSettings } from "../apps/cryptpad";
import { parseHypebotSettings } from "../apps/hypebot";
import { parseMastodonSettings } from "../apps/mastodon";
import { parseImmichSettings } from "../apps/immich";
import { parseNightscoutSettings } from "../apps/nightscout";
import { parsePgadminSettings } from "../apps/pgadmin";
import { parseSteadySettings } from "../apps/steady";
import { APPS, runsOn } from "../catalog";
import { parseCommafeedSettings } from "../apps/commafeed";
import { parseHomepageSettings } from "../apps/homepage";
import { parseLinkdingSettings } from "../apps/linkding";
import { parseSpeedtestTrackerSettings } from "../apps/speedtest-tracker";
import { parseNtfySettings } from "../apps/ntfy";
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
  cryptpad: (r, cluster) => parseCryptpadSettings(r, cluster),
  hypebot: (r, cluster) => parseHypebotSettings(r, cluster),
  mastodon: (r, cluster) => parseMastodonSettings(r, cluster),
  steady: (r, cluster) => parseSteadySettings(r, cluster),
  "cortex-api": (r, cluster) => parseCortexApiSettings(r, cluster),
  postgres: (r, cluster) => parsePostgresSettings(r, cluster),
  redis: (r, cluster) => parseRedisSettings(r, cluster),
  nats: (r, cluster) => parseNatsSettings(r, cluster),
  etcd: (r, cluster) => parseEtcdSettings(r, cluster),
  litellm: (r, cluster) => parseLitellmSettings(r, cluster),
  "open-webui": (r, cluster) => parseOpenWebuiSettings(r, cluster),
  commafeed: (r, cluster) => parseCommafeedSettings(r, cluster),
  homepage: (r, cluster) => parseHomepageSettings(r, cluster),
  linkding: (r, cluster) => parseLinkdingSettings(r, cluster),
  ntfy: (r, cluster) => parseNtfySettings(r, cluster),
  immich: (r, cluster) => parseImmichSettings(r, cluster),
  nightscout: (r, cluster) => parseNightscoutSettings(r, cluster),
  pgadmin: (r, cluster) => parsePgadminSettings(r, cluster),
  "speedtest-tracker": (r, cluster) => parseSpeedtestTrackerSettings(r, cluster),
};

/** The `namespace` of parsed app settings, when the app has one. */
function namespaceOf(settings: unknown): string | undefined {
  const ns = (settings as { namespace?: unknown } | undefined)?.namespace;
  return typeof ns === "string" ? ns : undefined;
}

/**
 * An app reaches the apps it needs (catalog `needsApps`) by their Service names, and the
 * NetworkPolicies of the workload component select peers in the app's own namespace, so an
 * app and the apps it needs must share the namespace.
 */
function checkSharedNamespaces(block: Reader, parsed: Readonly<Record<string, unknown>>): void {
  for (const [app, settings] of Object.entries(parsed)) {
    const ns = namespaceOf(settings);
    if (ns === undefined) continue;
    for (const needed of APPS[app]?.needsApps ?? []) {
      const other = namespaceOf(parsed[needed]);
      if (other !== undefined && other !== ns)
        throw new ConfigError(
          block.key(`${app}.namespace`),
          ns,
          `${app} needs ${needed}, which runs in namespace ${other}; set the same namespace for both`,
        );
    }
  }
}

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
  if (field === "appSettings") checkSharedNamespaces(block, out);
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
