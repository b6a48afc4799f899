/**
 * LiteLLM and Open WebUI (source document 001): the LLM proxy on postgres and redis with the
 * provider API keys from 1Password (`OnePasswordItem`s in the `Development` vault), and the
 * chat UI that reaches the providers only through LiteLLM, on NodePort 30080. Their database
 * roles come from postgres's init script; each composes `DATABASE_URL` from its password with
 * Kubernetes' `$(VAR)` expansion, so the URL never exists outside the pod.
 */
import {
  LITELLM_IMAGES,
  OPEN_WEBUI_IMAGES,
  parseLitellmSettings,
  parseOpenWebuiSettings,
  type LitellmSettings,
  type OpenWebuiSettings,
} from "./settings";
import { AI_DATABASES, aiImage, databasePasswordEnv } from "./stores";
import { defineApp } from "../types";
import type { AppSpec, EnvValue, SecretSource } from "../workload";

/** The URL of a client's database on the postgres app, with its password from the env. */
function databaseUrl(app: string): Record<string, EnvValue> {
  const db = AI_DATABASES[app];
  const password = databasePasswordEnv(db);
  // The password env var comes first: $(VAR) only expands variables defined earlier.
  return {
    [password]: { secret: "postgres/passwords", key: db },
    DATABASE_URL: `postgresql://${db}:$(${password})@postgres:5432/${db}`,
  };
}

/** The OnePasswordItem secret of a 1Password item. */
const itemSecret = (item: string): string => `op-${item}`;

/**
 * LiteLLM's proxy config: a response cache on Redis, whose host, port and password LiteLLM
 * reads from REDIS_HOST/REDIS_PORT/REDIS_PASSWORD (docs.litellm.ai/docs/proxy/caching_redis).
 * Models are added in the UI and kept in the database (STORE_MODEL_IN_DB); `model_list` is
 * optional (proxy_server.py load_config reads it only `if model_list:`).
 */
export function litellmConfig(): string {
  return ["litellm_settings:", "  cache: true", "  cache_params:", "    type: redis", ""].join("\n");
}

export function litellmSpec(s: LitellmSettings): AppSpec {
  const items = [...new Set(Object.values(s.apiKeys).map((k) => k.item))];
  const onepassword: Record<string, SecretSource> = Object.fromEntries(
    items.map((item) => [
      itemSecret(item),
      { type: "onepassword", itemPath: `vaults/${s.vault}/items/${item}` },
    ]),
  );
  const apiKeyEnv: Record<string, EnvValue> = Object.fromEntries(
    Object.entries(s.apiKeys).map(([env, { item, field }]) => [
      env,
      { secret: itemSecret(item), key: field },
    ]),
  );
  return {
    name: "litellm",
    controllers: {
      litellm: {
        type: "deployment",
        containers: {
          litellm: {
            image: aiImage(s.images, "litellm"),
            args: ["--port", "4000", "--config", "/etc/litellm/config.yaml"],
            ports: { http: 4000 },
            // What the proxy needs to boot with a database (docs.litellm.ai/docs/proxy/deploy,
            // "Deploy with Database"; docs/proxy/prod): DATABASE_URL, the master key (it must
            // start with "sk-") and the salt key that encrypts stored provider credentials
            // (never change it once set); REDIS_HOST/REDIS_PORT come from the cache claim.
            env: {
              ...databaseUrl("litellm"),
              LITELLM_MASTER_KEY: { secret: "keys", key: "masterKey" },
              LITELLM_SALT_KEY: { secret: "keys", key: "saltKey" },
              STORE_MODEL_IN_DB: "True",
              REDIS_PASSWORD: { secret: "redis/auth", key: "password" },
              ...apiKeyEnv,
            },
            probes: {
              liveness: { http: "/health/liveliness", port: "http" },
              readiness: { http: "/health/readiness", port: "http" },
              startup: { http: "/health/liveliness", port: "http", failureThreshold: 30 },
            },
            resources: { cpu: "250m", memory: "1Gi", memoryLimit: "2Gi" },
            files: { "/etc/litellm/config.yaml": { configMap: "config", key: "config.yaml" } },
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
    configMaps: { config: { "config.yaml": litellmConfig() } },
    secrets: {
      keys: {
        type: "generated",
        keys: { masterKey: { length: 48, prefix: "sk-" }, saltKey: { length: 48, prefix: "sk-" } },
      },
      ...onepassword,
    },
    cache: { app: "redis", port: 6379 },
    talksTo: [{ app: "postgres", port: 5432 }],
    // The providers' public APIs.
    internetEgress: [443],
    calledBy: ["open-webui"],
    dependsOn: ["postgres", "redis"],
  };
}

export function openWebuiSpec(s: OpenWebuiSettings): AppSpec {
  const data = "/app/backend/data";
  return {
    name: "open-webui",
    controllers: {
      "open-webui": {
        type: "deployment",
        containers: {
          "open-webui": {
            image: aiImage(s.images, "open-webui"),
            ports: { http: 8080 },
            // docs.openwebui.com/getting-started/env-configuration: the OpenAI-compatible
            // backend (LiteLLM, with its master key), the session signing key (generated, or
            // start.sh writes one into the image tree), the database (001: postgres is the
            // central database for openwebui), the data directory; no Ollama in 001.
            env: {
              OPENAI_API_BASE_URL: "http://litellm:4000/v1",
              OPENAI_API_KEY: { secret: "litellm/keys", key: "masterKey" },
              WEBUI_SECRET_KEY: { secret: "keys", key: "secretKey" },
              ...databaseUrl("open-webui"),
              DATA_DIR: data,
              ENABLE_OLLAMA_API: "False",
              // The first sign-up becomes admin (backend/open_webui/routers/auths.py `signup`:
              // role "admin" if not has_users), and Open WebUI turns sign-up off after it; any
              // later account waits for an admin's approval (DEFAULT_USER_ROLE, env-configuration).
              DEFAULT_USER_ROLE: "pending",
            },
            // The image's HEALTHCHECK: GET /health on 8080 (open-webui Dockerfile).
            probes: {
              liveness: { http: "/health", port: "http" },
              readiness: { http: "/health", port: "http" },
              startup: { http: "/health", port: "http", periodSeconds: 10, failureThreshold: 60 },
            },
            resources: { cpu: "250m", memory: "1Gi", memoryLimit: "2Gi" },
            mounts: { [data]: "data" },
            security: {
              runAsNonRoot: {
                reason:
                  "the open-webui image is built with UID 0 (Dockerfile ARG UID=0) and owns /app and HOME=/root as root",
              },
              readOnlyRootFilesystem: {
                reason:
                  "Open WebUI writes into /app/backend (static assets, .webui_secret_key) and caches under /root at start",
              },
            },
          },
        },
      },
    },
    // No NodePort until the admin account exists (settings.onboarded); then only from the LAN.
    service: { ports: { http: 8080 }, ...(s.onboarded ? { nodePorts: { http: s.nodePort } } : {}) },
    nodePortSources: s.nodePortSources,
    persistence: { data: { type: "pvc", size: s.storage.size, storageClass: s.storage.storageClass } },
    secrets: { keys: { type: "generated", keys: { secretKey: { length: 48 } } } },
    talksTo: [
      { app: "litellm", port: 4000 },
      { app: "postgres", port: 5432 },
    ],
    // The RAG embedding model (sentence-transformers, RAG_EMBEDDING_MODEL) is downloaded from
    // Hugging Face on first start (Open WebUI env-configuration docs).
    internetEgress: [443],
    dependsOn: ["litellm", "postgres"],
  };
}

/**
 * Pod Security Admission refuses a pod that may run as root in a restricted namespace, so
 * the LiteLLM image's namespace enforces baseline (and still warns at restricted).
 *
 * Why not LiteLLM's non-root image at this pin: BerriAI/litellm publishes
 * `ghcr.io/berriai/litellm-non_root` from docker/Dockerfile.non_root in the same release
 * workflow (.github/workflows/ghcr_deploy.yml job build-and-push-image-non_root, which tags a
 * stable release `litellm-non_root:main-<tag>` as the root image's `litellm:main-<tag>`), but
 * that workflow and Dockerfile are readable only at other releases, not at v1.77.2, and what
 * upstream says of the non-root image of that time rules it out here: it ran as the
 * non-numeric `USER nobody` (numeric 65534 only later, "Use numeric UID 65534 in
 * docker.non_root for K8s runAsNonRoot", PR #26268), and it fetched Prisma's engines and Node
 * at start and wrote into its install tree (site-packages/prisma, the litellm_proxy_extras
 * migrations, /app/.cache), which PR #17695 (Dec 2025, "Download Prisma binaries at build time
 * ... for Security Restricted environments", fixing issues #13746 and #14006) moved into the
 * build. Switch when the pin moves to a release whose Dockerfile.non_root sets `USER 65534`
 * and bakes the Prisma cache (then runAsUser 65534, emptyDirs for /app/.cache and /tmp).
 */
export const LITELLM_RUNS_AS_ROOT =
  "the ghcr.io/berriai/litellm image runs as root; LiteLLM's litellm-non_root image of this release runs as the non-numeric user nobody and downloads Prisma's engines into its install tree at start (fixed upstream in later releases)";

export const litellmDefinition = defineApp<LitellmSettings>({
  name: "litellm",
  catalog: {
    description: "LiteLLM proxy",
    source: "001",
    needsApps: ["postgres", "redis"],
    needsServices: ["onepassword-operator"],
  },
  images: LITELLM_IMAGES,
  parse: parseLitellmSettings,
  build: (ctx) => ({
    namespace: ctx.settings.namespace,
    specs: [litellmSpec(ctx.settings)],
    waitingForImages: [],
    podSecurity: { level: "baseline", reason: LITELLM_RUNS_AS_ROOT },
  }),
});

export const openWebuiDefinition = defineApp<OpenWebuiSettings>({
  name: "open-webui",
  catalog: {
    description: "Open WebUI chat front end",
    source: "001",
    // Its chats live in postgres's openwebui database (001), its files on an NFS volume.
    needsApps: ["litellm", "postgres"],
    needsStorage: true,
    needsStorageClass: "synology-nfs",
  },
  images: OPEN_WEBUI_IMAGES,
  parse: parseOpenWebuiSettings,
  build: (ctx) => ({
    namespace: ctx.settings.namespace,
    specs: [openWebuiSpec(ctx.settings)],
    waitingForImages: [],
    podSecurity: {
      level: "baseline",
      reason:
        "the open-webui image is built with UID 0 (Dockerfile ARG UID=0) and writes /app/backend at start",
    },
  }),
});
