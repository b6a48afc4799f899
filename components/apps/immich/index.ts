/**
 * Immich (source document 004: "Photo/video management (with external NFS library mount)"):
 * the server and machine learning, Valkey, and Immich's own CloudNativePG cluster on the
 * VectorChord operand image. Env and ports follow the release's docker/docker-compose.yml and
 * docs/docs/install/environment-variables.md.
 */
import { IMMICH_IMAGES, parseImmichSettings, type ImmichSettings } from "./settings";
import { defineApp } from "../types";
import type { AppSpec, ImageRef } from "../workload";

const SERVER_PORT = 2283; // docker-compose.yml `2283:2283`
const ML_PORT = 3003; // environment-variables.md "Ports": 3003 (machine learning)
const VALKEY_PORT = 6379;

/**
 * The CNPG operand with VectorChord: tensorchord/cloudnative-vectorchord builds
 * `<pg major>-<vchord>` tags for linux/amd64 and linux/arm64 (.github/workflows/docker.yml);
 * Immich v2 accepts VectorChord >= 0.3.0, < 1.0.0 and needs `vchord.so` preloaded
 * (docs/docs/administration/postgres-standalone.md).
 */
// renovate: image
export const IMMICH_POSTGRES_IMAGE = "ghcr.io/tensorchord/cloudnative-vectorchord:17-0.4.3";
/**
 * Without superuser, Immich needs `vchord` and `earthdistance` created in its database
 * (postgres-standalone.md "Without superuser permission": CREATE EXTENSION ... CASCADE); the
 * CNPG `Database` creates them without CASCADE, so their dependencies come first.
 */
export const IMMICH_EXTENSIONS = ["vector", "vchord", "cube", "earthdistance"] as const;

function imageOf(s: ImmichSettings, name: string): ImageRef {
  const image = s.images[name];
  if (!image) throw new Error(`Immich: image ${name} has no reference (the table defaults it)`);
  return image;
}

/** Valkey, the server's job queue. */
function valkeySpec(s: ImmichSettings): AppSpec {
  return {
    name: "valkey",
    controllers: {
      valkey: {
        type: "statefulset",
        phase: "base",
        volumeClaimTemplates: { data: { size: "1Gi" } },
        containers: {
          valkey: {
            image: imageOf(s, "valkey"),
            args: ["--dir", "/data"],
            ports: { redis: VALKEY_PORT },
            probes: { liveness: { tcp: "redis" }, readiness: { exec: ["valkey-cli", "ping"] } },
            resources: { cpu: "50m", memory: "64Mi", memoryLimit: "256Mi" },
            // The image's `valkey` user (valkey-io/valkey-container alpine Dockerfile: uid 999, gid 1000).
            runAsUser: 999,
            runAsGroup: 1000,
            mounts: { "/data": "data" },
          },
        },
      },
    },
    service: { ports: { redis: VALKEY_PORT } },
    calledBy: ["immich-server"],
  };
}

/** The machine-learning service the server calls. */
function machineLearningSpec(s: ImmichSettings): AppSpec {
  return {
    name: "immich-machine-learning",
    controllers: {
      "immich-machine-learning": {
        type: "deployment",
        containers: {
          ml: {
            image: imageOf(s, "machine-learning"),
            ports: { http: ML_PORT },
            // MACHINE_LEARNING_CACHE_FOLDER defaults to /cache (environment-variables.md).
            env: { MACHINE_LEARNING_CACHE_FOLDER: "/cache" },
            probes: {
              liveness: { http: "/ping", port: "http" },
              readiness: { http: "/ping", port: "http" },
              startup: { http: "/ping", port: "http", failureThreshold: 60 },
            },
            resources: { cpu: "250m", memory: "1Gi", memoryLimit: "3Gi" },
            runAsUser: 1000, // any non-root UID: the models go to /cache, everything else is read-only
            mounts: { "/cache": "model-cache" },
            writablePaths: ["/tmp", "/.cache", "/.config"],
          },
        },
      },
    },
    service: { ports: { http: ML_PORT } },
    persistence: { "model-cache": { type: "pvc", size: "10Gi" } },
    calledBy: ["immich-server"],
    // The models download from Hugging Face on first use.
    internetEgress: [443],
  };
}

/** The server: API, web UI and route, on its database, Valkey and the library. */
function serverSpec(s: ImmichSettings): AppSpec {
  return {
    name: "immich-server",
    controllers: {
      "immich-server": {
        type: "deployment",
        containers: {
          server: {
            image: imageOf(s, "server"),
            ports: { http: SERVER_PORT },
            // environment-variables.md: DB_URL (from the claim) overrides the DB_* parts;
            // REDIS_HOSTNAME/REDIS_PORT; the machine-learning URL of the release compose.
            env: {
              REDIS_HOSTNAME: "valkey",
              REDIS_PORT: String(VALKEY_PORT),
              IMMICH_MACHINE_LEARNING_URL: `http://immich-machine-learning:${ML_PORT}`,
              IMMICH_MEDIA_LOCATION: "/data",
            },
            probes: {
              liveness: { http: "/api/server/ping", port: "http" },
              readiness: { http: "/api/server/ping", port: "http" },
              startup: { http: "/api/server/ping", port: "http", failureThreshold: 60 },
            },
            resources: { cpu: "250m", memory: "1Gi", memoryLimit: "3Gi" },
            runAsUser: 1000, // any non-root UID: Immich writes to /data and the library is read-only
            mounts: { "/data": "upload", "/mnt/library": "library" },
            writablePaths: ["/tmp"],
          },
        },
      },
    },
    service: { ports: { http: SERVER_PORT } },
    // Until the admin exists, anyone reaching Immich can claim it (settings.onboarded).
    ...(s.onboarded ? { route: { host: s.host, port: "http" } } : {}),
    persistence: {
      upload: {
        type: "pvc",
        size: s.upload.size,
        storageClass: s.upload.storageClass,
        accessMode: "ReadWriteMany",
      },
      library: { type: "nfs", server: s.library.server, path: s.library.path, readOnly: true },
    },
    database: {
      cluster: s.postgresCluster,
      name: "immich",
      env: "DB_URL",
      imageName: IMMICH_POSTGRES_IMAGE,
      sharedPreloadLibraries: ["vchord.so"],
      extensions: [...IMMICH_EXTENSIONS],
    },
    talksTo: [
      { app: "valkey", port: VALKEY_PORT },
      { app: "immich-machine-learning", port: ML_PORT },
    ],
    // Reverse geocoding data and map tiles come from the internet.
    internetEgress: [443],
    dependsOn: ["valkey"],
  };
}

/** The specs, pure data (exported for tests and review). */
export function immichSpecs(s: ImmichSettings): AppSpec[] {
  return [valkeySpec(s), machineLearningSpec(s), serverSpec(s)];
}

/** Immich on one cluster. */
export const immichDefinition = defineApp<ImmichSettings>({
  name: "immich",
  catalog: {
    description: "Photo and video management with an NFS library",
    source: "004",
    needsServices: ["cloudnative-pg"],
    needsStorage: true,
    needsStorageClass: "synology-nfs",
    routes: "cluster",
  },
  images: IMMICH_IMAGES,
  parse: parseImmichSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      specs: immichSpecs(s),
      waitingForImages: [],
      // No public URL before the route exists.
      ...(s.onboarded ? { mainHost: s.host } : {}),
    };
  },
});
