/**
 * The program side of the outputs contract (stacks/contract.ts): the same fields, as the
 * Outputs the program exports. Deriving the types from the contract keeps the two in step.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { ClusterHandle } from "../components/cluster/contract";
import { CONSUMER_NAMESPACE, CONSUMER_SERVICE_ACCOUNT } from "../components/platform/consumer-access";
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

/**
 * The `certificate-authority-data` of a kubeconfig's current cluster: the CA certificate, a
 * public value, so it leaves the secret kubeconfig as a plain output.
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
export function certificateAuthorityData(kubeconfig: string): string {
  const doc = parse(kubeconfig) as {
    "current-context"?: string;
    contexts?: { name: string; context?: { cluster?: string } }[];
    clusters?: { name: string; cluster?: { "certificate-authority-data"?: string } }[];
  };
  const context = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts?.[0];
  const cluster = doc.clusters?.find((c) => c.name === context?.context?.cluster) ?? doc.clusters?.[0];
  const data = cluster?.cluster?.["certificate-authority-data"];
  if (!data)
    throw new Error(
      "the cluster's kubeconfig has no certificate-authority-data: the outputs contract exports the CA, so the kubeconfig must embed it",
    );
  return data;
}

/** Builds one cluster's outputs from its config and handle. No admin credential is among them. */
export function clusterOutputs(config: ClusterConfig, handle: ClusterHandle): ClusterOutputs {
  return {
    name: handle.name,
    kind: handle.kind,
    apiEndpoint: handle.apiEndpoint,
    // Read from the secret kubeconfig, but the CA alone is public (unsecret).
    certificateAuthorityData: pulumi.unsecret(handle.kubeconfig.apply(certificateAuthorityData)),
    consumerNamespace: CONSUMER_NAMESPACE,
    consumerServiceAccount: CONSUMER_SERVICE_ACCOUNT,
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
  };
}
