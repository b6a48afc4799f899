/** Names Mastodon's specs share: PriorityClasses, spec names, the metrics port. */

/** 002 "High Availability Patterns": stateful workloads (PostgreSQL, Redis, Elasticsearch). */
export const MASTODON_CRITICAL = "mastodon-critical";
/** 002: application deployments. */
export const MASTODON_HIGH = "mastodon-high";

/** The spec that owns the migration Job, the shared secrets and the database claim. */
export const CORE = "mastodon";
export const REDIS = "mastodon-redis";
export const SEARCH = "mastodon-elasticsearch";
export const WEB = "mastodon-web";
export const STREAMING = "mastodon-streaming";
/** The Jobs that run once the new web, streaming and Sidekiq are rolled out. */
export const POST_DEPLOY = "mastodon-post-deploy";
/** Metrics port of web and Sidekiq (002: "port 9394 on Mastodon web"). */
export const MASTODON_METRICS_PORT = 9394;
