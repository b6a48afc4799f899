/**
 * Steady (source document 000): platform-backend, inference-backend and dev-ui on Valkey,
 * Centrifugo and LiteLLM, with migration Jobs before the Deployments, in `steady-<env>`.
 * Every env var below is one document 000 lists ("Environment Variables Pattern",
 * "Health Checks") or one the image's own docs require (cited inline).
 */
import {
  STEADY_IMAGES,
  parseSteadySettings,
  type SteadyMigrating,
  type SteadyService,
  type SteadySettings,
} from "./settings";
import type { LiveSecret } from "../../gitops/delivery";
import { defineApp } from "../types";
import type { AppSpec, ContainerSpec, ImageRef } from "../workload";
import { LITELLM_RUNS_AS_ROOT } from "../ai-services/llm";

/** Document 000, "Image Pull Issues": the registry pull secret. */
export const STEADY_PULL_SECRET = "ghcr-pull-secret";
/** Secret config key holding the `.dockerconfigjson` of the registry pull secret. */
export const STEADY_PULL_SECRET_CONFIG = "steadyGhcrDockerConfigJson";

/** The image of a set reference; callers only ask for images the table defaults or CI set. */
function imageOf(s: SteadySettings, name: string): ImageRef {
  const image = s.images[name];
  if (!image) throw new Error(`Steady: image ${name} has no reference (checked by steadySpecs)`);
  return image;
}

/** Requests and limit of Steady's small services. */
const SMALL = { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" };

/** A Node service of Steady's own images: its port, health probes, non-root user. */
function nodeService(
  s: SteadySettings,
  name: SteadyService,
  extra: Partial<ContainerSpec> = {},
): ContainerSpec {
  return {
    image: imageOf(s, name),
    ports: { http: s.servicePort },
    env: { NODE_ENV: "production" },
    // Document 000, "Health Checks": GET /health liveness, GET /ready readiness.
    probes: { liveness: { http: "/health", port: "http" }, readiness: { http: "/ready", port: "http" } },
    resources: SMALL,
    runAsUser: 1000, // the `node` user of the official Node images (assumed; the images are private)
    writablePaths: ["/tmp"],
    ...extra,
  };
}

/** How a backend reaches Centrifugo: its URL and the keys of Centrifugo's generated secret. */
const CENTRIFUGO_ENV = {
  CENTRIFUGO_URL: "http://centrifugo:8000",
  CENTRIFUGO_API_KEY: { secret: "centrifugo/keys", key: "apiKey" },
  CENTRIFUGO_JWT_SECRET: { secret: "centrifugo/keys", key: "tokenHmacSecret" },
};

function migrationCommand(s: SteadySettings, name: SteadyMigrating): readonly string[] {
  const command = s.migrationCommands[name];
  if (!command) throw new Error(`Steady: migrationCommands.${name} is unset (checked by the settings)`);
  return command;
}

/** A backend: its Deployment, its migration Job, the database, Valkey and Centrifugo. */
function backend(
  s: SteadySettings,
  name: SteadyMigrating,
  calledBy: string[],
  route?: AppSpec["route"],
): AppSpec {
  const port = s.servicePort;
  return {
    name,
    controllers: {
      [name]: {
        type: "deployment",
        replicas: s.replicas,
        containers: { app: nodeService(s, name, { env: { NODE_ENV: "production", ...CENTRIFUGO_ENV } }) },
      },
      // Document 000, "ArgoCD Sync Waves": the migration Job (wave 1) before the Deployment (wave 2).
      migration: {
        type: "migration",
        containers: { migrate: { ...nodeService(s, name), command: migrationCommand(s, name), probes: {} } },
      },
    },
    service: { ports: { http: port } },
    ...(route ? { route } : {}),
    database: { cluster: s.postgresCluster },
    cache: { app: "valkey", port: 6379 },
    talksTo: [{ app: "centrifugo", port: 8000 }],
    calledBy,
    imagePullSecret: STEADY_PULL_SECRET,
    dependsOn: ["valkey", "centrifugo"],
  };
}

/** Valkey, the backends' cache. */
function valkeySpec(s: SteadySettings): AppSpec {
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
            args: ["--dir", "/data", "--appendonly", "yes"],
            ports: { redis: 6379 },
            probes: { liveness: { tcp: "redis" }, readiness: { exec: ["valkey-cli", "ping"] } },
            resources: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
            // The image's `valkey` user: uid 999, gid 1000 (valkey-io/valkey-container
            // 8.1/alpine/Dockerfile: addgroup -S -g 1000 valkey; adduser -S -G valkey -u 999 valkey).
            runAsUser: 999,
            runAsGroup: 1000,
            mounts: { "/data": "data" },
          },
        },
      },
    },
    service: { ports: { redis: 6379 } },
    calledBy: ["platform-backend", "inference-backend"],
  };
}

/** Centrifugo, the realtime server, on its own route. */
function centrifugoSpec(s: SteadySettings, domain: string): AppSpec {
  return {
    name: "centrifugo",
    controllers: {
      centrifugo: {
        type: "deployment",
        containers: {
          centrifugo: {
            image: imageOf(s, "centrifugo"),
            command: ["centrifugo"],
            ports: { http: 8000 },
            // Centrifugo v6 keys `http_api.key`, `client.token.hmac_secret_key`, `health.enabled`,
            // `prometheus.enabled`, `client.allowed_origins` as env (https://centrifugal.dev/docs/server/configuration).
            env: {
              CENTRIFUGO_HTTP_API_KEY: { secret: "keys", key: "apiKey" },
              CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY: { secret: "keys", key: "tokenHmacSecret" },
              CENTRIFUGO_CLIENT_ALLOWED_ORIGINS: `https://${s.hosts.ui}.${domain}`,
              CENTRIFUGO_HEALTH_ENABLED: "true",
              CENTRIFUGO_PROMETHEUS_ENABLED: "true",
            },
            probes: {
              liveness: { http: "/health", port: "http" },
              readiness: { http: "/health", port: "http" },
            },
            resources: SMALL,
            runAsUser: 1000, // any non-root UID: Centrifugo is one static binary and writes nothing here
          },
        },
      },
    },
    service: { ports: { http: 8000 } },
    route: { host: s.hosts.realtime, port: "http", path: "/connection" },
    secrets: {
      keys: { type: "generated", keys: { apiKey: { length: 48 }, tokenHmacSecret: { length: 64 } } },
    },
    calledBy: ["platform-backend", "inference-backend"],
    metrics: { port: "http" },
  };
}

/** LiteLLM, the inference backend's model proxy. */
function litellmSpec(s: SteadySettings): AppSpec {
  return {
    name: "litellm",
    controllers: {
      litellm: {
        type: "deployment",
        containers: {
          litellm: {
            image: imageOf(s, "litellm"),
            ports: { http: 4000 },
            // LiteLLM proxy docs (docs.litellm.ai/docs/proxy/deploy, docker-compose.yml): master key,
            // salt key (never change it: it encrypts stored credentials), DATABASE_URL, STORE_MODEL_IN_DB.
            env: {
              LITELLM_MASTER_KEY: { secret: "keys", key: "masterKey" },
              LITELLM_SALT_KEY: { secret: "keys", key: "saltKey" },
              STORE_MODEL_IN_DB: "True",
            },
            probes: {
              liveness: { http: "/health/liveliness", port: "http" },
              readiness: { http: "/health/readiness", port: "http" },
              startup: { http: "/health/liveliness", port: "http", failureThreshold: 30 },
            },
            resources: { cpu: "250m", memory: "1Gi", memoryLimit: "2Gi" },
            security: {
              runAsNonRoot: { reason: "the ghcr.io/berriai/litellm image runs as root" },
              readOnlyRootFilesystem: {
                reason: "LiteLLM runs prisma generate/migrate into its install tree at start",
              },
            },
          },
        },
      },
    },
    service: { ports: { http: 4000 } },
    // LiteLLM requires the master key to start with "sk-" (LiteLLM virtual keys docs).
    secrets: {
      keys: {
        type: "generated",
        keys: { masterKey: { length: 48, prefix: "sk-" }, saltKey: { length: 48, prefix: "sk-" } },
      },
    },
    database: { cluster: s.postgresCluster },
    internetEgress: [443],
    calledBy: ["inference-backend"],
  };
}

/** The specs, pure data (exported for tests and review); services without an image are left out. */
export function steadySpecs(s: SteadySettings, domain: string): AppSpec[] {
  const port = s.servicePort;
  const specs: AppSpec[] = [valkeySpec(s), centrifugoSpec(s, domain), litellmSpec(s)];
  if (s.images["platform-backend"])
    specs.push(backend(s, "platform-backend", ["dev-ui"], { host: s.hosts.api, port: "http" }));
  if (s.images["inference-backend"])
    specs.push({
      ...backend(s, "inference-backend", []),
      talksTo: [
        { app: "centrifugo", port: 8000 },
        { app: "litellm", port: 4000 },
      ],
    });
  if (s.images["dev-ui"])
    specs.push({
      name: "dev-ui",
      controllers: {
        "dev-ui": { type: "deployment", replicas: s.replicas, containers: { app: nodeService(s, "dev-ui") } },
      },
      service: { ports: { http: port } },
      route: { host: s.hosts.ui, port: "http" },
      talksTo: [{ app: "platform-backend", port }],
      imagePullSecret: STEADY_PULL_SECRET,
    });
  return specs;
}

/** Steady on one cluster: its specs, and the registry pull secret applied live. */
export const steadyDefinition = defineApp<SteadySettings>({
  name: "steady",
  catalog: {
    description:
      "Steady product: dev-ui, inference-backend, platform-backend with Valkey, Centrifugo, LiteLLM",
    source: "000",
    // Its secrets are generated or come from stack config and are applied live, so it needs
    // no sealed-secrets (000's repository sealed them because it had no other way).
    needsServices: ["cloudnative-pg"],
    needsStorage: true,
    routes: "cluster",
  },
  images: STEADY_IMAGES,
  parse: parseSteadySettings,
  secrets: {
    [STEADY_PULL_SECRET_CONFIG]: {
      description: "`.dockerconfigjson` of the ghcr.io pull secret for the private Steady images",
      required: true,
    },
  },
  build(ctx) {
    const s = ctx.settings;
    const dockerConfig = ctx.secrets[STEADY_PULL_SECRET_CONFIG];
    if (dockerConfig === undefined) {
      throw new Error(
        `Steady: secret config platform:${STEADY_PULL_SECRET_CONFIG} is not set; run pulumi config set --secret platform:${STEADY_PULL_SECRET_CONFIG} "$(cat dockerconfig.json)"`,
      );
    }
    const pullSecret: LiveSecret = {
      name: STEADY_PULL_SECRET,
      namespace: s.namespace,
      type: "kubernetes.io/dockerconfigjson",
      stringData: { ".dockerconfigjson": dockerConfig },
    };
    return {
      namespace: s.namespace,
      specs: steadySpecs(s, ctx.cluster.domain),
      waitingForImages: Object.entries(s.images)
        .filter(([, image]) => image === undefined)
        .map(([name]) => name),
      liveSecrets: [pullSecret],
      // Steady's LiteLLM shares the namespace (steady runs it beside its services).
      podSecurity: { level: "baseline", reason: LITELLM_RUNS_AS_ROOT },
      // The app's URL is dev-ui's, once it runs.
      ...(s.images["dev-ui"] ? { mainHost: s.hosts.ui } : {}),
    };
  },
});
