/**
 * Every default the program applies, in one place (ARCHITECTURE.md decision 9). Stack
 * files override what differs; nothing here is `latest`.
 */
import type { Versions } from "./types";

/** Pinned versions, each from the source documents or the release matching them. */
export const DEFAULT_VERSIONS: Versions = {
  // Talos and Kubernetes of the hcloud-k8s module v3.2.0 era (002).
  // renovate: datasource=github-releases depName=siderolabs/talos
  talos: "v1.11.3",
  // Kubernetes 1.33: the newest minor every pinned Talos-side component supports (Talos
  // 1.11 runs 1.29-1.34; hcloud CCM 1.26 and CSI 2.16 support up to 1.33, CSI needs 2.17
  // for 1.34; Cilium 1.18 is tested up to 1.33). components/cluster/talos/compat.ts
  // enforces the table.
  // renovate: datasource=github-releases depName=kubernetes/kubernetes
  kubernetes: "v1.33.5",
  // K3s v1.33.5+k3s1 (Kubernetes v1.33.5); staging runs the same release as the rancher/k3s
  // image tag v1.33.5-k3s1 (image tags spell "+" as "-"), so both environments run one
  // Kubernetes minor (checked by validateK3dArgs). k3d v5.8.3 runs rancher/k3s v1.33 images.
  // Docker Engine 28.5.2 (2025-11-05) fixes three high-severity runc CVEs of 28.5.1
  // (docs.docker.com/engine/release-notes/28/). kube-vip v1.0.4: the image K3s's
  // "Cluster Load Balancer" page deploys (docs.k3s.io/datastore/cluster-loadbalancer).
  // renovate: datasource=github-releases depName=k3s-io/k3s versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)\+k3s(?<build>\d+)$
  k3s: "v1.33.5+k3s1",
  // renovate: datasource=github-releases depName=kube-vip/kube-vip
  kubeVip: "v1.0.4",
  // renovate: datasource=github-releases depName=k3d-io/k3d
  k3d: "v5.8.3",
  // renovate: datasource=docker depName=rancher/k3s versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)-k3s(?<build>\d+)$
  k3dK3sImage: "v1.33.5-k3s1",
  // renovate: datasource=docker depName=docker versioning=docker
  docker: "28.5.2",
  // Flux v2.7.5 (001, 004).
  // renovate: datasource=github-releases depName=fluxcd/flux2
  flux: "v2.7.5",
  // argo-cd chart 8.5.7 (002's Renovate example).
  // renovate: datasource=helm depName=argo-cd registryUrl=https://argoproj.github.io/argo-helm
  argocdChart: "8.5.7",
  // Gateway API v1.3.0 CRDs (002).
  // renovate: datasource=github-releases depName=kubernetes-sigs/gateway-api
  gatewayApi: "v1.3.0",
  // renovate: datasource=helm depName=cilium registryUrl=https://helm.cilium.io/
  cilium: "1.18.2",
  // renovate: datasource=github-releases depName=hetznercloud/hcloud-cloud-controller-manager extractVersion=^v(?<version>.+)$
  hcloudCcm: "1.26.0",
  // hcloud CSI 2.19.0: supports Kubernetes 1.33-1.35 (CHANGELOG); its manifest is rendered in
  // components/cluster/talos/csi.ts, which knows its sidecar images.
  // renovate: datasource=github-releases depName=hetznercloud/csi-driver extractVersion=^v(?<version>.+)$
  hcloudCsi: "2.19.0",
  // renovate: datasource=docker depName=ghcr.io/siderolabs/talos-backup
  talosBackup: "v0.1.0-beta.3",
  // Talos "Deploying Metrics Server" pairs rotate-server-certificates with this approver.
  // renovate: datasource=github-releases depName=alex1989hu/kubelet-serving-cert-approver
  kubeletServingCertApprover: "v0.9.2",
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
/**
 * K3s etcd snapshots: K3s's own defaults (every 12 hours, 5 kept; docs.k3s.io/cli/etcd-snapshot)
 * tightened to every 6 hours and 28 kept (a week), in a folder named after nothing secret.
 */
export const DEFAULT_K3S_ETCD_SNAPSHOT = { schedule: "0 */6 * * *", retention: 28, s3Folder: "k3s" } as const;

export const DEFAULT_K3D_TOPOLOGY = { servers: 1, agents: 3 } as const;

/**
 * Interface kube-vip announces the K3s API VIP on. Raspberry Pi OS names the CM5's onboard
 * Ethernet `eth0`; the install script checks the interface carries the host's address and
 * fails naming `apiVipInterface` when it does not.
 */
export const DEFAULT_K3S_API_VIP_INTERFACE = "eth0";
