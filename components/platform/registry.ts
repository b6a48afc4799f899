/**
 * The registry of platform services: catalog name -> definition (builder plus the secret
 * config it reads). Every service in config/catalog.ts has an entry; a test keeps the two
 * in step.
 */
import { NETWORKING_DATA_SERVICES } from "./networking-data";
import { OPERATIONS_SERVICES } from "./operations";
import type { ServiceDefinition } from "./types";

/**
 * A service of any settings type. A definition for settings `S` is assignable here (its
 * builder accepts a narrower context); the composition passes the settings `config/`
 * parsed for that very service.
 */
export type AnyServiceDefinition = ServiceDefinition<never>;

/** Every platform service, by catalog name. */
export const SERVICE_REGISTRY: Readonly<Record<string, AnyServiceDefinition>> = {
  ...NETWORKING_DATA_SERVICES,
  ...OPERATIONS_SERVICES,
};
