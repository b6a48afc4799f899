/**
 * VerticalPodAutoscaler objects in recommendation mode for a cluster that runs the `vpa`
 * service (document 002: "VPA in recommender mode only", "Separate VPA resources per
 * component"). The recommender only recommends for workloads a VPA object targets, so without
 * them it recommends nothing. `updateMode: "Off"` computes and publishes recommendations in
 * the object's status without evicting or mutating any pod.
 * @see https://github.com/kubernetes/autoscaler/tree/master/vertical-pod-autoscaler#quick-start
 */
import type { Bundle, DeliveryItem, KubeObject } from "../components/gitops/delivery";
import type { ClusterConfig } from "../config/types";

/** The delivery item of the vpa service, which installs the CRD. */
const VPA_ITEM = "vpa";

/**
 * Argo CD's own components, as the argo-cd chart names them with its default
 * `nameOverride: argocd` (argo-helm charts/argo-cd values.yaml); the application controller
 * is a StatefulSet. 002 lists these four.
 */
const ARGOCD_COMPONENTS: readonly { readonly kind: string; readonly name: string }[] = [
  { kind: "StatefulSet", name: "argocd-application-controller" },
  { kind: "Deployment", name: "argocd-server" },
  { kind: "Deployment", name: "argocd-repo-server" },
  { kind: "Deployment", name: "argocd-applicationset-controller" },
];

/** A recommendation-only VPA for one controller, named after it. */
export function recommendation(kind: string, name: string): KubeObject {
  return {
    apiVersion: "autoscaling.k8s.io/v1",
    kind: "VerticalPodAutoscaler",
    metadata: { name },
    spec: {
      targetRef: { apiVersion: "apps/v1", kind, name },
      updatePolicy: { updateMode: "Off" },
    },
  };
}

/**
 * With the `vpa` service: one VPA per Deployment and StatefulSet of each app bundle (in that
 * bundle, which then waits for the vpa item's CRD), and a bundle for Argo CD's components.
 */
export function withRecommendations(cluster: ClusterConfig, items: readonly DeliveryItem[]): DeliveryItem[] {
  if (!cluster.services.includes(VPA_ITEM)) return [...items];
  const out = items.map((item): DeliveryItem => {
    if (item.kind !== "bundle" || item.layer !== "apps") return item;
    const vpas = item.objects
      .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
      .map((o) => recommendation(o.kind, o.metadata.name));
    if (vpas.length === 0) return item;
    return {
      ...item,
      objects: [...item.objects, ...vpas],
      dependsOn: [...new Set([...(item.dependsOn ?? []), VPA_ITEM])],
    } satisfies Bundle;
  });
  if (cluster.engine === "argocd")
    out.push({
      kind: "bundle",
      name: "vpa-argocd",
      layer: "infrastructure-configs",
      namespace: "argocd",
      dependsOn: [VPA_ITEM],
      objects: ARGOCD_COMPONENTS.map((c) => recommendation(c.kind, c.name)),
    });
  return out;
}
