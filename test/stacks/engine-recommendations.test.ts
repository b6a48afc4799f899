/**
 * The VPAs of Argo CD's own controllers on the real synth of prod (the stack that runs the
 * vpa service), in deploy mode: Pulumi applies each in `argocd`, after the vpa chart's
 * Application (which brings the CRD) and Argo CD's install.
 */
import { ENGINE_CONTROLLERS } from "../../stacks/recommendations";
import { shippedSynth } from "../helpers/shipped-synth";

describe("VPAs for the GitOps engine's own controllers (prod, deploy mode)", () => {
  it("applies one updateMode Off VPA per Argo CD controller in argocd, after the vpa chart and the install", async () => {
    const result = await shippedSynth("prod");
    const vpas = result.resources.filter(
      (r) =>
        r.type === "kubernetes:autoscaling.k8s.io/v1:VerticalPodAutoscaler" &&
        (r.inputs.metadata as { namespace?: string } | undefined)?.namespace === "argocd",
    );
    expect(
      vpas
        .map((r) => (r.inputs.spec as { targetRef: { kind: string; name: string } }).targetRef)
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    ).toEqual(
      ENGINE_CONTROLLERS.argocd.controllers
        .map(([kind, name]) => ({ apiVersion: "apps/v1", kind, name }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    for (const vpa of vpas) {
      expect((vpa.inputs.spec as { updatePolicy: unknown }).updatePolicy).toEqual({ updateMode: "Off" });
      expect(
        vpa.dependsOn.some((d) => d.endsWith("Application::prod-gitops-vpa-application-argocd-vpa")),
      ).toBe(true);
      expect(vpa.dependsOn.some((d) => d.endsWith("Release::prod-gitops-install"))).toBe(true);
    }
  });
});
