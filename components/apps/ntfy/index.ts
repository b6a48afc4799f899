/**
 * ntfy (source document 004: the notification service with web push and iOS support,
 * production only) in its own namespace, its stores on one volume. Every setting is an env
 * var of ntfy's server config (https://docs.ntfy.sh/config/, "Config options": each option
 * as `NTFY_<OPTION>`). 004 keeps the web push (VAPID) keys in a SOPS Secret; here they are
 * secret config, applied live, and web push stays off until they and the contact address
 * are set.
 */
import { NTFY_IMAGES, parseNtfySettings, type NtfySettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec, EnvValue, ImageRef } from "../workload";

/** ntfy listens here instead of its default :80, so it needs no privilege to bind. */
export const NTFY_PORT = 8080;
/** Secret config keys of the VAPID key pair (`ntfy webpush keys` prints both). */
export const NTFY_WEB_PUSH_PUBLIC_KEY = "ntfyWebPushPublicKey";
export const NTFY_WEB_PUSH_PRIVATE_KEY = "ntfyWebPushPrivateKey";
/** Where the volume is mounted; ntfy's Debian package keeps its stores here too (docs "Installation"). */
const DATA = "/var/lib/ntfy";

function image(s: NtfySettings): ImageRef {
  const ref = s.images.ntfy;
  if (!ref) throw new Error("image ntfy has no reference (config/apps/images.ts has a default)");
  return ref;
}

/** The spec, pure data (exported for tests and review); `webPush` turns the VAPID env on. */
export function ntfySpec(s: NtfySettings, domain: string, webPush: boolean): AppSpec {
  const webPushEnv: Record<string, EnvValue> = webPush
    ? {
        NTFY_WEB_PUSH_PUBLIC_KEY: { secret: "web-push", key: "publicKey" },
        NTFY_WEB_PUSH_PRIVATE_KEY: { secret: "web-push", key: "privateKey" },
        NTFY_WEB_PUSH_FILE: `${DATA}/webpush.db`,
        NTFY_WEB_PUSH_EMAIL_ADDRESS: s.webPushEmailAddress ?? "",
      }
    : {};
  return {
    name: "ntfy",
    controllers: {
      // A StatefulSet, so an update stops the old pod before the new one mounts the
      // ReadWriteOnce volume.
      ntfy: {
        type: "statefulset",
        volumeClaimTemplates: { data: { size: s.storageSize } },
        containers: {
          ntfy: {
            image: image(s),
            args: ["serve"],
            ports: { http: NTFY_PORT },
            env: {
              NTFY_BASE_URL: `https://${s.host}.${domain}`,
              NTFY_LISTEN_HTTP: `:${NTFY_PORT}`,
              // 004: behind Traefik, so visitor limits key off X-Forwarded-For.
              NTFY_BEHIND_PROXY: "true",
              NTFY_CACHE_FILE: `${DATA}/cache.db`,
              NTFY_CACHE_DURATION: s.cacheDuration,
              NTFY_ATTACHMENT_CACHE_DIR: `${DATA}/attachments`,
              NTFY_AUTH_FILE: `${DATA}/user.db`,
              NTFY_AUTH_DEFAULT_ACCESS: s.authDefaultAccess,
              NTFY_ENABLE_LOGIN: "true",
              // 004's iOS support: poll requests go through the upstream server's APNs relay.
              NTFY_UPSTREAM_BASE_URL: s.upstreamBaseUrl,
              NTFY_ENABLE_METRICS: "true",
              ...webPushEnv,
            },
            // 004's probes: GET /v1/health.
            probes: {
              liveness: { http: "/v1/health", port: "http", periodSeconds: 30 },
              readiness: { http: "/v1/health", port: "http" },
            },
            resources: { cpu: "50m", memory: "64Mi", memoryLimit: "256Mi" },
            // Any non-root UID: ntfy is one static binary and writes only to the volume
            // (the docs' Docker examples run it with `--user`).
            runAsUser: 1000,
            mounts: { [DATA]: "data" },
          },
        },
      },
    },
    service: { ports: { http: NTFY_PORT } },
    route: { host: s.host, port: "http" },
    ...(webPush
      ? {
          secrets: {
            "web-push": {
              type: "config" as const,
              keys: { publicKey: NTFY_WEB_PUSH_PUBLIC_KEY, privateKey: NTFY_WEB_PUSH_PRIVATE_KEY },
            },
          },
        }
      : {}),
    // Prometheus metrics on the main listener at /metrics (enable-metrics).
    metrics: { port: "http" },
    // The upstream server (iOS) and the browsers' push services (web push).
    internetEgress: [443],
  };
}

/** ntfy on one cluster. */
export const ntfyDefinition = defineApp<NtfySettings>({
  name: "ntfy",
  catalog: {
    description: "Notification service",
    source: "004",
    needsStorage: true,
    routes: "cluster",
  },
  images: NTFY_IMAGES,
  parse: parseNtfySettings,
  secrets: {
    [NTFY_WEB_PUSH_PUBLIC_KEY]: {
      description: "VAPID public key for ntfy web push (`ntfy webpush keys`)",
      required: false,
    },
    [NTFY_WEB_PUSH_PRIVATE_KEY]: {
      description: "VAPID private key for ntfy web push (`ntfy webpush keys`)",
      required: false,
    },
  },
  neededSecrets: (s) => (s.webPushEmailAddress ? [NTFY_WEB_PUSH_PUBLIC_KEY, NTFY_WEB_PUSH_PRIVATE_KEY] : []),
  build(ctx) {
    const s = ctx.settings;
    const keys = [NTFY_WEB_PUSH_PUBLIC_KEY, NTFY_WEB_PUSH_PRIVATE_KEY].filter((k) => ctx.secrets[k]);
    if (keys.length === 1)
      throw new Error(
        `ntfy: web push needs both secret config keys; only platform:${keys[0]} is set (set platform:${NTFY_WEB_PUSH_PUBLIC_KEY} and platform:${NTFY_WEB_PUSH_PRIVATE_KEY} from \`ntfy webpush keys\`)`,
      );
    if (keys.length === 2 && !s.webPushEmailAddress)
      throw new Error(
        "ntfy: the web push keys are set but appSettings.ntfy.webPushEmailAddress is not; ntfy needs the contact address for web push",
      );
    return {
      namespace: s.namespace,
      specs: [ntfySpec(s, ctx.cluster.domain, keys.length === 2)],
      waitingForImages: [],
      mainHost: s.host,
    };
  },
});
