/**
 * Settings every homelab app of source document 004 shares: its own namespace (004 runs
 * each app in its own namespace, never `default`), the host label of its route under the
 * cluster domain, and its images (the defaults its definition lists).
 */
import type { Reader } from "../../config/reader";
import type { ClusterConfig } from "../../config/types";
import { parseAppImages, type AppImages, type ImageDefault } from "../../config/apps/images";

/** A DNS label (namespaces, hosts, database cluster names). */
export const LABEL = { pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, expected: "a DNS label" };

export interface HomelabAppSettings {
  /** @default the app's name */
  readonly namespace: string;
  /** Host label of the route under the cluster domain. @default the app's name */
  readonly host: string;
  readonly images: AppImages;
}

/** The fields of {@link HomelabAppSettings}, for a parser's `only` list. */
export const COMMON_FIELDS = ["namespace", "host", "images"] as const;

/** Reads the shared fields of `appSettings.<app>`; the caller checks the full field list. */
export function parseHomelabCommon(
  r: Reader,
  app: string,
  images: Readonly<Record<string, ImageDefault>>,
  cluster: Pick<ClusterConfig, "architecture">,
): HomelabAppSettings {
  return {
    namespace: r.string("namespace", LABEL, app),
    host: r.string("host", LABEL, app),
    images: parseAppImages(r, app, images, cluster.architecture),
  };
}
