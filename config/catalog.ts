/**
 * The shape of a catalog entry: what a platform service or an app needs from a cluster and
 * what a service adds to it. Each definition carries its own entry (`defineService` in
 * components/platform/types.ts, `defineApp` in components/apps/types.ts); config validation
 * checks the enabled names against them before any resource is registered.
 */
import type { ClusterKind, IngressKind, LoadBalancerKind } from "./types";
import type { SecretStoreKind } from "./units";

/** A platform service: something the cluster offers to apps. */
export interface ServiceEntry {
  readonly description: string;
  /** Source document(s) that describe it. */
  readonly source: string;
  /** Cluster kinds it can run on. @default every kind */
  readonly kinds?: readonly ClusterKind[];
  /** Other services it needs on the same cluster. @default none */
  readonly needsServices?: readonly string[];
  /** StorageClasses it adds to the cluster. @default none */
  readonly providesStorageClasses?: readonly string[];
  /** Load balancer it provides (replaces the kind's default). @default none */
  readonly providesLoadBalancer?: LoadBalancerKind;
  /** Services that do the same job; at most one of them per cluster. @default none */
  readonly conflictsWith?: readonly string[];
}

/** What an application stack needs from a cluster (its definition's `catalog`). */
export interface AppEntry {
  readonly description: string;
  readonly source: string;
  /** Services that must be enabled on the same cluster. @default none */
  readonly needsServices?: readonly string[];
  /** Other apps that must be enabled on the same cluster. @default none */
  readonly needsApps?: readonly string[];
  /** The ingress kind it routes through. @default any */
  readonly needsIngress?: IngressKind;
  /** Whether it keeps data on persistent volumes. @default false */
  readonly needsStorage?: boolean;
  /** A StorageClass it needs by name (for example NFS for a shared library). @default none */
  readonly needsStorageClass?: string;
  /**
   * How its public routes reach it: `cluster` through the cluster's ingress (the shared
   * Gateway on Talos, so `cilium-gateway`; Traefik with cert-manager TLS on K3s and k3d), or
   * `istio` through the Istio ingress gateway.
   * @default none (no public route)
   */
  readonly routes?: "cluster" | "istio";
  /** External Secrets stores its secrets come from (serviceSettings.external-secrets must set them up). @default none */
  readonly needsSecretStores?: readonly SecretStoreKind[];
}

/** Services that work only with the cluster the program built (they drive its machines). */
export const BUILT_CLUSTER_ONLY: ReadonlySet<string> = new Set(["cluster-autoscaler"]);

/** Whether a service can run on a cluster kind at all (its catalog entry's `kinds`). */
export function runsOn(
  service: { readonly name: string; readonly catalog: ServiceEntry },
  kind: ClusterKind,
): boolean {
  const kinds = service.catalog.kinds;
  // An existing cluster runs whatever distribution it runs: its operator vouches for it, except
  // for services that drive what the program built (the autoscaler scales the Talos pools).
  if (kind === "existing") return !BUILT_CLUSTER_ONLY.has(service.name);
  return kinds === undefined || kinds.includes(kind);
}
