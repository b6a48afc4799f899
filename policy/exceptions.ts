/**
 * Every exception to the policies, in one place, each with its reason (issue: "system
 * components that must run privileged: CNI, storage drivers, node agents"). A workload is
 * matched by kind, namespace and name; `*` matches anything.
 *
 * Charts installed through the GitOps engines (Cilium, Longhorn, CSI drivers, node
 * exporters) are not Pulumi resources and their pods are not in the plan, so they need no
 * entry here; their namespaces carry the privileged Pod Security Admission level instead
 * (see {@link PRIVILEGED_NAMESPACES}).
 */

/** One declared exception. */
export interface Exemption {
  readonly policies: readonly string[];
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * A workload opts out of one rule by carrying the annotation `policy.platform.io/<rule>`
 * with the reason as its value (the workload component writes it from an app's declared
 * opt-out), so the exception travels with the object a reviewer reads.
 */
export const OPT_OUT_ANNOTATION_PREFIX = "policy.platform.io/";

/** The reason a workload's annotations give for opting out of a rule, if any. */
export function optOutReason(
  annotations: Readonly<Record<string, unknown>>,
  rule: string,
): string | undefined {
  const reason = annotations[`${OPT_OUT_ANNOTATION_PREFIX}${rule}`];
  return typeof reason === "string" && reason.trim().length >= 10 ? reason : undefined;
}

/** The exceptions. Keep each one narrow and say why. */
export const EXEMPTIONS: readonly Exemption[] = [];

/**
 * Namespaces whose Pod Security Admission level is `privileged`, with why; every other
 * namespace the program creates enforces `restricted`.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export const PRIVILEGED_NAMESPACES: Readonly<Record<string, string>> = {
  "kube-system":
    "CNI (Cilium), CSI node plugins, kube-proxy replacement and the CCM run here with host access",
  "longhorn-system":
    "Longhorn's instance manager and CSI plugin mount host paths and run privileged (storage driver)",
  "metallb-system": "MetalLB's speaker uses the host network to announce addresses (node agent)",
  monitoring: "the node exporter reads host metrics through host namespaces and hostPath (node agent)",
  // victoria-metrics-k8s-stack runs prometheus-node-exporter in its release namespace (002).
  victoriametrics: "the node exporter reads host metrics through host namespaces and hostPath (node agent)",
  // The istio-cni node agent writes the CNI config and binary on the host (Istio CNI docs).
  "istio-system": "the istio-cni node agent installs its CNI plugin on the host (hostPath, privileged)",
};

/**
 * Namespaces of third-party charts whose pods were not verified against the `restricted`
 * profile: they enforce `baseline` (what Talos enforces by default, "Pod Security") and
 * warn and audit at `restricted`, so a violation shows without blocking the chart.
 */
export const BASELINE_NAMESPACES: Readonly<Record<string, string>> = {
  "istio-ingress": "the Istio gateway chart's pod security settings were not verified against restricted",
  victorialogs: "the VictoriaLogs chart's pod security settings were not verified against restricted",
  vpa: "the VPA chart's pod security settings were not verified against restricted",
  "onepassword-system":
    "the 1Password Connect chart's pod security settings were not verified against restricted",
};

/**
 * Namespaces of third-party charts that get no namespace-wide default-deny NetworkPolicy,
 * with why. Every other namespace a chart installs into gets one with the chart's allow
 * rules (components/platform/namespace-policies.ts), and the policy pack reports a chart
 * namespace that has neither. A deny whose allow rules miss one of a chart's paths breaks
 * the chart, so a namespace stays here until its charts' traffic has been read at the
 * pinned versions.
 */
export const OPEN_CHART_NAMESPACES: Readonly<Record<string, string>> = {
  "kube-system":
    "the cluster's own namespace (CNI, CoreDNS, CSI, CCM, metrics-server, autoscaler, K3s's Traefik): not the program's to default-deny",
};

/** The PSA level a namespace the program creates enforces. */
export function podSecurityLevel(namespace: string): "privileged" | "baseline" | "restricted" {
  if (PRIVILEGED_NAMESPACES[namespace]) return "privileged";
  if (BASELINE_NAMESPACES[namespace]) return "baseline";
  return "restricted";
}

/** The exemption covering a workload for a policy, if any. */
export function exemptionFor(
  policy: string,
  kind: string,
  namespace: string | undefined,
  name: string,
): Exemption | undefined {
  const match = (pattern: string, value: string | undefined) => pattern === "*" || pattern === (value ?? "");
  return EXEMPTIONS.find(
    (e) =>
      e.policies.includes(policy) &&
      match(e.kind, kind) &&
      match(e.namespace, namespace) &&
      match(e.name, name),
  );
}

/**
 * Services allowed to be NodePort or LoadBalancer, as `<namespace>/<name>`: the Open WebUI
 * NodePort 30080 of source document 001, and what serves the clusters' ingress.
 */
export const EXPOSED_SERVICES: readonly string[] = [
  // Document 001: Open WebUI on NodePort 30080, in the AI services' default namespace.
  "ai/open-webui",
];
