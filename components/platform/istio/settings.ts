/**
 * Settings of the istio platform service (`serviceSettings.istio` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { HCLOUD_LB_TYPES } from "../cilium-gateway/settings";

/** Istio for the mesh of cortex-api (003: mTLS, JWT, Istio gateway). */
export const ISTIO_DEFAULTS = {
  // istio-release charts base/istiod/gateway 1.27.1 (Istio 1.27.1, Sep 2025).
  repository: "https://istio-release.storage.googleapis.com/charts",
  // renovate: datasource=helm depName=istiod registryUrl=https://istio-release.storage.googleapis.com/charts
  version: "1.27.1",
  namespace: "istio-system",
  ingressNamespace: "istio-ingress",
  ingressGateway: true,
} as const;

/**
 * Where the sidecars send their spans: an OpenTelemetry collector's OTLP/gRPC endpoint, as
 * Istio's `meshConfig.extensionProviders[].opentelemetry` names it (`service`, `port`; Istio
 * "OpenTelemetry" and "Configure trace sampling" tasks: `port: 4317`,
 * `service: opentelemetry-collector.observability.svc.cluster.local`).
 */
export interface IstioTracing {
  /** The collector Service's cluster DNS name, `<service>.<namespace>.svc.cluster.local`. */
  readonly service: string;
  /** Its OTLP/gRPC port. @default 4317 (the Istio docs' collector port) */
  readonly port: number;
  /**
   * Percent of requests traced, 0 to 100 in steps of 0.01 (Telemetry
   * `tracing[].randomSamplingPercentage`). @default 1 (istiod's own `traceSampling: 1.0`)
   */
  readonly samplingPercentage: number;
}

/** The extension provider name the mesh-wide Telemetry selects. */
export const ISTIO_TRACING_PROVIDER = "otel-tracing";

export interface IstioSettings {
  readonly ingressGateway: boolean;
  /**
   * Distributed tracing of the mesh (003 lists "Telemetry and distributed tracing" and names no
   * backend, so it is opt-in): the OpenTelemetry collector the sidecars export spans to.
   * @default none (no spans are exported)
   */
  readonly tracing?: IstioTracing;
  /**
   * The Hetzner Load Balancer the hcloud CCM creates for the ingress gateway's LoadBalancer
   * Service on Talos (its location and type); none elsewhere.
   * @default the cluster's location and lb11 on Talos, none elsewhere
   */
  readonly loadBalancer?: { readonly location: string; readonly type: string };
}

/** A Service's cluster DNS name; the namespace is read from it for the sidecars' egress. */
const SERVICE_FQDN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc\.cluster\.local$/;

function parseTracing(r: Reader): IstioTracing {
  r.only(["service", "port", "samplingPercentage"]);
  const service = r.string("service", {
    pattern: SERVICE_FQDN,
    expected:
      "the collector Service's cluster DNS name, <service>.<namespace>.svc.cluster.local (for example opentelemetry-collector.observability.svc.cluster.local)",
  });
  const port = r.integer("port", { min: 1, max: 65535 }, 4317);
  const key = r.key("samplingPercentage");
  const raw = r.value["samplingPercentage"] ?? 1;
  // Istio: "in the range of 0.0 to 100.0 with a precision of 0.01" (Configure trace sampling).
  if (typeof raw !== "number" || raw < 0 || raw > 100 || Math.abs(raw * 100 - Math.round(raw * 100)) > 1e-9)
    throw new ConfigError(
      key,
      raw,
      "expected a percentage from 0 to 100 in steps of 0.01 (for example 1 traces one request in a hundred, 0.05 five in ten thousand)",
    );
  return { service, port, samplingPercentage: raw };
}

/** The namespace of the collector Service (`<service>.<namespace>.svc.cluster.local`). */
export function tracingNamespace(tracing: IstioTracing): string {
  return tracing.service.split(".")[1];
}

export function parseIstioSettings(r: Reader, cluster: ClusterConfig): IstioSettings {
  r.only(["ingressGateway", "loadBalancer", "tracing"]);
  const ingressGateway = r.boolean("ingressGateway", ISTIO_DEFAULTS.ingressGateway);
  const tracing = r.has("tracing") ? { tracing: parseTracing(r.object("tracing")) } : {};
  if (cluster.kind !== "talos-hcloud") return { ingressGateway, ...tracing };
  // Like the shared Gateway's: the cluster's location unless set, the smallest type.
  const lb = r.optionalObject("loadBalancer").only(["location", "type"]);
  return {
    ingressGateway,
    ...tracing,
    loadBalancer: {
      location: lb.string(
        "location",
        { pattern: /^[a-z]{3}\d$/, expected: "a Hetzner location such as fsn1" },
        cluster.location,
      ),
      type: lb.string("type", { oneOf: HCLOUD_LB_TYPES }, "lb11"),
    },
  };
}
