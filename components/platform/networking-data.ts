/**
 * The `networking-data` group of platform services: its registry, the secret config it
 * reads, its settings parsers and the placement rules config validation folds in.
 */
import {
  parseCertManagerSettings,
  parseCiliumGatewaySettings,
  parseCloudnativePgSettings,
  parseIstioSettings,
  parseLonghornSettings,
  parseMetallbSettings,
  parseSynologyNfsSettings,
  parseTraefikSettings,
} from "../../config/services/networking-data";
import type { Reader } from "../../config/reader";
import type { ClusterConfig } from "../../config/types";
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

/* eslint-disable @typescript-eslint/no-explicit-any -- each definition is typed by its own settings */
/** Builders by catalog name. `traefik` and `cilium-gateway` still need catalog entries. */
export const NETWORKING_DATA_SERVICES: Readonly<Record<string, ServiceDefinition<any>>> = {
  "cert-manager": certManagerService,
  "cloudnative-pg": cloudnativePgService,
  longhorn: longhornService,
  "synology-nfs": synologyNfsService,
  metallb: metallbService,
  traefik: traefikService,
  "cilium-gateway": ciliumGatewayService,
  istio: istioService,
};

/** Settings parsers by catalog name: `(reader of serviceSettings.<name>, cluster) => settings`. */
export const NETWORKING_DATA_SETTINGS: Readonly<Record<string, (r: Reader, cluster: ClusterConfig) => any>> =
  {
    "cert-manager": parseCertManagerSettings,
    "cloudnative-pg": parseCloudnativePgSettings,
    longhorn: parseLonghornSettings,
    "synology-nfs": parseSynologyNfsSettings,
    metallb: parseMetallbSettings,
    traefik: parseTraefikSettings,
    "cilium-gateway": parseCiliumGatewaySettings,
    istio: parseIstioSettings,
  };
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The secret config keys the group reads, with the services that need them. */
export const NETWORKING_DATA_SECRETS: Readonly<
  Record<string, ServiceSecretSpec & { readonly services: readonly string[] }>
> = Object.fromEntries(
  Object.values(NETWORKING_DATA_SERVICES).flatMap((def) =>
    Object.entries(def.secrets ?? {}).map(([key, spec]) => [key, { ...spec, services: [def.name] }]),
  ),
);
