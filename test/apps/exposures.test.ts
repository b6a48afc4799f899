/** The exposure of each ingress kind: chosen once, asked for routes and for how traffic gets in. */
import { exposureFor, type ResolvedRoute } from "../../components/apps/workload/exposures";

const ROUTE: ResolvedRoute = {
  app: "web",
  namespace: "team",
  serviceName: "web",
  port: 8080,
  hosts: ["web.example.test"],
  path: "/",
  middlewares: [],
};

describe("exposureFor", () => {
  it("publishes an HTTPRoute on the shared Gateway, let in by a CiliumNetworkPolicy from the ingress identity", () => {
    const e = exposureFor({ kind: "gateway-api", gateway: { name: "shared", namespace: "gateway" } });
    expect(e.takesMiddlewares).toBe(false);
    expect(e.routeObjects(ROUTE).map((o) => o.kind)).toEqual(["HTTPRoute"]);
    const admitted = e.admit("web", 8080);
    expect(admitted.rule).toBeUndefined();
    expect(admitted.objects?.map((o) => [o.kind, o.metadata.name])).toEqual([
      ["CiliumNetworkPolicy", "web-from-gateway"],
    ]);
  });

  it("publishes an Ingress through Traefik, the only kind that takes Middlewares, let in from Traefik's namespace", () => {
    const e = exposureFor({
      kind: "traefik",
      clusterIssuer: "letsencrypt-production",
      ingressClassName: "traefik",
      namespace: "kube-system",
    });
    expect(e.takesMiddlewares).toBe(true);
    const [ingress] = e.routeObjects({ ...ROUTE, middlewares: ["auth"] });
    expect(ingress.kind).toBe("Ingress");
    expect(ingress.metadata.annotations).toMatchObject({
      "traefik.ingress.kubernetes.io/router.middlewares": "team-auth@kubernetescrd",
    });
    expect(e.admit("web", 8080)).toEqual({
      rule: {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    });
  });

  it("publishes a Certificate, Gateway and VirtualService through Istio, let in from the gateway's namespace", () => {
    const e = exposureFor({
      kind: "istio",
      namespace: "istio-ingress",
      selector: { istio: "ingressgateway" },
      clusterIssuer: "letsencrypt-production",
    });
    expect(e.takesMiddlewares).toBe(false);
    expect(e.routeObjects(ROUTE).map((o) => [o.kind, o.metadata.namespace])).toEqual([
      ["Certificate", "istio-ingress"],
      ["Gateway", "istio-ingress"],
      ["VirtualService", undefined],
    ]);
    expect(e.admit("web", 8080).rule?.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-ingress" } } },
    ]);
  });
});
