/** The shared workload component (components/apps/workload): routes on each exposure kind, node ports. */
import { container, pureContext, webApp } from "./fixtures";
import { objectsOf, find, type Any } from "./workload-helpers";

describe("exposure", () => {
  const app = webApp({ route: { host: "web", port: "http" } });
  it("gateway-api: an HTTPRoute on the shared Gateway and a Cilium policy for the ingress identity", () => {
    const objects = objectsOf([app]);
    expect(find(objects, "HTTPRoute", "web").spec).toEqual({
      parentRefs: [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "shared", namespace: "gateway" },
      ],
      hostnames: ["web.example.test"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ name: "web", port: 8080 }],
        },
      ],
    });
    expect(find(objects, "CiliumNetworkPolicy", "web-from-gateway").spec.ingress).toEqual([
      { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8080", protocol: "TCP" }] }] },
    ]);
  });
  it("traefik: an Ingress with cert-manager TLS and ingress allowed from Traefik's namespace", () => {
    const objects = objectsOf(
      [app],
      pureContext({
        exposure: {
          kind: "traefik",
          clusterIssuer: "letsencrypt",
          ingressClassName: "traefik",
          namespace: "kube-system",
        },
      }),
    );
    const ing = find(objects, "Ingress", "web");
    expect(ing.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(ing.spec.tls).toEqual([{ hosts: ["web.example.test"], secretName: "web-tls" }]);
    expect(ing.spec.ingressClassName).toBe("traefik");
    expect(find(objects, "NetworkPolicy", "web").spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
      ports: [{ protocol: "TCP", port: 8080 }],
    });
  });
  it("istio: a Gateway in the ingress namespace and a VirtualService bound to it", () => {
    const objects = objectsOf(
      [app],
      pureContext({
        exposure: {
          kind: "istio",
          namespace: "istio-ingress",
          selector: { istio: "ingressgateway" },
          clusterIssuer: "letsencrypt-production",
        },
      }),
    );
    const gw = find(objects, "Gateway", "demo-web");
    expect(gw.metadata.namespace).toBe("istio-ingress");
    expect(gw.spec.servers[0].tls).toEqual({ mode: "SIMPLE", credentialName: "demo-web-tls" });
    // The TLS Secret is issued where the gateway pods can read it.
    const cert = find(objects, "Certificate", "demo-web-tls");
    expect(cert.metadata.namespace).toBe("istio-ingress");
    expect(cert.spec).toEqual({
      secretName: "demo-web-tls",
      dnsNames: ["web.example.test"],
      issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-production" },
    });
    expect(find(objects, "VirtualService", "web").spec.gateways).toEqual(["istio-ingress/demo-web"]);
  });
  it("serves a route's aliases on every exposure kind", () => {
    const app = webApp({ route: { host: "pad", port: "http", aliases: ["pad-sandbox", "pad.other.test"] } });
    const hosts = ["pad.example.test", "pad-sandbox.example.test", "pad.other.test"];
    expect(find(objectsOf([app]), "HTTPRoute", "web").spec.hostnames).toEqual(hosts);
    const traefik = pureContext({
      exposure: {
        kind: "traefik",
        clusterIssuer: "le",
        ingressClassName: "traefik",
        namespace: "kube-system",
      },
    });
    const ing = find(objectsOf([app], traefik), "Ingress", "web");
    expect(ing.spec.tls).toEqual([{ hosts, secretName: "web-tls" }]);
    expect(ing.spec.rules.map((r: Any) => r.host)).toEqual(hosts);
    const istio = pureContext({
      exposure: {
        kind: "istio",
        namespace: "istio-ingress",
        selector: { istio: "ingressgateway" },
        clusterIssuer: "le",
      },
    });
    const objects = objectsOf([app], istio);
    expect(find(objects, "Certificate").spec.dnsNames).toEqual(hosts);
    expect(find(objects, "VirtualService", "web").spec.hosts).toEqual(hosts);
    expect(find(objects, "Gateway").spec.servers[0].hosts).toEqual(hosts);
  });

  it("NodePort only when the spec says so", () => {
    expect(find(objectsOf([app]), "Service", "web").spec.type).toBe("ClusterIP");
    const np = find(
      objectsOf([webApp({ service: { ports: { http: 8080 }, nodePorts: { http: 30080 } } })]),
      "Service",
      "web",
    );
    expect(np.spec.type).toBe("NodePort");
    expect(np.spec.ports[0].nodePort).toBe(30080);
  });
  it("admits the LAN ranges (or the spec's sources) on a node port, and only there", () => {
    const np = webApp({
      service: { ports: { http: 8080, admin: 9090 }, nodePorts: { http: 30080 } },
      controllers: {
        web: { type: "deployment", containers: { web: container({ ports: { http: 8080, admin: 9090 } }) } },
      },
      calledBy: ["api"],
    });
    const policy = find(objectsOf([np]), "NetworkPolicy", "web");
    expect(policy.spec.ingress).toEqual([
      {
        from: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((cidr) => ({ ipBlock: { cidr } })),
        ports: [{ protocol: "TCP", port: 8080 }],
      },
      {
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } } }],
        ports: [
          { protocol: "TCP", port: 8080 },
          { protocol: "TCP", port: 9090 },
        ],
      },
    ]);
    const lan = find(objectsOf([{ ...np, nodePortSources: ["10.0.40.0/24"] }]), "NetworkPolicy", "web");
    expect(lan.spec.ingress[0].from).toEqual([{ ipBlock: { cidr: "10.0.40.0/24" } }]);
    const plain = find(objectsOf([webApp({ calledBy: ["api"] })]), "NetworkPolicy", "web");
    expect(JSON.stringify(plain.spec.ingress)).not.toContain("ipBlock");
  });
});
