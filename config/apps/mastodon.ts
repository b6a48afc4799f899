/**
 * Typed settings of the Mastodon (glitch-soc) application stack (source document 002), read
 * from `platform:clusters.<cluster>.appSettings.mastodon`. Secrets are never settings: they
 * come from Bitwarden through External Secrets (components/apps/mastodon.ts).
 */
import type { Reader } from "../reader";
import type { ClusterConfig } from "../types";
import { parseAppImages, type AppImages } from "./images";

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
    images: parseAppImages(r, "mastodon", cluster.architecture),
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
