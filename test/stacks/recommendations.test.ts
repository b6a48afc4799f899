import type { Bundle } from "../../components/gitops/delivery";
import type { ClusterConfig } from "../../config/types";
import { ENGINE_RECOMMENDATIONS_ITEM, withRecommendations } from "../../stacks/recommendations";

const cluster = (services: string[], engine: "argocd" | "flux" = "argocd") =>
  ({ name: "prod", services, engine }) as unknown as ClusterConfig;
const app: Bundle = {
  kind: "bundle",
  name: "hypebot",
  layer: "apps",
  namespace: "hypebot",
  dependsOn: ["namespace-hypebot"],
  objects: [
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "hypebot" }, spec: {} },
    { apiVersion: "v1", kind: "Service", metadata: { name: "hypebot" }, spec: {} },
  ],
};

describe("VPA recommendations (002: recommender mode, one VPA per component)", () => {
  it("adds an updateMode Off VPA per app controller, waiting for the vpa item", () => {
    const items = withRecommendations(cluster(["vpa"]), [app]);
    expect(items.map((i) => i.name)).toEqual(["hypebot", ENGINE_RECOMMENDATIONS_ITEM]);
    const bundle = items[0] as Bundle;
    expect(bundle.dependsOn).toEqual(["namespace-hypebot", "vpa"]);
    expect(bundle.objects.filter((o) => o.kind === "VerticalPodAutoscaler")).toEqual([
      {
        apiVersion: "autoscaling.k8s.io/v1",
        kind: "VerticalPodAutoscaler",
        metadata: { name: "hypebot" },
        spec: {
          targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "hypebot" },
          updatePolicy: { updateMode: "Off" },
        },
      },
    ]);
  });

  it("adds nothing without the vpa service", () => {
    expect(withRecommendations(cluster([]), [app])).toEqual([app]);
  });

  it("adds one VPA per Argo CD controller in argocd, each skipping the dry run until the vpa chart brings the CRD", () => {
    const engine = withRecommendations(cluster(["vpa"]), []) as Bundle[];
    expect(engine).toHaveLength(1);
    expect(engine[0]).toMatchObject({
      name: "gitops-recommendations",
      namespace: "argocd",
      dependsOn: ["vpa"],
    });
    expect(
      engine[0].objects.map((o) => [o.kind, o.metadata.name, (o.spec as { targetRef: unknown }).targetRef]),
    ).toEqual(
      [
        ["StatefulSet", "argocd-application-controller"],
        ["Deployment", "argocd-repo-server"],
        ["Deployment", "argocd-server"],
        ["Deployment", "argocd-redis"],
        ["Deployment", "argocd-applicationset-controller"],
        ["Deployment", "argocd-notifications-controller"],
        ["Deployment", "argocd-dex-server"],
      ].map(([kind, name]) => ["VerticalPodAutoscaler", name, { apiVersion: "apps/v1", kind, name }]),
    );
    for (const vpa of engine[0].objects) {
      expect(vpa.metadata.annotations).toEqual({
        "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
      });
      expect((vpa.spec as { updatePolicy: unknown }).updatePolicy).toEqual({ updateMode: "Off" });
    }
  });

  it("adds one VPA per Flux controller in flux-system on a Flux cluster", () => {
    const [engine] = withRecommendations(cluster(["vpa"], "flux"), []) as Bundle[];
    expect(engine.namespace).toBe("flux-system");
    expect(engine.objects.map((o) => o.metadata.name)).toEqual([
      "source-controller",
      "kustomize-controller",
      "helm-controller",
      "notification-controller",
    ]);
    expect(engine.objects.every((o) => o.metadata.annotations === undefined)).toBe(true);
  });
});
