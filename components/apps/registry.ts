/**
 * The registry of application stacks: catalog name -> definition. An app in config/catalog.ts
 * is built when it has an entry here (its catalog entry says `delivered: true`; a test keeps
 * the two in step).
 */
import { cortexApiDefinition } from "./cortex-api";
import { litellmDefinition, openWebuiDefinition } from "./ai-llm";
import { etcdDefinition, natsDefinition, postgresDefinition, redisDefinition } from "./ai-stores";
import { cryptpadDefinition } from "./cryptpad";
import { hypebotDefinition } from "./hypebot";
import { mastodonDefinition } from "./mastodon";
import { immichDefinition } from "./immich";
import { nightscoutDefinition } from "./nightscout";
import { pgadminDefinition } from "./pgadmin";
import { speedtestTrackerDefinition } from "./speedtest-tracker";
import { steadyDefinition } from "./steady";
import { commafeedDefinition } from "./commafeed";
import { homepageDefinition } from "./homepage";
import { linkdingDefinition } from "./linkding";
import { ntfyDefinition } from "./ntfy";
import type { AppDefinition } from "./types";

/** An app of any settings type (the composition passes the settings parsed for it). */
export type AnyAppDefinition = AppDefinition<never>;

export const APP_REGISTRY: Readonly<Record<string, AnyAppDefinition>> = {
  cryptpad: cryptpadDefinition,
  hypebot: hypebotDefinition,
  mastodon: mastodonDefinition,
  steady: steadyDefinition,
  "cortex-api": cortexApiDefinition,
  // The AI services of document 001.
  postgres: postgresDefinition,
  redis: redisDefinition,
  nats: natsDefinition,
  etcd: etcdDefinition,
  litellm: litellmDefinition,
  "open-webui": openWebuiDefinition,
  commafeed: commafeedDefinition,
  homepage: homepageDefinition,
  linkding: linkdingDefinition,
  ntfy: ntfyDefinition,
  immich: immichDefinition,
  nightscout: nightscoutDefinition,
  pgadmin: pgadminDefinition,
  "speedtest-tracker": speedtestTrackerDefinition,
};
