/**
 * The capacity preflight's placement model, pure: node groups with allocatable CPU and
 * memory, labels, taints and architecture; pods with requests, tolerations, a nodeSelector and
 * required architectures. Pods are placed at their minimum replicas the way the scheduler's
 * filters would accept them (NodeResourcesFit, TaintToleration, NodeAffinity), the most
 * constrained and largest first, each onto the eligible node with the most free memory. It is
 * a preflight, not a scheduler: it shows that a placement exists for the requests, or says why
 * it found none. The real scheduler places pods in arrival order, so a cluster near its limit
 * also needs priorities (a pod that tolerates autoscaled nodes can take a static node's room).
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/#kube-scheduler-implementation
 */

/** A node taint (`key=value:Effect`). */
export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** A pod toleration as core/v1 writes it. */
export interface PodToleration {
  /** The taint key. @default any key (with `Exists`) */
  readonly key?: string;
  /** @default "Equal" */
  readonly operator?: "Equal" | "Exists";
  /** The taint value `Equal` compares. @default "" */
  readonly value?: string;
  /** The taint effect tolerated. @default every effect */
  readonly effect?: string;
}

/** Identical nodes: a Hetzner pool, a host, a VM. */
export interface NodeGroup {
  /** How errors name the group, e.g. `pool worker (cx32)`. */
  readonly name: string;
  /** Nodes the group has (an autoscaled pool at its maximum). */
  readonly count: number;
  /** Allocatable per node: capacity minus what the kubelet reserves. */
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly architecture: "amd64" | "arm64";
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
}

/** The pods of one workload. */
export interface PodDemand {
  /** How errors name it, e.g. `Deployment mastodon/mastodon-web`. */
  readonly workload: string;
  /** Pods at the workload's minimum (HPA `minReplicas`, else `replicas`); ignored per node. */
  readonly replicas: number;
  /** Requests of one pod. */
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly tolerations: readonly PodToleration[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** `kubernetes.io/arch In [...]` of a required node-affinity term. @default any */
  readonly architectures?: readonly string[];
  /** A DaemonSet-like pod: one on every node it may run on, none elsewhere. @default false */
  readonly perNode?: boolean;
  /** A per-node pod whose CPU request is this percent of the node's allocatable CPU. @default none */
  readonly cpuPercentOfNode?: number;
}

/** What the preflight found. */
export interface PreflightResult {
  /** One line per workload that fits nowhere, with the reason per node group. */
  readonly errors: string[];
  /** Requested against allocatable, summed over the nodes. */
  readonly requested: { readonly cpuMilli: number; readonly memoryBytes: number };
  readonly allocatable: { readonly cpuMilli: number; readonly memoryBytes: number };
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes of a Kubernetes memory quantity (`512Mi`, `1G`, `1.5Gi`, `1000`). */
export function memoryBytes(quantity: string): number {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!m) throw new Error(`memory quantity "${quantity}" is not a Kubernetes quantity (e.g. 512Mi, 1Gi)`);
  const unit = m[2] ?? "";
  return Math.round(Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1));
}

/** Millicores of a Kubernetes CPU quantity (`250m`, `1`, `0.5`). */
export function cpuMilli(quantity: string | number): number {
  const text = String(quantity).trim();
  const m = /^([0-9.]+)(m)?$/.exec(text);
  if (!m) throw new Error(`cpu quantity "${text}" is not a Kubernetes quantity (e.g. 250m, 1)`);
  return Math.round(m[2] ? Number(m[1]) : Number(m[1]) * 1000);
}

/** `1536Mi`-style text for messages. */
export function formatMemory(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)}Gi`;
  return `${Math.round(bytes / 2 ** 20)}Mi`;
}

/** Whether a toleration tolerates a taint (core/v1 `Toleration.ToleratesTaint`). */
export function tolerates(t: PodToleration, taint: NodeTaint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key === undefined || t.key === "") return t.operator === "Exists";
  if (t.key !== taint.key) return false;
  return t.operator === "Exists" || (t.value ?? "") === taint.value;
}

/** Why a pod cannot run on any node of a group regardless of load, or undefined when it can. */
export function ineligible(pod: PodDemand, group: NodeGroup): string | undefined {
  // PreferNoSchedule is a preference, not a filter.
  const hard = group.taints.filter((t) => t.effect !== "PreferNoSchedule");
  const untolerated = hard.filter((taint) => !pod.tolerations.some((t) => tolerates(t, taint)));
  if (untolerated.length)
    return `taint ${untolerated.map((t) => `${t.key}=${t.value}:${t.effect}`).join(", ")} not tolerated`;
  if (pod.architectures && !pod.architectures.includes(group.architecture))
    return `architecture ${group.architecture}, pod needs ${pod.architectures.join(" or ")}`;
  const missing = Object.entries(pod.nodeSelector).filter(([k, v]) => group.labels[k] !== v);
  if (missing.length) return `no label ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}`;
  if (pod.cpuMilli > group.cpuMilli || pod.memoryBytes > group.memoryBytes)
    return `too small: ${group.cpuMilli}m cpu and ${formatMemory(group.memoryBytes)} allocatable per node`;
  return undefined;
}

interface Node {
  readonly group: NodeGroup;
  cpu: number;
  memory: number;
}

const describePod = (p: PodDemand): string =>
  `${p.workload} (${p.perNode ? "one per node" : `${p.replicas} x`} ${p.cpuMilli}m cpu, ${formatMemory(p.memoryBytes)} memory)`;

/** Places every pod, per-node pods first; returns the workloads that fit nowhere, with why. */
export function preflight(groups: readonly NodeGroup[], pods: readonly PodDemand[]): PreflightResult {
  const nodes: Node[] = groups.flatMap((group) =>
    Array.from({ length: group.count }, () => ({ group, cpu: group.cpuMilli, memory: group.memoryBytes })),
  );
  const errors: string[] = [];
  const requested = { cpuMilli: 0, memoryBytes: 0 };
  const fail = (pod: PodDemand, why: (g: NodeGroup) => string | undefined, placed: number): void => {
    const reasons = groups.map((g) => `${g.name}: ${why(g) ?? "full"}`);
    const done = placed > 0 ? `; ${placed} of ${pod.replicas} placed` : "";
    errors.push(`${describePod(pod)} fits no node${done} (${reasons.join("; ")})`);
  };
  for (const pod of pods.filter((p) => p.perNode)) {
    const eligible = nodes.filter((n) => ineligible(pod, n.group) === undefined);
    for (const n of eligible) {
      const cpu = pod.cpuMilli + Math.round(((pod.cpuPercentOfNode ?? 0) * n.group.cpuMilli) / 100);
      if (n.cpu < cpu || n.memory < pod.memoryBytes) {
        fail(pod, (g) => (g === n.group ? "full" : ineligible(pod, g)), 0);
        break;
      }
      n.cpu -= cpu;
      n.memory -= pod.memoryBytes;
      requested.cpuMilli += cpu;
      requested.memoryBytes += pod.memoryBytes;
    }
  }
  // The most constrained pods first (fewest nodes they may run on), then the largest: if
  // some placement of all pods exists, this order finds it far more often than size alone.
  const choices = (p: PodDemand) => nodes.filter((n) => ineligible(p, n.group) === undefined).length;
  const bySize = pods
    .filter((p) => !p.perNode)
    .map((p) => ({ p, n: choices(p) }))
    .sort(
      (a, b) =>
        a.n - b.n ||
        b.p.memoryBytes - a.p.memoryBytes ||
        b.p.cpuMilli - a.p.cpuMilli ||
        a.p.workload.localeCompare(b.p.workload),
    )
    .map(({ p }) => p);
  for (const pod of bySize) {
    for (let i = 0; i < pod.replicas; i++) {
      const candidates = nodes
        .filter(
          (n) =>
            ineligible(pod, n.group) === undefined && n.cpu >= pod.cpuMilli && n.memory >= pod.memoryBytes,
        )
        .sort((a, b) => b.memory - a.memory);
      const target = candidates[0];
      if (!target) {
        fail(pod, (g) => ineligible(pod, g), i);
        break;
      }
      target.cpu -= pod.cpuMilli;
      target.memory -= pod.memoryBytes;
      requested.cpuMilli += pod.cpuMilli;
      requested.memoryBytes += pod.memoryBytes;
    }
  }
  const allocatable = {
    cpuMilli: nodes.reduce((s, n) => s + n.group.cpuMilli, 0),
    memoryBytes: nodes.reduce((s, n) => s + n.group.memoryBytes, 0),
  };
  return { errors, requested, allocatable };
}
