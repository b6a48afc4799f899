/**
 * Monitoring services, all in the `monitoring` layer (004 "Monitoring -> Observability stack
 * (independent)"): kube-prometheus-stack (homelab, 004), victoria-metrics with Grafana and
 * the Prometheus adapter serving Mastodon's HPA metrics (002), victoria-logs (002).
 */
import * as random from "@pulumi/random";
import type {
  KubePrometheusStackSettings,
  VictoriaLogsSettings,
  VictoriaMetricsSettings,
} from "../../config/services/operations";
import type { Addon, JsonValue, LiveSecret } from "../gitops/delivery";
import type { ServiceContext, ServiceDefinition } from "./types";

export const MONITORING_NAMESPACE = "monitoring";

/** Secret the Grafana chart reads through `admin.existingSecret` (grafana/helm-charts values). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** Release name of victoria-metrics-k8s-stack; `fullnameOverride` makes object names predictable. */
const VM_FULLNAME = "vmks";

/**
 * VMSingle's Service: the operator names it `vmsingle-<VMSingle name>` and serves the
 * Prometheus query API on 8429 at the root path (docs.victoriametrics.com/operator, vmsingle).
 */
export const VMSINGLE_URL = `http://vmsingle-${VM_FULLNAME}.${MONITORING_NAMESPACE}.svc`;
export const VMSINGLE_PORT = 8429;

/** A generated Grafana admin password in a live Secret (never a chart value). */
function grafanaAdmin(ctx: ServiceContext<unknown>, service: string): LiveSecret {
  const password = new random.RandomPassword(
    `${ctx.cluster.name}-${service}-grafana-admin`,
    { length: 32, special: false },
    { parent: ctx.parent },
  );
  return {
    name: GRAFANA_ADMIN_SECRET,
    namespace: MONITORING_NAMESPACE,
    stringData: { "admin-user": "admin", "admin-password": password.result },
  };
}

/** Grafana values shared by both stacks: admin from the live Secret, persistent dashboards. */
function grafanaValues(storageClass: string, size: string): { [key: string]: JsonValue } {
  return {
    enabled: true,
    // grafana chart values: admin.existingSecret / userKey / passwordKey.
    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
    persistence: { enabled: true, storageClassName: storageClass, size },
  };
}

export const kubePrometheusStackService: ServiceDefinition<KubePrometheusStackSettings> = {
  name: "kube-prometheus-stack",
  build(ctx) {
    const s = ctx.settings;
    const storageClass = ctx.cluster.capabilities.defaultStorageClass;
    const addon: Addon = {
      kind: "addon",
      name: "kube-prometheus-stack",
      layer: "monitoring",
      namespace: MONITORING_NAMESPACE,
      repository: "https://prometheus-community.github.io/helm-charts",
      chart: "kube-prometheus-stack",
      version: s.version,
      includeCrds: true,
      // The CRDs and the operator take a while on Raspberry Pi nodes.
      timeout: "15m",
      values: {
        grafana: grafanaValues(storageClass, s.grafanaStorageSize),
        prometheus: {
          prometheusSpec: {
            retention: s.retention,
            // Pick up ServiceMonitors of every release, not only this chart's.
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            storageSpec: {
              volumeClaimTemplate: {
                spec: {
                  storageClassName: storageClass,
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: s.storageSize } },
                },
              },
            },
          },
        },
      },
    };
    return { items: [addon], liveSecrets: [grafanaAdmin(ctx, "kube-prometheus-stack")] };
  },
};

/**
 * Prometheus adapter external rules for the Mastodon HPAs of 002 ("Mastodon Autoscaling
 * Strategy"): web p95 queue time (> 35ms) and backlog (> 3), sidekiq queue latency
 * (default > 10s, federation > 30s). Names are what the HPAs reference as external metrics.
 * Series names are those of Mastodon's Prometheus exporter on port 9394 (002 names
 * `ruby_http_request_queue_duration_seconds`; the sidekiq and backlog series are taken
 * from prometheus_exporter's Puma/Sidekiq collectors and must be checked against a live
 * scrape, see the report).
 */
export const MASTODON_EXTERNAL_RULES: readonly { readonly [key: string]: JsonValue }[] = [
  {
    seriesQuery: 'ruby_http_request_queue_duration_seconds_bucket{namespace!=""}',
    resources: { overrides: { namespace: { resource: "namespace" } } },
    name: {
      matches: "^ruby_http_request_queue_duration_seconds_bucket$",
      as: "ruby_http_request_queue_duration_seconds_p95",
    },
    metricsQuery:
      "histogram_quantile(0.95, sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (le, <<.GroupBy>>))",
  },
  {
    seriesQuery: 'ruby_puma_request_backlog{namespace!=""}',
    resources: { overrides: { namespace: { resource: "namespace" } } },
    name: { matches: "^ruby_puma_request_backlog$", as: "mastodon_web_request_backlog" },
    metricsQuery: "sum(max_over_time(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)",
  },
  {
    seriesQuery: 'ruby_sidekiq_queue_latency_seconds{namespace!="",queue!=""}',
    resources: { overrides: { namespace: { resource: "namespace" } } },
    name: { matches: "^ruby_sidekiq_queue_latency_seconds$", as: "sidekiq_queue_latency_seconds" },
    // Selected per queue by the HPA's metric selector (queue=default / queue=push,pull...).
    metricsQuery: "max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
  },
];

export const victoriaMetricsService: ServiceDefinition<VictoriaMetricsSettings> = {
  name: "victoria-metrics",
  build(ctx) {
    const s = ctx.settings;
    const storageClass = ctx.cluster.capabilities.defaultStorageClass;
    const stack: Addon = {
      kind: "addon",
      name: "victoria-metrics",
      layer: "monitoring",
      namespace: MONITORING_NAMESPACE,
      repository: "https://victoriametrics.github.io/helm-charts",
      chart: "victoria-metrics-k8s-stack",
      version: s.version,
      // 002: "includeCRDs: true for operators (VictoriaMetrics, CloudNative-PG)".
      includeCrds: true,
      timeout: "15m",
      values: {
        fullnameOverride: VM_FULLNAME,
        vmsingle: {
          enabled: true,
          spec: {
            retentionPeriod: s.retentionPeriod,
            storage: {
              storageClassName: storageClass,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: s.storageSize } },
            },
          },
        },
        grafana: grafanaValues(storageClass, "5Gi"),
      },
    };
    const adapter: Addon = {
      kind: "addon",
      name: "prometheus-adapter",
      layer: "monitoring",
      namespace: MONITORING_NAMESPACE,
      repository: "https://prometheus-community.github.io/helm-charts",
      chart: "prometheus-adapter",
      version: s.adapterVersion,
      includeCrds: false,
      // The adapter queries VMSingle, which the stack's operator creates.
      dependsOn: ["victoria-metrics"],
      values: {
        // prometheus-adapter values: prometheus.url / port / path; rules.default / custom / external.
        prometheus: { url: VMSINGLE_URL, port: VMSINGLE_PORT, path: "" },
        rules: { default: false, custom: [], external: [...MASTODON_EXTERNAL_RULES] },
      },
    };
    return { items: [stack, adapter], liveSecrets: [grafanaAdmin(ctx, "victoria-metrics")] };
  },
};

export const victoriaLogsService: ServiceDefinition<VictoriaLogsSettings> = {
  name: "victoria-logs",
  build(ctx) {
    const s = ctx.settings;
    const addon: Addon = {
      kind: "addon",
      name: "victoria-logs",
      layer: "monitoring",
      namespace: MONITORING_NAMESPACE,
      repository: "https://victoriametrics.github.io/helm-charts",
      chart: "victoria-logs-single",
      version: s.version,
      includeCrds: false,
      values: {
        server: {
          retentionPeriod: s.retentionPeriod,
          persistentVolume: {
            enabled: true,
            storageClassName: ctx.cluster.capabilities.defaultStorageClass,
            size: s.storageSize,
          },
        },
        // Chart.yaml: vector dependency, condition vector.enabled.
        vector: { enabled: s.collector },
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
};
