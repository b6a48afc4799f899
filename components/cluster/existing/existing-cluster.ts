/**
 * A cluster made elsewhere: the program builds nothing, it delivers the engine, services and
 * apps onto the cluster its kubeconfig reaches (ARCHITECTURE.md decision 11).
 */
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { ExistingClusterConfig } from "../../../config/types";
import { liveProvider } from "../../../providers/kubernetes";
import { capabilitiesOf, type ServiceProvisions } from "../capabilities";
import type { ClusterHandle } from "../contract";

/** Arguments of {@link ExistingCluster}. */
export interface ExistingClusterArgs {
  readonly config: ExistingClusterConfig;
  /** The service definitions the stack may enable; the enabled ones' catalog entries add StorageClasses. */
  readonly services: readonly ServiceProvisions[];
  /** Admin kubeconfig of the cluster (a secret). */
  readonly kubeconfig: pulumi.Input<string>;
}

/**
 * The API endpoint a kubeconfig's current context points at (the first cluster when it names
 * no context). Throws naming what is missing, never the kubeconfig's content.
 */
export function kubeconfigServer(kubeconfig: string): string {
  let doc: unknown;
  try {
    doc = parse(kubeconfig);
  } catch {
    throw new Error("kubeconfig: not YAML");
  }
  const config = (doc ?? {}) as {
    "current-context"?: string;
    contexts?: { name?: string; context?: { cluster?: string } }[];
    clusters?: { name?: string; cluster?: { server?: string } }[];
  };
  const context = config.contexts?.find((c) => c.name === config["current-context"]);
  const cluster = context
    ? config.clusters?.find((c) => c.name === context.context?.cluster)
    : config.clusters?.[0];
  const server = cluster?.cluster?.server;
  if (typeof server !== "string" || !/^https:\/\/\S+$/.test(server)) {
    throw new Error("kubeconfig: its current context names no cluster with an https:// server");
  }
  return server;
}

/**
 * An existing cluster, reached through its kubeconfig.
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
export class ExistingCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:ExistingCluster", name, {}, opts);
    const kubeconfig = pulumi.secret(pulumi.output(args.kubeconfig));
    const provider = liveProvider(`${name}-k8s`, kubeconfig, { parent: this });
    const apiEndpoint = kubeconfig.apply(kubeconfigServer);
    this.handle = {
      name,
      kind: "existing",
      apiEndpoint: pulumi.unsecret(apiEndpoint),
      kubeconfig,
      provider,
      capabilities: capabilitiesOf(args.config, args.services),
      nodeAddresses: pulumi.output([]),
      loadBalancerAddress: pulumi.output(args.config.loadBalancerAddress),
      ready: [],
    };
    this.registerOutputs({ apiEndpoint: this.handle.apiEndpoint });
  }
}
