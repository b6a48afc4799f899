/** Shared fixtures of the Talos-on-Hetzner tests: prod numbers from source document 002. */
import type { TalosHcloudClusterConfig, Versions } from "../../config/types";

export const versions: Versions = {
  talos: "v1.11.3",
  kubernetes: "1.33.5",
  k3s: "v1.33.5+k3s1",
  kubeVip: "v1.0.4",
  k3d: "v5.8.3",
  k3dK3sImage: "v1.33.5-k3s1",
  docker: "28.5.1",
  flux: "v2.7.2",
  argocdChart: "9.0.5",
  gatewayApi: "v1.3.0",
  cilium: "1.18.2",
  hcloudCcm: "1.26.0",
  hcloudCsi: "2.19.0",
  talosBackup: "v0.1.0-beta.3",
  kubeletServingCertApprover: "v0.9.2",
};

export const prod: TalosHcloudClusterConfig = {
  name: "prod",
  kind: "talos-hcloud",
  engine: "argocd",
  delivery: "emit",
  domain: "goingdark.social",
  git: { url: "https://github.com/example/platform", branch: "prod", path: "gitops/prod/prod" },
  services: [],
  apps: [],
  architecture: "amd64",
  location: "nbg1",
  networkZone: "eu-central",
  networkCidr: "10.0.0.0/16",
  nodeSubnetCidr: "10.0.64.0/24",
  podCidr: "10.0.128.0/17",
  serviceCidr: "10.0.96.0/19",
  apiAllowedCidrs: ["current", "10.20.0.0/16"],
  image: { snapshotId: 123456 },
  nodePools: [
    { name: "control-plane", role: "controlplane", serverType: "cx22", count: 1, labels: {}, taints: [] },
    { name: "worker", role: "worker", serverType: "cx32", count: 1, labels: {}, taints: [] },
    {
      name: "autoscaler",
      role: "worker",
      serverType: "cx32",
      count: 0,
      autoscaler: { max: 2 },
      labels: { "autoscaler-node": "true" },
      taints: [{ key: "autoscaler-node", value: "true", effect: "NoSchedule" }],
    },
  ],
  autoscaler: {
    scaleDownDelayAfterAdd: "10m",
    scaleDownDelayAfterDelete: "10m",
    scaleDownUnneededTime: "8m",
    expander: "least-waste",
  },
  etcdBackup: {
    schedule: "0 * * * *",
    s3Endpoint: "https://fsn1.your-objectstorage.com",
    s3Region: "fsn1",
    s3Bucket: "prod-etcd",
  },
};

/** A copy of `prod` with fields replaced. */
export function withConfig(patch: Partial<TalosHcloudClusterConfig>): TalosHcloudClusterConfig {
  return { ...prod, ...patch };
}
