/**
 * Scale-down and destroy: each node leaves the cluster before its server is deleted, and a
 * destroy stops before the network and firewall while the cluster's own creations (autoscaled
 * servers, the CCM's load balancers, retained volumes) remain. Also the Gateway's load
 * balancer, which is deleted after that guard ran.
 */
import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import type * as pulumi from "@pulumi/pulumi";
import { autoscalerSettings } from "./autoscaler";
import type { BootstrappedCluster } from "./bootstrap";
import type { TalosConfigs } from "./configs";
import type { HcloudInfrastructure } from "./infrastructure";
import type { TalosHcloudClusterSecrets } from "./secrets";
import type { ClusterServers } from "./servers";
import { hcloudOpts, nodeSuffix, type TalosStepContext } from "./steps";
import * as scripts from "./talosctl";

/** Name of the Gateway's load balancer the hcloud CCM creates (components/platform/cilium-gateway/index.ts). */
export function gatewayLoadBalancerName(cluster: string): string {
  return `${cluster}-gateway`;
}

/** The Hetzner Load Balancer the hcloud CCM creates for the Istio ingress gateway (istio service). */
export function istioIngressLoadBalancerName(cluster: string): string {
  return `${cluster}-istio-ingress`;
}

/**
 * Each node leaves the cluster before its server is deleted (`delete` of `-leave` runs first:
 * it depends on the server). Each depends on the previous node's, so removals run one at a
 * time in reverse (workers first, then control planes one by one): etcd keeps quorum through
 * every member removal.
 */
export function nodeLeaves(
  ctx: TalosStepContext,
  configs: TalosConfigs,
  cluster: BootstrappedCluster,
  nodes: ClusterServers,
): void {
  let leavePrevious: pulumi.Resource | undefined;
  ctx.nodes.forEach((n, i) => {
    leavePrevious = new command.local.Command(
      `${ctx.name}-${nodeSuffix(ctx.config, n)}-leave`,
      {
        create: scripts.NOOP,
        delete: scripts.leaveScript(n.role),
        environment: {
          TALOSCONFIG_CONTENT: configs.talosconfig,
          KUBECONFIG_CONTENT: cluster.kubeconfig,
          TALOS_NODE: n.privateIp,
          NODE_NAME: n.name,
        },
        interpreter: ["/bin/bash", "-c"],
      },
      {
        parent: ctx.parent,
        dependsOn: [nodes.servers[i], nodes.inits[i], ...(leavePrevious ? [leavePrevious] : [])],
      },
    );
  });
}

/**
 * Deleted before the network and firewall: stops a destroy that would fail on what the
 * cluster itself created in the project (talosctl.ts `destroyGuardScript`).
 */
export function destroyGuard(
  ctx: TalosStepContext,
  infra: HcloudInfrastructure,
  hcloudToken: TalosHcloudClusterSecrets["hcloudToken"],
): command.local.Command {
  const { config } = ctx;
  return new command.local.Command(
    `${ctx.name}-destroy-guard`,
    {
      create: scripts.NOOP,
      delete: scripts.destroyGuardScript(),
      environment: {
        HCLOUD_TOKEN: hcloudToken,
        NODE_GROUPS: autoscalerSettings(config)
          .nodeGroups.map((g) => g.name)
          .join(" "),
        LOAD_BALANCERS: [
          gatewayLoadBalancerName(config.name),
          istioIngressLoadBalancerName(config.name),
        ].join(" "),
        VOLUME_SELECTOR: `cluster=${config.name}`,
      },
      interpreter: ["/bin/bash", "-c"],
    },
    {
      parent: ctx.parent,
      dependsOn: [
        infra.network,
        infra.subnet,
        infra.firewall,
        ...(infra.autoscalerSubnet ? [infra.autoscalerSubnet] : []),
      ],
    },
  );
}

/**
 * The Gateway's load balancer, made here so the program knows its address and removes it on
 * destroy. The hcloud CCM looks a Service's load balancer up by the name annotation when none
 * carries the Service's UID label: "Import of load balancers which were created by other means
 * but should be re-used by the cloud controller manager" (hcloud-cloud-controller-manager
 * hcloud/load_balancers.go, EnsureLoadBalancer); it then adds that label, attaches the private
 * network and manages services and targets.
 */
export function gatewayLoadBalancer(
  ctx: TalosStepContext,
  infra: HcloudInfrastructure,
  guard: command.local.Command,
  gateway: { readonly location: string; readonly type: string },
): hcloud.LoadBalancer {
  return new hcloud.LoadBalancer(
    `${ctx.name}-gateway-lb`,
    {
      name: gatewayLoadBalancerName(ctx.config.name),
      loadBalancerType: gateway.type,
      location: gateway.location,
      labels: ctx.labels,
    },
    // Deleted before the network it is attached to, and after the destroy guard ran.
    { ...hcloudOpts(ctx), ignoreChanges: ["labels"], dependsOn: [infra.network, infra.subnet, guard] },
  );
}
