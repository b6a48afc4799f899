/**
 * kube-vip in control-plane ARP mode: the Kubernetes API VIP of a K3s cluster.
 *
 * Why kube-vip and not the MetalLB VIP: MetalLB serves LoadBalancer Services and is itself a
 * platform service that Flux installs after the cluster exists, so an API behind it would
 * not answer during bootstrap, nor whenever MetalLB or Flux is broken, which is exactly when
 * an operator needs the API. kube-vip runs as a DaemonSet on the servers with host
 * networking, comes up with the first server from K3s's auto-deploy directory, and moves the
 * address between servers by leader election. This is the layout K3s documents for an HA
 * cluster without an external load balancer (docs.k3s.io/datastore/cluster-loadbalancer,
 * "Kube-VIP" tab) and the one kube-vip documents for K3s (kube-vip.io/docs/usage/k3s/).
 * kube-vip and MetalLB must never announce the same address, so the API gets its own
 * `apiVip` outside MetalLB's pool, and kube-vip's Service load balancing stays off.
 */
import { stringify } from "yaml";
import type { K3sClusterConfig } from "../../../config/types";

/** The image of a kube-vip release. */
export function kubeVipImage(version: string): string {
  return `ghcr.io/kube-vip/kube-vip:${version}`;
}

/**
 * The AddOn manifest: kube-vip's RBAC (https://kube-vip.io/manifests/rbac.yaml, as the K3s
 * docs install it) and the DaemonSet of the K3s docs' kube-vip example (v1.0.4), with the
 * cluster's VIP and interface. Changes from that example, each on purpose: `svc_enable` is
 * absent (MetalLB owns LoadBalancer Services), and `imagePullPolicy: IfNotPresent` because
 * the tag is pinned, so a registry outage cannot keep the API VIP from coming back.
 */
export function renderKubeVipManifest(config: K3sClusterConfig, version: string): string {
  const serviceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "kube-vip", namespace: "kube-system" },
  };
  const role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
      name: "system:kube-vip-role",
    },
    rules: [
      { apiGroups: [""], resources: ["services/status"], verbs: ["update"] },
      { apiGroups: [""], resources: ["services", "endpoints"], verbs: ["list", "get", "watch", "update"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["list", "get", "watch", "update", "patch"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["list", "get", "watch", "update", "create"],
      },
    ],
  };
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "system:kube-vip-binding" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:kube-vip-role" },
    subjects: [{ kind: "ServiceAccount", name: "kube-vip", namespace: "kube-system" }],
  };
  const labels = { "app.kubernetes.io/name": "kube-vip-ds", "app.kubernetes.io/version": version };
  const env: Record<string, string> = {
    vip_arp: "true",
    port: "6443",
    vip_interface: config.apiVipInterface,
    vip_subnet: "32",
    cp_enable: "true",
    cp_namespace: "kube-system",
    vip_ddns: "false",
    vip_leaderelection: "true",
    vip_leaseduration: "5",
    vip_renewdeadline: "3",
    vip_retryperiod: "1",
    address: config.apiVip,
  };
  const daemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { labels, name: "kube-vip-ds", namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/name": "kube-vip-ds" } },
      template: {
        metadata: { labels },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: "node-role.kubernetes.io/master", operator: "Exists" }] },
                  {
                    matchExpressions: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }],
                  },
                ],
              },
            },
          },
          containers: [
            {
              args: ["manager"],
              env: [
                { name: "vip_nodename", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                ...Object.entries(env).map(([name, value]) => ({ name, value })),
              ],
              image: kubeVipImage(version),
              imagePullPolicy: "IfNotPresent",
              name: "kube-vip",
              resources: {},
              securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW", "SYS_TIME"] } },
            },
          ],
          hostNetwork: true,
          serviceAccountName: "kube-vip",
          tolerations: [
            { effect: "NoSchedule", operator: "Exists" },
            { effect: "NoExecute", operator: "Exists" },
          ],
        },
      },
    },
  };
  return [serviceAccount, role, binding, daemonSet].map((doc) => stringify(doc)).join("---\n");
}
