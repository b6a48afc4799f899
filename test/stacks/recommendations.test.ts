import type { Bundle } from "../../components/gitops/delivery";
import type { ClusterConfig } from "../../config/types";
import { withRecommendations } from "../../stacks/recommendations";

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
  it("adds an updateMode Off VPA per app controller, waiting for the vpa item, and none in the argocd namespace", () => {
    const items = withRecommendations(cluster(["vpa"]), [app]);
    expect(items.map((i) => i.name)).toEqual(["hypebot"]);
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
});
