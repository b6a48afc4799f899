/**
 * Mastodon, glitch-soc edition (source document 002, "Platform Apps" and "Mastodon Autoscaling
 * Strategy"), in the `mastodon` namespace: the migration Job, web (Puma), streaming, four
 * Sidekiq workers, Redis and Elasticsearch StatefulSets, and the `mastodon` database on a
 * CloudNativePG cluster with the cluster's backups. Numbers cite 002's text or, where the
 * text is silent, 002's repository (goingdark-social/IaC kubernetes/apps/platform/mastodon,
 * "IaC" below). Env names are the image's own (glitch-soc/mastodon `.env.production.sample`,
 * docs.joinmastodon.org/admin/config).
 */
import { MASTODON_IMAGES, parseMastodonSettings, type MastodonSettings } from "./settings";
import type { KubeObject } from "../../gitops/delivery";
import { defineApp } from "../types";
import type { AppSpec, Autoscaling, ContainerSpec, EnvValue, ImageRef, Peer } from "../workload";

/** 002 "High Availability Patterns": stateful workloads (PostgreSQL, Redis, Elasticsearch). */
export const MASTODON_CRITICAL = "mastodon-critical";
/** 002: application deployments. */
export const MASTODON_HIGH = "mastodon-high";

/** The spec that owns the migration Job, the shared secrets and the database claim. */
const CORE = "mastodon";
const REDIS = "mastodon-redis";
const SEARCH = "mastodon-elasticsearch";
const WEB = "mastodon-web";
const STREAMING = "mastodon-streaming";
/** The Jobs that run once the new web, streaming and Sidekiq are rolled out. */
const POST_DEPLOY = "mastodon-post-deploy";
/** Metrics port of web and Sidekiq (002: "port 9394 on Mastodon web"). */
export const MASTODON_METRICS_PORT = 9394;

/**
 * Secret env -> Bitwarden secret, as 002's ExternalSecret `mastodon-app-secrets` maps them
 * (IaC base/resources/secrets/externalsecret.yaml). The boot secrets are those the image
 * requires: SECRET_KEY_BASE and OTP_SECRET (.env.production.sample "Secrets"), the three
 * ACTIVE_RECORD_ENCRYPTION_* keys (Mastodon >= 4.3, `rails db:encryption:init`), VAPID keys.
 */
export const MASTODON_BITWARDEN_KEYS: Readonly<Record<string, string>> = {
  LOCAL_DOMAIN: "app-mastodon-domain",
  SECRET_KEY_BASE: "app-mastodon-secret-key-base",
  OTP_SECRET: "app-mastodon-otp-secret",
  VAPID_PRIVATE_KEY: "app-mastodon-vapid-private",
  VAPID_PUBLIC_KEY: "app-mastodon-vapid-public",
  ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY: "app-mastodon-ar-primary",
  ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY: "app-mastodon-ar-deterministic",
  ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT: "app-mastodon-ar-salt",
  SMTP_SERVER: "app-mastodon-smtp-server",
  SMTP_PORT: "app-mastodon-smtp-port",
  SMTP_LOGIN: "app-mastodon-smtp-login",
  SMTP_PASSWORD: "app-mastodon-smtp-password",
  SMTP_FROM_ADDRESS: "app-mastodon-smtp-from-address",
  AWS_ACCESS_KEY_ID: "app-mastodon-s3-access-key",
  AWS_SECRET_ACCESS_KEY: "app-mastodon-s3-secret-key",
  S3_ENDPOINT: "app-mastodon-s3-endpoint-url",
  HCAPTCHA_SITE_KEY: "app-mastodon-hcaptcha-site-key",
  HCAPTCHA_SECRET_KEY: "app-mastodon-hcaptcha-secret-key",
};

/** Env groups (002 kustomization.yaml configMapGenerator, one `.env` file each). */
export type MastodonEnvGroup =
  | "core"
  | "database"
  | "redis"
  | "search"
  | "features"
  | "external-services"
  | "web"
  | "sidekiq"
  | "streaming"
  | "jobs";

/** The groups every Rails process (migration, web, Sidekiq) reads before its own. */
const RAILS_ENV_GROUPS = [
  "core",
  "database",
  "redis",
  "search",
  "features",
  "external-services",
] as const satisfies readonly MastodonEnvGroup[];

/** The content of every env group (ConfigMap data). Pure, exported for tests and review. */
export function mastodonEnvGroups(
  s: MastodonSettings,
  domain: string,
): Record<MastodonEnvGroup, Record<string, string>> {
  const webHost = `${s.host}.${domain}`;
  // Mastodon's exporter: MASTODON_PROMETHEUS_EXPORTER_LOCAL runs the /metrics server inside
  // each Puma/Sidekiq process, bound to MASTODON_PROMETHEUS_EXPORTER_HOST (default
  // localhost: unreachable for a scrape) on _PORT (glitch-soc config/initializers/prometheus_exporter.rb).
  const exporter = {
    MASTODON_PROMETHEUS_EXPORTER_ENABLED: "true",
    MASTODON_PROMETHEUS_EXPORTER_LOCAL: "true",
    MASTODON_PROMETHEUS_EXPORTER_HOST: "0.0.0.0",
    MASTODON_PROMETHEUS_EXPORTER_PORT: String(MASTODON_METRICS_PORT),
  };
  return {
    // IaC configs/core.env.
    core: {
      RAILS_ENV: "production",
      NODE_ENV: "production",
      RAILS_LOG_TO_STDOUT: "true",
      SINGLE_USER_MODE: "false",
      MASTODON_USE_LIBVIPS: "true",
      // LOCAL_DOMAIN (the federation identity) comes from the secret store as in 002; the web
      // UI and API are served on the route's host (docs.joinmastodon.org/admin/config/#web_domain).
      WEB_DOMAIN: webHost,
    },
    // DATABASE_URL comes from the database claim; IaC core.env: PREPARED_STATEMENTS=false.
    database: { PREPARED_STATEMENTS: "false" },
    redis: { REDIS_HOST: REDIS, REDIS_PORT: "6379" },
    // IaC configs/search.env, against the in-namespace Elasticsearch (plain HTTP inside the
    // namespace's NetworkPolicy; ES_PASS from its generated secret).
    search: {
      ES_ENABLED: "true",
      ES_HOST: `http://${SEARCH}`,
      ES_PORT: "9200",
      ES_USER: "elastic",
      ES_PRESET: "single_node_cluster",
    },
    features: { MAX_TOOT_CHARS: String(s.maxTootChars), DEFAULT_LOCALE: s.defaultLocale },
    // IaC configs/storage.env and smtp.env; the S3 endpoint, keys and SMTP server are secrets.
    "external-services": {
      S3_ENABLED: "true",
      S3_BUCKET: s.s3.bucket,
      S3_PROTOCOL: "https",
      S3_REGION: s.s3.region,
      ...(s.s3.aliasHost ? { S3_ALIAS_HOST: s.s3.aliasHost } : {}),
      SMTP_DELIVERY_METHOD: "smtp",
      SMTP_AUTH_METHOD: "login",
      SMTP_ENABLE_STARTTLS_AUTO: "true",
      SMTP_OPENSSL_VERIFY_MODE: "peer",
    },
    // IaC configs/mastodon-web.env.
    web: {
      PORT: "3000",
      BIND: "0.0.0.0",
      RAILS_SERVE_STATIC_FILES: "true",
      WEB_CONCURRENCY: "3",
      MAX_THREADS: "5",
      STREAMING_API_BASE_URL: `wss://${webHost}`,
      ...exporter,
    },
    sidekiq: { ...exporter },
    // mastodon/mastodon streaming/Dockerfile: BIND 0.0.0.0, PORT 4000.
    streaming: { PORT: "4000", BIND: "0.0.0.0" },
    // IaC jobs/migrate-job.yaml: one connection and a longer statement timeout.
    jobs: { DB_POOL: "1", DATABASE_TIMEOUT: "60" },
  };
}

/** A set image; callers only ask for images the settings resolved. */
function imageOf(s: MastodonSettings, name: string): ImageRef {
  const image = s.images[name];
  if (!image) throw new Error(`Mastodon: image ${name} has no reference (checked by mastodonSpecs)`);
  return image;
}

const SIDEKIQ_ALIVE = ["sh", "-c", "ps aux | grep '[s]idekiq 8'"];

/** Scale-up/down of 002's web HPA (+2 pods / 30 s after 30 s, -1 pod / 60 s after 180 s). */
const WEB_SCALING: Pick<Autoscaling, "scaleUp" | "scaleDown"> = {
  scaleUp: { stabilizationSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
  scaleDown: { stabilizationSeconds: 180, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
};

/** The specs, pure data (exported for tests and review); workloads without an image are left out. */
export function mastodonSpecs(s: MastodonSettings, domain: string): AppSpec[] {
  const groups = mastodonEnvGroups(s, domain);
  const own = (...names: MastodonEnvGroup[]): Record<string, Record<string, string>> =>
    Object.fromEntries(names.map((n) => [n, groups[n]]));
  const secretEnv: Record<string, EnvValue> = Object.fromEntries(
    Object.keys(MASTODON_BITWARDEN_KEYS).map((k) => [k, { secret: `${CORE}/app`, key: k }]),
  );
  const esPass: Record<string, EnvValue> = { ES_PASS: { secret: `${SEARCH}/auth`, key: "password" } };
  // 002: "SSL with verify-ca mode": every Rails and streaming process verifies the server
  // against the CloudNativePG cluster's CA.
  const database = { cluster: s.postgresCluster, owner: CORE, verifyCa: true };
  const stores: Peer[] = [
    { app: REDIS, port: 6379 },
    { app: SEARCH, port: 9200 },
  ];
  // Federation, media on S3 and remote media over plain HTTP, for every Rails process; SMTP
  // (submission and implicit TLS) only for Sidekiq: Mastodon sends every mail through
  // ActionMailer `deliver_later` (app/models/user.rb `render_and_send_devise_message`,
  // `UserMailer.welcome(self).deliver_later`), a job on Sidekiq's `mailers` queue, so the
  // web process never speaks SMTP.
  const internet = [80, 443];
  const internetWithMail = [...internet, 465, 587];
  /** A Rails container of the glitch-soc image. */
  const rails = (extra: Partial<ContainerSpec> & Pick<ContainerSpec, "resources">): ContainerSpec => ({
    image: imageOf(s, "mastodon"),
    env: { ...secretEnv, ...esPass },
    // The image's `mastodon` user (glitch-soc/mastodon Dockerfile: ARG UID="991", GID="991").
    runAsUser: 991,
    // Rails writes pids and the bootsnap cache under tmp/ (WORKDIR /opt/mastodon).
    writablePaths: ["/opt/mastodon/tmp", "/tmp"],
    ...extra,
  });

  const mastodon = !!s.images.mastodon;
  const specs: AppSpec[] = [
    {
      name: REDIS,
      controllers: {
        [REDIS]: {
          type: "statefulset",
          phase: "base",
          // IaC redis-statefulset.yaml: redis-data 8Gi, requests 500m/512Mi, limit 1Gi.
          volumeClaimTemplates: { data: { size: "8Gi" } },
          containers: {
            redis: {
              image: imageOf(s, "redis"),
              args: ["--dir", "/data", "--appendonly", "yes"],
              ports: { redis: 6379 },
              probes: { liveness: { tcp: "redis" }, readiness: { exec: ["redis-cli", "ping"] } },
              resources: { cpu: "500m", memory: "512Mi", memoryLimit: "1Gi" },
              // docker-library redis alpine: addgroup -S -g 1000 redis; adduser -S -G redis -u 999 redis.
              runAsUser: 999,
              runAsGroup: 1000,
              mounts: { "/data": "data" },
            },
          },
        },
      },
      service: { ports: { redis: 6379 } },
      priorityClassName: MASTODON_CRITICAL,
    },
    {
      name: SEARCH,
      controllers: {
        [SEARCH]: {
          type: "statefulset",
          phase: "base",
          // IaC search-cluster.yaml: one node, 10Gi, requests 200m/4Gi, limit 4Gi.
          volumeClaimTemplates: { data: { size: "10Gi" } },
          containers: {
            elasticsearch: {
              image: imageOf(s, "elasticsearch"),
              ports: { http: 9200 },
              // Elasticsearch Docker docs: settings as env; ELASTIC_PASSWORD sets the `elastic`
              // user's password. One node, security on, HTTP and transport TLS off (traffic
              // stays in the namespace); no mmap, so no vm.max_map_count sysctl on the node
              // (Elasticsearch "Virtual memory": node.store.allow_mmap).
              env: {
                "discovery.type": "single-node",
                "xpack.security.enabled": "true",
                "xpack.security.http.ssl.enabled": "false",
                "xpack.security.transport.ssl.enabled": "false",
                "node.store.allow_mmap": "false",
                ELASTIC_PASSWORD: { secret: "auth", key: "password" },
              },
              probes: {
                // HTTP needs credentials; a TCP connect on the HTTP port means it is serving.
                liveness: { tcp: "http", periodSeconds: 20 },
                readiness: { tcp: "http" },
                startup: { tcp: "http", periodSeconds: 10, failureThreshold: 30 },
              },
              resources: { cpu: "200m", memory: "4Gi" },
              // The image's `elasticsearch` user (docker-library elasticsearch: groupadd -g 1000
              // elasticsearch; adduser --uid 1000 --gid 1000).
              runAsUser: 1000,
              mounts: { "/usr/share/elasticsearch/data": "data" },
              security: {
                readOnlyRootFilesystem: {
                  reason:
                    "the Elasticsearch entrypoint writes the keystore and settings into config/ and logs/, which the image owns for that (chown elasticsearch bin config data logs plugins)",
                },
              },
            },
          },
        },
      },
      service: { ports: { http: 9200 } },
      secrets: { auth: { type: "generated", keys: { password: { length: 32 } } } },
      priorityClassName: MASTODON_CRITICAL,
    },
  ];
  if (!mastodon) return specs.map((spec) => ({ ...spec, calledBy: [] }));

  specs.push({
    // The pre-deployment migration, before web and Sidekiq, as mastodon/chart runs it
    // (templates/_db-migrate.tpl: `db:prepare` on install, `db:migrate` with
    // SKIP_POST_DEPLOYMENT_MIGRATIONS=true before an upgrade). One Job does both: Rails'
    // db:prepare loads the schema and seeds into a database without schema_migrations and
    // otherwise migrates (ActiveRecord DatabaseTasks#prepare_all), and Mastodon adds
    // db/post_migrate to the migration paths only without SKIP_POST_DEPLOYMENT_MIGRATIONS.
    // This spec also owns the database claim and the secrets every Rails process reads.
    name: CORE,
    controllers: {
      migrate: {
        type: "migration",
        backoffLimit: 2,
        containers: {
          migrate: rails({
            command: ["bundle", "exec", "rails", "db:prepare"],
            env: { ...secretEnv, ...esPass, SKIP_POST_DEPLOYMENT_MIGRATIONS: "true" },
            envFromConfigMaps: [...RAILS_ENV_GROUPS, "jobs"],
            resources: { cpu: "200m", memory: "768Mi", memoryLimit: "1Gi" },
          }),
        },
      },
    },
    configMaps: own(...RAILS_ENV_GROUPS, "jobs"),
    secrets: {
      app: {
        type: "external",
        store: s.secretStore,
        keys: Object.fromEntries(
          Object.entries(MASTODON_BITWARDEN_KEYS).map(([k, remoteKey]) => [k, { remoteKey }]),
        ),
      },
    },
    // 002: mastodon-critical (1000000) for the stateful workloads, PostgreSQL among them.
    database: {
      cluster: s.postgresCluster,
      name: "mastodon",
      verifyCa: true,
      priorityClassName: MASTODON_CRITICAL,
    },
    talksTo: stores,
    priorityClassName: MASTODON_HIGH,
    dependsOn: [REDIS, SEARCH],
  });

  specs.push({
    name: WEB,
    controllers: {
      [WEB]: {
        type: "deployment",
        // 002 "Mastodon Autoscaling Strategy": p95 queue time > 35 ms or backlog > 3, memory 80 %.
        autoscaling: {
          min: 2,
          max: 4,
          memory: 80,
          custom: [
            {
              type: "External",
              metric: "ruby_http_request_queue_duration_seconds_p95",
              value: "35m",
              selector: { job: WEB },
            },
            { type: "External", metric: "ruby_puma_request_backlog", value: "3", selector: { job: WEB } },
          ],
          ...WEB_SCALING,
        },
        containers: {
          web: rails({
            command: ["bundle", "exec", "puma", "-C", "config/puma.rb"],
            ports: { http: 3000, metrics: MASTODON_METRICS_PORT },
            envFromConfigMaps: [...RAILS_ENV_GROUPS, "web"],
            // IaC web-deployment.yaml probes and resources.
            probes: {
              startup: { http: "/health", port: "http", periodSeconds: 10, failureThreshold: 18 },
              readiness: { http: "/health", port: "http", periodSeconds: 10 },
              liveness: { http: "/health", port: "http", periodSeconds: 30, failureThreshold: 5 },
            },
            resources: { cpu: "683m", memory: "2271Mi", memoryLimit: "2750Mi" },
          }),
        },
      },
    },
    configMaps: own(...RAILS_ENV_GROUPS, "web"),
    service: { ports: { http: 3000, metrics: MASTODON_METRICS_PORT } },
    route: { host: s.host, port: "http", path: "/" },
    metrics: { port: "metrics" },
    database,
    talksTo: stores,
    internetEgress: internet,
    priorityClassName: MASTODON_HIGH,
    dependsOn: [CORE],
  });

  if (s.images.streaming)
    specs.push({
      name: STREAMING,
      controllers: {
        [STREAMING]: {
          type: "deployment",
          // 002: ~200 connected clients per pod, 1-3 replicas; IaC streaming-hpa.yaml behaviour.
          autoscaling: {
            min: 1,
            max: 3,
            custom: [
              { type: "External", metric: "mastodon_streaming_connected_clients", averageValue: "200" },
            ],
            scaleUp: { stabilizationSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
            scaleDown: {
              stabilizationSeconds: 300,
              policies: [{ type: "Pods", value: 1, periodSeconds: 120 }],
            },
          },
          containers: {
            streaming: {
              image: imageOf(s, "streaming"),
              command: ["node", "./streaming/index.js"],
              ports: { streaming: 4000 },
              // Streaming reads only the database, Redis and its port: no app secrets.
              envFromConfigMaps: ["core", "database", "redis", "streaming"],
              probes: {
                liveness: { http: "/api/v1/streaming/health", port: "streaming", periodSeconds: 15 },
                readiness: { http: "/api/v1/streaming/health", port: "streaming", periodSeconds: 15 },
              },
              // IaC streaming-deployment.yaml.
              resources: { cpu: "21m", memory: "100Mi" },
              // mastodon/mastodon streaming/Dockerfile: ARG UID="991", USER mastodon.
              runAsUser: 991,
            },
          },
        },
      },
      configMaps: own("core", "database", "redis", "streaming"),
      service: { ports: { streaming: 4000 } },
      // 002: `/api/v1/streaming` -> mastodon-streaming:4000 on the same host as web.
      route: { host: s.host, port: "streaming", path: "/api/v1/streaming" },
      // The streaming server serves Prometheus metrics on /metrics of its own port
      // (docs.joinmastodon.org "Scaling": mastodon_streaming_connected_clients).
      metrics: { port: "streaming" },
      database,
      talksTo: [{ app: REDIS, port: 6379 }],
      priorityClassName: MASTODON_HIGH,
      dependsOn: [CORE],
    });

  /** One Sidekiq Deployment (IaC sidekiq-*-deployment.yaml: queues, concurrency, resources). */
  const sidekiq = (
    queue: string,
    queues: readonly string[],
    concurrency: number,
    resources: ContainerSpec["resources"],
    autoscaling?: Autoscaling,
  ): AppSpec => {
    const name = `mastodon-sidekiq-${queue}`;
    return {
      name,
      controllers: {
        [name]: {
          type: "deployment",
          ...(autoscaling ? { autoscaling } : { replicas: 1 }),
          containers: {
            sidekiq: rails({
              command: [
                "bundle",
                "exec",
                "sidekiq",
                ...queues.flatMap((q) => ["-q", q]),
                "-c",
                String(concurrency),
              ],
              ports: { metrics: MASTODON_METRICS_PORT },
              env: { ...secretEnv, ...esPass, DB_POOL: String(concurrency) },
              envFromConfigMaps: [...RAILS_ENV_GROUPS, "sidekiq"],
              // IaC: the process title carries the Sidekiq major version ("sidekiq 8"); a worker
              // serves no traffic, so ready means the same as alive.
              probes: {
                liveness: { exec: SIDEKIQ_ALIVE, initialDelaySeconds: 60, periodSeconds: 30 },
                readiness: { exec: SIDEKIQ_ALIVE, initialDelaySeconds: 20, periodSeconds: 30 },
              },
              resources,
            }),
          },
        },
      },
      configMaps: own(...RAILS_ENV_GROUPS, "sidekiq"),
      // Each process reports the latency of its own queues (Mastodon config/initializers/sidekiq.rb),
      // so every worker is scraped.
      service: { ports: { metrics: MASTODON_METRICS_PORT } },
      metrics: { port: "metrics" },
      database,
      talksTo: stores,
      internetEgress: internetWithMail,
      priorityClassName: MASTODON_HIGH,
      dependsOn: [CORE],
    };
  };
  const latency = (
    queue: string,
    seconds: string,
    up: Autoscaling["scaleUp"],
    downWindow: number,
  ): Autoscaling => ({
    min: 1,
    max: 3,
    custom: [
      { type: "External", metric: "sidekiq_queue_latency_seconds", value: seconds, selector: { queue } },
    ],
    scaleUp: up,
    // IaC leaves the scale-down policy at the Kubernetes default; one pod a minute here.
    scaleDown: {
      stabilizationSeconds: downWindow,
      policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
    },
  });
  specs.push(
    // 002: default 1-3 on queue latency > 10 s (IaC: +1 pod / 30 s after 60 s, 300 s down).
    sidekiq(
      "default",
      ["default"],
      15,
      { cpu: "500m", memory: "800Mi", memoryLimit: "1228Mi" },
      latency(
        "default",
        "10",
        { stabilizationSeconds: 60, policies: [{ type: "Pods", value: 1, periodSeconds: 30 }] },
        300,
      ),
    ),
    // 002: federation 1-3 on latency > 30 s of the push queue (IaC: +1 / 45 s after 90 s, 600 s down).
    sidekiq(
      "federation",
      ["push", "ingress"],
      20,
      { cpu: "400m", memory: "1Gi", memoryLimit: "1536Mi" },
      latency(
        "push",
        "30",
        { stabilizationSeconds: 90, policies: [{ type: "Pods", value: 1, periodSeconds: 45 }] },
        600,
      ),
    ),
    // 002: background and scheduler, one replica each.
    sidekiq("background", ["pull", "mailers", "fasp"], 10, {
      cpu: "200m",
      memory: "500Mi",
      memoryLimit: "800Mi",
    }),
    sidekiq("scheduler", ["scheduler"], 5, { cpu: "100m", memory: "300Mi", memoryLimit: "500Mi" }),
  );

  // After the rollout (mastodon/chart: post-install/post-upgrade hooks), in their own item
  // that waits for every workload: the full `db:migrate` runs the post-deployment migrations
  // the new code no longer needs the old schema for (templates/job-db-migrate.yaml), and
  // `tootctl search deploy` builds or updates the Elasticsearch indices
  // (templates/job-deploy-search.yaml, requests 700m/768Mi). A new image makes new Jobs (the
  // name carries a hash of the template), so each version runs them once.
  const workloads = specs
    .filter((x) => x.name !== CORE && x.name !== REDIS && x.name !== SEARCH)
    .map((x) => x.name);
  specs.push({
    name: POST_DEPLOY,
    controllers: {
      "db-migrate": {
        type: "migration",
        backoffLimit: 2,
        containers: {
          migrate: rails({
            command: ["bundle", "exec", "rails", "db:migrate"],
            envFromConfigMaps: [...RAILS_ENV_GROUPS, "jobs"],
            resources: { cpu: "200m", memory: "768Mi", memoryLimit: "1Gi" },
          }),
        },
      },
      "search-deploy": {
        type: "migration",
        backoffLimit: 2,
        containers: {
          search: rails({
            command: ["bin/tootctl", "search", "deploy"],
            envFromConfigMaps: [...RAILS_ENV_GROUPS, "jobs"],
            resources: { cpu: "700m", memory: "768Mi", memoryLimit: "1536Mi" },
          }),
        },
      },
    },
    configMaps: own(...RAILS_ENV_GROUPS, "jobs"),
    database,
    talksTo: stores,
    priorityClassName: MASTODON_HIGH,
    dependsOn: [CORE, ...workloads],
  });

  const railsApps = specs.filter((x) => x.database).map((x) => x.name);
  return specs.map((spec) => {
    if (spec.name === REDIS) return { ...spec, calledBy: railsApps };
    if (spec.name === SEARCH) return { ...spec, calledBy: railsApps.filter((n) => n !== STREAMING) };
    return spec;
  });
}

/** 002's PriorityClasses (IaC resources/priorityclasses.yaml; values as 002's text gives them). */
export function mastodonPriorityClasses(): KubeObject[] {
  const pc = (name: string, value: number, description: string): KubeObject => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name },
    value,
    globalDefault: false,
    description,
  });
  return [
    // 002 text: mastodon-critical priority 1000000.
    pc(MASTODON_CRITICAL, 1000000, "Keep Mastodon's datastores online under pressure"),
    // 002 gives no number for mastodon-high; IaC keeps it at 90 % of critical.
    pc(MASTODON_HIGH, 900000, "Mastodon's application deployments"),
  ];
}

/** Mastodon on one cluster. */
export const mastodonDefinition = defineApp<MastodonSettings>({
  name: "mastodon",
  catalog: {
    description: "Mastodon (glitch-soc) with custom-metric HPAs",
    source: "002",
    needsServices: ["cloudnative-pg", "external-secrets", "victoria-metrics"],
    needsIngress: "gateway-api",
    needsStorage: true,
    routes: "cluster",
  },
  images: MASTODON_IMAGES,
  parse: parseMastodonSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      // goingdark.social (002): "Autoscaler nodes require toleration for 'autoscaler-node' taint".
      runsOnAutoscaledNodes: true,
      specs: mastodonSpecs(s, ctx.cluster.domain),
      waitingForImages: Object.entries(s.images)
        .filter(([, image]) => image === undefined)
        .map(([name]) => name),
      objects: mastodonPriorityClasses(),
      mainHost: s.host,
    };
  },
});
