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
 * Keyed by chart repository and name. Every chart a stack can render is either here or in
 * {@link CHECKED_NEED_NOTHING}, with the reason (test/gitops/argocd-chart-differences.test.ts
 * walks the real synth of every stack on both engines and every service's `charts`). Not
 * charts of the program, so in neither list: Traefik (K3s's packaged chart, configured with a
 * HelmChartConfig that K3s's own Helm controller renders, never an Application) and renovate
 * (plain objects, no chart).
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
  // kube-prometheus-stack 88.6.5 with the default `prometheusOperator.admissionWebhooks.patch.enabled`
  // (the program sets no `prometheusOperator` values): the chart renders its
  // `<fullname>-admission` Mutating and Validating webhook configurations without a caBundle
  // (templates/prometheus-operator/admission-webhooks/mutatingWebhookConfiguration.yaml,
  // validatingWebhookConfiguration.yaml: `caBundle` only from values when neither the patch
  // job nor cert-manager is on), and the kube-webhook-certgen `patch` Job
  // (admission-webhooks/job-patch/job-patchWebhook.yaml) writes the CA into both. The
  // fullname follows the release name, so every webhook configuration of the Application
  // is matched by kind. Grafana's generated admin password (charts/grafana
  // templates/secret.yaml, `randAlphaNum 40`) is not rendered: `admin.existingSecret` is set
  // (components/platform/grafana.ts) and LDAP is off.
  "https://prometheus-community.github.io/helm-charts kube-prometheus-stack": [
    {
      group: "admissionregistration.k8s.io",
      kind: "MutatingWebhookConfiguration",
      jsonPointers: [],
      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
    },
    {
      group: "admissionregistration.k8s.io",
      kind: "ValidatingWebhookConfiguration",
      jsonPointers: [],
      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
    },
  ],
  // istiod: the sidecar injector's MutatingWebhookConfiguration (`istio-sidecar-injector`,
  // and one per revision tag) is rendered without a CA
  // (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml) and istiod
  // patches its CA into every webhook; Argo CD then reports it OutOfSync (argoproj/argo-cd#1487).
  // The validating webhook the istio service ignores itself (components/platform/istio).
  "https://istio-release.storage.googleapis.com/charts istiod": [
    {
      group: "admissionregistration.k8s.io",
      kind: "MutatingWebhookConfiguration",
      jsonPointers: [],
      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
    },
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

/**
 * Charts checked at the version config/ pins and found to need no entry in
 * {@link ARGOCD_CHART_DIFFERENCES}, with the reason: no template generates anything (no
 * `lookup`, `genCA`, `genSignedCert`, `randAlphaNum`, `now`) under the values the program sets,
 * and no controller rewrites a field the chart renders; or the service that installs the
 * chart sets the entries on its addon itself (`ignoreDifferences`), which also feeds Flux's
 * drift detection. Templates read at the chart's repository; a chart bump re-checks.
 */
export const CHECKED_NEED_NOTHING: Readonly<Record<string, string>> = {
  "https://kubernetes-sigs.github.io/metrics-server metrics-server":
    "3.13.1: its APIService has no caBundle and the chart generates no certificate unless `tls.type` is `helm`; the default is `metrics-server` (charts/metrics-server/templates/apiservice.yaml, values.yaml)",
  "https://prometheus-community.github.io/helm-charts prometheus-adapter":
    "5.2.0: caBundle only from `tls.ca` with `tls.enable`, certificates only with `certManager.enabled`; both off (templates/custom-metrics-apiservice.yaml, secret.yaml, certmanager.yaml)",
  "https://prometheus-community.github.io/helm-charts prometheus-operator-crds":
    "28.0.1: CustomResourceDefinitions only, without conversion webhooks",
  "https://bitnami-labs.github.io/sealed-secrets sealed-secrets":
    "2.17.9: the only generated certificate (helm/sealed-secrets/templates/tls-secret.yaml, `genCA`/`genSignedCert`) needs `ingress.tls` and `ingress.selfSigned`, and the program enables no ingress; the sealing key Secret is created by the controller, not rendered",
  "https://kubernetes-sigs.github.io/descheduler descheduler":
    "0.34.0: ConfigMap, CronJob or Deployment, RBAC, Service and ServiceMonitor, nothing generated (charts/descheduler/templates)",
  "https://kubernetes.github.io/autoscaler cluster-autoscaler":
    "9.50.1: its Secrets hold cloud credentials from values only, for azure, aws or rancher (charts/cluster-autoscaler/templates/secret.yaml); nothing generated",
  "https://cloudnative-pg.github.io/charts plugin-barman-cloud":
    "0.2.0: its TLS comes from cert-manager Issuer and Certificate objects (templates/certificate-issuer.yaml, server-certificate.yaml, client-certificate.yaml), whose Secrets cert-manager writes outside the chart; secret.yaml is a fixed sidecar image reference",
  "oci://ghcr.io/external-secrets/charts bitwarden-sdk-server":
    "v0.5.2: a Deployment and a Service only (deploy/charts/bitwarden-sdk-server/templates); its TLS Secret comes from a cert-manager Certificate the external-secrets service applies",
  "https://charts.fairwinds.com/stable vpa":
    "4.10.1: the admission controller's certificate Job and webhook patch Jobs (stable/vpa/templates/admission-controller-certgen.yaml, webhooks/jobs/*) render only with `admissionController.enabled`, which the vpa service sets to false (recommender only)",
  "https://victoriametrics.github.io/helm-charts victoria-logs-single":
    "0.11.20: server StatefulSet or Deployment, Service, PVC, ServiceMonitor and optional Vector; nothing generated (charts/victoria-logs-single/templates)",
  "https://1password.github.io/connect-helm-charts connect":
    "2.0.5: its Secrets render only from `connect.credentials` and `operator.token.value` (templates/connect-credentials.yaml, operator-token.yaml), which the program leaves unset (both are applied live)",
  "https://charts.longhorn.io longhorn":
    "1.10.1: tls-secrets.yaml renders only `ingress.secrets` from values; longhorn-manager registers its admission and conversion webhooks at run time, not through the chart (chart/templates)",
  "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts csi-driver-nfs":
    "4.12.1: CSIDriver, controller Deployment, node DaemonSet and RBAC; nothing generated",
  "https://istio-release.storage.googleapis.com/charts cni":
    "1.27.1: the node agent DaemonSet, its ConfigMap and RBAC; nothing generated",
  "https://istio-release.storage.googleapis.com/charts gateway":
    "1.27.1: Deployment, Service, HPA and RBAC of the gateway; its certificates come from istiod at run time",
  "https://charts.jetstack.io cert-manager":
    "v1.19.1: the cert-manager service ignores the caBundle cainjector writes into `cert-manager-webhook` on its addon (components/platform/cert-manager)",
  "https://cloudnative-pg.github.io/charts cloudnative-pg":
    "0.26.1: the cloudnative-pg service ignores the caBundle the operator writes into its webhooks on its addon (components/platform/cloudnative-pg)",
  "https://victoriametrics.github.io/helm-charts victoria-metrics-k8s-stack":
    "0.85.9: the victoria-metrics service ignores the `lookup`-generated webhook Secret and caBundle on its addon, as the chart's README prescribes (components/platform/victoria-metrics); Grafana's admin Secret is not rendered (`admin.existingSecret`)",
};

const sameTarget = (a: IgnoredDifference, b: IgnoredDifference): boolean =>
  a.group === b.group && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;

/** The addon's own ignored differences plus the known ones of its chart (no target twice). */
export function argoIgnoredDifferences(addon: Addon): readonly IgnoredDifference[] {
  const own = addon.ignoreDifferences ?? [];
  const known = ARGOCD_CHART_DIFFERENCES[`${addon.repository} ${addon.chart}`] ?? [];
  return [...own, ...known.filter((k) => !own.some((o) => sameTarget(o, k)))];
}
