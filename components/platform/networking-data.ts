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
import type { ClusterConfig, ClusterKind } from "../../config/types";
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

/** Cluster kinds each service of the group can run on. */
export const NETWORKING_DATA_KINDS: Readonly<Record<string, readonly ClusterKind[]>> = {
  longhorn: ["k3s"],
  metallb: ["k3s"],
  "synology-nfs": ["k3s", "k3d-proxmox"],
  traefik: ["k3s", "k3d-proxmox"],
  "cilium-gateway": ["talos-hcloud"],
};

/** Services of the group that need another service on the same cluster, and why. */
export const NETWORKING_DATA_NEEDS: Readonly<
  Record<string, { readonly service: string; readonly why: string }>
> = {
  "cloudnative-pg": { service: "cert-manager", why: "the Barman Cloud plugin's TLS certificates" },
  "cilium-gateway": { service: "cert-manager", why: "the gateway's wildcard certificate" },
};

/** Placement errors of the group's services on one cluster (empty when all fit). */
export function checkNetworkingDataPlacement(cluster: ClusterConfig): string[] {
  const errors: string[] = [];
  const fix = `remove it from platform:clusters.${cluster.name}.services`;
  for (const service of cluster.services) {
    const kinds = NETWORKING_DATA_KINDS[service];
    if (kinds && !kinds.includes(cluster.kind)) {
      errors.push(`${service} runs only on ${kinds.join(", ")}, not ${cluster.kind}; ${fix}`);
    }
    const need = NETWORKING_DATA_NEEDS[service];
    if (need && !cluster.services.includes(need.service)) {
      errors.push(
        `${service} needs ${need.service} on the same cluster (${need.why}); add ${need.service} to platform:clusters.${cluster.name}.services`,
      );
    }
  }
  return errors;
}
