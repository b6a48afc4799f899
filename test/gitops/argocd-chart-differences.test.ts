import { argoAddonApplication } from "../../components/gitops/argocd-objects";
import {
  ARGOCD_CHART_DIFFERENCES,
  argoIgnoredDifferences,
  CHECKED_NEED_NOTHING,
} from "../../components/gitops/argocd-chart-differences";
import { fluxHelmRelease } from "../../components/gitops/flux-objects";
import { validateItems, type Addon } from "../../components/gitops/delivery";
import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import { shippedSynth } from "../helpers/shipped-synth";
import { parseAllDocuments } from "yaml";
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

/** `<repository> <chart>` of an Application's chart source (Argo CD drops `oci://`). */
const applicationChart = (app: Loose): string | undefined => {
  const source = app.spec?.source;
  if (!source?.chart) return undefined;
  const url = String(source.repoURL);
  return `${url.includes("://") ? url : `oci://${url}`} ${source.chart}`;
};

/** `<repository> <chart>` of every chart a synth renders, on either engine. */
function renderedCharts(objects: readonly Loose[]): Set<string> {
  const keys = new Set<string>();
  const sources = new Map<string, string>();
  for (const o of objects) {
    if (o.kind === "HelmRepository") sources.set(o.metadata.name, String(o.spec.url));
  }
  for (const o of objects) {
    if (o.kind === "Application") {
      const key = applicationChart(o);
      if (key) keys.add(key);
    }
    if (o.kind === "OCIRepository" && o.spec.layerSelector) {
      const url = String(o.spec.url);
      keys.add(`${url.slice(0, url.lastIndexOf("/"))} ${url.slice(url.lastIndexOf("/") + 1)}`);
    }
    if (o.kind === "HelmRelease" && o.spec.chart) {
      keys.add(`${sources.get(o.spec.chart.spec.sourceRef.name)} ${o.spec.chart.spec.chart}`);
    }
  }
  return keys;
}

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

  it("every chart is either in the table or checked and found to need nothing, with a reason", () => {
    const listed = Object.keys(ARGOCD_CHART_DIFFERENCES);
    expect(listed.filter((k) => k in CHECKED_NEED_NOTHING)).toEqual([]);
    for (const reason of Object.values(CHECKED_NEED_NOTHING)) expect(reason.length).toBeGreaterThan(20);
    // Every chart a platform service can install, whether or not a shipped stack enables it.
    const unchecked = BUILT_IN_SERVICES.flatMap((service) => Object.values(service.charts ?? {}))
      .map((chart) => `${chart.repository} ${chart.name}`)
      .filter((key) => !listed.includes(key) && !(key in CHECKED_NEED_NOTHING));
    expect(unchecked).toEqual([]);
  });

  it("every chart the three stacks render, on Argo CD and on Flux, has been checked", async () => {
    const rendered = new Set<string>();
    const add = (objects: readonly Loose[]) => renderedCharts(objects).forEach((k) => rendered.add(k));
    // stage and prod run Argo CD, homelab Flux, as shipped (deploy mode) ...
    for (const stack of ["stage", "prod", "homelab"]) {
      add(((await shippedSynth(stack)).objects as { object: Loose }[]).map((o) => o.object));
    }
    // ... and each on the other engine, in emit mode (the units are files there).
    for (const stack of ["stage", "prod", "homelab"]) {
      const emitted = await emitStack(stack, { engine: "other" });
      discardEmitted(emitted);
      const { result } = emitted;
      const files = [...result.files].filter(([f]) => f.endsWith(".yaml")).flatMap(([, c]) => parseAllDocuments(c));
      add([...(result.objects as { object: Loose }[]).map((o) => o.object), ...files.map((d) => d.toJSON())]);
    }
    expect(rendered.size).toBeGreaterThan(20);
    expect([...rendered].filter((key) => !(key in ARGOCD_CHART_DIFFERENCES) && !(key in CHECKED_NEED_NOTHING))).toEqual([]);
    // Cilium is a cluster component (Talos), not a service chart: the synth is what finds it.
    expect(rendered).toContain("https://helm.cilium.io/ cilium");
    expect(rendered).toContain("oci://ghcr.io/external-secrets/charts bitwarden-sdk-server");
  }, 300_000);

  it("kube-prometheus-stack and istiod ignore the caBundle written into their webhooks", () => {
    const kps = argoIgnoredDifferences(addon("https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack"));
    expect(kps.map((d) => `${d.kind} ${d.jqPathExpressions?.join()}`)).toEqual([
      "MutatingWebhookConfiguration .webhooks[]?.clientConfig.caBundle",
      "ValidatingWebhookConfiguration .webhooks[]?.clientConfig.caBundle",
    ]);
    const istiod = argoIgnoredDifferences(addon("https://istio-release.storage.googleapis.com/charts", "istiod"));
    expect(istiod.map((d) => d.kind)).toEqual(["MutatingWebhookConfiguration"]);
  });
});
