/**
 * One NetworkPolicy per app: default deny in both directions (policyTypes Ingress and Egress
 * with only the listed rules, https://kubernetes.io/docs/concepts/services-networking/network-policies/),
 * plus what the spec declares: DNS, the ingress path, node ports, the database, the cache,
 * peers, metrics.
 * How the ingress path is let in depends on the cluster's exposure (./exposures.ts).
 */
import { DNS_EGRESS_RULE, INTERNET_IP_BLOCK, PRIVATE_CIDRS } from "../../platform/cluster-helpers";
import type { JsonValue, KubeObject } from "../../gitops/delivery";
import { serviceSpecs } from "./exposure";
import type { Exposure } from "./exposures";
import type { AppSpec, MeshTracing, Monitoring } from "./types";

type Json = { [key: string]: JsonValue };

/** The container port behind a service port (whose targetPort is the container port's name). */
export function containerPort(app: AppSpec, portName: string): number {
  for (const c of Object.values(app.controllers)) {
    for (const container of [...Object.values(c.containers), ...Object.values(c.sidecars ?? {})]) {
      const port = container.ports?.[portName];
      if (port !== undefined) return port;
    }
  }
  throw new Error(`app "${app.name}": no container declares a port named "${portName}"`);
}

const tcp = (port: number): Json => ({ protocol: "TCP", port });
const appPods = (name: string): Json => ({
  podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
});
const namespacePods = (ns: string): Json => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
});

export function networkPolicies(
  app: AppSpec,
  exposure: Exposure,
  monitoring: Monitoring,
  meshTracing?: MeshTracing,
): KubeObject[] {
  const specs = serviceSpecs(app).map((s) => s.spec);
  const servicePorts = [...new Set(specs.flatMap((s) => Object.keys(s.ports)))].map((name) =>
    containerPort(app, name),
  );
  const ingress: Json[] = [];
  const egress: Json[] = [DNS_EGRESS_RULE as Json];
  const extra: KubeObject[] = [];
  if (app.route) {
    const port = containerPort(app, app.route.port);
    const admitted = exposure.admit(app.name, port);
    if (admitted.rule) ingress.push(admitted.rule);
    extra.push(...(admitted.objects ?? []));
  }
  // A NodePort is reached from outside the cluster (through any node): its ports admit the
  // spec's source ranges (the LAN by default, never the whole internet unless a spec says so);
  // the other service ports stay limited to `calledBy`.
  const nodePorts = [...new Set(specs.flatMap((s) => Object.keys(s.nodePorts ?? {})))].map((name) =>
    containerPort(app, name),
  );
  if (nodePorts.length)
    ingress.push({
      from: (app.nodePortSources ?? PRIVATE_CIDRS).map((cidr) => ({ ipBlock: { cidr } })),
      ports: nodePorts.map(tcp),
    });
  if (app.calledBy?.length && servicePorts.length)
    ingress.push({ from: app.calledBy.map(appPods), ports: servicePorts.map(tcp) });
  if (app.metrics && monitoring.kind !== "none")
    ingress.push({
      from: [namespacePods(monitoring.namespace)],
      ports: [tcp(containerPort(app, app.metrics.port))],
    });
  if (app.database)
    egress.push({
      to: [
        {
          // A shared cluster lives in its own namespace.
          ...(app.database.namespace ? namespacePods(app.database.namespace) : {}),
          podSelector: { matchLabels: { "cnpg.io/cluster": app.database.cluster } },
        },
      ],
      ports: [tcp(5432)],
    });
  if (app.cache) egress.push({ to: [appPods(app.cache.app)], ports: [tcp(app.cache.port)] });
  for (const peer of app.talksTo ?? []) egress.push({ to: [appPods(peer.app)], ports: [tcp(peer.port)] });
  if (app.mesh) {
    // The sidecar fetches its config and certificate from istiod (xDS and CA on 15012,
    // Istio "Ports used by Istio").
    egress.push({
      to: [{ ...namespacePods("istio-system"), podSelector: { matchLabels: { app: "istiod" } } }],
      ports: [tcp(15012)],
    });
    // With mesh tracing on, the sidecar exports its spans to the collector (OTLP/gRPC).
    if (meshTracing)
      egress.push({ to: [namespacePods(meshTracing.namespace)], ports: [tcp(meshTracing.port)] });
  }
  if (app.internetEgress?.length) {
    egress.push({
      to: [{ ipBlock: { ...INTERNET_IP_BLOCK, except: [...INTERNET_IP_BLOCK.except] } }],
      ports: app.internetEgress.map(tcp),
    });
  }
  egress.push(...(app.extraEgress ?? []));
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: app.name },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": app.name } },
        policyTypes: ["Ingress", "Egress"],
        ingress,
        egress,
      },
    },
    ...extra,
  ];
}

/** A ServiceMonitor (prometheus-operator) or VMServiceScrape (VictoriaMetrics operator). */
export function scrape(app: AppSpec, monitoring: Monitoring): KubeObject[] {
  if (!app.metrics || monitoring.kind === "none" || !app.service) return [];
  const endpoint = { port: app.metrics.port, path: app.metrics.path ?? "/metrics" };
  const spec = { selector: { matchLabels: { "app.kubernetes.io/name": app.name } }, endpoints: [endpoint] };
  return monitoring.kind === "prometheus-operator"
    ? [{ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: app.name }, spec }]
    : [
        {
          apiVersion: "operator.victoriametrics.com/v1beta1",
          kind: "VMServiceScrape",
          metadata: { name: app.name },
          spec,
        },
      ];
}
