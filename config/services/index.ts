/**
 * Settings of the platform services and apps, per cluster: `serviceSettings.<service>` and
 * `appSettings.<app>` in a cluster's config. Each enabled service or app is configured by its
 * definition (config/units.ts), once (ARCHITECTURE.md decision 1); an absent block means every
 * default. A block for a service or app the cluster does not enable is an error (it would
 * silently do nothing).
 */
import { runsOn } from "../catalog";
import { ConfigError, Reader, type ErrorCollector } from "../reader";
import type { ClusterConfig, Versions } from "../types";
import type { AppUnit, ConfiguredUnit, UnitDefinition, Units } from "../units";

/**
 * An app reaches the apps it needs (catalog `needsApps`) by their Service names, and the
 * NetworkPolicies of the workload component select peers in the app's own namespace, so an
 * app and the apps it needs must share the namespace.
 */
function checkSharedNamespaces(
  block: Reader,
  parsed: Readonly<Record<string, ConfiguredUnit>>,
  apps: readonly AppUnit[],
): void {
  for (const [app, unit] of Object.entries(parsed)) {
    const ns = unit.namespace;
    if (ns === undefined) continue;
    for (const needed of apps.find((a) => a.name === app)?.catalog.needsApps ?? []) {
      const other = parsed[needed]?.namespace;
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
 * Reads `<field>` (serviceSettings or appSettings) of a parsed cluster: one configured unit
 * per enabled name that has a definition (an unknown name is reported by the catalog rules).
 */
export function parseSettings(
  clusterReader: Reader,
  cluster: ClusterConfig,
  field: "serviceSettings" | "appSettings",
  versions: Versions,
  units: Units,
): Readonly<Record<string, ConfiguredUnit>> {
  const definitions: readonly UnitDefinition[] = field === "serviceSettings" ? units.services : units.apps;
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
  const out: Record<string, ConfiguredUnit> = {};
  for (const name of enabled) {
    // A service that cannot run on this kind is reported once, by the catalog rules.
    const service = field === "serviceSettings" ? units.services.find((d) => d.name === name) : undefined;
    if (service && !runsOn(service, cluster.kind)) continue;
    const definition = definitions.find((d) => d.name === name);
    if (definition) out[name] = definition.configure(block.optionalObject(name), cluster, versions);
  }
  if (field === "appSettings") checkSharedNamespaces(block, out, units.apps);
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
  units: Units,
  errors: ErrorCollector,
): ClusterConfig[] {
  const all = Reader.object("platform:clusters", raw);
  return clusters.map((cluster) => {
    const r = all.object(cluster.name);
    const settings = errors.attempt(() => ({
      serviceSettings: parseSettings(r, cluster, "serviceSettings", versions, units),
      appSettings: parseSettings(r, cluster, "appSettings", versions, units),
    }));
    return settings ? { ...cluster, ...settings } : cluster;
  });
}
