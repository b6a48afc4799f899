/**
 * Typed settings of Immich (source document 004: "Photo/video management (with external NFS
 * library mount)"), read from `platform:clusters.<cluster>.appSettings.immich`.
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

// Immich v2.2.2 (immich-app/immich server/package.json "version": "2.2.2"; release compose
// docker/docker-compose.yml runs ghcr.io/immich-app/immich-{server,machine-learning}).
// Both images are multi-arch, amd64 and arm64 (the compose's ML hwaccel list names the
// arm64-only `armnn` variant; docs.immich.app "Requirements": arm64 is supported).
export const IMMICH_IMAGES = {
  server: {
    repository: "ghcr.io/immich-app/immich-server",
    // renovate: datasource=docker depName=ghcr.io/immich-app/immich-server versioning=docker
    tag: "v2.2.2",
    platforms: BOTH,
  },
  "machine-learning": {
    repository: "ghcr.io/immich-app/immich-machine-learning",
    // renovate: datasource=docker depName=ghcr.io/immich-app/immich-machine-learning versioning=docker
    tag: "v2.2.2",
    platforms: BOTH,
  },
  // Immich's compose runs Valkey 8 (docker.io/valkey/valkey:8-bookworm); the same pin as Steady.
  valkey: {
    repository: "docker.io/valkey/valkey",
    // renovate: datasource=docker depName=docker.io/valkey/valkey versioning=docker
    tag: "8.1.11-alpine",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface ImmichSettings {
  /** @default "immich" */
  readonly namespace: string;
  /** `server`, `machine-learning`, `valkey`. */
  readonly images: AppImages;
  /** Hostname label under the cluster domain. @default "immich" */
  readonly host: string;
  /**
   * Immich's own CloudNativePG cluster: it runs the VectorChord operand image, which the
   * other apps' clusters do not. @default "immich-db"
   */
  readonly postgresCluster: string;
  /** The upload volume (`/data`, docker/docker-compose.yml `${UPLOAD_LOCATION}:/data`). */
  readonly upload: { readonly size: string; readonly storageClass: string };
  /**
   * The external library (004: "external NFS library mount"), mounted read-only at
   * `/mnt/library`; add it in Immich as an external library with that import path.
   */
  /**
   * Whether Immich's admin exists. Until then anyone who reaches the server can make themselves
   * its admin (server AuthService.adminSignUp, unauthenticated `POST /auth/admin-sign-up`,
   * refused only once "The server already has an admin"), so the route is published only once
   * this is set; register the admin through `kubectl port-forward` first. @default false
   */
  readonly onboarded: boolean;
  readonly library: { readonly server: string; readonly path: string };
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SIZE = { pattern: /^[1-9][0-9]*(Mi|Gi|Ti)$/, expected: "a size such as 100Gi" };

/** Parses `platform:clusters.<cluster>.appSettings.immich`. */
export function parseImmichSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): ImmichSettings {
  r.only(["namespace", "images", "host", "postgresCluster", "upload", "library", "onboarded"]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  const upload = r.optionalObject("upload").only(["size", "storageClass"]);
  const library = r.object("library").only(["server", "path"]);
  return {
    namespace: r.string("namespace", label, "immich"),
    images: parseAppImages(r, "immich", IMMICH_IMAGES, cluster.architecture),
    host: r.string("host", label, "immich"),
    postgresCluster: r.string("postgresCluster", label, "immich-db"),
    onboarded: r.boolean("onboarded", false),
    // synology-nfs is the StorageClass the catalog requires of Immich (config/catalog.ts).
    upload: {
      size: upload.string("size", SIZE, "100Gi"),
      storageClass: upload.string("storageClass", label, "synology-nfs"),
    },
    library: {
      server: library.string("server", {
        pattern: /^[A-Za-z0-9.-]+$/,
        expected: "an NFS server host name or address",
      }),
      path: library.string("path", {
        pattern: /^\/\S*$/,
        expected: "an absolute export path such as /volume1/photos",
      }),
    },
  };
}
