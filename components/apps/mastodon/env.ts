/**
 * Mastodon's env: the secret env from the secret store and the env groups (ConfigMaps) every
 * process reads, as 002's kustomization generates them.
 */
import type { MastodonSettings } from "./settings";
import { MASTODON_METRICS_PORT, REDIS, SEARCH } from "./names";

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
export const RAILS_ENV_GROUPS = [
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
