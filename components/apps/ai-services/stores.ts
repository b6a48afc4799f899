/**
 * The stores of the AI services (source document 001): postgres, redis, nats and etcd, each a
 * catalog app of its own in the shared namespace. Document 001, "Synology NFS Constraints":
 * the NAS squashes every UID to 1024 and GID to 100, so the stores that check the owner of
 * their data directory (postgres, etcd) run as 1024:100 on the `synology-nfs` (Retain) class.
 * The passwords 001's bootstrap script generated are generated here (`@pulumi/random`) and
 * applied live; no value reaches a manifest.
 */
import {
  ETCD_IMAGES,
  NATS_IMAGES,
  parseEtcdSettings,
  parseNatsSettings,
  parsePostgresSettings,
  parseRedisSettings,
  POSTGRES_IMAGES,
  REDIS_IMAGES,
  type EtcdSettings,
  type NatsSettings,
  type PostgresSettings,
  type RedisSettings,
} from "./settings";
import type { AppImages } from "../../../config/apps/images";
import { defineApp, type AppDefinitionSpec, type AppSettingsBase } from "../types";
import type { AppSpec, ImageRef } from "../workload";

/** Document 001, "Synology NFS Constraints": all_squash maps every file to 1024:100. */
export const NAS_UID = 1024;
export const NAS_GID = 100;

/**
 * The role and database postgres creates for each client app (document 001: "Central database
 * for litellm and openwebui"); the client reads its password from `postgres/passwords`.
 */
export const AI_DATABASES: Readonly<Record<string, string>> = {
  litellm: "litellm",
  "open-webui": "openwebui",
};

/** The env var holding a client's database password in the postgres and client containers. */
export function databasePasswordEnv(database: string): string {
  return `${database.toUpperCase()}_DB_PASSWORD`;
}

/** The image of an AI service; the table has a default for each, so it is always set. */
export function aiImage(images: AppImages, name: string): ImageRef {
  const image = images[name];
  if (!image) throw new Error(`AI services: image ${name} has no reference (config/apps/images.ts)`);
  return image;
}

/**
 * The init script that creates each client's role and database. The official image runs it
 * once, on an empty data directory, sourcing `*.sh` files of /docker-entrypoint-initdb.d
 * ("Initialization scripts", https://hub.docker.com/_/postgres); psql's `:'var'` quotes the
 * passwords, which come from the environment, never from this file.
 */
export function postgresInitScript(databases: readonly string[]): string {
  const vars = databases.map((db) => `  --set=${db}_password="$${databasePasswordEnv(db)}"`);
  const sql = databases.flatMap((db) => [
    `CREATE ROLE ${db} LOGIN PASSWORD :'${db}_password';`,
    `CREATE DATABASE ${db} OWNER ${db};`,
  ]);
  return [
    'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \\',
    ...vars.map((v) => `${v} \\`),
    "  <<'SQL'",
    ...sql,
    "SQL",
    "",
  ].join("\n");
}

const INIT_SCRIPT = "10-ai-databases.sh";
const PGDATA_MOUNT = "/var/lib/postgresql/data";

export function postgresSpec(s: PostgresSettings): AppSpec {
  const databases = Object.values(AI_DATABASES);
  const passwordEnv = Object.fromEntries(
    databases.map((db) => [databasePasswordEnv(db), { secret: "passwords", key: db }]),
  );
  const ready = ["pg_isready", "--host", "127.0.0.1", "--username", "postgres"];
  return {
    name: "postgres",
    controllers: {
      postgres: {
        type: "statefulset",
        phase: "base",
        volumeClaimTemplates: { data: { size: s.storage.size, storageClass: s.storage.storageClass } },
        containers: {
          postgres: {
            image: aiImage(s.images, "postgres"),
            ports: { postgres: 5432 },
            // The image requires POSTGRES_PASSWORD for a new data directory, and recommends
            // PGDATA in a subdirectory of a mount point (https://hub.docker.com/_/postgres,
            // "Environment Variables"), so initdb can own it with mode 0700 on the NFS volume.
            env: {
              POSTGRES_PASSWORD: { secret: "passwords", key: "postgres" },
              PGDATA: `${PGDATA_MOUNT}/pgdata`,
              ...passwordEnv,
            },
            probes: {
              liveness: { tcp: "postgres" },
              readiness: { exec: ready },
              // initdb on an NFS volume can take minutes on first start.
              startup: { exec: ready, periodSeconds: 10, failureThreshold: 30 },
            },
            resources: { cpu: "100m", memory: "256Mi", memoryLimit: "1Gi" },
            runAsUser: NAS_UID,
            runAsGroup: NAS_GID,
            // The server's socket and lock file; /tmp for nss_wrapper, which the entrypoint
            // uses when the UID has no passwd entry (docker-library/postgres docker-entrypoint.sh).
            writablePaths: ["/var/run/postgresql", "/tmp"],
            files: {
              [`/docker-entrypoint-initdb.d/${INIT_SCRIPT}`]: { configMap: "initdb", key: INIT_SCRIPT },
            },
            mounts: { [PGDATA_MOUNT]: "data" },
          },
        },
      },
    },
    service: { ports: { postgres: 5432 } },
    configMaps: { initdb: { [INIT_SCRIPT]: postgresInitScript(databases) } },
    secrets: {
      passwords: {
        type: "generated",
        keys: Object.fromEntries(["postgres", ...databases].map((k) => [k, { length: 32 }])),
      },
    },
    calledBy: Object.keys(AI_DATABASES),
  };
}

export function redisSpec(s: RedisSettings): AppSpec {
  return {
    name: "redis",
    controllers: {
      redis: {
        type: "deployment",
        containers: {
          redis: {
            image: aiImage(s.images, "redis"),
            // Kubernetes expands $(VAR) in args from the container's env, so the password
            // stays in the Secret; the entrypoint prepends redis-server to flag arguments.
            args: ["--requirepass", "$(REDIS_PASSWORD)"],
            ports: { redis: 6379 },
            env: {
              REDIS_PASSWORD: { secret: "auth", key: "password" },
              // redis-cli reads the password from REDISCLI_AUTH (redis.io/docs, redis-cli).
              REDISCLI_AUTH: { secret: "auth", key: "password" },
            },
            probes: { liveness: { tcp: "redis" }, readiness: { exec: ["redis-cli", "ping"] } },
            resources: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
            // The image's `redis` user (docker-library/redis alpine Dockerfile:
            // addgroup -S -g 1000 redis; adduser -S -G redis -u 999 redis).
            runAsUser: 999,
            runAsGroup: 1000,
            // Its working directory, where it writes RDB snapshots; a cache keeps none across restarts.
            writablePaths: ["/data"],
          },
        },
      },
    },
    service: { ports: { redis: 6379 } },
    secrets: { auth: { type: "generated", keys: { password: { length: 32 } } } },
    calledBy: ["litellm"],
  };
}

/** Where the init container writes the users and the server reads them. */
const NATS_AUTH_DIR = "/etc/nats/auth";

/**
 * The main NATS config (git-tracked in 001). nats-server resolves an include against the
 * directory of the including file (conf/parse.go: `filepath.Join(p.fp, it.val)`), so 001's
 * `include /etc/nats/auth/auth.conf` is written relative to /etc/nats/nats.conf here: it
 * names the same file, which only the init container writes.
 */
export function natsConfig(): string {
  return ["port: 4222", "http_port: 8222", "include ./auth/auth.conf", ""].join("\n");
}

/**
 * Writes auth.conf from the bcrypt hash with printf, so `$2a$...` is an argument and never
 * expanded by the shell (document 001, "NATS bcrypt auth pattern"); the hash is quoted for
 * the NATS parser (https://docs.nats.io, "Bcrypted Passwords").
 */
export function natsAuthScript(): string {
  return `printf 'authorization {\\n  users: [\\n    { user: "%s", password: "%s" }\\n  ]\\n}\\n' "$NATS_USER" "$NATS_PASSWORD_HASH" > ${NATS_AUTH_DIR}/auth.conf`;
}

export function natsSpec(s: NatsSettings): AppSpec {
  const image = aiImage(s.images, "nats");
  const small = { cpu: "10m", memory: "16Mi" };
  return {
    name: "nats",
    controllers: {
      nats: {
        type: "deployment",
        initContainers: {
          auth: {
            image,
            command: ["sh", "-c", natsAuthScript()],
            env: {
              NATS_USER: s.user,
              NATS_PASSWORD_HASH: { secret: "credentials", key: "passwordBcrypt" },
            },
            resources: small,
            runAsUser: 1000, // any non-root UID: it writes only the shared emptyDir
            mounts: { [NATS_AUTH_DIR]: "auth" },
          },
        },
        containers: {
          nats: {
            image,
            command: ["nats-server", "--config", "/etc/nats/nats.conf"],
            ports: { client: 4222, monitor: 8222 },
            // The monitoring endpoint /healthz (https://docs.nats.io, "Monitoring").
            probes: {
              liveness: { http: "/healthz", port: "monitor" },
              readiness: { http: "/healthz", port: "monitor" },
            },
            resources: { cpu: "50m", memory: "64Mi", memoryLimit: "256Mi" },
            runAsUser: 1000, // any non-root UID: nats-server writes nothing without JetStream
            files: { "/etc/nats/nats.conf": { configMap: "config", key: "nats.conf" } },
            mounts: { [NATS_AUTH_DIR]: "auth" },
          },
        },
      },
    },
    service: { ports: { client: 4222 } },
    configMaps: { config: { "nats.conf": natsConfig() } },
    // Only the hash lives here, in memory; the plaintext password is for client pods.
    persistence: { auth: { type: "emptyDir", medium: "Memory", sizeLimit: "1Mi" } },
    // Secret `nats-credentials`, the name document 001's clients read (plaintext password for
    // clients, bcrypt hash for the server).
    secrets: { credentials: { type: "generated", keys: { password: { length: 32, bcrypt: true } } } },
    calledBy: [...s.clients],
  };
}

export function etcdSpec(s: EtcdSettings): AppSpec {
  // Flags of https://etcd.io/docs/v3.5/op-guide/configuration/; one member with the default
  // name and peer URL. The data directory is a subdirectory so etcd creates it with 0700.
  const args = [
    "--data-dir=/var/lib/etcd/data",
    "--listen-client-urls=http://0.0.0.0:2379",
    "--advertise-client-urls=http://etcd:2379",
  ];
  return {
    name: "etcd",
    controllers: {
      etcd: {
        type: "statefulset",
        phase: "base",
        volumeClaimTemplates: { data: { size: s.storage.size, storageClass: s.storage.storageClass } },
        containers: {
          etcd: {
            image: aiImage(s.images, "etcd"),
            command: ["etcd"],
            args,
            ports: { client: 2379 },
            // GET /health on the client URL (https://etcd.io/docs/v3.5/op-guide/monitoring/).
            probes: {
              liveness: { http: "/health", port: "client" },
              readiness: { http: "/health", port: "client" },
              startup: { http: "/health", port: "client", periodSeconds: 10, failureThreshold: 30 },
            },
            resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" },
            runAsUser: NAS_UID,
            runAsGroup: NAS_GID,
            mounts: { "/var/lib/etcd": "data" },
          },
        },
      },
    },
    service: { ports: { client: 2379 } },
    calledBy: [...s.clients],
  };
}

const store = <S extends AppSettingsBase>(
  definition: Omit<AppDefinitionSpec<S>, "build">,
  spec: (s: S) => AppSpec,
) =>
  defineApp<S>({
    ...definition,
    build: (ctx) => ({
      namespace: ctx.settings.namespace,
      specs: [spec(ctx.settings)],
      waitingForImages: [],
    }),
  });

export const postgresDefinition = store<PostgresSettings>(
  {
    name: "postgres",
    catalog: {
      description: "PostgreSQL 16 StatefulSet (UID 1024 on NFS)",
      source: "001",
      needsStorage: true,
      needsStorageClass: "synology-nfs",
    },
    images: POSTGRES_IMAGES,
    parse: parsePostgresSettings,
  },
  postgresSpec,
);
export const redisDefinition = store<RedisSettings>(
  {
    name: "redis",
    catalog: { description: "Redis 7 with password auth", source: "001" },
    images: REDIS_IMAGES,
    parse: parseRedisSettings,
  },
  redisSpec,
);
export const natsDefinition = store<NatsSettings>(
  {
    name: "nats",
    catalog: { description: "NATS with bcrypt auth", source: "001" },
    images: NATS_IMAGES,
    parse: parseNatsSettings,
  },
  natsSpec,
);
export const etcdDefinition = store<EtcdSettings>(
  {
    name: "etcd",
    catalog: {
      description: "etcd key-value store (UID 1024 on NFS)",
      source: "001",
      needsStorage: true,
      needsStorageClass: "synology-nfs",
    },
    images: ETCD_IMAGES,
    parse: parseEtcdSettings,
  },
  etcdSpec,
);
