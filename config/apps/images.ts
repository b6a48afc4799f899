/**
 * Every image an app runs, with its default reference in one place, so a CI job or Renovate
 * bumps one value. A stack file overrides a reference per cluster under
 * `appSettings.<app>.images.<image>` (a reference string, the form the image_update flow of
 * source document 000 writes; tools/update-image.ts). Images a service's own CI builds have no
 * default tag: until their reference is set, the workloads that run them are left out and
 * listed as waiting for an image.
 *
 * `platforms` are the architectures the image publishes, as its release page or registry
 * lists them; an app is refused on a cluster whose architecture its images do not publish.
 */
import type { Architecture } from "../types";
import { parseImageReference, type ImageRef } from "../../lib/image-ref";
import { ConfigError, type Reader } from "../reader";

export interface ImageDefault {
  readonly repository: string;
  /** Absent for images built by the app's own CI (their reference is required config). */
  readonly tag?: string;
  readonly digest?: string;
  readonly platforms: readonly Architecture[];
}

const BOTH: readonly Architecture[] = ["amd64", "arm64"];

/** App -> image name (a DNS label, as the image_update payload names it) -> default. */
export const APP_IMAGES: Readonly<Record<string, Readonly<Record<string, ImageDefault>>>> = {
  steady: {
    // Document 000 names the repositories (ghcr.io/hitchai-app/<service>); tags come from CI.
    // Private images built for the Hetzner (amd64) clusters.
    "platform-backend": { repository: "ghcr.io/hitchai-app/platform-backend", platforms: ["amd64"] },
    "inference-backend": { repository: "ghcr.io/hitchai-app/inference-backend", platforms: ["amd64"] },
    "dev-ui": { repository: "ghcr.io/hitchai-app/dev-ui", platforms: ["amd64"] },
    // Valkey 8.1.11 (https://valkey.io/download/releases/v8-1-11/); a Docker official image,
    // published for amd64 and arm64v8 among others (hub.docker.com/_/valkey).
    valkey: {
      repository: "docker.io/valkey/valkey",
      // renovate: datasource=docker depName=docker.io/valkey/valkey versioning=docker
      tag: "8.1.11-alpine",
      platforms: BOTH,
    },
    // Centrifugo v6.9.3 (centrifugal/helm-charts PR #159); images for linux/amd64 and arm64.
    centrifugo: {
      repository: "docker.io/centrifugo/centrifugo",
      // renovate: datasource=docker depName=docker.io/centrifugo/centrifugo versioning=docker
      tag: "v6.9.3",
      platforms: BOTH,
    },
    // The LiteLLM docs' stable release image (docs/my-website/docs/proxy/docker_quick_start).
    litellm: {
      repository: "ghcr.io/berriai/litellm",
      // renovate: datasource=docker depName=ghcr.io/berriai/litellm versioning=docker
      tag: "main-v1.77.2-stable",
      platforms: ["amd64"],
    },
  },
  // Immich v2.2.2 (immich-app/immich server/package.json "version": "2.2.2"; release compose
  // docker/docker-compose.yml runs ghcr.io/immich-app/immich-{server,machine-learning}).
  // Both images are multi-arch, amd64 and arm64 (the compose's ML hwaccel list names the
  // arm64-only `armnn` variant; docs.immich.app "Requirements": arm64 is supported).
  immich: {
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
  },
  nightscout: {
    // cgm-remote-monitor 15.0.3; Docker Hub images for amd64 and arm64 since
    // nightscout/cgm-remote-monitor PR #7043 ("Build Docker image for arm64 architecture", merged).
    nightscout: {
      repository: "docker.io/nightscout/cgm-remote-monitor",
      // renovate: datasource=docker depName=docker.io/nightscout/cgm-remote-monitor versioning=docker
      tag: "15.0.3",
      platforms: BOTH,
    },
    // FerretDB 2.7.0, the release the DocumentDB operand image is built for
    // (docs.ferretdb.io v2.7 "Kubernetes"; components/platform/postgres.ts DOCUMENTDB); the
    // ghcr.io/ferretdb/ferretdb package publishes linux/amd64, linux/arm64 and linux/arm/v7.
    ferretdb: {
      repository: "ghcr.io/ferretdb/ferretdb",
      // renovate: datasource=docker depName=ghcr.io/ferretdb/ferretdb versioning=docker
      tag: "2.7.0",
      platforms: BOTH,
    },
  },
  pgadmin: {
    // pgAdmin 4 9.8 (pgadmin.org "Container Deployment": dpage/pgadmin4:<version>); ARM64
    // containers since pgadmin-org/pgadmin4 issue #4126 (RM #6212, closed), amd64 throughout.
    pgadmin: {
      repository: "docker.io/dpage/pgadmin4",
      // renovate: datasource=docker depName=docker.io/dpage/pgadmin4 versioning=docker
      tag: "9.8",
      platforms: BOTH,
    },
  },
};

/** The image names of an app (empty for an app without images here). */
export function imageNames(app: string): string[] {
  return Object.keys(APP_IMAGES[app] ?? {});
}

/** One app's images on one cluster: a reference, or `undefined` while CI has not set one. */
export type AppImages = Readonly<Record<string, ImageRef | undefined>>;

/**
 * Reads `appSettings.<app>.images` of a cluster: overrides on top of the defaults, each a
 * pinned reference; checks each image publishes the cluster's architecture.
 * @param r the reader of `appSettings.<app>`
 */
export function parseAppImages(r: Reader, app: string, architecture: Architecture): AppImages {
  const defaults = APP_IMAGES[app] ?? {};
  const block = r.optionalObject("images").only(Object.keys(defaults));
  const out: Record<string, ImageRef | undefined> = {};
  for (const [name, d] of Object.entries(defaults)) {
    const key = block.key(name);
    let image: ImageRef | undefined;
    if (block.has(name)) {
      const text = block.string(name, {});
      const parsed = parseImageReference(text);
      if (typeof parsed === "string") throw new ConfigError(key, text, parsed);
      image = parsed;
    } else if (d.tag !== undefined) {
      image = { repository: d.repository, tag: d.tag, ...(d.digest ? { digest: d.digest } : {}) };
    }
    // The declared platforms belong to the default repository; another repository is the
    // operator's to vouch for.
    if (image && image.repository === d.repository && !d.platforms.includes(architecture)) {
      throw new ConfigError(
        key,
        image.repository,
        `publishes ${d.platforms.join(", ")} only, not ${architecture}; run ${app} on an ${d.platforms.join(" or ")} cluster, or set an image built for ${architecture}`,
      );
    }
    out[name] = image;
  }
  return out;
}

/**
 * The images of an app that have no reference on a cluster yet (no default, nothing set):
 * read from the raw `appSettings.<app>` block, for summaries that run before the program.
 */
export function imagesWaiting(app: string, rawSettings: unknown): string[] {
  const raw = (rawSettings as { images?: Record<string, unknown> } | undefined)?.images ?? {};
  return Object.entries(APP_IMAGES[app] ?? {})
    .filter(([name, d]) => d.tag === undefined && raw[name] === undefined)
    .map(([name]) => name);
}
