/**
 * Typed settings of CommaFeed (source document 004: the RSS reader, on PostgreSQL through
 * CloudNativePG), read from `platform:clusters.<cluster>.appSettings.commafeed`.
 */
import type { Reader } from "../reader";
import type { ClusterConfig } from "../types";
import { COMMON_FIELDS, LABEL, parseHomelabCommon, type HomelabAppSettings } from "./homelab";

export interface CommafeedSettings extends HomelabAppSettings {
  /** The CloudNativePG cluster in the app's namespace. @default `commafeed-db` */
  readonly postgresCluster: string;
}

/** Parses `appSettings.commafeed`. */
export function parseCommafeedSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "architecture">,
): CommafeedSettings {
  r.only([...COMMON_FIELDS, "postgresCluster"]);
  return {
    ...parseHomelabCommon(r, "commafeed", cluster),
    postgresCluster: r.string("postgresCluster", LABEL, "commafeed-db"),
  };
}
