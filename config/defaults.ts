/**
 * Every default the program applies, in one place (ARCHITECTURE.md decision 9). Stack
 * files override what differs; nothing here is `latest`.
 */
import type { Versions } from "./types";

/** Pinned versions, each from the source documents or the release matching them. */
export const DEFAULT_VERSIONS: Versions = {
  // Talos v1.11.3 (002). Kubernetes 1.33, not 1.34: the pinned CCM 1.26.0 and Cilium 1.18.2
  // are documented up to 1.33 and CSI 2.16.0 predates 1.34 support (>= 2.17). Every range is
  // enforced by KUBERNETES_COMPATIBILITY in components/cluster/talos/validate.ts, which cites
  // each upstream matrix. Talos 1.11 supports Kubernetes 1.29-1.34 (Talos support matrix).
  talos: "v1.11.3",
  kubernetes: "v1.33.5",
  k3s: "v1.33.5+k3s1",
  k3d: "v5.8.3",
  k3dK3sImage: "v1.33.5-k3s1",
  docker: "28.5.1",
  // Flux v2.7.5 (001, 004).
  flux: "v2.7.5",
  // argo-cd chart 8.5.7 (002's Renovate example).
  argocdChart: "8.5.7",
  // Gateway API v1.3.0 CRDs (002).
  gatewayApi: "v1.3.0",
  // Cilium 1.18.2: installed by cilium-cli v0.18.8, the first tag embedding its chart.
  cilium: "1.18.2",
  // hcloud CCM 1.26.0 (README versioning policy: Kubernetes 1.31-1.33).
  hcloudCcm: "1.26.0",
  // hcloud CSI 2.16.0 (docs/kubernetes/README.md versioning policy: up to 1.33; 1.34 needs 2.17+).
  hcloudCsi: "2.16.0",
  talosBackup: "v0.1.0-beta.3",
};

/** Cluster autoscaler behaviour of source document 002. */
export const DEFAULT_AUTOSCALER = {
  scaleDownDelayAfterAdd: "10m",
  scaleDownDelayAfterDelete: "10m",
  scaleDownUnneededTime: "8m",
  expander: "least-waste",
} as const;

/** Hourly etcd backups (002). */
export const DEFAULT_ETCD_BACKUP_SCHEDULE = "0 * * * *";

/** Network layout of the hcloud-k8s module: one /16, nodes, services and pods carved from it. */
export const DEFAULT_HCLOUD_NETWORK = {
  location: "fsn1",
  networkZone: "eu-central",
  networkCidr: "10.0.0.0/16",
  nodeSubnetCidr: "10.0.64.0/19",
  serviceCidr: "10.0.96.0/19",
  podCidr: "10.0.128.0/17",
} as const;

/** Proxmox VM sizing defaults for the k3d staging cluster (004). */
export const DEFAULT_K3D_VM = {
  cores: 4,
  memoryMiB: 16384,
  diskGiB: 100,
  datastore: "local-lvm",
  bridge: "vmbr0",
} as const;

/** k3d topology of the staging cluster: 1 server + 3 agents (004). */
export const DEFAULT_K3D_TOPOLOGY = { servers: 1, agents: 3 } as const;
