/**
 * The `networking-data` group of platform services: its registry and the secret config it
 * reads (settings parsers live in config/services, placement rules in the catalog).
 */
import {
  certManagerService,
  ciliumGatewayService,
  istioService,
  metallbService,
  traefikService,
} from "./networking";
import { cloudnativePgService } from "./postgres";
import { longhornService, synologyNfsService } from "./storage";
import type { ServiceDefinition, ServiceSecretSpec } from "./types";

export { postgresCluster, postgresUserSecretName, DOCUMENTDB } from "./postgres";
export type { PostgresClusterArgs, PostgresClusterBuild, PostgresConsumer, PostgresBackup } from "./postgres";

/** Builders by catalog name. `traefik` and `cilium-gateway` still need catalog entries. */
export const NETWORKING_DATA_SERVICES: Readonly<Record<string, ServiceDefinition>> = {
  "cert-manager": certManagerService,
  "cloudnative-pg": cloudnativePgService,
  longhorn: longhornService,
  "synology-nfs": synologyNfsService,
  metallb: metallbService,
  traefik: traefikService,
  "cilium-gateway": ciliumGatewayService,
  istio: istioService,
};

/** The secret config keys the group reads, with the services that need them. */
export const NETWORKING_DATA_SECRETS: Readonly<
  Record<string, ServiceSecretSpec & { readonly services: readonly string[] }>
> = Object.fromEntries(
  Object.values(NETWORKING_DATA_SERVICES).flatMap((def) =>
    Object.entries(def.secrets ?? {}).map(([key, spec]) => [key, { ...spec, services: [def.name] }]),
  ),
);
