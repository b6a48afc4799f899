/**
 * Monitoring services, all in the `monitoring` layer (004 "Monitoring -> Observability stack
 * (independent)"): kube-prometheus-stack (homelab, 004), victoria-metrics with Grafana and
 * the Prometheus adapter serving Mastodon's HPA metrics (002), victoria-logs (002).
 */
import * as random from "@pulumi/random";
import {
  type KubePrometheusStackSettings,
  type VictoriaLogsSettings,
  type VictoriaMetricsSettings,
  parseKubePrometheusStackSettings,
  parseVictoriaLogsSettings,
  parseVictoriaMetricsSettings,
} from "../../config/services/operations";
import type { Addon, JsonValue, LiveSecret } from "../gitops/delivery";
import { defineService } from "./types";
import type { ServiceContext } from "./types";

/** kube-prometheus-stack's namespace (004: `namespace: monitoring`). */
export const MONITORING_NAMESPACE = "monitoring";
/** 002 runs victoria-metrics-k8s-stack and VictoriaLogs in their own namespaces. */
export const VM_NAMESPACE = "victoriametrics";
export const VL_NAMESPACE = "victorialogs";

/** Secret the Grafana chart reads through `admin.existingSecret` (004's release uses exactly these keys). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** 002: `fullnameOverride: vm`; the operator names VMSingle's Service `vmsingle-vm`. */
const VM_FULLNAME = "vm";

/** VMSingle's Prometheus-compatible query endpoint (002's prometheus-adapter.yaml: `--prometheus-url=http://vmsingle-vm.victoriametrics.svc.cluster.local:8429`). */
export const VMSINGLE_URL = `http://vmsingle-${VM_FULLNAME}.${VM_NAMESPACE}.svc.cluster.local`;
export const VMSINGLE_PORT = 8429;

/** The VMServiceScrape job of Mastodon web pods the adapter rules select (002: `job="mastodon-web"`, port 9394). */
export const MASTODON_WEB_JOB = "mastodon-web";
/** The job of the Mastodon streaming pods (the scrape's Service, components/apps/mastodon.ts). */
export const MASTODON_STREAMING_JOB = "mastodon-streaming";

/** A generated Grafana admin password in a live Secret (never a chart value). */
function grafanaAdmin(ctx: ServiceContext<unknown>, service: string, namespace: string): LiveSecret {
  const password = new random.RandomPassword(
    `${ctx.cluster.name}-${service}-grafana-admin`,
    { length: 32, special: false },
    { parent: ctx.parent },
  );
  return {
    name: GRAFANA_ADMIN_SECRET,
    namespace,
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

export const kubePrometheusStackService = defineService<KubePrometheusStackSettings>({
  name: "kube-prometheus-stack",
  catalog: {
    description: "Prometheus and Grafana",
    source: "004",
    conflictsWith: ["victoria-metrics"],
  },
  parse: parseKubePrometheusStackSettings,
  build(ctx) {
    const s = ctx.settings;
    const storageClass = ctx.cluster.capabilities.defaultStorageClass;
    const k3s = ctx.cluster.kind !== "talos-hcloud";
    const grafanaHost = `grafana.${ctx.cluster.domain}`;
    const grafana: { [key: string]: JsonValue } = {
      ...grafanaValues(storageClass, s.grafanaStorageSize),
      // 004: "Measured 13m CPU / 467Mi memory."
      resources: { requests: { cpu: "50m", memory: "512Mi" } },
      "grafana.ini": { server: { root_url: `https://${grafanaHost}` } },
    };
    if (ctx.cluster.capabilities.ingress === "traefik") {
      // cert-manager's ingress-shim issues `grafana-tls` for this Ingress from the production
      // ClusterIssuer (https://cert-manager.io/docs/usage/ingress/); without a secretName and an
      // issuer Traefik serves its self-signed default certificate. The grafana chart renders
      // `ingress.annotations` on the Ingress and `ingress.tls` as given (templates/ingress.yaml).
      grafana.ingress = {
        enabled: true,
        ingressClassName: "traefik",
        annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-production" },
        hosts: [grafanaHost],
        tls: [{ secretName: "grafana-tls", hosts: [grafanaHost] }],
      };
    }
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
        // 004: K3s runs etcd, the controller manager, scheduler and proxy inside the server
        // process, "so the jobs they expect never exist and their alerts fire permanently".
        ...(k3s
          ? {
              kubeEtcd: { enabled: false },
              kubeControllerManager: { enabled: false },
              kubeScheduler: { enabled: false },
              kubeProxy: { enabled: false },
              defaultRules: {
                rules: { kubeControllerManager: false, kubeSchedulerAlerting: false, kubeProxy: false },
              },
            }
          : {}),
        alertmanager: { alertmanagerSpec: { resources: { requests: { cpu: "25m", memory: "128Mi" } } } },
        grafana,
        prometheus: {
          prometheusSpec: {
            retention: s.retention,
            // 004: "Measured 183m CPU / 1730Mi."
            resources: { requests: { cpu: "200m", memory: "2Gi" } },
            // 004: accept every ServiceMonitor/PodMonitor, not only this release's.
            serviceMonitorNamespaceSelector: {},
            serviceMonitorSelectorNilUsesHelmValues: false,
            serviceMonitorSelector: {},
            podMonitorNamespaceSelector: {},
            podMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelector: {},
            externalLabels: { cluster: ctx.cluster.name },
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
    return {
      items: [addon],
      liveSecrets: [grafanaAdmin(ctx, "kube-prometheus-stack", MONITORING_NAMESPACE)],
    };
  },
});

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

export const victoriaMetricsService = defineService<VictoriaMetricsSettings>({
  name: "victoria-metrics",
  catalog: {
    description: "VictoriaMetrics, Grafana and the Prometheus adapter",
    source: "002",
    conflictsWith: ["kube-prometheus-stack"],
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
      repository: "https://prometheus-community.github.io/helm-charts",
      chart: "prometheus-operator-crds",
      version: s.operatorCrdsVersion,
      includeCrds: true,
    };
    const stack: Addon = {
      kind: "addon",
      name: "victoria-metrics",
      layer: "monitoring",
      namespace: VM_NAMESPACE,
      repository: "https://victoriametrics.github.io/helm-charts",
      chart: "victoria-metrics-k8s-stack",
      version: s.version,
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
        },
      },
    };
    const adapter: Addon = {
      kind: "addon",
      name: "prometheus-adapter",
      layer: "monitoring",
      namespace: VM_NAMESPACE,
      repository: "https://prometheus-community.github.io/helm-charts",
      chart: "prometheus-adapter",
      version: s.adapterVersion,
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

export const victoriaLogsService = defineService<VictoriaLogsSettings>({
  name: "victoria-logs",
  catalog: { description: "Log aggregation", source: "002" },
  parse: parseVictoriaLogsSettings,
  build(ctx) {
    const s = ctx.settings;
    const addon: Addon = {
      kind: "addon",
      name: "victoria-logs",
      layer: "monitoring",
      namespace: VL_NAMESPACE,
      repository: "https://victoriametrics.github.io/helm-charts",
      chart: "victoria-logs-single",
      version: s.version,
      includeCrds: false,
      // Values from 002's victorialogs/helm-values.yaml (server.*, vector.*).
      values: {
        server: {
          retentionPeriod: s.retentionPeriod,
          // 002 also caps disk use (`retentionDiskSpaceUsage: "40"`, larger than its 15Gi volume);
          // not carried over: the value's unit is not verified here.
          persistentVolume: {
            enabled: true,
            storageClassName: ctx.cluster.capabilities.defaultStorageClass,
            size: s.storageSize,
          },
          resources: { requests: { cpu: "45m", memory: "1664Mi" }, limits: { memory: "1664Mi" } },
        },
        vector: {
          enabled: s.collector,
          // 002: "OOMKill if set to less than 1Gi".
          resources: { requests: { cpu: "85m", memory: "233Mi" }, limits: { memory: "1Gi" } },
        },
      },
    };
    return { items: [addon], liveSecrets: [] };
  },
});
