/**
 * How an app's route reaches it, one implementation per ingress kind, chosen once per cluster
 * ({@link exposureFor}): the route objects and how the route's traffic is let into the app's
 * pods.
 * - gateway-api: an HTTPRoute attached to the shared Gateway (gateway.networking.k8s.io/v1,
 *   https://gateway-api.sigs.k8s.io/reference/spec/#httproute); Cilium's Envoy reaches the
 *   backends as the reserved `ingress` identity, which only a CiliumNetworkPolicy
 *   `fromEntities: [ingress]` can allow
 *   (https://docs.cilium.io/en/latest/network/servicemesh/ingress-and-network-policy/);
 * - traefik: an Ingress with the cert-manager `cert-manager.io/cluster-issuer` annotation
 *   (https://cert-manager.io/docs/usage/ingress/), TLS in `<app>-tls`, reached from Traefik's
 *   namespace;
 * - istio: a Gateway (networking.istio.io/v1) in the ingress gateway's namespace plus a
 *   VirtualService bound to it (https://istio.io/latest/docs/reference/config/networking/),
 *   reached from the gateway's namespace.
 */
import type { JsonValue, KubeObject } from "../../gitops/delivery";
import type { ExposureTarget } from "./types";

type Json = { [key: string]: JsonValue };

/** One app's route, resolved against its Service and the cluster's domain. */
export interface ResolvedRoute {
  readonly app: string;
  readonly namespace: string;
  /** The Service the route sends to. */
  readonly serviceName: string;
  readonly port: number;
  /** Full host names: the route's host, then its aliases. */
  readonly hosts: string[];
  readonly path: string;
  /** Traefik Middlewares of the app's namespace. @default none */
  readonly middlewares: readonly string[];
}

/** How one exposure kind lets a route's traffic into an app's pods. */
export interface Admission {
  /** A rule of the app's NetworkPolicy `ingress`. @default none */
  readonly rule?: Json;
  /** Policy objects of their own (e.g. a CiliumNetworkPolicy). @default none */
  readonly objects?: readonly KubeObject[];
}

/** How an app's routes reach it on one cluster. */
export interface Exposure {
  readonly kind: ExposureTarget["kind"];
  /** Whether a route may name Traefik Middlewares. */
  readonly takesMiddlewares: boolean;
  /** The objects that publish one route. */
  routeObjects(route: ResolvedRoute): KubeObject[];
  /**
   * How the route's traffic is let into the app's pods on `port` (the container port): a rule
   * of the app's NetworkPolicy, or a policy object of its own.
   */
  admit(app: string, port: number): Admission;
}

const tcp = (port: number): Json => ({ protocol: "TCP", port });
const fromNamespace = (ns: string): Json => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});

function gatewayApi(exposure: Extract<ExposureTarget, { kind: "gateway-api" }>): Exposure {
  return {
    kind: exposure.kind,
    takesMiddlewares: false,
    routeObjects: ({ app, serviceName, port, hosts, path }) => [
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: app },
        spec: {
          parentRefs: [
            {
              group: "gateway.networking.k8s.io",
              kind: "Gateway",
              name: exposure.gateway.name,
              namespace: exposure.gateway.namespace,
            },
          ],
          hostnames: hosts,
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: path } }],
              backendRefs: [{ name: serviceName, port }],
            },
          ],
        },
      },
    ],
    admit: (app, port) => ({
      objects: [
        {
          apiVersion: "cilium.io/v2",
          kind: "CiliumNetworkPolicy",
          metadata: { name: `${app}-from-gateway` },
          spec: {
            endpointSelector: { matchLabels: { "app.kubernetes.io/name": app } },
            ingress: [
              { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: String(port), protocol: "TCP" }] }] },
            ],
          },
        },
      ],
    }),
  };
}

function traefik(exposure: Extract<ExposureTarget, { kind: "traefik" }>): Exposure {
  return {
    kind: exposure.kind,
    takesMiddlewares: true,
    routeObjects: ({ app, namespace, serviceName, port, hosts, path, middlewares }) => [
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
          name: app,
          annotations: {
            "cert-manager.io/cluster-issuer": exposure.clusterIssuer,
            // Traefik's Kubernetes Ingress annotation: a comma-separated list of
            // `<namespace>-<name>@kubernetescrd` Middleware references (Traefik docs,
            // "Kubernetes Ingress" routing annotations).
            ...(middlewares.length
              ? {
                  "traefik.ingress.kubernetes.io/router.middlewares": middlewares
                    .map((m) => `${namespace}-${m}@kubernetescrd`)
                    .join(","),
                }
              : {}),
          },
        },
        spec: {
          ingressClassName: exposure.ingressClassName,
          tls: [{ hosts, secretName: `${app}-tls` }],
          rules: hosts.map((h) => ({
            host: h,
            http: {
              paths: [
                {
                  path,
                  pathType: "Prefix",
                  backend: { service: { name: serviceName, port: { number: port } } },
                },
              ],
            },
          })),
        },
      },
    ],
    admit: (_app, port) => ({ rule: { from: [fromNamespace(exposure.namespace)], ports: [tcp(port)] } }),
  };
}

function istio(exposure: Extract<ExposureTarget, { kind: "istio" }>): Exposure {
  return {
    kind: exposure.kind,
    takesMiddlewares: false,
    routeObjects: ({ app, namespace, serviceName, port, hosts, path }): KubeObject[] => {
      // The TLS Secret of an Istio Gateway must be in the gateway pods' namespace
      // (istio.io "Secure Gateways": credentialName), so the Certificate is issued there.
      const credentialName = `${namespace}-${app}-tls`;
      return [
        {
          apiVersion: "cert-manager.io/v1",
          kind: "Certificate",
          metadata: { name: credentialName, namespace: exposure.namespace },
          spec: {
            secretName: credentialName,
            dnsNames: hosts,
            issuerRef: { kind: "ClusterIssuer", name: exposure.clusterIssuer },
          },
        },
        {
          apiVersion: "networking.istio.io/v1",
          kind: "Gateway",
          metadata: { name: `${namespace}-${app}`, namespace: exposure.namespace },
          spec: {
            selector: { ...exposure.selector },
            servers: [
              {
                port: { number: 443, name: "https", protocol: "HTTPS" },
                tls: { mode: "SIMPLE", credentialName },
                hosts,
              },
            ],
          },
        },
        {
          apiVersion: "networking.istio.io/v1",
          kind: "VirtualService",
          metadata: { name: app },
          spec: {
            hosts,
            gateways: [`${exposure.namespace}/${namespace}-${app}`],
            http: [
              {
                match: [{ uri: { prefix: path } }],
                route: [
                  {
                    destination: {
                      host: `${serviceName}.${namespace}.svc.cluster.local`,
                      port: { number: port },
                    },
                  },
                ],
              },
            ],
          },
        },
      ];
    },
    admit: (_app, port) => ({ rule: { from: [fromNamespace(exposure.namespace)], ports: [tcp(port)] } }),
  };
}

/** The exposure of a cluster's ingress kind: the one place that chooses by kind. */
export function exposureFor(target: ExposureTarget): Exposure {
  switch (target.kind) {
    case "gateway-api":
      return gatewayApi(target);
    case "traefik":
      return traefik(target);
    case "istio":
      return istio(target);
  }
}
