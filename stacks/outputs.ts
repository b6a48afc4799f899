/**
 * The outputs contract: what other teams read through a StackReference. Keys are a
 * public contract; renaming one is a breaking change for consumers.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../components/cluster/contract";
import type { ClusterConfig } from "../config/types";

/** Per-cluster outputs. */
export interface ClusterOutputs {
  readonly name: string;
  readonly kind: string;
  readonly apiEndpoint: pulumi.Output<string>;
  /** Admin kubeconfig (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  readonly nodeAddresses: pulumi.Output<string[]>;
  readonly loadBalancerAddress: pulumi.Output<string>;
  readonly storageClasses: readonly string[];
  readonly defaultStorageClass: string;
  readonly ingress: string;
  readonly engine: string;
  readonly delivery: string;
  readonly gitBranch: string;
  readonly gitPath: string;
  /** Talos client config (secret); only Talos clusters have one. */
  readonly talosconfig?: pulumi.Output<string>;
}

/** The whole stack's outputs. */
export interface StackOutputs {
  readonly stack: string;
  readonly shape: string;
  readonly clusters: Readonly<Record<string, ClusterOutputs>>;
}

/** Builds one cluster's outputs from its config and handle. */
export function clusterOutputs(
  config: ClusterConfig,
  handle: ClusterHandle,
  extra: { talosconfig?: pulumi.Output<string> } = {},
): ClusterOutputs {
  return {
    name: handle.name,
    kind: handle.kind,
    apiEndpoint: handle.apiEndpoint,
    kubeconfig: handle.kubeconfig,
    nodeAddresses: handle.nodeAddresses,
    loadBalancerAddress: handle.loadBalancerAddress,
    storageClasses: handle.capabilities.storageClasses,
    defaultStorageClass: handle.capabilities.defaultStorageClass,
    ingress: handle.capabilities.ingress,
    engine: config.engine,
    delivery: config.delivery,
    gitBranch: config.git.branch,
    gitPath: config.git.path,
    ...(extra.talosconfig ? { talosconfig: extra.talosconfig } : {}),
  };
}
