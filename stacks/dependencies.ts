/**
 * What the platform's charts provide that their items do not spell out as objects: the
 * API groups whose CRDs and controller each chart installs, and the StorageClasses charts
 * create. The GitOps layer derives each item's dependencies from these and from the items'
 * own objects (components/gitops/needs.ts), so an item waits only for what it uses.
 */
import type { ProviderTable } from "../components/gitops";

/** API group -> the items (service item names) installing its CRDs and controller. */
export const PLATFORM_PROVIDERS: ProviderTable = {
  apiGroups: {
    "cert-manager.io": ["cert-manager"],
    "acme.cert-manager.io": ["cert-manager"],
    "postgresql.cnpg.io": ["cloudnative-pg"],
    "barmancloud.cnpg.io": ["plugin-barman-cloud"],
    "external-secrets.io": ["external-secrets"],
    "generators.external-secrets.io": ["external-secrets"],
    "onepassword.com": ["onepassword-connect"],
    "metallb.io": ["metallb"],
    "monitoring.coreos.com": ["prometheus-operator-crds", "kube-prometheus-stack"],
    "operator.victoriametrics.com": ["victoria-metrics"],
    "networking.istio.io": ["istio-base", "istiod"],
    "security.istio.io": ["istio-base", "istiod"],
    "telemetry.istio.io": ["istio-base", "istiod"],
    "autoscaling.k8s.io": ["vpa"],
    "bitnami.com": ["sealed-secrets"],
    "longhorn.io": ["longhorn"],
  },
  storageClasses: { longhorn: ["longhorn"] },
};
