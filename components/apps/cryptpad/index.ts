/**
 * CryptPad (source document 002) on `pad.<domain>`, with its sandbox origin on a second host
 * of the same route. Image, env and volumes follow the upstream Docker setup
 * (cryptpad/cryptpad docker-compose.yml, Dockerfile, docker-entrypoint.sh): one container
 * serving HTTP on 3000, which also proxies `/cryptpad_websocket` to the in-process WebSocket
 * server (lib/http-worker.js), so a single route and port suffice.
 */
import { CRYPTPAD_IMAGES, parseCryptpadSettings, type CryptpadSettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec } from "../workload";

/** The spec, pure data (exported for tests and review). */
export function cryptpadSpecs(s: CryptpadSettings, domain: string): AppSpec[] {
  const image = s.images.cryptpad;
  if (!image) return [];
  const volumes = ["blob", "block", "data", "datastore"] as const;
  return [
    {
      name: "cryptpad",
      controllers: {
        cryptpad: {
          type: "deployment",
          replicas: 1,
          containers: {
            cryptpad: {
              image,
              // docker-compose.yml: the two origins and the config path.
              env: {
                CPAD_MAIN_DOMAIN: `https://${s.host}.${domain}`,
                CPAD_SANDBOX_DOMAIN: `https://${s.sandboxHost}.${domain}`,
                CPAD_CONF: "/cryptpad/config/config.js",
              },
              ports: { http: 3000 },
              probes: {
                // The entrypoint runs `npm run build` before the server starts.
                startup: { tcp: "http", periodSeconds: 10, failureThreshold: 60 },
                liveness: { tcp: "http", periodSeconds: 20 },
                readiness: { http: "/", port: "http", periodSeconds: 10 },
              },
              // Not in 002; a small instance.
              resources: { cpu: "100m", memory: "256Mi", memoryLimit: "1Gi" },
              // Dockerfile: groupadd cryptpad -g 4001; useradd cryptpad -u 4001 -g 4001.
              runAsUser: 4001,
              mounts: Object.fromEntries(volumes.map((v) => [`/cryptpad/${v}`, v])),
              security: {
                readOnlyRootFilesystem: {
                  reason:
                    "the CryptPad entrypoint writes config/config.js and runs `npm run build` into its install tree at every start (docker-entrypoint.sh)",
                },
              },
            },
          },
        },
      },
      service: { ports: { http: 3000 } },
      route: { host: s.host, port: "http", aliases: [s.sandboxHost] },
      // The compose file's volumes, each its own claim.
      persistence: Object.fromEntries(volumes.map((v) => [v, { type: "pvc" as const, size: s.storage[v] }])),
    },
  ];
}

/** CryptPad on one cluster. */
export const cryptpadDefinition = defineApp<CryptpadSettings>({
  name: "cryptpad",
  catalog: {
    description: "CryptPad collaborative editor",
    source: "002",
    needsServices: ["external-secrets"],
    needsIngress: "gateway-api",
    needsStorage: true,
    routes: "cluster",
  },
  images: CRYPTPAD_IMAGES,
  parse: parseCryptpadSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      // goingdark.social (002): "Autoscaler nodes require toleration for 'autoscaler-node' taint".
      runsOnAutoscaledNodes: true,
      specs: cryptpadSpecs(s, ctx.cluster.domain),
      waitingForImages: Object.entries(s.images)
        .filter(([, image]) => image === undefined)
        .map(([name]) => name),
      mainHost: s.host,
    };
  },
});
