/**
 * The Service, and the route chosen by the cluster's ingress kind:
 * - gateway-api: an HTTPRoute attached to the shared Gateway (gateway.networking.k8s.io/v1,
 *   https://gateway-api.sigs.k8s.io/reference/spec/#httproute);
 * - traefik: an Ingress with the cert-manager `cert-manager.io/cluster-issuer` annotation
 *   (https://cert-manager.io/docs/usage/ingress/), TLS in `<app>-tls`;
 * - istio: a Gateway (networking.istio.io/v1) in the ingress gateway's namespace plus a
 *   VirtualService bound to it (https://istio.io/latest/docs/reference/config/networking/).
 */
import type { KubeObject } from "../../gitops/delivery";
import { controllerObjectName } from "./controllers";
import { selectorLabels } from "./pod";
import type { AppSpec, ExposureTarget } from "./types";

export function service(app: AppSpec): KubeObject[] {
  if (!app.service) return [];
  const controller = app.service.controller ?? app.name;
  if (!app.controllers[controller])
    throw new Error(`app "${app.name}" service.controller: no controller named "${controller}"`);
  const nodePorts = app.service.nodePorts ?? {};
  for (const port of Object.keys(nodePorts)) {
    if (app.service.ports[port] === undefined)
      throw new Error(`app "${app.name}" service.nodePorts.${port}: no service port named "${port}"`);
  }
  const isNodePort = Object.keys(nodePorts).length > 0;
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: controllerObjectName(app.name, controller),
        labels: selectorLabels(app.name, controller),
      },
      spec: {
        type: isNodePort ? "NodePort" : "ClusterIP",
        selector: selectorLabels(app.name, controller),
        ports: Object.entries(app.service.ports).map(([name, port]) => ({
          name,
          port,
          targetPort: name,
          protocol: "TCP",
          ...(nodePorts[name] !== undefined ? { nodePort: nodePorts[name] } : {}),
        })),
      },
    },
  ];
}

/** The route objects for `app.route` on this cluster. */
export function route(
  app: AppSpec,
  exposure: ExposureTarget,
  domain: string,
  namespace: string,
): KubeObject[] {
  if (!app.route) return [];
  const svc = app.service;
  const port = svc?.ports[app.route.port];
  if (!svc || port === undefined)
    throw new Error(`app "${app.name}" route.port: "${app.route.port}" is not a port of the app's service`);
  const serviceName = controllerObjectName(app.name, svc.controller ?? app.name);
  const fqdn = (h: string): string => (h.includes(".") ? h : `${h}.${domain}`);
  const hosts = [app.route.host, ...(app.route.aliases ?? [])].map(fqdn);
  const path = app.route.path ?? "/";
  const middlewares = app.route.middlewares ?? [];
  if (middlewares.length && exposure.kind !== "traefik")
    throw new Error(
      `app "${app.name}" route.middlewares: Traefik Middlewares need the traefik ingress; this cluster routes through ${exposure.kind}`,
    );
  switch (exposure.kind) {
    case "gateway-api":
      return [
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata: { name: app.name },
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
      ];
    case "traefik":
      return [
        {
          apiVersion: "networking.k8s.io/v1",
          kind: "Ingress",
          metadata: {
            name: app.name,
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
            tls: [{ hosts, secretName: `${app.name}-tls` }],
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
      ];
    case "istio": {
      // The TLS Secret of an Istio Gateway must be in the gateway pods' namespace
      // (istio.io "Secure Gateways": credentialName), so the Certificate is issued there.
      const credentialName = `${namespace}-${app.name}-tls`;
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
          metadata: { name: `${namespace}-${app.name}`, namespace: exposure.namespace },
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
          metadata: { name: app.name },
          spec: {
            hosts,
            gateways: [`${exposure.namespace}/${namespace}-${app.name}`],
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
    }
  }
}
