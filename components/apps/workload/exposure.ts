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
import type { AppSpec, ExposureTarget, ServiceSpec } from "./types";

/** One Service of an app: its object name, its spec and the spec field it comes from. */
interface NamedService {
  readonly name: string;
  readonly spec: ServiceSpec;
  readonly field: string;
}

/** The app's Services: `service` (named after its controller) and `extraServices` (`<app>-<key>`). */
export function serviceSpecs(app: AppSpec): NamedService[] {
  const main: NamedService[] = app.service
    ? [
        {
          name: controllerObjectName(app.name, app.service.controller ?? app.name),
          spec: app.service,
          field: "service",
        },
      ]
    : [];
  const extra = Object.entries(app.extraServices ?? {}).map(([key, spec]): NamedService => ({
    name: `${app.name}-${key}`,
    spec,
    field: `extraServices.${key}`,
  }));
  return [...main, ...extra];
}

/** Every Service of the app (`service`, then `extraServices`). */
export function services(app: AppSpec): KubeObject[] {
  const specs = serviceSpecs(app);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name))
      throw new Error(`app "${app.name}" ${s.field}: Service name "${s.name}" is already used`);
    seen.add(s.name);
  }
  return specs.map((s) => serviceObject(app, s));
}

function serviceObject(app: AppSpec, { name, spec, field: where }: NamedService): KubeObject {
  const controller = spec.controller ?? app.name;
  if (!app.controllers[controller])
    throw new Error(`app "${app.name}" ${where}.controller: no controller named "${controller}"`);
  const nodePorts = spec.nodePorts ?? {};
  for (const port of Object.keys(nodePorts)) {
    if (spec.ports[port] === undefined)
      throw new Error(`app "${app.name}" ${where}.nodePorts.${port}: no service port named "${port}"`);
  }
  const isNodePort = Object.keys(nodePorts).length > 0;
  if (isNodePort && spec.headless)
    throw new Error(`app "${app.name}" ${where}: a headless Service cannot have node ports`);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      labels: selectorLabels(app.name, controller),
    },
    spec: {
      type: isNodePort ? "NodePort" : "ClusterIP",
      ...(spec.headless ? { clusterIP: "None" } : {}),
      selector: selectorLabels(app.name, controller),
      ports: Object.entries(spec.ports).map(([portName, port]) => ({
        name: portName,
        port,
        targetPort: portName,
        protocol: "TCP",
        ...(nodePorts[portName] !== undefined ? { nodePort: nodePorts[portName] } : {}),
      })),
    },
  };
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
