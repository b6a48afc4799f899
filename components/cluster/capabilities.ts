/**
 * Cluster capabilities derived from config alone, so that config validation and the
 * cluster components agree on what a cluster offers before anything is provisioned.
 */
import type { ClusterConfig } from "../../config/types";
import type { ServiceUnit } from "../../config/units";
import type { ClusterCapabilities, IngressKind, LoadBalancerKind } from "./contract";

/** The LUKS-encrypted Hetzner CSI StorageClass every Talos cluster gets. */
export const HCLOUD_ENCRYPTED_STORAGE_CLASS = "hcloud-volumes-encrypted";

interface KindBase {
  readonly storageClasses: readonly string[];
  readonly defaultStorageClass: string;
  readonly loadBalancer: LoadBalancerKind;
  readonly ingress: IngressKind;
}

const KIND_BASE: Readonly<Record<Exclude<ClusterConfig["kind"], "existing">, KindBase>> = {
  // Cilium LB IPAM and Gateway API, Hetzner CSI (source document 002).
  "talos-hcloud": {
    storageClasses: [HCLOUD_ENCRYPTED_STORAGE_CLASS],
    defaultStorageClass: HCLOUD_ENCRYPTED_STORAGE_CLASS,
    loadBalancer: "cilium-lb-ipam",
    ingress: "gateway-api",
  },
  // K3s keeps Traefik and local-path; ServiceLB is disabled, MetalLB serves the VIP (004).
  k3s: {
    storageClasses: ["local-path"],
    defaultStorageClass: "local-path",
    loadBalancer: "metallb",
    ingress: "traefik",
  },
  // k3d's own load balancer publishes 80/443 on the VM (004).
  "k3d-proxmox": {
    storageClasses: ["local-path"],
    defaultStorageClass: "local-path",
    loadBalancer: "k3d",
    ingress: "traefik",
  },
};

/** The ingress a cluster routes through (its kind's, or what an existing cluster states). */
export function ingressOf(cluster: ClusterConfig): IngressKind {
  return cluster.kind === "existing" ? cluster.ingress : KIND_BASE[cluster.kind].ingress;
}

/** The part of a service definition capabilities read: its name and what it adds. */
export type ServiceProvisions = Pick<ServiceUnit, "name" | "catalog">;

/**
 * What a cluster offers once it and its enabled services are up; `services` are the service
 * definitions the stack may enable (stacks/units.ts), whose catalog entries say which
 * StorageClasses an enabled one adds.
 */
export function capabilitiesOf(
  cluster: ClusterConfig,
  services: readonly ServiceProvisions[],
): ClusterCapabilities {
  // An existing cluster states what it offers; the kinds the program builds derive it.
  const base: KindBase = cluster.kind === "existing" ? cluster : KIND_BASE[cluster.kind];
  const storageClasses = [...base.storageClasses];
  let defaultStorageClass = base.defaultStorageClass;
  for (const name of cluster.services) {
    const service = services.find((s) => s.name === name);
    for (const sc of service?.catalog.providesStorageClasses ?? []) {
      if (!storageClasses.includes(sc)) storageClasses.push(sc);
    }
  }
  // Longhorn is the production homelab's replicated default (004).
  if (storageClasses.includes("longhorn")) defaultStorageClass = "longhorn";
  return {
    storageClasses,
    defaultStorageClass,
    loadBalancer: base.loadBalancer,
    ingress: ingressOf(cluster),
    architecture: cluster.architecture,
    services: [...cluster.services],
  };
}
