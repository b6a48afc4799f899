/**
 * Cluster helpers (002 "Infrastructure Apps"; 004 Renovate): metrics-server, VPA in
 * recommender mode, descheduler, cluster-autoscaler for Hetzner, Renovate as an hourly
 * CronJob; plus the platform PriorityClass and the baseline NetworkPolicies apps reuse.
 */

import type { Bundle, JsonValue, KubeObject } from "../gitops/delivery";

export const RESTRICTED_CONTAINER: { [key: string]: JsonValue } = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

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
