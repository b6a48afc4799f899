/**
 * Typed settings of Hypebot (source document 002; goingdark-social/hypebot), read from
 * `platform:clusters.<cluster>.appSettings.hypebot`. The bot reads `/app/config/auth.yaml`
 * (`bot_account.server`, `bot_account.access_token`) and `/app/config/config.yaml`
 * (hypebot hype/config.py); the first is a secret, the second these settings.
 */
import type { ImageDefault } from "../../../config/apps/images";
import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { parseAppImages, type AppImages } from "../../../config/apps/images";

export const HYPEBOT_IMAGES = {
  // Document 002: ghcr.io/goingdark-social/hypebot:v0.1.0, the tag the bot's workflow pushes
  // from main (goingdark-social/hypebot .github/workflows/main.yml, docker/build-push-action
  // without `platforms`: the runner's linux/amd64 only). The tag is re-pushed on every merge.
  hypebot: {
    repository: "ghcr.io/goingdark-social/hypebot",
    // renovate: datasource=docker depName=ghcr.io/goingdark-social/hypebot versioning=docker
    tag: "v0.1.0",
    platforms: ["amd64"],
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export interface HypebotSettings {
  /** @default "hypebot" (002's repository: namespace hypebot) */
  readonly namespace: string;
  readonly images: AppImages;
  /** The ClusterSecretStore of the bot's credentials. @default "bitwarden-backend" */
  readonly secretStore: string;
  /**
   * The secret in the store whose value is the whole auth.yaml (`bot_account: {server,
   * access_token}`): 002 does not name it. @default "app-hypebot-auth" (002's `app-<app>-<what>` naming)
   */
  readonly authRemoteKey: string;
  /** Minutes between runs (config.yaml `interval`). @default 15 (hype/config.py) */
  readonly interval: number;
  /** Instance -> posts to fetch (config.yaml `subscribed_instances.<name>.limit`); required, 002 does not list them. */
  readonly subscribedInstances: Readonly<Record<string, number>>;
  /** config.yaml `profile_prefix`. @default none */
  readonly profilePrefix?: string;
  /** config.yaml `fields` (profile fields). @default none */
  readonly fields: Readonly<Record<string, string>>;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Parses `platform:clusters.<cluster>.appSettings.hypebot`. */
export function parseHypebotSettings(
  r: Reader,
  cluster: Pick<ClusterConfig, "name" | "architecture">,
): HypebotSettings {
  r.only([
    "namespace",
    "images",
    "secretStore",
    "authRemoteKey",
    "interval",
    "subscribedInstances",
    "profilePrefix",
    "fields",
  ]);
  const label = { pattern: LABEL, expected: "a DNS label" };
  if (!r.has("subscribedInstances"))
    throw new ConfigError(
      r.key("subscribedInstances"),
      undefined,
      "required: the instances whose trending posts the bot boosts, e.g. { mastodon.social: 5 }",
    );
  const raw = r.object("subscribedInstances");
  const subscribedInstances: Record<string, number> = {};
  for (const name of Object.keys(raw.value)) {
    if (!HOSTNAME.test(name))
      throw new ConfigError(raw.key(name), name, "must be an instance hostname, e.g. mastodon.social");
    // hype/config.py caps a fetch at 20 posts.
    subscribedInstances[name] = raw.integer(name, { min: 1, max: 20 });
  }
  if (Object.keys(subscribedInstances).length === 0)
    throw new ConfigError(r.key("subscribedInstances"), {}, "list at least one instance");
  const profilePrefix = r.optionalString("profilePrefix");
  return {
    namespace: r.string("namespace", label, "hypebot"),
    images: parseAppImages(r, "hypebot", HYPEBOT_IMAGES, cluster.architecture),
    secretStore: r.string("secretStore", label, "bitwarden-backend"),
    authRemoteKey: r.string(
      "authRemoteKey",
      { pattern: /^[A-Za-z0-9._-]+$/, expected: "a secret name" },
      "app-hypebot-auth",
    ),
    interval: r.integer("interval", { min: 1, max: 1440 }, 15),
    subscribedInstances,
    ...(profilePrefix !== undefined ? { profilePrefix } : {}),
    fields: r.stringMap("fields"),
  };
}
