/**
 * Certificates, load balancing and ingress: cert-manager with Let's Encrypt over Cloudflare
 * DNS-01, MetalLB (k3s), K3s's own Traefik with an HTTPS redirect, the shared Cilium
 * Gateway (Talos) and Istio (sources 002, 003, 004).
 */
import { istioIngressLoadBalancerName } from "../cluster/talos/talos-hcloud-cluster";
import { GATEWAY_ROUTES_LABEL, namespaceObject } from "../../lib/namespaces";
import { stringify } from "yaml";
import {
  CERT_MANAGER_DEFAULTS as CM,
  CILIUM_GATEWAY_DEFAULTS as GW,
  ISTIO_DEFAULTS as IS,
  ISSUERS,
  METALLB_DEFAULTS as MLB,
  TRAEFIK_DEFAULTS as TR,
  type CertManagerSettings,
  type CiliumGatewaySettings,
  type IstioSettings,
  type MetallbSettings,
  type TraefikSettings,
  parseCertManagerSettings,
  parseCiliumGatewaySettings,
  parseIstioSettings,
  parseMetallbSettings,
  parseTraefikSettings,
} from "../../config/services/networking-data";
import type { Addon, Bundle, JsonValue, KubeObject } from "../gitops/delivery";
import { defineService } from "./types";

export const CERT_MANAGER_ITEM = "cert-manager";
export const CERT_MANAGER_ISSUERS_ITEM = "cert-manager-issuers";
export const CLOUDFLARE_TOKEN_KEY = "cloudflareApiToken";

/** cert-manager with a staging and a production Let's Encrypt ClusterIssuer (DNS-01 via Cloudflare). */
export const certManagerService = defineService<CertManagerSettings>({
  name: "cert-manager",
  catalog: {
    description: "TLS certificates (Let's Encrypt DNS-01 via Cloudflare)",
    source: "002, 004",
  },
  parse: parseCertManagerSettings,
  secrets: {
    [CLOUDFLARE_TOKEN_KEY]: {
      description: "Cloudflare API token with Zone:DNS:Edit for the ACME DNS-01 challenges",
      required: true,
    },
  },
  build(ctx) {
    const token = ctx.secrets[CLOUDFLARE_TOKEN_KEY];
    if (!token) {
      throw new Error(
        `cert-manager on cluster "${ctx.cluster.name}": secret config platform:${CLOUDFLARE_TOKEN_KEY} is required for the DNS-01 issuers; set it with pulumi config set --secret platform:${CLOUDFLARE_TOKEN_KEY} <token>`,
      );
    }
    const chart: Addon = {
      kind: "addon",
      name: CERT_MANAGER_ITEM,
      layer: "infrastructure-controllers",
      namespace: CM.namespace,
      ...CM.chart,
      includeCrds: true,
      values: { crds: { enabled: true, keep: true } },
      // cainjector writes the webhook's CA (one webhook in each configuration).
      ignoreDifferences: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map((kind) => ({
        group: "admissionregistration.k8s.io",
        kind,
        name: "cert-manager-webhook",
        jsonPointers: ["/webhooks/0/clientConfig/caBundle"],
      })),
    };
    const issuer = (name: (typeof ISSUERS)[number]) => ({
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name },
      spec: {
        acme: {
          server: name === "letsencrypt-staging" ? CM.acme.staging : CM.acme.production,
          ...(ctx.settings.acmeEmail ? { email: ctx.settings.acmeEmail } : {}),
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers: [
            {
              selector: { dnsZones: [...ctx.settings.dnsZones] },
              dns01: {
                cloudflare: {
                  apiTokenSecretRef: { name: CM.cloudflareSecret.name, key: CM.cloudflareSecret.key },
                },
              },
            },
          ],
        },
      },
    });
    const issuers: Bundle = {
      kind: "bundle",
      name: CERT_MANAGER_ISSUERS_ITEM,
      layer: "infrastructure-configs",
      namespace: CM.namespace,
      dependsOn: [CERT_MANAGER_ITEM],
      objects: ISSUERS.map(issuer),
    };
    return {
      items: [chart, issuers],
      // ClusterIssuer secrets are read from the cluster resource namespace, cert-manager's own.
      liveSecrets: [
        {
          name: CM.cloudflareSecret.name,
          namespace: CM.namespace,
          stringData: { [CM.cloudflareSecret.key]: token },
        },
      ],
    };
  },
});

/** MetalLB in layer 2 mode: one pool from the cluster's `loadBalancerPool`, announced by ARP. */
export const metallbService = defineService<MetallbSettings>({
  name: "metallb",
  catalog: {
    description: "Layer-2 load balancer serving the VIP",
    source: "004",
    kinds: ["k3s"],
    providesLoadBalancer: "metallb",
  },
  parse: parseMetallbSettings,
  build(ctx) {
    if (ctx.settings.addresses.length === 0) {
      throw new Error(
        `metallb on cluster "${ctx.cluster.name}": no addresses; set loadBalancerPool or serviceSettings.metallb.addresses`,
      );
    }
    const chart: Addon = {
      kind: "addon",
      name: "metallb",
      layer: "infrastructure-controllers",
      namespace: MLB.namespace,
      ...MLB.chart,
      includeCrds: true,
      // The controller writes the CA of its conversion webhook into this CRD.
      ignoreDifferences: [
        {
          group: "apiextensions.k8s.io",
          kind: "CustomResourceDefinition",
          name: "bgppeers.metallb.io",
          jsonPointers: ["/spec/conversion/webhook/clientConfig/caBundle"],
        },
      ],
    };
    const pool: Bundle = {
      kind: "bundle",
      name: "metallb-pool",
      layer: "infrastructure-configs",
      namespace: MLB.namespace,
      dependsOn: ["metallb"],
      objects: [
        {
          apiVersion: "metallb.io/v1beta1",
          kind: "IPAddressPool",
          metadata: { name: MLB.poolName },
          spec: { addresses: [...ctx.settings.addresses] },
        },
        {
          apiVersion: "metallb.io/v1beta1",
          kind: "L2Advertisement",
          metadata: { name: MLB.poolName },
          spec: { ipAddressPools: [MLB.poolName] },
        },
      ],
    };
    return { items: [chart, pool], liveSecrets: [] };
  },
});

/**
 * Values for K3s's packaged Traefik chart. K3s ships chart 34+ (Traefik v3), where the
 * redirect is `ports.web.redirections.entryPoint` (traefik-helm-chart PR #1301, v34.0.0
 * release notes); `redirectTo` fails there. Re-check on a K3s bump that brings chart v38+.
 */
export function traefikValues(settings: TraefikSettings): Record<string, JsonValue> {
  return {
    ...(settings.redirectToHttps
      ? {
          ports: {
            web: { redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true } } },
          },
        }
      : {}),
    // MetalLB >= 0.14.9 reads `metallb.io/loadBalancerIPs` (the metallb.universe.tf prefix is deprecated).
    ...(settings.loadBalancerIP
      ? { service: { annotations: { "metallb.io/loadBalancerIPs": settings.loadBalancerIP } } }
      : {}),
  };
}

/**
 * K3s's bundled Traefik, configured with a `HelmChartConfig` (docs.k3s.io "Networking":
 * never edit traefik.yaml, add a HelmChartConfig). The CRD comes with K3s itself, so the
 * object depends on nothing the program installs. Nothing is installed on k3d beyond the
 * same object: k3d runs K3s.
 */
export const traefikService = defineService<TraefikSettings>({
  name: "traefik",
  catalog: {
    description: "K3s's bundled Traefik, configured: HTTP to HTTPS redirect, the MetalLB VIP",
    source: "004",
    kinds: ["k3s", "k3d-proxmox"],
  },
  parse: parseTraefikSettings,
  build(ctx) {
    const config: Bundle = {
      kind: "bundle",
      name: "traefik-config",
      layer: "infrastructure-configs",
      namespace: TR.helmChart.namespace,
      objects: [
        {
          apiVersion: "helm.cattle.io/v1",
          kind: "HelmChartConfig",
          metadata: { name: TR.helmChart.name, namespace: TR.helmChart.namespace },
          spec: { valuesContent: stringify(traefikValues(ctx.settings)) },
        },
      ],
    };
    return { items: [config], liveSecrets: [] };
  },
});

/** A copy of an object with more labels. */
function withLabels(object: KubeObject, labels: Record<string, string>): KubeObject {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...labels } } };
}

/**
 * The shared external Gateway on Talos (002): gatewayClassName `cilium`, listeners for the
 * apex and the wildcard with one wildcard certificate, routes from the namespaces labelled
 * {@link GATEWAY_ROUTES_LABEL} (the program labels each app namespace with a route); its
 * Service's address comes from a Cilium LB IPAM pool (a fixed `address`) or from a Hetzner
 * Cloud Load Balancer the hcloud CCM creates (the default).
 */
export const ciliumGatewayService = defineService<CiliumGatewaySettings>({
  name: "cilium-gateway",
  catalog: {
    description: "The shared Gateway API gateway on Cilium, its LB IPAM pool and wildcard certificate",
    source: "002",
    kinds: ["talos-hcloud"],
    needsServices: ["cert-manager"],
  },
  parse: parseCiliumGatewaySettings,
  build(ctx) {
    const domain = ctx.cluster.domain;
    const address = ctx.settings.address;
    const serviceAnnotations: Record<string, string> =
      address.mode === "lb-ipam"
        ? { "lbipam.cilium.io/ips": address.address }
        : {
            // hcloud CCM Load Balancer annotations (internal/annotation/load_balancer.go): a
            // named LB in the cluster's location that reaches the nodes on their private IPs.
            "load-balancer.hetzner.cloud/name": `${ctx.cluster.name}-gateway`,
            "load-balancer.hetzner.cloud/location": address.location,
            "load-balancer.hetzner.cloud/type": address.type,
            "load-balancer.hetzner.cloud/use-private-ip": "true",
          };
    const tls = { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: GW.certificateSecret }] };
    // Routes attach only from namespaces the program labels (Gateway API Listener
    // `allowedRoutes.namespaces`: All, Same or Selector; "Selector: Routes in namespaces
    // selected by the selector may be used by this Gateway",
    // https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces). With `All`, any
    // namespace could claim any hostname under the wildcard listener.
    const allowAll = {
      namespaces: { from: "Selector", selector: { matchLabels: { [GATEWAY_ROUTES_LABEL]: "true" } } },
    };
    const bundle: Bundle = {
      kind: "bundle",
      name: "cilium-gateway",
      layer: "infrastructure-configs",
      namespace: GW.namespace,
      // The Certificate is a cert-manager CR and needs the issuer.
      dependsOn: [CERT_MANAGER_ITEM, CERT_MANAGER_ISSUERS_ITEM],
      objects: [
        // Its own redirect route attaches from here, so this namespace carries the label too.
        withLabels(namespaceObject(GW.namespace), { [GATEWAY_ROUTES_LABEL]: "true" }),
        ...(address.mode === "lb-ipam"
          ? [
              {
                // cilium.io/v2 is the served storage version in Cilium 1.18; v2alpha1 is deprecated
                // (pkg/k8s/apis/cilium.io/client/crds/v2/ciliumloadbalancerippools.yaml).
                apiVersion: "cilium.io/v2",
                kind: "CiliumLoadBalancerIPPool",
                metadata: { name: `gateway-${GW.gatewayName}` },
                spec: {
                  blocks: [{ cidr: `${address.address}/32` }],
                  // Only the Gateway's Service draws from it (label set by Cilium's gateway reconciler).
                  serviceSelector: { matchLabels: { "io.cilium.gateway/owning-gateway": GW.gatewayName } },
                },
              },
            ]
          : []),
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: "wildcard", namespace: GW.namespace },
          spec: {
            secretName: GW.certificateSecret,
            dnsNames: [domain, `*.${domain}`],
            issuerRef: { kind: "ClusterIssuer", name: ctx.settings.issuer },
          },
        },
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "Gateway",
          metadata: { name: GW.gatewayName, namespace: GW.namespace },
          spec: {
            gatewayClassName: GW.gatewayClassName,
            // Annotations the Service inherits (Gateway API v1.1+ `infrastructure`).
            infrastructure: { annotations: serviceAnnotations },
            listeners: [
              { name: "http", port: 80, protocol: "HTTP", allowedRoutes: allowAll },
              {
                name: "https-apex",
                hostname: domain,
                port: 443,
                protocol: "HTTPS",
                tls,
                allowedRoutes: allowAll,
              },
              {
                name: "https-wildcard",
                hostname: `*.${domain}`,
                port: 443,
                protocol: "HTTPS",
                tls,
                allowedRoutes: allowAll,
              },
            ],
          },
        },
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: "https-redirect", namespace: GW.namespace },
          spec: {
            parentRefs: [{ name: GW.gatewayName, sectionName: "http" }],
            rules: [
              {
                filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }],
              },
            ],
          },
        },
      ],
    };
    return { items: [bundle], liveSecrets: [] };
  },
});

/** Istio: CRDs (base), the control plane (istiod) and an ingress gateway (003). */
export const istioService = defineService<IstioSettings>({
  name: "istio",
  catalog: { description: "Istio service mesh (mTLS, JWT, gateway)", source: "003" },
  parse: parseIstioSettings,
  build(ctx) {
    const chart = (name: string, chartName: string, namespace: string, dependsOn: string[]): Addon => ({
      kind: "addon",
      name,
      layer: "infrastructure-controllers",
      namespace,
      repository: IS.repository,
      chart: chartName,
      version: IS.version,
      includeCrds: true,
      ...(dependsOn.length ? { dependsOn } : {}),
    });
    const items: Addon[] = [
      chart("istio-base", "base", IS.namespace, []),
      // The istio-cni node agent sets up the sidecar redirection instead of the istio-init
      // container, which needs NET_ADMIN and NET_RAW and so fails Pod Security `restricted`
      // in the app namespaces (Istio "Install the Istio CNI node agent": helm install
      // istio-cni istio/cni -n istio-system; istiod with pilot.cni.enabled=true). Cilium
      // chains with it (cni.exclusive=false; Talos component).
      chart("istio-cni", "cni", IS.namespace, ["istio-base"]),
      {
        ...chart("istiod", "istiod", IS.namespace, ["istio-base", "istio-cni"]),
        values: { pilot: { cni: { enabled: true } } },
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
    return { items, liveSecrets: [] };
  },
});
