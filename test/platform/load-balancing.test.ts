import type { ClusterConfig } from "../../config/types";
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk plain manifest trees */
import { parse as parseYaml } from "yaml";
import { validateItems, type Addon, type Bundle } from "../../components/gitops/delivery";
import { ciliumGatewayService } from "../../components/platform/cilium-gateway";
import { istioService } from "../../components/platform/istio";
import { metallbService } from "../../components/platform/metallb";
import { traefikService } from "../../components/platform/traefik";
import { parseCiliumGatewaySettings } from "../../components/platform/cilium-gateway/settings";
import { parseIstioSettings } from "../../components/platform/istio/settings";
import { parseMetallbSettings } from "../../components/platform/metallb/settings";
import { parseTraefikSettings } from "../../components/platform/traefik/settings";
import { clusterOf, contextOf, parse } from "./networking-data-fixtures";

describe("metallb", () => {
  const home = clusterOf("k3s", ["metallb"]);
  const build = metallbService.spec.build(contextOf(home, parse(parseMetallbSettings, home)));
  const [chart, pool] = build.items as [Addon, Bundle];

  it("installs the pinned chart, then an L2 pool from the cluster's loadBalancerPool", () => {
    expect(chart).toMatchObject({ chart: "metallb", version: "0.15.2", namespace: "metallb-system" });
    expect(pool.dependsOn).toEqual(["metallb"]);
    expect(pool.layer).toBe("infrastructure-configs");
    expect(pool.objects).toEqual([
      {
        apiVersion: "metallb.io/v1beta1",
        kind: "IPAddressPool",
        metadata: { name: "default" },
        spec: { addresses: ["10.0.40.100-10.0.40.110"] },
      },
      {
        apiVersion: "metallb.io/v1beta1",
        kind: "L2Advertisement",
        metadata: { name: "default" },
        spec: { ipAddressPools: ["default"] },
      },
    ]);
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });
});

describe("traefik (K3s bundled)", () => {
  it("redirects HTTP to HTTPS and pins the VIP on k3s with MetalLB", () => {
    const home = clusterOf("k3s", ["metallb", "traefik"]);
    const build = traefikService.spec.build(contextOf(home, parse(parseTraefikSettings, home)));
    const bundle = build.items[0] as Bundle;
    expect(bundle.objects[0]).toMatchObject({
      apiVersion: "helm.cattle.io/v1",
      kind: "HelmChartConfig",
      metadata: { name: "traefik", namespace: "kube-system" },
    });
    expect(parseYaml((bundle.objects[0] as any).spec.valuesContent)).toEqual({
      ports: { web: { redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true } } } },
      service: { annotations: { "metallb.io/loadBalancerIPs": "10.0.40.100" } },
    });
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });

  it("only redirects on k3d, where k3d's own load balancer publishes the ports", () => {
    const staging = clusterOf("k3d-proxmox", ["traefik"], "staging");
    const bundle = traefikService.spec.build(contextOf(staging, parse(parseTraefikSettings, staging)))
      .items[0] as Bundle;
    expect(Object.keys(parseYaml((bundle.objects[0] as any).spec.valuesContent))).toEqual(["ports"]);
  });
});

describe("cilium-gateway", () => {
  const prod = clusterOf("talos-hcloud", ["cert-manager", "cilium-gateway"], "prod");
  const settings = parse(parseCiliumGatewaySettings, prod, { address: "203.0.113.20" });
  const build = ciliumGatewayService.spec.build(contextOf(prod, settings));
  const bundle = build.items[0] as Bundle;
  const get = (kind: string) => bundle.objects.find((o) => o.kind === kind) as any;

  it("serves apex and wildcard from one Gateway with a wildcard certificate, routes from labelled namespaces only", () => {
    expect(bundle.dependsOn).toEqual(["cert-manager", "cert-manager-issuers"]);
    expect(bundle.objects.map((o) => o.kind)).toEqual([
      "Namespace",
      "NetworkPolicy",
      "NetworkPolicy",
      "CiliumLoadBalancerIPPool",
      "Certificate",
      "Gateway",
      "HTTPRoute",
    ]);
    const gw = get("Gateway");
    expect(gw.spec.gatewayClassName).toBe("cilium");
    expect(gw.spec.infrastructure.annotations).toEqual({ "lbipam.cilium.io/ips": "203.0.113.20" });
    expect(
      gw.spec.listeners.map((l: any) => [l.name, l.hostname, l.port, l.allowedRoutes.namespaces.from]),
    ).toEqual([
      ["http", undefined, 80, "Selector"],
      ["https-apex", "example.org", 443, "Selector"],
      ["https-wildcard", "*.example.org", 443, "Selector"],
    ]);
    for (const l of gw.spec.listeners)
      expect(l.allowedRoutes.namespaces.selector).toEqual({
        matchLabels: { "platform.io/gateway-routes": "true" },
      });
    // The Gateway's own namespace carries the label, so its redirect route still attaches.
    expect(get("Namespace").metadata.labels["platform.io/gateway-routes"]).toBe("true");
    expect(get("Certificate").spec).toEqual({
      secretName: "wildcard-tls",
      dnsNames: ["example.org", "*.example.org"],
      issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-production" },
    });
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });

  it("backs the address with a cilium.io/v2 pool only the Gateway's Service draws from", () => {
    expect(get("CiliumLoadBalancerIPPool")).toEqual({
      apiVersion: "cilium.io/v2",
      kind: "CiliumLoadBalancerIPPool",
      metadata: { name: "gateway-external" },
      spec: {
        blocks: [{ cidr: "203.0.113.20/32" }],
        serviceSelector: { matchLabels: { "io.cilium.gateway/owning-gateway": "external" } },
      },
    });
  });

  it("without an address, is fronted by a Hetzner Load Balancer the hcloud CCM creates", () => {
    const talos = { ...prod, location: "nbg1" } as typeof prod;
    const lb = parse(parseCiliumGatewaySettings, talos, {}, "cilium-gateway");
    expect(lb.address).toEqual({ mode: "hcloud", location: "nbg1", type: "lb11" });
    const objects = (ciliumGatewayService.spec.build(contextOf(talos, lb)).items[0] as Bundle).objects;
    expect(objects.map((o) => o.kind)).toEqual([
      "Namespace",
      "NetworkPolicy",
      "NetworkPolicy",
      "Certificate",
      "Gateway",
      "HTTPRoute",
    ]);
    expect((objects.find((o) => o.kind === "Gateway") as any).spec.infrastructure.annotations).toEqual({
      "load-balancer.hetzner.cloud/name": "prod-gateway",
      "load-balancer.hetzner.cloud/location": "nbg1",
      "load-balancer.hetzner.cloud/type": "lb11",
      "load-balancer.hetzner.cloud/use-private-ip": "true",
    });
    expect(
      parse(parseCiliumGatewaySettings, talos, { loadBalancer: { type: "lb21" } }, "cilium-gateway").address,
    ).toEqual({ mode: "hcloud", location: "nbg1", type: "lb21" });
  });

  it("takes an address or a load balancer, not both", () => {
    expect(() =>
      parse(
        parseCiliumGatewaySettings,
        prod,
        { address: "203.0.113.20", loadBalancer: { type: "lb11" } },
        "cilium-gateway",
      ),
    ).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.cilium-gateway.loadBalancer = {"type":"lb11"}: set either address (Cilium LB IPAM) or loadBalancer (a Hetzner Load Balancer), not both',
    );
  });
});

describe("istio", () => {
  const prod = { ...clusterOf("talos-hcloud", ["istio"], "prod"), location: "fsn1" } as ClusterConfig;
  it("installs base, istiod and the ingress gateway in order, all at one pinned version", () => {
    const build = istioService.spec.build(contextOf(prod, parse(parseIstioSettings, prod)));
    const items = build.items as Addon[];
    expect(items.map((i) => [i.name, i.chart, i.namespace, i.version, i.dependsOn ?? []])).toEqual([
      ["istio-base", "base", "istio-system", "1.27.1", []],
      ["istio-cni", "cni", "istio-system", "1.27.1", ["istio-base"]],
      ["istiod", "istiod", "istio-system", "1.27.1", ["istio-base", "istio-cni"]],
      ["istio-ingressgateway", "gateway", "istio-ingress", "1.27.1", ["istiod"]],
    ]);
    expect(() => validateItems(build.items, { complete: false })).not.toThrow();
  });

  it("leaves the ingress gateway out when asked", () => {
    const build = istioService.spec.build(
      contextOf(prod, parse(parseIstioSettings, prod, { ingressGateway: false })),
    );
    expect(build.items.map((i) => i.name)).toEqual(["istio-base", "istio-cni", "istiod"]);
  });
});
