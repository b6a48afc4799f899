/**
 * TalosHcloudCluster: Talos Linux on Hetzner Cloud (source document 002), replacing its
 * OpenTofu hcloud-k8s layer. Implements the cluster contract (contract.ts). The constructor
 * runs named steps, each in its own module and returning a typed record: the Hetzner
 * infrastructure, the Talos configs, the servers, the bootstrap, day-2 operations, and
 * scale-down and destroy.
 */
import type * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import type { TalosHcloudClusterConfig, Versions } from "../../../config/types";
import { capabilitiesOf, type ServiceProvisions } from "../capabilities";
import type { ClusterHandle } from "../contract";
import { autoscalerSettings, type AutoscalerSettings } from "./autoscaler";
import { bootstrapCluster } from "./bootstrap";
import { talosConfigs } from "./configs";
import { day2Operations } from "./day2";
import { controlPlaneAddresses, hcloudInfrastructure } from "./infrastructure";
import { planNodes } from "./plan";
import type { TalosHcloudClusterSecrets } from "./secrets";
import { clusterServers } from "./servers";
import type { TalosStepContext } from "./steps";
import { destroyGuard, gatewayLoadBalancer, nodeLeaves } from "./teardown";
import { apiSourcesWarning, validateTalosHcloudArgs } from "./validate";

export type { TalosHcloudClusterSecrets } from "./secrets";
export { gatewayLoadBalancerName, istioIngressLoadBalancerName } from "./teardown";

/** Arguments of {@link TalosHcloudCluster}. */
export interface TalosHcloudClusterArgs {
  /** The cluster's parsed config (validated again by the component). */
  readonly config: TalosHcloudClusterConfig;
  /** The service definitions the stack may enable; the enabled ones' catalog entries add StorageClasses. */
  readonly services: readonly ServiceProvisions[];
  /** Pinned versions: Talos, Kubernetes, Cilium, the hcloud CCM and CSI, talos-backup. */
  readonly versions: Versions;
  /** Provider every Hetzner resource is created with. */
  readonly hcloudProvider: hcloud.Provider;
  /** The stack secrets the cluster's own Secrets are made of. */
  readonly secrets: TalosHcloudClusterSecrets;
  /**
   * Where the Gateway's traffic enters: a Hetzner Load Balancer the component creates (which
   * the hcloud CCM then adopts for the Gateway's Service), or the fixed Cilium LB IPAM
   * address; the cluster's `loadBalancerAddress` either way.
   * @default no Gateway: the address of the first worker
   */
  readonly gateway?:
    | { readonly mode: "hcloud"; readonly location: string; readonly type: string }
    | { readonly mode: "lb-ipam"; readonly address: string };
}

/** A Talos Kubernetes cluster on Hetzner Cloud with its in-cluster essentials. */
export class TalosHcloudCluster extends pulumi.ComponentResource {
  /** The cluster contract handle. */
  public readonly handle: ClusterHandle;
  /** talosctl client config (secret). */
  public readonly talosconfig: pulumi.Output<string>;
  /** Settings for the cluster autoscaler service (non-secret). */
  public readonly autoscaler: AutoscalerSettings;
  /**
   * Worker machine config the cluster autoscaler gives its new servers as user data
   * (secret). It holds the Talos join credentials and no stack secret (the worker patch
   * carries none).
   * @default undefined: the cluster has no autoscaled pool
   */
  public readonly autoscalerWorkerConfig?: pulumi.Output<string>;

  constructor(name: string, args: TalosHcloudClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:TalosHcloudCluster", name, {}, opts);
    const { config, versions } = args;
    validateTalosHcloudArgs(config, versions);
    const sourcesWarning = apiSourcesWarning(config.apiAllowedCidrs);
    if (sourcesWarning) void pulumi.log.warn(`${config.name}: ${sourcesWarning}`, this);

    const nodes = planNodes(config);
    const controlPlanes = nodes.filter((n) => n.role === "controlplane");
    const ctx: TalosStepContext = {
      name,
      config,
      versions,
      nodes,
      controlPlanes,
      firstCp: controlPlanes[0],
      parent: this,
      hcloudProvider: args.hcloudProvider,
      labels: { cluster: config.name },
    };
    const infra = hcloudInfrastructure(ctx);
    const cp = controlPlaneAddresses(ctx);
    const configs = talosConfigs(ctx, cp);
    this.talosconfig = configs.talosconfig;
    const servers = clusterServers(ctx, infra, cp, configs);
    const cluster = bootstrapCluster(ctx, infra, cp, configs, servers, args.secrets);
    const day2 = day2Operations(ctx, configs, cluster);
    nodeLeaves(ctx, configs, cluster, servers);
    const guard = destroyGuard(ctx, infra, args.secrets.hcloudToken);
    const gatewayLb =
      args.gateway?.mode === "hcloud" ? gatewayLoadBalancer(ctx, infra, guard, args.gateway) : undefined;

    this.autoscaler = autoscalerSettings(config);
    const autoscaled = config.nodePools.find((p) => p.autoscaler);
    this.autoscalerWorkerConfig = autoscaled ? configs.poolConfigs.get(autoscaled.name) : undefined;
    const all = servers.servers;
    const firstWorker = all.find((_, i) => nodes[i].role === "worker") ?? all[0];
    this.handle = {
      name: config.name,
      kind: config.kind,
      apiEndpoint: cp.apiEndpoint,
      kubeconfig: cluster.kubeconfig,
      provider: cluster.provider,
      capabilities: capabilitiesOf(config, args.services),
      nodeAddresses: pulumi.all(all.map((s) => s.ipv4Address)),
      loadBalancerAddress: gatewayLb
        ? gatewayLb.ipv4
        : args.gateway?.mode === "lb-ipam"
          ? pulumi.output(args.gateway.address)
          : firstWorker.ipv4Address,
      ready: [
        cluster.health,
        day2.k8sUpgrade,
        day2.manifestsSync,
        cluster.metadataPolicy,
        ...cluster.restarts,
        guard,
      ],
    };
    this.registerOutputs({
      apiEndpoint: cp.apiEndpoint,
      kubeconfig: cluster.kubeconfig,
      talosconfig: this.talosconfig,
      nodeAddresses: this.handle.nodeAddresses,
    });
  }
}
