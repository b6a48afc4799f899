/**
 * The catalog of platform services the source documents name, with what each needs from a
 * cluster, and the shape of an app's needs (each app's definition carries its own entry).
 * Config validation checks enabled names against them before any resource is registered.
 *
 * Every service has a definition in components/platform/registry.ts (a test keeps the two in
 * step).
 */
import type { ClusterKind, IngressKind, LoadBalancerKind } from "./types";
import type { SecretStoreKind } from "./units";

/** A platform service: something the cluster offers to apps. */
export interface ServiceEntry {
  readonly description: string;
  /** Source document(s) that describe it. */
  readonly source: string;
  /** Cluster kinds it can run on; all when absent. */
  readonly kinds?: readonly ClusterKind[];
  /** Other services it needs on the same cluster. */
  readonly needsServices?: readonly string[];
  /** StorageClasses it adds to the cluster. */
  readonly providesStorageClasses?: readonly string[];
  /** Load balancer it provides (replaces the kind's default). */
  readonly providesLoadBalancer?: LoadBalancerKind;
  /** Services that do the same job; at most one of them per cluster. */
  readonly conflictsWith?: readonly string[];
}

/** What an application stack needs from a cluster (its definition's `catalog`). */
export interface AppEntry {
  readonly description: string;
  readonly source: string;
  /** Services that must be enabled on the same cluster. */
  readonly needsServices?: readonly string[];
  /** Other apps that must be enabled on the same cluster. */
  readonly needsApps?: readonly string[];
  /** The ingress kind it routes through; any when absent. */
  readonly needsIngress?: IngressKind;
  /** Whether it keeps data on persistent volumes. */
  readonly needsStorage?: boolean;
  /** A StorageClass it needs by name (for example NFS for a shared library). */
  readonly needsStorageClass?: string;
  /**
   * How its public routes reach it: `cluster` through the cluster's ingress (the shared
   * Gateway on Talos, so `cilium-gateway`; Traefik with cert-manager TLS on K3s and k3d), or
   * `istio` through the Istio ingress gateway.
   */
  readonly routes?: "cluster" | "istio";
  /** External Secrets stores its secrets come from (serviceSettings.external-secrets must set them up). */
  readonly needsSecretStores?: readonly SecretStoreKind[];
}

/** Every platform service a cluster may enable. */
export const SERVICES: Readonly<Record<string, ServiceEntry>> = {
  "cert-manager": {
    description: "TLS certificates (Let's Encrypt DNS-01 via Cloudflare)",
    source: "002, 004",
  },
  "cloudnative-pg": {
    description: "PostgreSQL operator with the Barman Cloud backup plugin",
    source: "000, 002, 004",
    // The Barman Cloud plugin's TLS certificates come from cert-manager (plugin docs).
    needsServices: ["cert-manager"],
  },
  longhorn: {
    description: "Replicated block storage (3 replicas) on the hosts' NVMe",
    source: "004",
    kinds: ["k3s"],
    providesStorageClasses: ["longhorn"],
  },
  metallb: {
    description: "Layer-2 load balancer serving the VIP",
    source: "004",
    kinds: ["k3s"],
    providesLoadBalancer: "metallb",
  },
  "synology-nfs": {
    description: "NFS StorageClasses on the Synology NAS (all_squash to UID 1024)",
    source: "001",
    kinds: ["k3s", "k3d-proxmox"],
    providesStorageClasses: ["synology-nfs", "synology-nfs-ephemeral"],
  },
  traefik: {
    description: "K3s's bundled Traefik, configured: HTTP to HTTPS redirect, the MetalLB VIP",
    source: "004",
    kinds: ["k3s", "k3d-proxmox"],
  },
  "cilium-gateway": {
    description: "The shared Gateway API gateway on Cilium, its LB IPAM pool and wildcard certificate",
    source: "002",
    kinds: ["talos-hcloud"],
    needsServices: ["cert-manager"],
  },
  "kube-prometheus-stack": {
    description: "Prometheus and Grafana",
    source: "004",
    conflictsWith: ["victoria-metrics"],
  },
  "victoria-metrics": {
    description: "VictoriaMetrics, Grafana and the Prometheus adapter",
    source: "002",
    conflictsWith: ["kube-prometheus-stack"],
  },
  "victoria-logs": { description: "Log aggregation", source: "002" },
  "external-secrets": {
    description: "External Secrets Operator with the Bitwarden store",
    source: "002",
  },
  "onepassword-operator": {
    description: "1Password operator for external API keys",
    source: "001",
  },
  "sealed-secrets": { description: "Bitnami SealedSecrets controller", source: "000" },
  "cluster-autoscaler": {
    description: "Hetzner cluster autoscaler for the autoscaler pool",
    source: "002",
    kinds: ["talos-hcloud"],
  },
  vpa: { description: "Vertical Pod Autoscaler in recommender mode", source: "002" },
  descheduler: { description: "Workload rebalancing", source: "002" },
  "metrics-server": {
    description: "Resource metrics API (K3s ships its own)",
    source: "002",
    kinds: ["talos-hcloud"],
  },
  istio: { description: "Istio service mesh (mTLS, JWT, gateway)", source: "003" },
  renovate: { description: "Renovate as an hourly CronJob", source: "002, 004" },
};

/** Services that work only with the cluster the program built (they drive its machines). */
export const BUILT_CLUSTER_ONLY: ReadonlySet<string> = new Set(["cluster-autoscaler"]);

/** Whether a service can run on a cluster kind at all (the catalog's `kinds`). */
export function runsOn(service: string, kind: ClusterKind): boolean {
  const kinds = SERVICES[service]?.kinds;
  // An existing cluster runs whatever distribution it runs: its operator vouches for it, except
  // for services that drive what the program built (the autoscaler scales the Talos pools).
  if (kind === "existing") return !BUILT_CLUSTER_ONLY.has(service);
  return kinds === undefined || kinds.includes(kind);
}
