/**
 * Typed settings of the Mastodon (glitch-soc) application stack (source document 002), read
 * from `platform:clusters.<cluster>.appSettings.mastodon`. Secrets are never settings: they
 * come from Bitwarden through External Secrets (components/apps/mastodon.ts).
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const MASTODON_IMAGES = {
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
} satisfies Readonly<Record<string, ImageDefault>>;

export interface MastodonSettings {
  /** @default "mastodon" */
  readonly namespace: string;
  /** `mastodon`, `streaming` (pinned by digest, required), `redis`, `elasticsearch`. */
  readonly images: AppImages;
  /** Hostname label of the web and streaming routes. @default "mastodon" (002: mastodon.goingdark.social) */
  readonly host: string;
  /** The CloudNativePG cluster of the `mastodon` database. @default "mastodon-db" */
  readonly postgresCluster: string;
  /** The ClusterSecretStore the secrets come from. @default "bitwarden-backend" (002) */
  readonly secretStore: string;
  /** MAX_TOOT_CHARS. @default 1000 (002: "custom 1000-character posts") */
  readonly maxTootChars: number;
  /** DEFAULT_LOCALE. @default "en" (002 features.env) */
  readonly defaultLocale: string;
  /** Media on S3 (002 storage.env); endpoint and keys come from the secret store. */
  readonly s3: {
    /** @default "mastodata" (002) */
    readonly bucket: string;
    /** @default "auto" (002) */
    readonly region: string;
    /** S3_ALIAS_HOST, the CDN host in front of the bucket. @default none */
    readonly aliasHost?: string;
  };
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Parses `platform:clusters.<cluster>.appSettings.mastodon`. */
export function parseMastodonSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): MastodonSettings {
  r.only([
    "namespace",
    "images",
    "host",
    "postgresCluster",
    "secretStore",
    "maxTootChars",
    "defaultLocale",
    "s3",
  ]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  const s3 = r.optionalObject("s3").only(["bucket", "region", "aliasHost"]);
  const aliasHost = s3.optionalString("aliasHost", { pattern: HOSTNAME, expected: "a hostname" });
  return {
    namespace: r.string("namespace", label, "mastodon"),
    images: parseAppImages(r, "mastodon", MASTODON_IMAGES, cluster.architecture),
    host: r.string("host", label, "mastodon"),
    postgresCluster: r.string("postgresCluster", label, "mastodon-db"),
    secretStore: r.string("secretStore", label, "bitwarden-backend"),
    maxTootChars: r.integer("maxTootChars", { min: 500, max: 100000 }, 1000),
    defaultLocale: r.string(
      "defaultLocale",
      { pattern: /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, expected: "a locale like en or pt-BR" },
      "en",
    ),
    s3: {
      bucket: s3.string(
        "bucket",
        { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, expected: "a bucket name" },
        "mastodata",
      ),
      region: s3.string("region", { pattern: /^[a-z0-9-]+$/, expected: "a region name" }, "auto"),
      ...(aliasHost ? { aliasHost } : {}),
    },
  };
}
