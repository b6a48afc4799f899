/** The cluster-autoscaler platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import * as pulumi from "@pulumi/pulumi";
import { type ClusterAutoscalerChart, parseClusterAutoscalerChart } from "./settings";
import type { Addon, LiveSecret } from "../../gitops/delivery";
import type { AutoscalerSettings } from "../../cluster/talos/autoscaler";
import { addonChart, defineService } from "../types";
import { RESTRICTED_CONTAINER } from "../cluster-helpers";
import { CLUSTER_AUTOSCALER_CHART } from "./settings";

/** The live Secret the cluster autoscaler reads its Hetzner credentials from (`envFromSecret`). */
export const AUTOSCALER_SECRET = "cluster-autoscaler-hetzner";

/**
 * `--flag=value` args as the chart's `extraArgs` map, without the flags the chart renders
 * itself: `--cloud-provider` (from `cloudProvider`) and `--nodes` (from `autoscalingGroups`).
 */
export function autoscalerExtraArgs(args: readonly string[]): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const arg of args) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`cluster-autoscaler: argument "${arg}" is not of the form --flag=value`);
    const [, flag, value] = match;
    if (flag === "cloud-provider" || flag === "nodes") continue;
    if (flag in out) throw new Error(`cluster-autoscaler: argument --${flag} is given twice`);
    out[flag] = value;
  }
  return out;
}

/** cluster-autoscaler for Hetzner (002): the chart plus the Talos component's settings and secret worker config. */
export interface ClusterAutoscalerSettings extends ClusterAutoscalerChart {
  /** From `autoscalerSettings()` of components/cluster/talos/autoscaler.ts. */
  readonly autoscaler: AutoscalerSettings;
  /** `HCLOUD_CLOUD_INIT`: base64 of the worker machine config; secret, only in a live Secret. */
  readonly workerConfigBase64: pulumi.Output<string>;
}

/**
 * cluster-autoscaler for Hetzner (002: autoscaler pool cx32 0-2, 10m/10m/8m least-waste),
 * configured as the hcloud-k8s module 002 uses does it (hcloud-k8s/terraform-hcloud-kubernetes
 * autoscaler.tf): `cloudProvider: hetzner`, one `autoscalingGroups` entry per pool, on the
 * control plane. `HCLOUD_CLUSTER_CONFIG` (base64 JSON: imagesForArch, and per node group the
 * raw worker machine config as cloudInit, labels, taints) replaces HCLOUD_CLOUD_INIT and
 * HCLOUD_IMAGE (cluster-autoscaler/cloudprovider/hetzner/README.md); it and the token live
 * only in a live Secret read through `envFromSecret`.
 */
export const clusterAutoscalerService = defineService<ClusterAutoscalerChart>({
  name: "cluster-autoscaler",
  catalog: {
    description: "Hetzner cluster autoscaler for the autoscaler pool",
    source: "002",
    kinds: ["talos-hcloud"],
  },
  charts: { autoscaler: CLUSTER_AUTOSCALER_CHART },
  parse: parseClusterAutoscalerChart,
  secrets: { hcloudToken: { description: "Hetzner Cloud API token", required: true } },
  build(ctx) {
    const token = ctx.secrets.hcloudToken;
    if (token === undefined) {
      throw new Error(
        "Missing secret config platform:hcloudToken: cluster-autoscaler is enabled; set it with `pulumi config set --secret platform:hcloudToken <value>`",
      );
    }
    const facts = ctx.fromCluster?.autoscaler;
    if (facts === undefined || facts.settings.nodeGroups.length === 0) {
      throw new Error(
        `cluster-autoscaler: cluster ${ctx.cluster.name} has no autoscaled node pool; give a pool \`autoscaler.max\` or remove cluster-autoscaler from platform:clusters.${ctx.cluster.name}.services`,
      );
    }
    const s: ClusterAutoscalerSettings = {
      ...ctx.settings,
      autoscaler: facts.settings,
      workerConfigBase64: facts.workerConfigBase64,
    };
    const { HCLOUD_IMAGE: image, ...plainEnv } = s.autoscaler.env;
    if (image === undefined) {
      throw new Error(
        "cluster-autoscaler: the Talos autoscaler settings carry no HCLOUD_IMAGE; the autoscaler cannot boot Talos workers without the image",
      );
    }
    const arch = ctx.cluster.capabilities.architecture;
    const nodeConfigs = s.autoscaler.clusterConfig.nodeConfigs;
    const clusterConfig = pulumi.secret(s.workerConfigBase64).apply((b64) => {
      const cloudInit = Buffer.from(b64, "base64").toString("utf8");
      const configs: Record<string, unknown> = {};
      for (const [group, cfg] of Object.entries(nodeConfigs)) {
        configs[group] = { cloudInit, labels: cfg.labels, taints: cfg.taints };
      }
      const json = JSON.stringify({ imagesForArch: { [arch]: image }, nodeConfigs: configs });
      return Buffer.from(json, "utf8").toString("base64");
    });
    const addon: Addon = {
      kind: "addon",
      name: "cluster-autoscaler",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      ...addonChart(CLUSTER_AUTOSCALER_CHART, s.version),
      includeCrds: false,
      values: {
        cloudProvider: "hetzner",
        image: { repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: s.imageTag },
        autoscalingGroups: s.autoscaler.nodeGroups.map((g) => ({
          name: g.name,
          minSize: g.min,
          maxSize: g.max,
          instanceType: g.serverType,
          region: g.location,
        })),
        extraArgs: autoscalerExtraArgs(s.autoscaler.args),
        extraEnv: { ...plainEnv },
        envFromSecret: AUTOSCALER_SECRET,
        // On the control plane, so scaling a pool down never evicts the autoscaler itself.
        nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
        tolerations: [
          { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule", operator: "Exists" },
        ],
        containerSecurityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
      },
    };
    const liveSecrets: LiveSecret[] = [
      {
        name: AUTOSCALER_SECRET,
        namespace: "kube-system",
        stringData: { HCLOUD_TOKEN: token, HCLOUD_CLUSTER_CONFIG: clusterConfig },
      },
    ];
    return { items: [addon], liveSecrets };
  },
});
