/**
 * Typed settings of linkding (source document 004: the bookmark manager, on PostgreSQL
 * through CloudNativePG), read from `platform:clusters.<cluster>.appSettings.linkding`.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { COMMON_FIELDS, LABEL, parseHomelabCommon, type HomelabAppSettings } from "../homelab-settings";

// linkding 1.44.2 (github.com/sissbruecker/linkding/releases/tag/v1.44.2, a security fix);
// "The Docker image is compatible with ARM platforms, so it can be run on a Raspberry Pi"
// (linkding README, "Installation"): amd64, arm64 and arm/v7 on Docker Hub.
export const LINKDING_IMAGES = {
  linkding: {
    repository: "docker.io/sissbruecker/linkding",
    // renovate: datasource=docker depName=docker.io/sissbruecker/linkding versioning=docker
    tag: "1.44.2",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

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
    ...parseHomelabCommon(r, "linkding", LINKDING_IMAGES, cluster),
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
