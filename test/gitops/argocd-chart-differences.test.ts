import { argoAddonApplication } from "../../components/gitops/argocd-objects";
import { ARGOCD_CHART_DIFFERENCES, argoIgnoredDifferences } from "../../components/gitops/argocd-chart-differences";
import { fluxHelmRelease } from "../../components/gitops/flux-objects";
import { validateItems, type Addon } from "../../components/gitops/delivery";
import { shippedSynth } from "../helpers/shipped-synth";
import { discardEmitted, emitStack } from "./stack-emit";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const addon = (repository: string, chart: string, own: Addon["ignoreDifferences"] = undefined): Addon => ({
  kind: "addon",
  name: chart,
  layer: "infrastructure-controllers",
  namespace: "x",
  repository,
  chart,
  version: "1.0.0",
  includeCrds: true,
  ...(own ? { ignoreDifferences: own } : {}),
});

const targets = (app: Loose): string[] =>
  (app.spec.ignoreDifferences ?? []).map((d: Loose) => `${d.kind}/${d.name ?? "*"}`).sort();

describe("Argo CD differences of third-party charts", () => {
  it("every known entry is a valid ignoreDifferences entry", () => {
    for (const [key, entries] of Object.entries(ARGOCD_CHART_DIFFERENCES)) {
      const [repository, chart] = key.split(" ");
      expect(() => validateItems([addon(repository, chart, entries)])).not.toThrow();
    }
  });

  it("adds a chart's known entries to its Application, once, and leaves Flux alone", () => {
    const metallb = addon("https://metallb.github.io/metallb", "metallb", [
      {
        group: "apiextensions.k8s.io",
        kind: "CustomResourceDefinition",
        name: "bgppeers.metallb.io",
        jsonPointers: ["/spec/conversion/webhook/clientConfig/caBundle"],
      },
    ]);
    expect(targets(argoAddonApplication(metallb, 0, false))).toEqual([
      "CustomResourceDefinition/bgppeers.metallb.io",
      "ValidatingWebhookConfiguration/metallb-webhook-configuration",
    ]);
    // Flux renders with Helm's lookup: its drift detection keeps to the addon's own entries.
    const release = fluxHelmRelease(metallb, false) as Loose;
    expect(release.spec.driftDetection.ignore).toHaveLength(1);
    // An addon that already ignores the same target does not get it twice.
    const own = addon("https://helm.cilium.io/", "cilium", [
      { group: "", kind: "Secret", name: "cilium-ca", jsonPointers: ["/data"] },
    ]);
    expect(argoIgnoredDifferences(own).filter((d) => d.name === "cilium-ca")).toEqual([
      { group: "", kind: "Secret", name: "cilium-ca", jsonPointers: ["/data"] },
    ]);
    // The same chart name from another repository is another chart.
    expect(argoIgnoredDifferences(addon("https://example.com/charts", "cilium"))).toEqual([]);
  });

  it("prod's Applications ignore what Cilium, External Secrets and Istio base rewrite", async () => {
    const result = await shippedSynth("prod");
    const apps = new Map<string, Loose>(
      (result.objects as { object: Loose }[])
        .filter((o) => o.object.kind === "Application")
        .map((o) => [o.object.metadata.name, o.object]),
    );
    expect(targets(apps.get("cilium"))).toEqual(["Secret/cilium-ca", "Secret/hubble-server-certs"]);
    expect(targets(apps.get("external-secrets"))).toEqual([
      "Secret/external-secrets-webhook",
      "ValidatingWebhookConfiguration/externalsecret-validate",
      "ValidatingWebhookConfiguration/secretstore-validate",
    ]);
    expect(targets(apps.get("istio-base"))).toEqual(["ValidatingWebhookConfiguration/istiod-default-validator"]);
    // Checked and found to need nothing (argocd-chart-differences.ts).
    expect(targets(apps.get("metrics-server"))).toEqual([]);
    expect(targets(apps.get("prometheus-adapter"))).toEqual([]);
  });

  it("homelab on Argo CD: MetalLB's Application ignores its webhook configuration's CA", async () => {
    const emitted = await emitStack("homelab", { engine: "other" });
    const { result } = emitted;
    discardEmitted(emitted);
    const metallb = (result.objects as { object: Loose }[]).find(
      (o) => o.object.kind === "Application" && o.object.metadata.name === "metallb",
    );
    expect(targets(metallb!.object)).toContain("ValidatingWebhookConfiguration/metallb-webhook-configuration");
  });
});
