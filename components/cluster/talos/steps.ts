/**
 * What every construction step of {@link TalosHcloudCluster} shares: the cluster's config and
 * pinned versions, its node plan, the component as parent and the Hetzner provider. Each step
 * (infrastructure.ts, configs.ts, servers.ts, bootstrap.ts, day2.ts, teardown.ts) takes it and
 * returns a typed record of what it created, as pulumi-eks and pulumi-awsx split their
 * cluster constructors.
 */
import type * as hcloud from "@pulumi/hcloud";
import type * as pulumi from "@pulumi/pulumi";
import type { TalosHcloudClusterConfig, Versions } from "../../../config/types";
import type { NodePlan } from "./plan";

/** Inputs every step reads. */
export interface TalosStepContext {
  /** The component's resource name: the prefix of every child's name. */
  readonly name: string;
  readonly config: TalosHcloudClusterConfig;
  readonly versions: Versions;
  /** Every static node, control planes first (plan.ts `planNodes`). */
  readonly nodes: readonly NodePlan[];
  readonly controlPlanes: readonly NodePlan[];
  /** The node etcd is bootstrapped on and whose private address is the cluster endpoint. */
  readonly firstCp: NodePlan;
  /** The component: parent of every child resource. */
  readonly parent: pulumi.ComponentResource;
  /** Provider every Hetzner resource is created with. */
  readonly hcloudProvider: hcloud.Provider;
  /** Labels of every Hetzner resource: `{ cluster: <name> }`. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Environment values of a Command; secrets stay Outputs. */
export type Env = Record<string, pulumi.Input<string>>;

/** Options of a child Hetzner resource: the component as parent, the Hetzner provider. */
export function hcloudOpts(ctx: TalosStepContext): { parent: pulumi.Resource; provider: hcloud.Provider } {
  return { parent: ctx.parent, provider: ctx.hcloudProvider };
}

/** `<pool>-<n>` part of a node's name, used in child resource names. */
export function nodeSuffix(config: TalosHcloudClusterConfig, node: NodePlan): string {
  return node.name.slice(config.name.length + 1);
}
