/**
 * Typed settings of Nightscout (source document 004: "CGM remote monitoring (uses FerretDB
 * for MongoDB compatibility)"), read from `platform:clusters.<cluster>.appSettings.nightscout`.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const NIGHTSCOUT_IMAGES = {
  // cgm-remote-monitor 15.0.3; Docker Hub images for amd64 and arm64 since
  // nightscout/cgm-remote-monitor PR #7043 ("Build Docker image for arm64 architecture", merged).
  nightscout: {
    repository: "docker.io/nightscout/cgm-remote-monitor",
    // renovate: datasource=docker depName=docker.io/nightscout/cgm-remote-monitor versioning=docker
    tag: "15.0.3",
    platforms: BOTH,
  },
  // FerretDB 2.7.0, the release the DocumentDB operand image is built for
  // (docs.ferretdb.io v2.7 "Kubernetes"; components/platform/cloudnative-pg/cluster.ts DOCUMENTDB); the
  // ghcr.io/ferretdb/ferretdb package publishes linux/amd64, linux/arm64 and linux/arm/v7.
  ferretdb: {
    repository: "ghcr.io/ferretdb/ferretdb",
    // renovate: datasource=docker depName=ghcr.io/ferretdb/ferretdb versioning=docker
    tag: "2.7.0",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface NightscoutSettings {
  /** @default "nightscout" */
  readonly namespace: string;
  /** `nightscout`, `ferretdb`. */
  readonly images: AppImages;
  /** Hostname label under the cluster domain. @default "nightscout" */
  readonly host: string;
  /**
   * The CloudNativePG cluster FerretDB stores into; it runs the DocumentDB image, so it is
   * Nightscout's own. @default "nightscout-db"
   */
  readonly postgresCluster: string;
  /**
   * `DISPLAY_UNITS` (cgm-remote-monitor README "Environment / Required": `mg/dl`, `mmol`).
   * @default "mg/dl"
   */
  readonly displayUnits: "mg/dl" | "mmol";
  /**
   * `AUTH_DEFAULT_ROLES`: what a visitor without a token may do (cgm-remote-monitor README
   * "Features": `readable` lets "anyone view Nightscout without a token", `denied` requires a
   * token on every visit). Health data stays private unless this is set to `readable`.
   * @default "denied"
   */
  readonly defaultRoles: string;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Parses `platform:clusters.<cluster>.appSettings.nightscout`. */
export function parseNightscoutSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): NightscoutSettings {
  r.only(["namespace", "images", "host", "postgresCluster", "displayUnits", "defaultRoles"]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  return {
    namespace: r.string("namespace", label, "nightscout"),
    images: parseAppImages(r, "nightscout", NIGHTSCOUT_IMAGES, cluster.architecture),
    host: r.string("host", label, "nightscout"),
    postgresCluster: r.string("postgresCluster", label, "nightscout-db"),
    displayUnits: r.string("displayUnits", { oneOf: ["mg/dl", "mmol"] as const }, "mg/dl"),
    // Role names are space-separated words (README: `readable`, `denied`, `status-only`, or
    // any role name).
    defaultRoles: r.string(
      "defaultRoles",
      { pattern: /^[a-z][a-z:*-]*( [a-z][a-z:*-]*)*$/, expected: "role names such as denied or readable" },
      "denied",
    ),
  };
}
