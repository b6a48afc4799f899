/**
 * The Services of an app, and its route as the cluster's exposure (./exposures.ts) publishes
 * it.
 */
import type { KubeObject } from "../../gitops/delivery";
import { controllerObjectName } from "./controllers";
import { selectorLabels } from "./pod";
import type { Exposure } from "./exposures";
import type { AppSpec, ServiceSpec } from "./types";

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
export function route(app: AppSpec, exposure: Exposure, domain: string, namespace: string): KubeObject[] {
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
  if (middlewares.length && !exposure.takesMiddlewares)
    throw new Error(
      `app "${app.name}" route.middlewares: Traefik Middlewares need the traefik ingress; this cluster routes through ${exposure.kind}`,
    );
  return exposure.routeObjects({
    app: app.name,
    namespace,
    serviceName,
    port,
    hosts,
    path,
    middlewares,
  });
}
