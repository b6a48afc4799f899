/**
 * The Namespace objects the program creates: each carries its Pod Security Admission level,
 * `restricted` unless policy/exceptions.ts declares it privileged or baseline with a reason.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
import type { KubeObject } from "../components/gitops/delivery";
import { podSecurityLevel } from "../policy/exceptions";

/** The PSA labels of a namespace (enforce, audit and warn at the same level). */
export function podSecurityLabels(name: string): Record<string, string> {
  const level = podSecurityLevel(name);
  // A baseline namespace still reports what restricted would refuse.
  const report = level === "baseline" ? "restricted" : level;
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/audit": report,
    "pod-security.kubernetes.io/warn": report,
  };
}

/** A Namespace with its Pod Security Admission labels. */
export function namespaceObject(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: podSecurityLabels(name) } };
}

/** Namespaces every cluster has from the start; the program never creates or deletes them. */
export const BUILT_IN_NAMESPACES: ReadonlySet<string> = new Set([
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
]);

/**
 * The label that lets a namespace attach routes to the shared public Gateway (its listeners
 * admit routes `from: Selector` on this label, not `from: All`). The program sets it on the
 * namespaces of apps that have a route and on the Gateway's own namespace.
 */
export const GATEWAY_ROUTES_LABEL = "platform.io/gateway-routes";

/**
 * The label that lets a namespace read from one ClusterSecretStore: each store's
 * `spec.conditions` selects the namespaces carrying `platform.io/secret-store-<store>`, and the
 * program sets it on the namespaces whose apps declare an ExternalSecret against that store.
 */
export function secretStoreLabel(store: string): string {
  return `platform.io/secret-store-${store}`;
}
