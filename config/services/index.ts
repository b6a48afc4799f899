/**
 * Settings of the platform services and apps, per cluster: `serviceSettings.<service>` and
 * `appSettings.<app>` in a cluster's config. Each enabled service or app with a settings
 * parser gets its typed settings here, once (ARCHITECTURE.md decision 1); an absent block
 * means every default. A block for a service or app the cluster does not enable is an error
 * (it would silently do nothing).
 */
import { ConfigError, Reader } from "../reader";
import type { ClusterConfig } from "../types";

/** Parses one service's or app's settings block; throws a ConfigError naming the key. */
export type SettingsParser = (r: Reader, cluster: ClusterConfig) => unknown;

/** Settings parsers of the platform services, by catalog name. */
export const SERVICE_SETTINGS: Readonly<Record<string, SettingsParser>> = {};

/** Settings parsers of the apps, by catalog name. */
export const APP_SETTINGS: Readonly<Record<string, SettingsParser>> = {};

/**
 * Reads `<field>` (serviceSettings or appSettings) of a parsed cluster: one typed value per
 * enabled name that has a parser.
 */
export function parseSettings(
  clusterReader: Reader,
  cluster: ClusterConfig,
  field: "serviceSettings" | "appSettings",
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
    const parse = parsers[name];
    if (parse) out[name] = parse(block.optionalObject(name), cluster);
  }
  return out;
}
