/** The cilium-gateway platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { GATEWAY_ROUTES_LABEL, namespaceObject } from "../../../lib/namespaces";
import {
  CILIUM_GATEWAY_DEFAULTS as GW,
  type CiliumGatewaySettings,
  parseCiliumGatewaySettings,
} from "./settings";
import type { Bundle, KubeObject } from "../../gitops/delivery";
import { defineService } from "../types";
import { CERT_MANAGER_ITEM, CERT_MANAGER_ISSUERS_ITEM } from "../cert-manager";
import { baselineNetworkPolicies } from "../cluster-helpers";

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
        // No pod runs here: Cilium's Envoy serves the Gateway from each node as the reserved
        // `ingress` identity, which a namespaced policy does not select (Cilium's own examples
        // police it with a CiliumClusterwideNetworkPolicy, docs.cilium.io "Default Deny Ingress
        // Policy"). The default deny keeps anything later started here closed.
        ...baselineNetworkPolicies(GW.namespace),
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
