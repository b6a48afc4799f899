/** The victoria-metrics platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type VictoriaMetricsSettings, parseVictoriaMetricsSettings } from "./settings";
import type { Addon, JsonValue } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { grafanaAdmin, grafanaValues } from "../grafana";
import { dashboardValues } from "../grafana-dashboards";
import { VICTORIA_METRICS_CHART } from "./settings";
import { PROMETHEUS_OPERATOR_CRDS_CHART } from "./settings";
import { PROMETHEUS_ADAPTER_CHART } from "./settings";

/**
 * The stack's default Grafana data source (values.yaml `defaultDatasources.victoriametrics.
 * datasources[0]`: name and uid `VictoriaMetrics`, type prometheus, `isDefault: true`).
 */
const VM_DATASOURCE = "VictoriaMetrics";

/** 002 runs victoria-metrics-k8s-stack and VictoriaLogs in their own namespaces. */
export const VM_NAMESPACE = "victoriametrics";

/** 002: `fullnameOverride: vm`; the operator names VMSingle's Service `vmsingle-vm`. */
const VM_FULLNAME = "vm";

/** VMSingle's Prometheus-compatible query endpoint (002's prometheus-adapter.yaml: `--prometheus-url=http://vmsingle-vm.victoriametrics.svc.cluster.local:8429`). */
export const VMSINGLE_URL = `http://vmsingle-${VM_FULLNAME}.${VM_NAMESPACE}.svc.cluster.local`;

export const VMSINGLE_PORT = 8429;

/** The VMServiceScrape job of Mastodon web pods the adapter rules select (002: `job="mastodon-web"`, port 9394). */
export const MASTODON_WEB_JOB = "mastodon-web";

/** The job of the Mastodon streaming pods (the scrape's Service, components/apps/mastodon.ts). */
export const MASTODON_STREAMING_JOB = "mastodon-streaming";

/**
 * Prometheus adapter external metrics for the Mastodon HPAs (002 "Mastodon Autoscaling
 * Strategy"), as 002's repository defines them (goingdark-social/IaC victoriametrics/
 * helm-values.yaml `prometheus-adapter.rules.external`): the p95 request queue time
 * (`ruby_http_request_queue_duration_seconds_p95`, > 35ms), the Puma backlog
 * (`ruby_puma_request_backlog`, > 3) and requests per second. The p95 query sums the buckets
 * by `le` before the quantile (002's `histogram_quantile(0.95, rate(...))` without it yields one
 * quantile per pod and label set, which an External metric then sums). 002's text also scales
 * sidekiq on queue latency (default > 10s, federation > 30s) but its repository defines no
 * adapter rule for it; `sidekiq_queue_latency_seconds` below reads prometheus_exporter's
 * Sidekiq queue collector series (`ruby_sidekiq_queue_latency_seconds{queue}`), which must be
 * checked against a live scrape before an HPA relies on it. The streaming HPA (~200 clients
 * per pod, 002's streaming-hpa.yaml) reads `mastodon_streaming_connected_clients`, which the
 * streaming server serves on its own /metrics (docs.joinmastodon.org "Scaling"), summed over
 * the namespace's streaming pods: an AverageValue target divides it by the replicas.
 */
const byNamespace = { overrides: { namespace: { resource: "namespace" } } };

export const MASTODON_EXTERNAL_RULES: readonly { readonly [key: string]: JsonValue }[] = [
  {
    seriesQuery: `ruby_http_request_queue_duration_seconds_bucket{job="${MASTODON_WEB_JOB}"}`,
    resources: byNamespace,
    name: {
      matches: "^ruby_http_request_queue_duration_seconds_bucket$",
      as: "ruby_http_request_queue_duration_seconds_p95",
    },
    metricsQuery: "histogram_quantile(0.95, sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (le))",
  },
  {
    seriesQuery: `ruby_puma_request_backlog{job="${MASTODON_WEB_JOB}"}`,
    resources: byNamespace,
    name: { matches: "^ruby_puma_request_backlog$", as: "ruby_puma_request_backlog" },
    metricsQuery: "max(<<.Series>>{<<.LabelMatchers>>})",
  },
  {
    seriesQuery: `ruby_http_requests_total{job="${MASTODON_WEB_JOB}"}`,
    resources: byNamespace,
    name: { matches: "^ruby_http_requests_total$", as: "ruby_http_requests_per_second" },
    metricsQuery: "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m]))",
  },
  {
    seriesQuery: `mastodon_streaming_connected_clients{job="${MASTODON_STREAMING_JOB}"}`,
    resources: byNamespace,
    name: {
      matches: "^mastodon_streaming_connected_clients$",
      as: "mastodon_streaming_connected_clients",
    },
    metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>})",
  },
  {
    seriesQuery: 'ruby_sidekiq_queue_latency_seconds{queue!=""}',
    resources: byNamespace,
    name: { matches: "^ruby_sidekiq_queue_latency_seconds$", as: "sidekiq_queue_latency_seconds" },
    // The HPA picks the queue with its metric selector (queue=default, queue=push...).
    metricsQuery: "max(<<.Series>>{<<.LabelMatchers>>}) by (queue)",
  },
];

/**
 * The chart's sync-job (values.yaml `syncJob`, on by default) fetches the default dashboards
 * and alerting and recording rules from upstream repositories when the release is installed or
 * changed, and creates their ConfigMaps and VMRules; the chart leaves its image at `latest`
 * (values.yaml of 0.84.0). Pinned to v0.0.11, the tag the chart itself pins from 0.87.0 on
 * (its values table, `syncJob.image.tag`): the nearest release the chart's maintainers pair
 * with a chart version; Renovate proposes newer ones.
 * The Job needs egress to raw.githubusercontent.com over HTTPS, which the victoriametrics
 * namespace's policies allow Job pods (namespace-policies.ts, `sync-job-egress`).
 */
// renovate: datasource=docker depName=ghcr.io/victoriametrics/sync-job
export const VM_SYNC_JOB_TAG = "v0.0.11";

export const victoriaMetricsService = defineService<VictoriaMetricsSettings>({
  name: "victoria-metrics",
  catalog: {
    description: "VictoriaMetrics, Grafana and the Prometheus adapter",
    source: "002",
    conflictsWith: ["kube-prometheus-stack"],
  },
  charts: {
    stack: VICTORIA_METRICS_CHART,
    operatorCrds: PROMETHEUS_OPERATOR_CRDS_CHART,
    adapter: PROMETHEUS_ADAPTER_CHART,
  },
  parse: parseVictoriaMetricsSettings,
  build(ctx) {
    const s = ctx.settings;
    const storageClass = ctx.cluster.capabilities.defaultStorageClass;
    // 002 installs the Prometheus operator CRDs next to the stack so ServiceMonitors of
    // third-party charts apply; the VM operator converts them to VMServiceScrapes.
    const crds: Addon = {
      kind: "addon",
      name: "prometheus-operator-crds",
      layer: "monitoring",
      namespace: VM_NAMESPACE,
      ...addonChart(PROMETHEUS_OPERATOR_CRDS_CHART, s.operatorCrdsVersion),
      includeCrds: true,
    };
    const stack: Addon = {
      kind: "addon",
      name: "victoria-metrics",
      layer: "monitoring",
      namespace: VM_NAMESPACE,
      ...addonChart(VICTORIA_METRICS_CHART, s.version),
      // 002: "includeCRDs: true for operators (VictoriaMetrics, CloudNative-PG)".
      includeCrds: true,
      dependsOn: ["prometheus-operator-crds"],
      timeout: "15m",
      // The operator subchart generates its webhook certificate with Helm's `lookup`, which
      // Argo CD does not run, so every sync re-renders the Secret and the caBundle; the
      // chart's README ("ArgoCD issues") prescribes ignoring both, with
      // RespectIgnoreDifferences=true (set on every Application). The README names them
      // `<fullname>-validation` / `<fullname>-admission` of the operator subchart, whose
      // fullname this stack does not pin, so they are matched by kind in the chart's
      // namespace (its other Secrets come from existingSecret or the operator).
      ignoreDifferences: [
        { group: "", kind: "Secret", namespace: VM_NAMESPACE, jsonPointers: ["/data"] },
        {
          group: "admissionregistration.k8s.io",
          kind: "ValidatingWebhookConfiguration",
          jsonPointers: [],
          jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
        },
      ],
      values: {
        fullnameOverride: VM_FULLNAME,
        syncJob: { image: { tag: VM_SYNC_JOB_TAG } },
        vmsingle: {
          enabled: true,
          spec: {
            retentionPeriod: s.retentionPeriod,
            // 002: requests 250m/768Mi, limit 768Mi.
            resources: { requests: { cpu: "250m", memory: "768Mi" }, limits: { memory: "768Mi" } },
            storage: {
              storageClassName: storageClass,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: s.storageSize } },
            },
          },
        },
        // 002: single replica vmagent and vmalert with these requests.
        vmagent: {
          spec: {
            replicaCount: 1,
            resources: { requests: { cpu: "125m", memory: "500Mi" }, limits: { memory: "500Mi" } },
          },
        },
        vmalert: {
          spec: {
            replicaCount: 1,
            resources: { requests: { cpu: "25m", memory: "100Mi" }, limits: { memory: "100Mi" } },
          },
        },
        grafana: {
          ...grafanaValues(storageClass, "5Gi"),
          "grafana.ini": { server: { root_url: `https://monitoring.${ctx.cluster.domain}` } },
          ...dashboardValues(s.dashboards, ctx.cluster.capabilities.services, VM_DATASOURCE),
        },
      },
    };
    const adapter: Addon = {
      kind: "addon",
      name: "prometheus-adapter",
      layer: "monitoring",
      namespace: VM_NAMESPACE,
      ...addonChart(PROMETHEUS_ADAPTER_CHART, s.adapterVersion),
      includeCrds: false,
      // The adapter queries VMSingle, which the stack's operator creates.
      dependsOn: ["victoria-metrics"],
      values: {
        // prometheus-adapter values.yaml: prometheus.url / port / path; rules.default / custom / external.
        prometheus: { url: VMSINGLE_URL, port: VMSINGLE_PORT, path: "" },
        rules: { default: false, custom: [], external: [...MASTODON_EXTERNAL_RULES] },
        // 002: requests 100m/128Mi, limit 256Mi.
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      },
    };
    return {
      items: [crds, stack, adapter],
      liveSecrets: [grafanaAdmin(ctx, "victoria-metrics", VM_NAMESPACE)],
    };
  },
});
