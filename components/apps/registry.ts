/**
 * The registry of application stacks: catalog name -> definition. An app in config/catalog.ts
 * is built when it has an entry here (its catalog entry says `delivered: true`; a test keeps
 * the two in step).
 */
import { immichDefinition } from "./immich";
import { nightscoutDefinition } from "./nightscout";
import { pgadminDefinition } from "./pgadmin";
import { steadyDefinition } from "./steady";
import type { AppDefinition } from "./types";

/** An app of any settings type (the composition passes the settings parsed for it). */
export type AnyAppDefinition = AppDefinition<never>;

export const APP_REGISTRY: Readonly<Record<string, AnyAppDefinition>> = {
  steady: steadyDefinition,
  immich: immichDefinition,
  nightscout: nightscoutDefinition,
  pgadmin: pgadminDefinition,
};
