/**
 * VerticalPodAutoscaler objects in recommendation mode for a cluster that runs the `vpa`
 * service (document 002: "VPA in recommender mode only", "Separate VPA resources per
 * component"). The recommender only recommends for workloads a VPA object targets, so without
 * them it recommends nothing. `updateMode: "Off"` computes and publishes recommendations in
 * the object's status without evicting or mutating any pod.
 * @see https://github.com/kubernetes/autoscaler/tree/master/vertical-pod-autoscaler#quick-start
 */
import { ARGOCD_NAMESPACE } from "../components/gitops/argocd-objects";
import type { Bundle, DeliveryItem, KubeObject } from "../components/gitops/delivery";
import { FLUX_NAMESPACE } from "../components/gitops/flux-objects";
import type { ClusterConfig, EngineKind } from "../config/types";

/** The delivery item of the vpa service, which installs the CRD. */
const VPA_ITEM = "vpa";

/** The item holding the VPAs of the cluster's GitOps engine, in the engine's namespace. */
export const ENGINE_RECOMMENDATIONS_ITEM = "gitops-recommendations";

/**
 * The controllers of each engine as the program installs it, by kind and name.
 *
 * Argo CD: chart argo-cd (config/defaults.ts `argocdChart`) as release `argocd` with the
 * program's values (components/gitops/argocd-objects.ts `argoChartValues`: CRDs and a health
 * check, every component at its default). argoproj/argo-helm charts/argo-cd:
 * templates/_common.tpl `argo-cd.fullname` is the release name when it contains the name,
 * and values.yaml `nameOverride: argocd`, so the prefix is `argocd`; templates/_helpers.tpl
 * names each component `<fullname>-<component>.name` (values.yaml: `controller.name`
 * application-controller, `repoServer.name` repo-server, `server.name` server, `redis.name`
 * redis, `applicationSet.name` applicationset-controller, `notifications.name`
 * notifications-controller, `dex.name` dex-server; `dex.enabled`, `notifications.enabled`
 * and `redis.enabled` default true, `redis-ha.enabled` false). The application controller is
 * templates/argocd-application-controller/statefulset.yaml, a StatefulSet (a Deployment only
 * with `controller.dynamicClusterDistribution`, which the program leaves off; the chart's
 * own vpa.yaml targets it the same way); the others are Deployments.
 *
 * Flux: flux2's install.yaml of the pinned release, unchanged (flux-objects.ts
 * `fluxInstallUrl`): manifests/install/kustomization.yaml installs the source, kustomize,
 * helm and notification controllers as Deployments named after themselves, no image
 * automation controllers.
 */
export const ENGINE_CONTROLLERS: Readonly<
  Record<
    EngineKind,
    { readonly namespace: string; readonly controllers: readonly (readonly [string, string])[] }
  >
> = {
  argocd: {
    namespace: ARGOCD_NAMESPACE,
    controllers: [
      ["StatefulSet", "argocd-application-controller"],
      ["Deployment", "argocd-repo-server"],
      ["Deployment", "argocd-server"],
      ["Deployment", "argocd-redis"],
      ["Deployment", "argocd-applicationset-controller"],
      ["Deployment", "argocd-notifications-controller"],
      ["Deployment", "argocd-dex-server"],
    ],
  },
  flux: {
    namespace: FLUX_NAMESPACE,
    controllers: [
      ["Deployment", "source-controller"],
      ["Deployment", "kustomize-controller"],
      ["Deployment", "helm-controller"],
      ["Deployment", "notification-controller"],
    ],
  },
};

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
 * The VPAs of the engine's own controllers, one item in the engine's namespace waiting for
 * the vpa item. Argo CD delivers it as the one item of the `root` project besides the
 * Applications (argocd-objects.ts `projectOf`), and each VPA carries
 * `SkipDryRunOnMissingResource=true`: the CRD arrives with the vpa chart, so a dry run
 * before that chart has synced would fail ("Skip Dry Run for new custom resources types",
 * Argo CD docs/user-guide/sync-options.md).
 */
export function engineRecommendations(engine: EngineKind): Bundle {
  const { namespace, controllers } = ENGINE_CONTROLLERS[engine];
  return {
    kind: "bundle",
    name: ENGINE_RECOMMENDATIONS_ITEM,
    layer: "infrastructure-configs",
    namespace,
    dependsOn: [VPA_ITEM],
    objects: controllers.map(([kind, name]) => {
      const vpa = recommendation(kind, name);
      return engine === "argocd"
        ? {
            ...vpa,
            metadata: {
              ...vpa.metadata,
              annotations: { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" },
            },
          }
        : vpa;
    }),
  };
}

/**
 * With the `vpa` service: one VPA per Deployment and StatefulSet of each app bundle (in that
 * bundle, which then waits for the vpa item's CRD), and one per controller of the cluster's
 * GitOps engine ({@link engineRecommendations}).
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
  return [...out, engineRecommendations(cluster.engine)];
}
