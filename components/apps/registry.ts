/**
 * The apps the program ships: one plain list of definitions (defineApp in ./types.ts), each
 * in its own folder. Adding a built-in app is its folder and one line here; a custom app is
 * listed in `platform:appModules` instead (README "Add your own app").
 */
import {
  etcdDefinition,
  litellmDefinition,
  natsDefinition,
  openWebuiDefinition,
  postgresDefinition,
  redisDefinition,
} from "./ai-services";
import { commafeedDefinition } from "./commafeed";
import { cortexApiDefinition } from "./cortex-api";
import { cryptpadDefinition } from "./cryptpad";
import { homepageDefinition } from "./homepage";
import { hypebotDefinition } from "./hypebot";
import { immichDefinition } from "./immich";
import { linkdingDefinition } from "./linkding";
import { mastodonDefinition } from "./mastodon";
import { nightscoutDefinition } from "./nightscout";
import { ntfyDefinition } from "./ntfy";
import { pgadminDefinition } from "./pgadmin";
import { speedtestTrackerDefinition } from "./speedtest-tracker";
import { steadyDefinition } from "./steady";
import type { AppDefinition } from "./types";

/** Every built-in app, in the order error messages list them. */
export const BUILT_IN_APPS: readonly AppDefinition[] = [
  steadyDefinition,
  mastodonDefinition,
  cryptpadDefinition,
  hypebotDefinition,
  cortexApiDefinition,
  // The AI services of document 001.
  postgresDefinition,
  redisDefinition,
  natsDefinition,
  etcdDefinition,
  litellmDefinition,
  openWebuiDefinition,
  // The homelab apps of document 004.
  commafeedDefinition,
  homepageDefinition,
  immichDefinition,
  linkdingDefinition,
  nightscoutDefinition,
  ntfyDefinition,
  pgadminDefinition,
  speedtestTrackerDefinition,
];
