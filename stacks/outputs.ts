/**
 * The program side of the outputs contract (stacks/contract.ts): the same fields, as the
 * Outputs the program exports. Deriving the types from the contract keeps the two in step.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../components/cluster/contract";
import type { ClusterConfig } from "../config/types";
import type { AppContract, ClusterContract, DatabaseContract } from "./contract";

/** A contract type with each field allowed to be an Output. */
type AsOutputs<T> = { readonly [K in keyof T]: pulumi.Input<T[K]> };

/** Per-cluster outputs. */
export type ClusterOutputs = AsOutputs<ClusterContract>;
/** Per-app outputs. */
export type AppOutputs = AsOutputs<AppContract>;
/** Per-database outputs. */
export type DatabaseOutputs = AsOutputs<DatabaseContract>;

/** The whole stack's outputs. */
export interface StackOutputs {
  readonly stack: string;
  readonly shape: string;
  readonly clusters: Readonly<Record<string, ClusterOutputs>>;
  readonly apps: Readonly<Record<string, AppOutputs>>;
  readonly databases: Readonly<Record<string, DatabaseOutputs>>;
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
    storageClasses: [...handle.capabilities.storageClasses],
    defaultStorageClass: handle.capabilities.defaultStorageClass,
    ingress: handle.capabilities.ingress,
    ingressDomain: config.domain,
    engine: config.engine,
    delivery: config.delivery,
    gitBranch: config.git.branch,
    gitPath: config.git.path,
    ...(extra.talosconfig ? { talosconfig: extra.talosconfig } : {}),
  };
}
