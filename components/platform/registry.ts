/**
 * The platform services the program ships: one plain list of definitions (defineService in
 * ./types.ts). Every service in config/catalog.ts `SERVICES` has one; a test keeps the two in
 * step.
 */
import { NETWORKING_DATA_SERVICES } from "./networking-data";
import { OPERATIONS_SERVICES } from "./operations";
import type { ServiceDefinition } from "./types";

/** Every built-in platform service. */
export const BUILT_IN_SERVICES: readonly ServiceDefinition[] = [
  ...Object.values(NETWORKING_DATA_SERVICES),
  ...Object.values(OPERATIONS_SERVICES),
];
