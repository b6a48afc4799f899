import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../../components/cluster/contract";
import type { DeliveryItem } from "../../components/gitops";
import type { GitSourceConfig as GitSourceConfigLike } from "../../config/types";

/** The same addon + bundle set used on both engines. */
export const ITEMS: readonly DeliveryItem[] = [
  {
    kind: "addon",
    name: "cert-manager",
    layer: "infrastructure-controllers",
    namespace: "cert-manager",
    repository: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "1.16.2",
    values: { crds: { enabled: true } },
    includeCrds: true,
    ignoreDifferences: [
      {
        group: "admissionregistration.k8s.io",
        kind: "ValidatingWebhookConfiguration",
        name: "cert-manager-webhook",
        jsonPointers: ["/webhooks/0/clientConfig/caBundle"],
      },
    ],
  },
  {
    kind: "bundle",
    name: "issuers",
    layer: "infrastructure-configs",
    namespace: "cert-manager",
    // What needs.ts derives from the ClusterIssuer's API group.
    dependsOn: ["cert-manager"],
    objects: [
      { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "letsencrypt" }, spec: { acme: { server: "https://acme-v02.api.letsencrypt.org/directory" } } },
    ],
  },
  {
    kind: "bundle",
    name: "backend",
    layer: "apps",
    namespace: "steady",
    timeout: "10m",
    objects: [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "steady" } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "backend" }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: "batch/v1", kind: "Job", metadata: { name: "backend-migration" }, spec: { template: { spec: { restartPolicy: "Never", containers: [] } } } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "backend" }, spec: { replicas: 2 } },
    ],
  },
  {
    kind: "addon",
    name: "kube-prometheus-stack",
    layer: "monitoring",
    namespace: "monitoring",
    repository: "oci://ghcr.io/prometheus-community/charts",
    chart: "kube-prometheus-stack",
    version: "65.1.1",
    includeCrds: true,
  },
];

/** The git source of the fixture clusters, emitting to `gitops/<stack>/<cluster>`. */
export function gitFor(stack: string, cluster: string): GitSourceConfigLike {
  return { url: "https://github.com/example/platform", branch: "main", path: `gitops/${stack}/${cluster}` };
}

/** A fake ClusterHandle whose provider has a secret kubeconfig. */
export function fakeCluster(name: string): ClusterHandle {
  const kubeconfig = pulumi.secret("fake-kubeconfig-do-not-emit");
  const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig });
  return {
    name,
    kind: "k3s",
    apiEndpoint: pulumi.output("https://10.0.0.1:6443"),
    kubeconfig,
    provider,
    capabilities: {
      storageClasses: ["local-path"],
      defaultStorageClass: "local-path",
      loadBalancer: "metallb",
      ingress: "traefik",
      architecture: "arm64",
      services: [],
    },
    nodeAddresses: pulumi.output(["10.0.0.1"]),
    loadBalancerAddress: pulumi.output("10.0.0.100"),
    ready: [provider],
  };
}

export const VERSIONS = { flux: "2.7.5", argocdChart: "8.5.7" };
export const GIT_TOKEN_VALUE = "fake-git-token-0123456789";
export const AGE_KEY_VALUE = "AGE-SECRET-KEY-1FAKEFAKEFAKE";
export const LIVE_SECRET_VALUE = "fake-db-password-xyz";
