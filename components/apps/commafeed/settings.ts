/**
 * Typed settings of CommaFeed (source document 004: the RSS reader, on PostgreSQL through
 * CloudNativePG), read from `platform:clusters.<cluster>.appSettings.commafeed`.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { COMMON_FIELDS, LABEL, parseHomelabCommon, type HomelabAppSettings } from "../homelab-settings";

// CommaFeed 7.3.2 (tag of Athou/commafeed; 004's cluster runs 7.3.2-postgresql). Tags are
// `<version>-<database>[-jvm]` (commafeed-server/src/main/docker/README.md); the native
// image is pushed for linux/amd64 and linux/arm64/v8 (.github/workflows/ci.yml, job docker).
export const COMMAFEED_IMAGES = {
  commafeed: {
    repository: "docker.io/athou/commafeed",
    // renovate: datasource=docker depName=docker.io/athou/commafeed versioning=docker
    tag: "7.3.2-postgresql",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

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
    ...parseHomelabCommon(r, "commafeed", COMMAFEED_IMAGES, cluster),
    postgresCluster: r.string("postgresCluster", LABEL, "commafeed-db"),
  };
}
