/**
 * Typed settings of linkding (source document 004: the bookmark manager, on PostgreSQL
 * through CloudNativePG), read from `platform:clusters.<cluster>.appSettings.linkding`.
 */
import type { Reader } from "../reader";
import type { ClusterConfig } from "../types";
import { COMMON_FIELDS, LABEL, parseHomelabCommon, type HomelabAppSettings } from "./homelab";

export interface LinkdingSettings extends HomelabAppSettings {
  /** The CloudNativePG cluster in the app's namespace. @default `linkding-db` */
  readonly postgresCluster: string;
  /**
   * The initial superuser (`LD_SUPERUSER_NAME`); its password is generated. 004 keeps both in
   * a SOPS Secret (`linkding-container-env`).
   * @default `admin`
   */
  readonly superuserName: string;
  /** Size of the data volume (favicons, previews, the secret key file). @default `1Gi` */
  readonly storageSize: string;
}

/** Parses `appSettings.linkding`. */
export function parseLinkdingSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "architecture">,
): LinkdingSettings {
  r.only([...COMMON_FIELDS, "postgresCluster", "superuserName", "storageSize"]);
  return {
    ...parseHomelabCommon(r, "linkding", cluster),
    postgresCluster: r.string("postgresCluster", LABEL, "linkding-db"),
    superuserName: r.string(
      "superuserName",
      { pattern: /^[\w.@+-]{1,150}$/, expected: "a Django username" },
      "admin",
    ),
    storageSize: r.string(
      "storageSize",
      { pattern: /^[1-9][0-9]*(Mi|Gi|Ti)$/, expected: "a size like 1Gi" },
      "1Gi",
    ),
  };
}
