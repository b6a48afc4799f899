/**
 * Mastodon's Jobs and lifecycle: the core spec (the pre-deployment migration, the secrets every
 * Rails process reads and the database claim) and the post-deployment Jobs.
 */
import type { AppSpec } from "../workload";
import { MASTODON_BITWARDEN_KEYS, RAILS_ENV_GROUPS } from "./env";
import { CORE, MASTODON_CRITICAL, MASTODON_HIGH, POST_DEPLOY, REDIS, SEARCH } from "./names";
import type { MastodonParts } from "./parts";

/** The core spec: the migration before web and Sidekiq, the app secrets and the database claim. */
export function coreSpec(p: MastodonParts): AppSpec {
  const { settings: s, rails, secretEnv, esPass, own, stores } = p;
  return {
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
  };
}

/** The post-deployment Jobs, after every workload in `workloads` is rolled out. */
export function postDeploySpec(p: MastodonParts, workloads: readonly string[]): AppSpec {
  const { rails, own, database, stores } = p;
  // After the rollout (mastodon/chart: post-install/post-upgrade hooks), in their own item
  // that waits for every workload: the full `db:migrate` runs the post-deployment migrations
  // the new code no longer needs the old schema for (templates/job-db-migrate.yaml), and
  // `tootctl search deploy` builds or updates the Elasticsearch indices
  // (templates/job-deploy-search.yaml, requests 700m/768Mi). A new image makes new Jobs (the
  // name carries a hash of the template), so each version runs them once.
  return {
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
  };
}
