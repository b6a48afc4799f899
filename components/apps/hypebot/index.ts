/**
 * Hypebot (source document 002: "Automated community engagement bot",
 * ghcr.io/goingdark-social/hypebot:v0.1.0): one Deployment that boosts trending posts of
 * subscribed instances on the bot account. It reads `/app/config/auth.yaml` and
 * `/app/config/config.yaml` and keeps its state in `/app/secrets/state.json`
 * (goingdark-social/hypebot hype/config.py); its credentials come from the secret store.
 */
import { HYPEBOT_IMAGES, parseHypebotSettings, type HypebotSettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec } from "../workload";

/** config.yaml of the bot (JSON is YAML), from the settings. Pure, exported for tests. */
export function hypebotConfigYaml(s: HypebotSettings): string {
  const config = {
    interval: s.interval,
    // hype/config.py: subscribed_instances.<name>.limit (legacy single limit: fetch and boost).
    subscribed_instances: Object.fromEntries(
      Object.entries(s.subscribedInstances).map(([name, limit]) => [name, { limit }]),
    ),
    ...(s.profilePrefix !== undefined ? { profile_prefix: s.profilePrefix } : {}),
    ...(Object.keys(s.fields).length ? { fields: { ...s.fields } } : {}),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The spec, pure data (exported for tests and review). */
export function hypebotSpecs(s: HypebotSettings): AppSpec[] {
  const image = s.images.hypebot;
  if (!image) return [];
  return [
    {
      name: "hypebot",
      controllers: {
        hypebot: {
          type: "deployment",
          replicas: 1,
          containers: {
            hype: {
              image,
              files: {
                "/app/config/auth.yaml": { secret: "auth", key: "auth.yaml" },
                "/app/config/config.yaml": { configMap: "config", key: "config.yaml" },
              },
              // The bot serves nothing; PID 1 is `python -m hype` (Dockerfile ENTRYPOINT), and
              // busybox sh/grep ship with python:3-alpine.
              probes: {
                liveness: { exec: ["sh", "-c", "grep -q hype /proc/1/cmdline"], periodSeconds: 60 },
                readiness: { exec: ["sh", "-c", "grep -q hype /proc/1/cmdline"], periodSeconds: 60 },
              },
              // hypebot deploy.yaml: requests 50m/64Mi, limit 128Mi.
              resources: { cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" },
              // Dockerfile: addgroup -g 1000 hype; adduser -D -u 1000 -G hype hype.
              runAsUser: 1000,
              writablePaths: ["/app/logs", "/tmp"],
              mounts: { "/app/secrets": "state" },
            },
          },
        },
      },
      configMaps: { config: { "config.yaml": hypebotConfigYaml(s) } },
      secrets: {
        auth: {
          type: "external",
          store: s.secretStore,
          keys: { "auth.yaml": { remoteKey: s.authRemoteKey } },
        },
      },
      // hypebot deploy.yaml: the state survives restarts on a 1Gi claim.
      persistence: { state: { type: "pvc", size: "1Gi" } },
      // The Mastodon API of its own and the subscribed instances, over HTTPS.
      internetEgress: [443],
    },
  ];
}

/** Hypebot on one cluster. */
export const hypebotDefinition = defineApp<HypebotSettings>({
  name: "hypebot",
  catalog: {
    description: "Community engagement bot",
    source: "002",
    needsServices: ["external-secrets"],
    needsStorage: true,
  },
  images: HYPEBOT_IMAGES,
  parse: parseHypebotSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      // goingdark.social (002): "Autoscaler nodes require toleration for 'autoscaler-node' taint".
      runsOnAutoscaledNodes: true,
      specs: hypebotSpecs(s),
      waitingForImages: Object.entries(s.images)
        .filter(([, image]) => image === undefined)
        .map(([name]) => name),
    };
  },
});
