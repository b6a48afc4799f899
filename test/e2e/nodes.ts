/**
 * The nodes a stack declares, as the simulated cluster creates them (tools/real/sim nodes.go):
 * one per Talos pool server (at the pool's fixed count), K3s host, or k3d node, with the
 * labels, taints and architecture the real cluster gives it and the capacity of its machine.
 */
import type { ClusterConfig } from "../../config/types";

/** One node for platform-sim. */
export interface SimNode {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly taints: { key: string; value: string; effect: string }[];
  /** Allocatable CPU and memory, as Kubernetes quantities. */
  readonly cpu: string;
  readonly memory: string;
  readonly arch: "amd64" | "arm64";
  readonly address: string;
}

/**
 * vCPUs and GB of RAM per Hetzner Cloud server type (docs.hetzner.com/cloud/servers/overview).
 */
const HCLOUD: Readonly<Record<string, [number, number]>> = {
  cx22: [2, 4],
  cx23: [2, 4],
  cx32: [4, 8],
  cx33: [4, 8],
  cx42: [8, 16],
  cx43: [8, 16],
  cx52: [16, 32],
  cx53: [16, 32],
  cpx11: [2, 2],
  cpx21: [3, 4],
  cpx22: [2, 4],
  cpx31: [4, 8],
  cpx32: [4, 8],
  cpx41: [8, 16],
  cpx42: [8, 16],
  cpx51: [16, 32],
  cpx52: [12, 24],
  cpx62: [16, 32],
  cax11: [2, 4],
  cax21: [4, 8],
  cax31: [8, 16],
  cax41: [16, 32],
  ccx13: [2, 8],
  ccx23: [4, 16],
  ccx33: [8, 32],
  ccx43: [16, 64],
  ccx53: [32, 128],
  ccx63: [48, 192],
};

/**
 * What the kubelet keeps for the system: Talos's machine.kubelet defaults reserve 50m CPU and
 * 192Mi, plus the 100Mi hard eviction threshold; K3s keeps the kubelet's (none reserved, 100Mi
 * eviction). One rule for both here: 100m and 300Mi less than the machine.
 */
function allocatable(vcpus: number, gib: number): { cpu: string; memory: string } {
  return { cpu: `${vcpus * 1000 - 100}m`, memory: `${gib * 1024 - 300}Mi` };
}

/**
 * A Raspberry Pi CM5 host: 4 Cortex-A76 cores; its RAM (2 to 16 GB) is not in the config, so
 * the 8 GB module is assumed.
 */
const PI_CM5 = { vcpus: 4, gib: 8 };

/** The nodes of one cluster as its real kind would register them. */
export function nodesOf(cluster: ClusterConfig): SimNode[] {
  switch (cluster.kind) {
    case "talos-hcloud":
      return cluster.nodePools.flatMap((pool, p) =>
        Array.from({ length: pool.count }, (_, i) => {
          const [vcpus, gib] = HCLOUD[pool.serverType] ?? [2, 4];
          const cp = pool.role === "controlplane";
          return {
            name: `${cluster.name}-${pool.name}-${i + 1}`,
            labels: { ...pool.labels, ...(cp ? { "node-role.kubernetes.io/control-plane": "" } : {}) },
            // Talos taints control planes unless allowSchedulingOnControlPlanes is set.
            taints: [
              ...pool.taints.map((t) => ({ ...t })),
              ...(cp
                ? [{ key: "node-role.kubernetes.io/control-plane", value: "", effect: "NoSchedule" }]
                : []),
            ],
            ...allocatable(vcpus, gib),
            arch: pool.serverType.startsWith("cax") ? ("arm64" as const) : ("amd64" as const),
            address: `10.0.${p + 1}.${i + 10}`,
          };
        }),
      );
    case "k3s":
      return cluster.hosts.map((host) => ({
        name: host.name,
        // K3s labels servers control-plane, master and etcd (true), and does not taint them.
        labels: {
          ...host.labels,
          ...(host.role === "server"
            ? {
                "node-role.kubernetes.io/control-plane": "true",
                "node-role.kubernetes.io/master": "true",
                "node-role.kubernetes.io/etcd": "true",
              }
            : {}),
        },
        taints: host.taints.map((t) => ({ ...t })),
        ...allocatable(cluster.raspberryPi ? PI_CM5.vcpus : 4, cluster.raspberryPi ? PI_CM5.gib : 8),
        arch: cluster.architecture,
        address: host.address,
      }));
    case "k3d-proxmox": {
      // Every k3d node is a container in the one VM and sees the whole VM.
      const { cores, memoryMiB } = cluster.vm;
      const names = [
        ...Array.from({ length: cluster.k3d.servers }, (_, i) => `k3d-${cluster.name}-server-${i}`),
        ...Array.from({ length: cluster.k3d.agents }, (_, i) => `k3d-${cluster.name}-agent-${i}`),
      ];
      return names.map((name, i): SimNode => ({
        name,
        labels: name.includes("-server-")
          ? { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true" }
          : {},
        taints: [],
        cpu: `${cores * 1000 - 100}m`,
        memory: `${memoryMiB - 300}Mi`,
        arch: cluster.architecture,
        address: `172.18.0.${i + 2}`,
      }));
    }
    case "existing":
      throw new Error(`cluster ${cluster.name}: an existing cluster declares no nodes`);
  }
}
