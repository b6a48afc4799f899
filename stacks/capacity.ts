/**
 * The capacity preflight of one cluster: the nodes its stack declares (Hetzner server types,
 * the Raspberry Pi hosts, the k3d VM) against every pod the program delivers to it at its
 * minimum replicas (apps, the pods CloudNativePG creates for each database cluster, and the
 * platform services' and the cluster's own pods from `components/platform/footprint.ts`),
 * after the kubelet's per-node reservation. A workload that fits nowhere is an error naming
 * it, its requests and why each node group refuses it; it runs before the engine and
 * everything it delivers are registered.
 */
import type { PodToleration, NodeGroup, PodDemand } from "../lib/capacity";
import { cpuMilli, formatMemory, memoryBytes, preflight } from "../lib/capacity";
import type { DeliveryItem, KubeObject } from "../components/gitops/delivery";
import {
  CLUSTER_BASE_FOOTPRINT,
  GITOPS_FOOTPRINT,
  NODE_RESERVED,
  SERVICE_FOOTPRINT,
  type FootprintClusterKind,
  type ServiceFootprint,
} from "../components/platform/footprint";
import type { ClusterConfig } from "../config/types";

/**
 * Hetzner Cloud server types: vCPUs and RAM in GB, from Hetzner's published plans
 * (https://www.hetzner.com/cloud/, https://docs.hetzner.com/cloud/servers/overview).
 */
export const HETZNER_SERVER_TYPES: Readonly<
  Record<string, { readonly cores: number; readonly memoryGB: number }>
> = {
  cx22: { cores: 2, memoryGB: 4 },
  cx23: { cores: 2, memoryGB: 4 },
  cx32: { cores: 4, memoryGB: 8 },
  cx33: { cores: 4, memoryGB: 8 },
  cx42: { cores: 8, memoryGB: 16 },
  cx43: { cores: 8, memoryGB: 16 },
  cx52: { cores: 16, memoryGB: 32 },
  cx53: { cores: 16, memoryGB: 32 },
  cpx11: { cores: 2, memoryGB: 2 },
  cpx21: { cores: 3, memoryGB: 4 },
  cpx22: { cores: 2, memoryGB: 4 },
  cpx31: { cores: 4, memoryGB: 8 },
  cpx32: { cores: 4, memoryGB: 8 },
  cpx41: { cores: 8, memoryGB: 16 },
  cpx42: { cores: 8, memoryGB: 16 },
  cpx51: { cores: 16, memoryGB: 32 },
  cpx52: { cores: 12, memoryGB: 24 },
  cpx62: { cores: 16, memoryGB: 32 },
  cax11: { cores: 2, memoryGB: 4 },
  cax21: { cores: 4, memoryGB: 8 },
  cax31: { cores: 8, memoryGB: 16 },
  cax41: { cores: 16, memoryGB: 32 },
  ccx13: { cores: 2, memoryGB: 8 },
  ccx23: { cores: 4, memoryGB: 16 },
  ccx33: { cores: 8, memoryGB: 32 },
  ccx43: { cores: 16, memoryGB: 64 },
  ccx53: { cores: 32, memoryGB: 128 },
  ccx63: { cores: 48, memoryGB: 192 },
};

/**
 * A Raspberry Pi Compute Module 5 as source document 004 runs them: 16 GB of RAM per node,
 * and the CM5's quad-core Cortex-A76 (Raspberry Pi's CM5 product brief).
 */
export const RASPBERRY_PI_CM5 = { cores: 4, memoryGB: 16 } as const;

/** Below this share of free memory after placement, the synth warns about headroom. */
export const HEADROOM_WARNING = 0.1;

/** The control-plane taint Talos puts on control planes when the cluster has workers. */
const CONTROL_PLANE_TAINT = {
  key: "node-role.kubernetes.io/control-plane",
  value: "",
  effect: "NoSchedule",
} as const;

type Json = Record<string, unknown>;

/** The value of the control-plane role label: Talos (kubeadm's convention) sets "", K3s "true". */
function controlPlaneLabel(kind: FootprintClusterKind): string {
  return kind === "talos-hcloud" ? "" : "true";
}

/**
 * Allocatable of a node with `cores` and `memoryGB` (GB as 10^9 bytes, as the plans state
 * it), after the kubelet's reservation for its role.
 */
function allocatable(
  kind: FootprintClusterKind,
  controlPlane: boolean,
  cores: number,
  memoryGB: number,
): { cpuMilli: number; memoryBytes: number } {
  const reserved = (controlPlane ? NODE_RESERVED[kind].controlPlane : undefined) ?? NODE_RESERVED[kind];
  return {
    cpuMilli: cores * 1000 - cpuMilli(reserved.cpu),
    memoryBytes: memoryGB * 1e9 - memoryBytes(reserved.memory),
  };
}

/**
 * The node groups a cluster's stack declares, or undefined for a cluster whose nodes the
 * program does not know (made elsewhere).
 */
export function nodeGroupsOf(cluster: ClusterConfig): NodeGroup[] | undefined {
  if (cluster.kind === "talos-hcloud") {
    const hasWorkers = cluster.nodePools.some((p) => p.role === "worker");
    return cluster.nodePools.map((pool) => {
      const type = HETZNER_SERVER_TYPES[pool.serverType];
      if (!type)
        throw new Error(
          `cluster ${cluster.name} pool ${pool.name}: server type ${pool.serverType} has no known size`,
        );
      const controlPlaneTaint = pool.role === "controlplane" && hasWorkers ? [CONTROL_PLANE_TAINT] : [];
      return {
        name: `pool ${pool.name} (${pool.autoscaler ? `${pool.autoscaler.max} x ` : `${pool.count} x `}${pool.serverType}${pool.autoscaler ? ", autoscaled, at its max" : ""})`,
        count: pool.autoscaler ? pool.autoscaler.max : pool.count,
        ...allocatable(cluster.kind, pool.role === "controlplane", type.cores, type.memoryGB),
        architecture: pool.serverType.startsWith("cax") ? "arm64" : "amd64",
        labels: {
          ...pool.labels,
          ...(pool.role === "controlplane"
            ? { "node-role.kubernetes.io/control-plane": controlPlaneLabel(cluster.kind) }
            : {}),
        },
        taints: [...pool.taints, ...controlPlaneTaint],
      };
    });
  }
  if (cluster.kind === "k3s") {
    if (!cluster.raspberryPi) return undefined;
    return cluster.hosts.map((host) => ({
      name: `host ${host.name} (Raspberry Pi CM5)`,
      count: 1,
      ...allocatable(cluster.kind, host.role === "server", RASPBERRY_PI_CM5.cores, RASPBERRY_PI_CM5.memoryGB),
      architecture: cluster.architecture,
      // K3s labels its servers node-role.kubernetes.io/control-plane=true.
      labels: {
        ...host.labels,
        ...(host.role === "server" ? { "node-role.kubernetes.io/control-plane": "true" } : {}),
      },
      taints: [...host.taints],
    }));
  }
  if (cluster.kind === "k3d-proxmox") {
    // k3d's nodes are containers in one VM, each reporting the whole VM as its capacity: the
    // VM is the real limit, so the preflight counts it once.
    return [
      {
        name: `VM ${cluster.vm.name} (${cluster.vm.cores} cores, ${cluster.vm.memoryMiB} MiB, shared by the k3d nodes)`,
        count: 1,
        cpuMilli: cluster.vm.cores * 1000 - cpuMilli(NODE_RESERVED[cluster.kind].cpu),
        memoryBytes: cluster.vm.memoryMiB * 2 ** 20 - memoryBytes(NODE_RESERVED[cluster.kind].memory),
        architecture: cluster.architecture,
        labels: {},
        taints: [],
      },
    ];
  }
  return undefined;
}

/** Requests of one pod spec: its containers and native sidecars, or its largest init container. */
export function podRequests(spec: Json): { cpuMilli: number; memoryBytes: number } {
  const req = (c: Json) => {
    const r = ((c.resources as Json | undefined)?.requests ?? {}) as Record<string, string>;
    return { cpu: r.cpu ? cpuMilli(r.cpu) : 0, memory: r.memory ? memoryBytes(r.memory) : 0 };
  };
  const containers = ((spec.containers ?? []) as Json[]).map(req);
  const init = (spec.initContainers ?? []) as Json[];
  const sidecars = init.filter((c) => c.restartPolicy === "Always").map(req);
  const running = [...containers, ...sidecars];
  const sum = {
    cpu: running.reduce((s, r) => s + r.cpu, 0),
    memory: running.reduce((s, r) => s + r.memory, 0),
  };
  // https://kubernetes.io/docs/concepts/workloads/pods/init-containers/#resource-sharing-within-containers
  for (const r of init.filter((c) => c.restartPolicy !== "Always").map(req)) {
    sum.cpu = Math.max(sum.cpu, r.cpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  return { cpuMilli: sum.cpu, memoryBytes: sum.memory };
}

/** The placement constraints of a pod spec. */
function constraints(spec: Json): Pick<PodDemand, "tolerations" | "nodeSelector" | "architectures"> {
  const terms = (
    ((spec.affinity as Json | undefined)?.nodeAffinity as Json | undefined)
      ?.requiredDuringSchedulingIgnoredDuringExecution as Json | undefined
  )?.nodeSelectorTerms as Json[] | undefined;
  const arch = terms
    ?.flatMap((t) => (t.matchExpressions ?? []) as Json[])
    .find((e) => e.key === "kubernetes.io/arch" && e.operator === "In");
  return {
    tolerations: (spec.tolerations ?? []) as PodToleration[],
    nodeSelector: (spec.nodeSelector ?? {}) as Record<string, string>,
    ...(arch ? { architectures: arch.values as string[] } : {}),
  };
}

/** The pods the delivered objects ask for: controllers at their minimum and CNPG instances. */
export function objectDemands(items: readonly DeliveryItem[]): PodDemand[] {
  const demands: PodDemand[] = [];
  for (const item of items) {
    if (item.kind !== "bundle") continue;
    const objects: readonly KubeObject[] = item.objects;
    const hpaMin = new Map<string, number>();
    for (const o of objects) {
      if (o.kind !== "HorizontalPodAutoscaler") continue;
      const spec = o.spec as Json;
      hpaMin.set(
        `${(spec.scaleTargetRef as Json).kind as string}/${(spec.scaleTargetRef as Json).name as string}`,
        (spec.minReplicas as number | undefined) ?? 1,
      );
    }
    for (const o of objects) {
      const where = `${o.kind} ${o.metadata.namespace ?? item.namespace ?? ""}/${o.metadata.name}`;
      const spec = (o.spec ?? {}) as Json;
      if (o.kind === "Deployment" || o.kind === "StatefulSet" || o.kind === "DaemonSet") {
        const pod = ((spec.template as Json).spec ?? {}) as Json;
        demands.push({
          workload: where,
          replicas: hpaMin.get(`${o.kind}/${o.metadata.name}`) ?? (spec.replicas as number | undefined) ?? 1,
          ...podRequests(pod),
          ...constraints(pod),
          ...(o.kind === "DaemonSet" ? { perNode: true } : {}),
        });
      } else if (o.kind === "Cluster" && o.apiVersion.startsWith("postgresql.cnpg.io/")) {
        // CloudNativePG runs one pod per instance with `spec.resources` on its postgres
        // container, placed by `spec.affinity` (nodeSelector, tolerations).
        const requests = ((spec.resources as Json | undefined)?.requests ?? {}) as Record<string, string>;
        const affinity = (spec.affinity ?? {}) as Json;
        demands.push({
          workload: `CloudNativePG ${where}`,
          replicas: (spec.instances as number | undefined) ?? 1,
          cpuMilli: requests.cpu ? cpuMilli(requests.cpu) : 0,
          memoryBytes: requests.memory ? memoryBytes(requests.memory) : 0,
          tolerations: (affinity.tolerations ?? []) as PodToleration[],
          nodeSelector: (affinity.nodeSelector ?? {}) as Record<string, string>,
        });
      }
    }
  }
  return demands;
}

/**
 * The pods of a footprint entry as demands. Pods that exist only some of the time (a
 * CronJob's run) are counted: the preflight checks the worst case.
 */
function footprintDemands(kind: FootprintClusterKind, label: string, f: ServiceFootprint): PodDemand[] {
  return f.pods.map((p): PodDemand => {
    const nodeSelector: Record<string, string> = p.controlPlane
      ? { "node-role.kubernetes.io/control-plane": controlPlaneLabel(kind) }
      : {};
    const perNode = p.replicas === "per-node";
    const tolerations: PodToleration[] =
      (p.toleratesAll ?? perNode)
        ? [{ operator: "Exists" }]
        : p.controlPlane
          ? [{ key: CONTROL_PLANE_TAINT.key, operator: "Exists", effect: "NoSchedule" }]
          : [];
    return {
      workload: `${label} ${p.name}`,
      replicas: perNode ? 1 : p.replicas,
      cpuMilli: cpuMilli(p.cpu),
      memoryBytes: memoryBytes(p.memory),
      tolerations,
      nodeSelector,
      ...(perNode ? { perNode: true } : {}),
      ...(p.cpuPercentOfNode ? { cpuPercentOfNode: p.cpuPercentOfNode } : {}),
    };
  });
}

/** What the preflight says about one cluster. */
export interface CapacityReport {
  readonly cluster: string;
  readonly errors: string[];
  readonly warnings: string[];
}

/**
 * Places the cluster's pods on its declared nodes. Services and the charts' pods come from
 * the footprint table; the delivered bundles are read object by object.
 */
export function capacityPreflight(cluster: ClusterConfig, items: readonly DeliveryItem[]): CapacityReport {
  const groups = nodeGroupsOf(cluster);
  if (!groups || cluster.kind === "existing")
    return {
      cluster: cluster.name,
      errors: [],
      warnings: [
        `cluster ${cluster.name}: its nodes are not declared in the stack, so no capacity preflight ran`,
      ],
    };
  const kind = cluster.kind;
  const platform = [
    ...footprintDemands(kind, kind, CLUSTER_BASE_FOOTPRINT[kind]),
    ...footprintDemands(kind, cluster.engine, GITOPS_FOOTPRINT[cluster.engine]),
    ...cluster.services.flatMap((s) =>
      SERVICE_FOOTPRINT[s] ? footprintDemands(kind, s, SERVICE_FOOTPRINT[s]) : [],
    ),
  ];
  const result = preflight(groups, [...platform, ...objectDemands(items)]);
  const free = 1 - result.requested.memoryBytes / result.allocatable.memoryBytes;
  const warnings =
    result.errors.length === 0 && free < HEADROOM_WARNING
      ? [
          `cluster ${cluster.name}: ${formatMemory(result.requested.memoryBytes)} of ${formatMemory(result.allocatable.memoryBytes)} allocatable memory requested (${Math.round(free * 100)} % free, under ${HEADROOM_WARNING * 100} %); a node loss or a rollout surge may not fit`,
        ]
      : [];
  return {
    cluster: cluster.name,
    errors: result.errors.map((e) => `cluster ${cluster.name}: ${e}`),
    warnings,
  };
}
