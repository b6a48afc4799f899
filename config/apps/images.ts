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
  /** Absent where the source document names no image (the reference is required config). */
  readonly repository?: string;
  /** Absent for images built by the app's own CI (their reference is required config). */
  readonly tag?: string;
  readonly digest?: string;
  /**
   * The image runs only pinned by digest (a source document requires it): without a known
   * digest the default waits like a CI-built image, and an override must carry one.
   * @default false
   */
  readonly digestRequired?: boolean;
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
  "cortex-api": {
    // Document 003 names the four containers but no image or registry: every reference is
    // the operator's (their private registry), required before the pod can run.
    "cortex-api": { platforms: ["amd64"] },
    "redis-proxy": { platforms: ["amd64"] },
    "exporter-merger": { platforms: ["amd64"] },
    "chrome-devtools-protocol-server": { platforms: ["amd64"] },
  },
  // The AI services of document 001, which names floating tags; each is pinned to a release.
  // PostgreSQL 16.10 on Debian bookworm (the Debian variant maps an arbitrary UID with
  // nss_wrapper, docker-library/postgres docker-entrypoint.sh); an official image for amd64
  // and arm64v8 among others (docker-library/official-images library/postgres).
  postgres: {
    postgres: {
      repository: "docker.io/library/postgres",
      // renovate: datasource=docker depName=docker.io/library/postgres versioning=docker
      tag: "16.10-bookworm",
      platforms: BOTH,
    },
  },
  // Redis 7.4.5 for 001's `redis:7-alpine` (the last 7.x line); amd64 and arm64v8
  // (docker-library/official-images library/redis).
  redis: {
    redis: {
      repository: "docker.io/library/redis",
      // renovate: datasource=docker depName=docker.io/library/redis versioning=docker
      tag: "7.4.5-alpine",
      platforms: BOTH,
    },
  },
  // NATS server 2.11.9 for 001's `nats:2-alpine`; the alpine variant ships a shell for the
  // init container that writes auth.conf (docker-library/repo-info repos/nats: 2.11.9-alpine,
  // linux amd64 and arm64 v8).
  nats: {
    nats: {
      repository: "docker.io/library/nats",
      // renovate: datasource=docker depName=docker.io/library/nats versioning=docker
      tag: "2.11.9-alpine",
      platforms: BOTH,
    },
  },
  // Document 001 pins etcd 3.5.16-0: the kubeadm etcd of Kubernetes 1.32, built for amd64,
  // arm, arm64, ppc64le and s390x (kubernetes/kubernetes cluster/images/etcd).
  etcd: {
    etcd: {
      repository: "registry.k8s.io/etcd",
      // renovate: datasource=docker depName=registry.k8s.io/etcd versioning=docker
      tag: "3.5.16-0",
      platforms: BOTH,
    },
  },
  // For 001's `main-latest`: the LiteLLM docs' stable release image, as Steady runs it
  // (docs/my-website/docs/proxy/docker_quick_start).
  litellm: {
    litellm: {
      repository: "ghcr.io/berriai/litellm",
      // renovate: datasource=docker depName=ghcr.io/berriai/litellm versioning=docker
      tag: "main-v1.77.2-stable",
      platforms: ["amd64"],
    },
  },
  // For 001's `main`: Open WebUI v0.6.26 (open-webui/helm-charts PR #288, chart 7.7.0); its
  // release workflow builds linux/amd64 and linux/arm64 (.github/workflows/docker-build.yaml).
  "open-webui": {
    "open-webui": {
      repository: "ghcr.io/open-webui/open-webui",
      // renovate: datasource=docker depName=ghcr.io/open-webui/open-webui versioning=docker
      tag: "v0.6.26",
      platforms: BOTH,
    },
  },
  mastodon: {
    // Document 002: glitch-soc v4.5.0-beta.2 web and streaming images, "pinned by digest". The
    // digests are not published anywhere this program can read, so they are required config:
    // until `images.<image>` names `...:v4.5.0-beta.2@sha256:<digest>`, the workloads that run
    // them wait. glitch-soc's release workflow builds linux/amd64 only
    // (glitch-soc/mastodon .github/workflows/build-releases.yml: `platforms: linux/amd64`).
    mastodon: {
      repository: "ghcr.io/glitch-soc/mastodon",
      // renovate: datasource=docker depName=ghcr.io/glitch-soc/mastodon versioning=docker
      tag: "v4.5.0-beta.2",
      digestRequired: true,
      platforms: ["amd64"],
    },
    streaming: {
      repository: "ghcr.io/glitch-soc/mastodon-streaming",
      // renovate: datasource=docker depName=ghcr.io/glitch-soc/mastodon-streaming versioning=docker
      tag: "v4.5.0-beta.2",
      digestRequired: true,
      platforms: ["amd64"],
    },
    // 002's Redis is 8.2.1 (goingdark-social/IaC mastodon redis-statefulset.yaml, bitnamilegacy
    // redis:8.2.1-debian-12-r0); the Docker official image of that version, amd64 and arm64v8.
    redis: {
      repository: "docker.io/library/redis",
      // renovate: datasource=docker depName=docker.io/library/redis versioning=docker
      tag: "8.2.1-alpine",
      platforms: BOTH,
    },
    // 002 runs Elasticsearch 8.18.1 (IaC search-cluster.yaml `version: 8.18.1`); the Docker
    // official image publishes linux/amd64 and linux/arm64/v8 (docker-library repo-info
    // "Tags of elasticsearch": elasticsearch:8.18.1).
    elasticsearch: {
      repository: "docker.io/library/elasticsearch",
      // renovate: datasource=docker depName=docker.io/library/elasticsearch versioning=docker
      tag: "8.18.1",
      platforms: BOTH,
    },
  },
  cryptpad: {
    // 002 names no version; the tag upstream's docker-compose.yml pins (cryptpad/cryptpad
    // docker-compose.yml), built for linux/amd64 and linux/arm64 (.github/workflows/publish-release.yml).
    cryptpad: {
      repository: "docker.io/cryptpad/cryptpad",
      // renovate: datasource=docker depName=docker.io/cryptpad/cryptpad versioning=docker
      tag: "version-2025.6.0",
      platforms: BOTH,
    },
  },
  hypebot: {
    // Document 002: ghcr.io/goingdark-social/hypebot:v0.1.0, the tag the bot's workflow pushes
    // from main (goingdark-social/hypebot .github/workflows/main.yml, docker/build-push-action
    // without `platforms`: the runner's linux/amd64 only). The tag is re-pushed on every merge.
    hypebot: {
      repository: "ghcr.io/goingdark-social/hypebot",
      // renovate: datasource=docker depName=ghcr.io/goingdark-social/hypebot versioning=docker
      tag: "v0.1.0",
      platforms: ["amd64"],
    },
  },
  // CommaFeed 7.3.2 (tag of Athou/commafeed; 004's cluster runs 7.3.2-postgresql). Tags are
  // `<version>-<database>[-jvm]` (commafeed-server/src/main/docker/README.md); the native
  // image is pushed for linux/amd64 and linux/arm64/v8 (.github/workflows/ci.yml, job docker).
  commafeed: {
    commafeed: {
      repository: "docker.io/athou/commafeed",
      // renovate: datasource=docker depName=docker.io/athou/commafeed versioning=docker
      tag: "7.3.2-postgresql",
      platforms: BOTH,
    },
  },
  // Homepage v1.10.1 (github.com/gethomepage/homepage/releases/tag/v1.10.1); images for
  // linux/amd64 and linux/arm64 (.github/workflows/docker-publish.yml, build-push `platforms`).
  homepage: {
    homepage: {
      repository: "ghcr.io/gethomepage/homepage",
      // renovate: datasource=docker depName=ghcr.io/gethomepage/homepage versioning=docker
      tag: "v1.10.1",
      platforms: BOTH,
    },
  },
  // linkding 1.44.2 (github.com/sissbruecker/linkding/releases/tag/v1.44.2, a security fix);
  // "The Docker image is compatible with ARM platforms, so it can be run on a Raspberry Pi"
  // (linkding README, "Installation"): amd64, arm64 and arm/v7 on Docker Hub.
  linkding: {
    linkding: {
      repository: "docker.io/sissbruecker/linkding",
      // renovate: datasource=docker depName=docker.io/sissbruecker/linkding versioning=docker
      tag: "1.44.2",
      platforms: BOTH,
    },
  },
  // ntfy v2.17.0 (github.com/binwiederhier/ntfy/releases/tag/v2.17.0); "The ntfy image is
  // available for amd64, armv6, armv7 and arm64" (docs/install.md, "Docker").
  ntfy: {
    ntfy: {
      repository: "docker.io/binwiederhier/ntfy",
      // renovate: datasource=docker depName=docker.io/binwiederhier/ntfy versioning=docker
      tag: "v2.17.0",
      platforms: BOTH,
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
  // Speedtest Tracker v1.15.0, LinuxServer.io build 170: upstream publishes no image of its
  // own ("The image is built by LinuxServer.io", alexjustesen/speedtest-tracker README). The
  // LinuxServer README's "Supported Architectures": x86-64 and arm64 (no armhf).
  "speedtest-tracker": {
    "speedtest-tracker": {
      repository: "lscr.io/linuxserver/speedtest-tracker",
      // renovate: datasource=docker depName=lscr.io/linuxserver/speedtest-tracker versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-ls(?<build>\d+)$
      tag: "v1.15.0-ls170",
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
      if (d.digestRequired && image.digest === undefined)
        throw new ConfigError(key, text, "must be pinned by digest: append @sha256:<digest>");
    } else if (
      d.tag !== undefined &&
      d.repository !== undefined &&
      (!d.digestRequired || d.digest !== undefined)
    ) {
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
    .filter(
      ([name, d]) =>
        (d.tag === undefined || (d.digestRequired === true && d.digest === undefined)) &&
        raw[name] === undefined,
    )
    .map(([name]) => name);
}
