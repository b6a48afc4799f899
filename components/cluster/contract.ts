/**
 * The cluster contract (ARCHITECTURE.md decision 2): every cluster component exposes
 * this handle, and everything above the cluster layer depends only on it.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Architecture, ClusterKind } from "../../config/types";

/** How Services of type LoadBalancer get an address on this cluster. */
export type LoadBalancerKind = "metallb" | "cilium-lb-ipam" | "k3d";

/** What serves north-south HTTP traffic on this cluster. */
export type IngressKind = "traefik" | "gateway-api";

/**
 * What a cluster offers to the layers above it. Derived from config alone (see
 * `capabilities.ts`), so validation can check app requirements before any resource exists.
 */
export interface ClusterCapabilities {
  /** StorageClass names available once the cluster and its enabled services are up. */
  readonly storageClasses: readonly string[];
  /** The StorageClass used when an app does not name one. */
  readonly defaultStorageClass: string;
  readonly loadBalancer: LoadBalancerKind;
  readonly ingress: IngressKind;
  readonly architecture: Architecture;
  /** Platform services that are enabled (and so usable as app dependencies). */
  readonly services: readonly string[];
}

/** The typed handle of a provisioned cluster. */
export interface ClusterHandle {
  readonly name: string;
  readonly kind: ClusterKind;
  /** `https://host:port` of the Kubernetes API. */
  readonly apiEndpoint: pulumi.Output<string>;
  /** Admin kubeconfig; always a secret Output. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Live provider built from `kubeconfig`; applies objects to the cluster. */
  readonly provider: k8s.Provider;
  readonly capabilities: ClusterCapabilities;
  /** Addresses of the cluster's nodes. */
  readonly nodeAddresses: pulumi.Output<string[]>;
  /** Address Services of type LoadBalancer / the ingress answer on. */
  readonly loadBalancerAddress: pulumi.Output<string>;
  /**
   * Resources that must exist before anything is applied to the cluster (the cluster
   * itself plus in-cluster essentials such as the CNI). Layers above pass these as `dependsOn`.
   */
  readonly ready: readonly pulumi.Resource[];
}
