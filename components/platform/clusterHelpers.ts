/**
 * Cluster helpers (002 "Infrastructure Apps"; 004 Renovate): metrics-server, VPA in
 * recommender mode, descheduler, cluster-autoscaler for Hetzner, Renovate as an hourly
 * CronJob; plus the platform PriorityClass and the baseline NetworkPolicies apps reuse.
 */
import { namespaceObject } from "../../lib/namespaces";
import * as pulumi from "@pulumi/pulumi";
import {
  type ClusterAutoscalerChart,
  type DeschedulerSettings,
  type MetricsServerSettings,
  type RenovateSettings,
  type VpaSettings,
  parseClusterAutoscalerChart,
  parseDeschedulerSettings,
  parseMetricsServerSettings,
  parseRenovateSettings,
  parseVpaSettings,
} from "../../config/services/operations";
import type { Addon, Bundle, JsonValue, KubeObject, LiveSecret } from "../gitops/delivery";
import type { AutoscalerSettings } from "../cluster/talos/autoscaler";
import { defineService } from "./types";

const RESTRICTED_CONTAINER: { [key: string]: JsonValue } = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export const metricsServerService = defineService<MetricsServerSettings>({
  name: "metrics-server",
  catalog: {
    description: "Resource metrics API (K3s ships its own)",
    source: "002",
    kinds: ["talos-hcloud"],
  },
  parse: parseMetricsServerSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "metrics-server",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      repository: "https://kubernetes-sigs.github.io/metrics-server",
      chart: "metrics-server",
      version: ctx.settings.version,
      includeCrds: false,
      // metrics-server chart values: `args` are appended to the defaults.
      values: ctx.settings.kubeletInsecureTls ? { args: ["--kubelet-insecure-tls"] } : {},
    };
    return { items: [addon], liveSecrets: [] };
  },
});

/**
 * VPA recommender only (002: "recommender mode only, updater/admission disabled"). Fairwinds
 * `vpa` chart values `recommender.enabled`, `updater.enabled`, `admissionController.enabled`
 * (FairwindsOps/charts#1133 shows exactly these keys).
 */
export const vpaService = defineService<VpaSettings>({
  name: "vpa",
  catalog: { description: "Vertical Pod Autoscaler in recommender mode", source: "002" },
  parse: parseVpaSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "vpa",
      layer: "infrastructure-controllers",
      namespace: "vpa",
      repository: "https://charts.fairwinds.com/stable",
      chart: "vpa",
      version: ctx.settings.version,
      includeCrds: true,
      values: {
        recommender: { enabled: true },
        updater: { enabled: false },
        admissionController: { enabled: false },
        "metrics-server": { enabled: false },
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
});

/** 002's descheduler policy (goingdark-social/IaC base-system/descheduler/patches/policy-configmap.yaml). */
export const DESCHEDULER_POLICY: { [key: string]: JsonValue } = {
  profiles: [
    {
      name: "default",
      pluginConfig: [
        {
          name: "LowNodeUtilization",
          args: {
            useDeviationThresholds: true,
            thresholds: { cpu: 40, memory: 40, pods: 40 },
            targetThresholds: { cpu: 75, memory: 75, pods: 75 },
            evictableNamespaces: { exclude: ["kube-system"] },
          },
        },
      ],
      plugins: {
        deschedule: {
          enabled: [
            "RemovePodsViolatingInterPodAntiAffinity",
            "RemovePodsViolatingNodeAffinity",
            "RemovePodsViolatingNodeTaints",
            "RemovePodsViolatingTopologySpreadConstraint",
          ],
        },
        balance: { enabled: ["LowNodeUtilization", "RemoveDuplicates"] },
      },
    },
  ],
};

export const deschedulerService = defineService<DeschedulerSettings>({
  name: "descheduler",
  catalog: { description: "Workload rebalancing", source: "002" },
  parse: parseDeschedulerSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "descheduler",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      repository: "https://kubernetes-sigs.github.io/descheduler",
      chart: "descheduler",
      version: ctx.settings.version,
      includeCrds: false,
      // descheduler chart values: kind, deschedulingInterval, leaderElection,
      // deschedulerPolicyAPIVersion, deschedulerPolicy (chart README / values.yaml).
      values: {
        kind: "Deployment",
        replicas: 1,
        deschedulingInterval: ctx.settings.interval,
        leaderElection: { enabled: true },
        deschedulerPolicyAPIVersion: "descheduler/v1alpha2",
        deschedulerPolicy: DESCHEDULER_POLICY,
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
});

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
      repository: "https://kubernetes.github.io/autoscaler",
      chart: "cluster-autoscaler",
      version: s.version,
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

/** Renovate (004: "Runs hourly as a CronJob in the cluster"), as 004's repository runs it. */
export const renovateService = defineService<RenovateSettings>({
  name: "renovate",
  catalog: { description: "Renovate as an hourly CronJob", source: "002, 004" },
  parse: parseRenovateSettings,
  secrets: { renovateToken: { description: "Token Renovate uses on the git platform", required: true } },
  build(ctx) {
    const s = ctx.settings;
    const token = ctx.secrets.renovateToken;
    if (token === undefined) {
      throw new Error(
        "Missing secret config platform:renovateToken: renovate is enabled; set it with `pulumi config set --secret platform:renovateToken <value>`",
      );
    }
    const ns = "renovate";
    const objects: KubeObject[] = [
      namespaceObject(ns),
      ...baselineNetworkPolicies(ns),
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-https-egress", namespace: ns },
        // Renovate talks to the git platform and to registries over HTTPS only, on the
        // internet: nothing in the cluster, the LAN or the metadata service.
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ ipBlock: { ...INTERNET_IP_BLOCK, except: [...INTERNET_IP_BLOCK.except] } }],
              ports: [{ protocol: "TCP", port: 443 }],
            },
          ],
        },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "renovate-configmap", namespace: ns },
        // 004's renovate-configmap: platform, no autodiscovery.
        data: { RENOVATE_AUTODISCOVER: "false", RENOVATE_PLATFORM: s.platform, RENOVATE_ONBOARDING: "false" },
      },
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: {
          name: "renovate",
          namespace: ns,
          annotations: {
            // The declared opt-out the policy pack honours (policy/exceptions.ts).
            "policy.platform.io/read-only-root-filesystem":
              "004: the renovate image writes to /home/ubuntu as well as its base dir",
          },
        },
        spec: {
          schedule: s.schedule,
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 1,
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              template: {
                spec: {
                  // 004: "It has no reason to hold a Kubernetes API credential".
                  automountServiceAccountToken: false,
                  restartPolicy: "Never",
                  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                  containers: [
                    {
                      name: "renovate",
                      image: s.image,
                      args: [...s.repositories],
                      envFrom: [
                        { secretRef: { name: "renovate-env" } },
                        { configMapRef: { name: "renovate-configmap" } },
                      ],
                      // 004 keeps the root filesystem writable on purpose ("the image writes to
                      // /home/ubuntu as well as its base dir"); everything else is restricted.
                      // A batch job has no probes: the Job's exit code is its health.
                      securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false },
                      // 004: requests 100m/512Mi, memory limit 2Gi, no CPU limit.
                      resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "2Gi" } },
                    },
                  ],
                },
              },
            },
          },
        },
      },
    ];
    const bundle: Bundle = {
      kind: "bundle",
      name: "renovate",
      layer: "infrastructure-controllers",
      namespace: ns,
      objects,
    };
    return {
      items: [bundle],
      liveSecrets: [{ name: "renovate-env", namespace: ns, stringData: { RENOVATE_TOKEN: token } }],
    };
  },
});

/** Platform PriorityClass for the program's own critical components (apps own theirs). */
export function platformPriorityClasses(): Bundle {
  const pc = (name: string, value: number, description: string): KubeObject => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name },
    value,
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
    description,
  });
  return {
    kind: "bundle",
    name: "platform-priority-classes",
    layer: "infrastructure-controllers",
    namespace: "kube-system",
    objects: [
      // Below system-cluster-critical (2000000000) and above 002's mastodon-critical (1000000).
      pc("platform-critical", 100000000, "Platform controllers the cluster cannot run without"),
      pc("platform-high", 10000000, "Platform services that serve apps"),
    ],
  };
}

/**
 * The internet as an egress destination: every IPv4 address except the private and
 * special-purpose ranges (RFC 1918 private networks, RFC 6598 shared address space, RFC 3927
 * link-local, which holds the cloud metadata service at 169.254.169.254 where Hetzner serves
 * a server's user data, and loopback). For traffic that truly leaves the cluster, so a pod
 * allowed "the internet" still reaches nothing inside the cluster, the LAN or the host.
 * NetworkPolicy `ipBlock.except`: https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export const INTERNET_IP_BLOCK = {
  cidr: "0.0.0.0/0",
  except: ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"],
} as const;

/** The private ranges (RFC 1918), where a homelab's API server and NAS live. */
export const PRIVATE_CIDRS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/**
 * Egress to the Kubernetes API server for the pods `podSelector` selects (operator-created
 * pods whose manager talks to the API). On Talos the CNI is Cilium, whose `kube-apiserver`
 * entity matches exactly the API server, host-network endpoints included
 * (https://docs.cilium.io/en/stable/security/policy/language/#entities-based); a plain
 * NetworkPolicy cannot name it, so elsewhere (K3s, k3d: kube-router or flannel) the rule
 * allows port 6443 to `cidrs`: the API server addresses where the program knows them
 * (namespace-policies.ts `apiServerCidrs`), else the private ranges they are in.
 */
export function apiServerEgress(
  name: string,
  namespace: string,
  podSelector: { [key: string]: JsonValue },
  cni: "cilium" | "other",
  cidrs: readonly string[] = PRIVATE_CIDRS,
): KubeObject {
  return cni === "cilium"
    ? {
        apiVersion: "cilium.io/v2",
        kind: "CiliumNetworkPolicy",
        metadata: { name, namespace },
        spec: {
          endpointSelector: podSelector,
          egress: [
            { toEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "6443", protocol: "TCP" }] }] },
          ],
        },
      }
    : {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace },
        spec: {
          podSelector,
          policyTypes: ["Egress"],
          egress: [
            {
              to: cidrs.map((cidr) => ({ ipBlock: { cidr } })),
              ports: [{ protocol: "TCP", port: 6443 }],
            },
          ],
        },
      };
}

/** The egress rule to CoreDNS (label `k8s-app: kube-dns` on Talos and K3s alike). */
export const DNS_EGRESS_RULE: JsonValue = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/**
 * A namespace's baseline: deny all ingress and egress, allow DNS to kube-dns (002 "Default
 * deny-all pattern with explicit allowlist rules ... Allow DNS (kube-dns/coredns)").
 */
export function baselineNetworkPolicies(namespace: string): KubeObject[] {
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny-all", namespace },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-dns-egress", namespace },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [DNS_EGRESS_RULE],
      },
    },
  ];
}
