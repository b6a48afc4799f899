/**
 * The istio service's opt-in tracing: the OpenTelemetry extension provider in istiod's mesh
 * config and the mesh-wide Telemetry that selects it; the settings' errors name key, value and fix.
 */
import type { ClusterConfig } from "../../config/types";
import { validateItems, type Addon, type Bundle } from "../../components/gitops/delivery";
import { istioService } from "../../components/platform/istio";
import { parseIstioSettings } from "../../components/platform/istio/settings";
import { validateSchemas } from "../../tools/schemas";
import { clusterOf, contextOf, parse } from "./networking-data-fixtures";

const prod = { ...clusterOf("talos-hcloud", ["istio"], "prod"), location: "fsn1" } as ClusterConfig;
const KEY = "platform:clusters.prod.serviceSettings.istio";
const COLLECTOR = "opentelemetry-collector.observability.svc.cluster.local";
const settings = (block: Record<string, unknown>) => parse(parseIstioSettings, prod, block, "istio");
const build = (block: Record<string, unknown>) => istioService.spec.build(contextOf(prod, settings(block)));
const istiod = (items: readonly (Addon | Bundle)[]) => items.find((i) => i.name === "istiod") as Addon;

describe("istio tracing", () => {
  it("is off by default: no mesh config of istiod's, no Telemetry", () => {
    const items = build({}).items as (Addon | Bundle)[];
    expect(istiod(items).values).toEqual({ pilot: { cni: { enabled: true } } });
    expect(items.some((i) => i.kind === "bundle")).toBe(false);
  });

  it("adds the collector as an OpenTelemetry provider and traces the mesh at the set rate", () => {
    const items = build({ tracing: { service: COLLECTOR, samplingPercentage: 0.05 } }).items as (
      Addon | Bundle
    )[];
    expect(istiod(items).values).toEqual({
      pilot: { cni: { enabled: true } },
      meshConfig: {
        enableTracing: true,
        extensionProviders: [{ name: "otel-tracing", opentelemetry: { service: COLLECTOR, port: 4317 } }],
      },
    });
    const telemetry = items.find((i) => i.name === "istio-telemetry") as Bundle;
    expect(telemetry).toMatchObject({ kind: "bundle", namespace: "istio-system", dependsOn: ["istiod"] });
    expect(telemetry.objects).toEqual([
      {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "mesh-default" },
        spec: { tracing: [{ providers: [{ name: "otel-tracing" }], randomSamplingPercentage: 0.05 }] },
      },
    ]);
    const schema = validateSchemas(
      telemetry.objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: "istio-system" } })),
    );
    expect(schema.map((r) => r.status)).toEqual(["valid"]);
    expect(() => validateItems(items, { complete: false })).not.toThrow();
  });

  it("defaults the sampling to istiod's 1 percent and takes another port", () => {
    expect(settings({ tracing: { service: COLLECTOR, port: 4318 } }).tracing).toEqual({
      service: COLLECTOR,
      port: 4318,
      samplingPercentage: 1,
    });
  });

  it.each([
    [
      { service: "otel-collector" },
      `${KEY}.tracing.service = "otel-collector": expected the collector Service's cluster DNS name, <service>.<namespace>.svc.cluster.local`,
    ],
    [
      { service: COLLECTOR, samplingPercentage: 150 },
      `${KEY}.tracing.samplingPercentage = 150: expected a percentage from 0 to 100 in steps of 0.01`,
    ],
    [
      { service: COLLECTOR, samplingPercentage: 0.005 },
      `${KEY}.tracing.samplingPercentage = 0.005: expected a percentage from 0 to 100 in steps of 0.01`,
    ],
    [{ service: COLLECTOR, port: 0 }, `${KEY}.tracing.port = 0: expected a whole number from 1 to 65535`],
    [{ collector: COLLECTOR }, `${KEY}.tracing.collector = "${COLLECTOR}": unknown key`],
  ])("refuses tracing %j, naming the key, the value and what to set", (tracing, message) => {
    expect(() => settings({ tracing })).toThrow(message);
  });
});
