/**
 * Fields Argo CD must leave alone in third-party charts, whoever builds the addon (a platform
 * service, a cluster component or an app). Argo CD renders a chart with `helm template`,
 * without cluster access, so a template that reuses an existing certificate through Helm's
 * `lookup` generates a new one on every render; and a controller that patches its own CA into
 * a webhook configuration changes a field the chart renders differently. Either way the
 * Application stays OutOfSync, and with self-heal every sync rewrites the live value
 * (docs/user-guide/diffing.md; `RespectIgnoreDifferences=true` keeps a sync from applying
 * the ignored fields, argocd-objects.ts `SYNC_OPTIONS`). Flux runs Helm itself, with
 * `lookup`, so these entries are Argo CD's only.
 *
 * Keyed by chart repository and name. Charts checked and found to need nothing, at the
 * versions config/ pins: metrics-server 3.13.1 (its APIService has no caBundle and the chart
 * generates no certificate unless `tls.type` is `helm`; the default is `metrics-server`,
 * charts/metrics-server/templates/apiservice.yaml and values.yaml), prometheus-adapter 5.2.0
 * (caBundle only from `tls.ca` with `tls.enable`, certificates only with
 * `certManager.enabled`; both off: templates/custom-metrics-apiservice.yaml, secret.yaml,
 * certmanager.yaml).
 */
import type { Addon, IgnoredDifference } from "./delivery";

const caBundles = (kind: string, name: string): IgnoredDifference => ({
  group: "admissionregistration.k8s.io",
  kind,
  name,
  jsonPointers: [],
  jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
});

/** `<repository> <chart>` -> the differences Argo CD ignores in that chart's objects. */
export const ARGOCD_CHART_DIFFERENCES: Readonly<Record<string, readonly IgnoredDifference[]>> = {
  // Cilium 1.18.2 with Hubble's default `hubble.tls.auto.method: helm`: the `cilium-ca` Secret
  // (templates/cilium-ca-secret.yaml through `cilium.ca.setup`, which reuses the live CA only
  // via `lookup`) and `hubble-server-certs` (templates/hubble/tls-helm/server-secret.yaml,
  // `genSignedCert` unless `lookup` finds the Secret) are new on every render. Cilium's
  // "Troubleshooting Cilium deployed with Argo CD" (Documentation/configuration/argocd-issues.rst)
  // prescribes ignoring the Hubble certificates' data; the CA Secret is the same case.
  "https://helm.cilium.io/ cilium": [
    { group: "", kind: "Secret", name: "cilium-ca", jsonPointers: ["/data/ca.crt", "/data/ca.key"] },
    {
      group: "",
      kind: "Secret",
      name: "hubble-server-certs",
      jsonPointers: ["/data/ca.crt", "/data/tls.crt", "/data/tls.key"],
    },
  ],
  // External Secrets: the chart renders its two ValidatingWebhookConfigurations without a
  // caBundle and an empty webhook Secret (templates/validatingwebhook.yaml,
  // webhook-secret.yaml); the cert controller writes the certificate into the Secret and its
  // CA into every webhook (`--secret-name=<fullname>-webhook`,
  // templates/cert-controller-deployment.yaml). Argo CD reports both as OutOfSync ("two
  // validating webhooks ... will show as out of sync because their fields are modified by the
  // external-secrets controller", argoproj/argo-cd#9071). CRD conversion is off in 1.x
  // (`crds.conversion.enabled: false`), so the CRDs are left alone.
  "https://charts.external-secrets.io external-secrets": [
    caBundles("ValidatingWebhookConfiguration", "secretstore-validate"),
    caBundles("ValidatingWebhookConfiguration", "externalsecret-validate"),
    { group: "", kind: "Secret", name: "external-secrets-webhook", jsonPointers: ["/data"] },
  ],
  // MetalLB 0.15.2: the controller's certificate rotator patches its CA into the
  // `metallb-webhook-configuration` webhooks as well as the bgppeers CRD the service already
  // ignores (internal/k8s/webhook.go `enableCertRotation`, k8s.go `validatingWebhookName`).
  "https://metallb.github.io/metallb metallb": [
    caBundles("ValidatingWebhookConfiguration", "metallb-webhook-configuration"),
  ],
  // Istio base: `istiod-default-validator` is rendered with `failurePolicy: Ignore` and no
  // caBundle; "The webhook controller will update this to `Fail` and patch in the `caBundle`
  // when the webhook endpoint is ready" (manifests/charts/base/templates/
  // defaultrevision-validatingwebhookconfiguration.yaml).
  "https://istio-release.storage.googleapis.com/charts base": [
    {
      group: "admissionregistration.k8s.io",
      kind: "ValidatingWebhookConfiguration",
      name: "istiod-default-validator",
      jsonPointers: ["/webhooks/0/clientConfig/caBundle", "/webhooks/0/failurePolicy"],
    },
  ],
};

const sameTarget = (a: IgnoredDifference, b: IgnoredDifference): boolean =>
  a.group === b.group && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;

/** The addon's own ignored differences plus the known ones of its chart (no target twice). */
export function argoIgnoredDifferences(addon: Addon): readonly IgnoredDifference[] {
  const own = addon.ignoreDifferences ?? [];
  const known = ARGOCD_CHART_DIFFERENCES[`${addon.repository} ${addon.chart}`] ?? [];
  return [...own, ...known.filter((k) => !own.some((o) => sameTarget(o, k)))];
}
