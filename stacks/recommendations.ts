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
 * bundle, which then waits for the vpa item's CRD). Argo CD's own components get none: 002
 * names them, but the Argo CD projects keep every delivered item out of the `argocd`
 * namespace (components/gitops/argocd-objects.ts `argoProject`), and a VPA must live in its
 * target's namespace.
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
  return out;
}
