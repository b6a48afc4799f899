/**
 * Typed settings of ntfy (source document 004: the notification service with web push and
 * iOS support, production only), read from `platform:clusters.<cluster>.appSettings.ntfy`.
 * Names and defaults follow ntfy's server config (https://docs.ntfy.sh/config/).
 */
import { BOTH, type ImageDefault } from "../../../config/apps/images";
import type { Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { COMMON_FIELDS, parseHomelabCommon, type HomelabAppSettings } from "../homelab-settings";

// ntfy v2.17.0 (github.com/binwiederhier/ntfy/releases/tag/v2.17.0); "The ntfy image is
// available for amd64, armv6, armv7 and arm64" (docs/install.md, "Docker").
export const NTFY_IMAGES = {
  ntfy: {
    repository: "docker.io/binwiederhier/ntfy",
    // renovate: datasource=docker depName=docker.io/binwiederhier/ntfy versioning=docker
    tag: "v2.17.0",
    platforms: BOTH,
  },
} satisfies Readonly<Record<string, ImageDefault>>;

export const NTFY_ACCESS = ["read-write", "read-only", "write-only", "deny-all"] as const;

export interface NtfySettings extends HomelabAppSettings {
  /** Size of the volume with the message cache, user, web push and attachment stores. @default `1Gi` */
  readonly storageSize: string;
  /** `cache-duration` (004: `12h`). @default `12h` */
  readonly cacheDuration: string;
  /** `auth-default-access`: what anonymous users may do. @default `deny-all` */
  readonly authDefaultAccess: (typeof NTFY_ACCESS)[number];
  /** `upstream-base-url`: the server that relays poll requests to iOS (004: ntfy.sh). @default `https://ntfy.sh` */
  readonly upstreamBaseUrl: string;
  /**
   * `web-push-email-address`, the contact the push services get; web push is on once this
   * and the secret config keys of the VAPID key pair are set.
   * @default none
   */
  readonly webPushEmailAddress?: string;
}

/** Parses `appSettings.ntfy`. */
export function parseNtfySettings(r: Reader, cluster: Pick<ClusterConfig, "architecture">): NtfySettings {
  r.only([
    ...COMMON_FIELDS,
    "storageSize",
    "cacheDuration",
    "authDefaultAccess",
    "upstreamBaseUrl",
    "webPushEmailAddress",
  ]);
  const webPushEmailAddress = r.optionalString("webPushEmailAddress", {
    pattern: /^[^@\s]+@[^@\s]+$/,
    expected: "an e-mail address",
  });
  return {
    ...parseHomelabCommon(r, "ntfy", NTFY_IMAGES, cluster),
    storageSize: r.string(
      "storageSize",
      { pattern: /^[1-9][0-9]*(Mi|Gi|Ti)$/, expected: "a size like 1Gi" },
      "1Gi",
    ),
    cacheDuration: r.string(
      "cacheDuration",
      { pattern: /^[0-9]+(s|m|h|d)$/, expected: "a duration like 12h" },
      "12h",
    ),
    authDefaultAccess: r.string("authDefaultAccess", { oneOf: NTFY_ACCESS }, "deny-all"),
    upstreamBaseUrl: r.string(
      "upstreamBaseUrl",
      { pattern: /^https:\/\/\S+$/, expected: "an https URL" },
      "https://ntfy.sh",
    ),
    ...(webPushEmailAddress ? { webPushEmailAddress } : {}),
  };
}
