/**
 * The platform services the program ships: one plain list of definitions (defineService in
 * ./types.ts), each carrying its catalog entry (what it needs from and adds to a cluster).
 */
import { NETWORKING_DATA_SERVICES } from "./networking-data";
import { OPERATIONS_SERVICES } from "./operations";
import type { ServiceDefinition } from "./types";

/** Every built-in platform service. */
export const BUILT_IN_SERVICES: readonly ServiceDefinition[] = [
  ...Object.values(NETWORKING_DATA_SERVICES),
  ...Object.values(OPERATIONS_SERVICES),
];
