/** The istio platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { istioIngressLoadBalancerName } from "../../cluster/talos/talos-hcloud-cluster";
import {
  ISTIO_DEFAULTS as IS,
  ISTIO_TRACING_PROVIDER,
  type IstioSettings,
  type IstioTracing,
  parseIstioSettings,
} from "./settings";
import type { Addon, Bundle, JsonValue } from "../../gitops/delivery";
import { addonChart, defineService, type ServiceChart } from "../types";

/** The four Istio charts, one repository and one version (the istio-release charts move together). */
const ISTIO_CHARTS = {
  base: { repository: IS.repository, name: "base", version: IS.version },
  cni: { repository: IS.repository, name: "cni", version: IS.version },
  istiod: { repository: IS.repository, name: "istiod", version: IS.version },
  gateway: { repository: IS.repository, name: "gateway", version: IS.version },
} as const satisfies Readonly<Record<string, ServiceChart>>;

/**
 * istiod's mesh config for tracing: the collector as an OpenTelemetry extension provider and
 * tracing on, as Istio's "Configure trace sampling" task installs it (`meshConfig.enableTracing:
 * true`, `extensionProviders: [{name: otel-tracing, opentelemetry: {port: 4317, service: ...}}]`),
 * with the sampling left to the Telemetry API. The istiod chart takes `meshConfig` at the top of
 * its values (manifests/charts/istio-control/istio-discovery/values.yaml: "set the fields
 * directly", its defaults only `enablePrometheusMerge: true`, which Helm's merge keeps).
 */
function tracingMeshConfig(t: IstioTracing): { [key: string]: JsonValue } {
  return {
    enableTracing: true,
    extensionProviders: [
      { name: ISTIO_TRACING_PROVIDER, opentelemetry: { service: t.service, port: t.port } },
    ],
  };
}

/**
 * The mesh-wide Telemetry (telemetry.istio.io/v1): a Telemetry in the root namespace
 * (istio-system) without a selector applies to every workload of the mesh, and a narrower one
 * (a namespace's, a workload's) overrides it (Istio Telemetry API reference, "Telemetry
 * API"; `tracing[].providers`, `randomSamplingPercentage`).
 */
function meshTelemetry(t: IstioTracing): Bundle {
  return {
    kind: "bundle",
    name: "istio-telemetry",
    layer: "infrastructure-configs",
    namespace: IS.namespace,
    dependsOn: ["istiod"],
    objects: [
      {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "mesh-default" },
        spec: {
          tracing: [
            { providers: [{ name: ISTIO_TRACING_PROVIDER }], randomSamplingPercentage: t.samplingPercentage },
          ],
        },
      },
    ],
  };
}

/** Istio: CRDs (base), the control plane (istiod) and an ingress gateway (003). */
export const istioService = defineService<IstioSettings>({
  name: "istio",
  catalog: { description: "Istio service mesh (mTLS, JWT, gateway)", source: "003" },
  charts: ISTIO_CHARTS,
  parse: parseIstioSettings,
  build(ctx) {
    const chart = (
      name: string,
      role: keyof typeof ISTIO_CHARTS,
      namespace: string,
      dependsOn: string[],
    ): Addon => ({
      kind: "addon",
      name,
      layer: "infrastructure-controllers",
      namespace,
      ...addonChart(ISTIO_CHARTS[role]),
      includeCrds: true,
      ...(dependsOn.length ? { dependsOn } : {}),
    });
    const tracing = ctx.settings.tracing;
    const items: (Addon | Bundle)[] = [
      chart("istio-base", "base", IS.namespace, []),
      // The istio-cni node agent sets up the sidecar redirection instead of the istio-init
      // container, which needs NET_ADMIN and NET_RAW and so fails Pod Security `restricted`
      // in the app namespaces (Istio "Install the Istio CNI node agent": helm install
      // istio-cni istio/cni -n istio-system; istiod with pilot.cni.enabled=true). Cilium
      // chains with it (cni.exclusive=false; Talos component).
      chart("istio-cni", "cni", IS.namespace, ["istio-base"]),
      {
        ...chart("istiod", "istiod", IS.namespace, ["istio-base", "istio-cni"]),
        values: {
          pilot: { cni: { enabled: true } },
          ...(tracing ? { meshConfig: tracingMeshConfig(tracing) } : {}),
        },
        // istiod patches the CA into its validating webhook (Istio docs, "Argo CD" FAQ); not
        // verified against 1.27 in this change.
        ignoreDifferences: [
          {
            group: "admissionregistration.k8s.io",
            kind: "ValidatingWebhookConfiguration",
            name: "istio-validator-istio-system",
            jsonPointers: ["/webhooks/0/clientConfig/caBundle", "/webhooks/0/failurePolicy"],
          },
        ],
      },
    ];
    if (ctx.settings.ingressGateway) {
      const lb = ctx.settings.loadBalancer;
      items.push({
        ...chart("istio-ingressgateway", "gateway", IS.ingressNamespace, ["istiod"]),
        // On Hetzner the CCM creates a Load Balancer for the gateway's LoadBalancer Service only
        // with a location or network zone (hcloud CCM internal/annotation/load_balancer.go, as
        // for the shared Gateway); reaching the nodes on their private IPs, named after the
        // cluster. The gateway chart puts `service.annotations` on its Service (istio
        // manifests/charts/gateway values.yaml).
        ...(lb
          ? {
              values: {
                service: {
                  annotations: {
                    "load-balancer.hetzner.cloud/name": istioIngressLoadBalancerName(ctx.cluster.name),
                    "load-balancer.hetzner.cloud/location": lb.location,
                    "load-balancer.hetzner.cloud/type": lb.type,
                    "load-balancer.hetzner.cloud/use-private-ip": "true",
                  },
                },
              },
            }
          : {}),
      });
    }
    if (tracing) items.push(meshTelemetry(tracing));
    return { items, liveSecrets: [] };
  },
});
