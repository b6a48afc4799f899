/** The kube-prometheus-stack platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type KubePrometheusStackSettings, parseKubePrometheusStackSettings } from "./settings";
import type { Addon, JsonValue } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { grafanaAdmin, grafanaValues } from "../grafana";
import { dashboardValues } from "../grafana-dashboards";

/**
 * The stack's Prometheus data source in Grafana: the chart provisions it under this name
 * (templates/grafana/configmaps-datasources.yaml, `- name: Prometheus`, the default data source;
 * read at the chart version the source index holds, which is older than 88.6.5).
 */
const KPS_DATASOURCE = "Prometheus";
import { KUBE_PROMETHEUS_STACK_CHART } from "./settings";

/** kube-prometheus-stack's namespace (004: `namespace: monitoring`). */
export const MONITORING_NAMESPACE = "monitoring";

export const kubePrometheusStackService = defineService<KubePrometheusStackSettings>({
  name: "kube-prometheus-stack",
  catalog: {
    description: "Prometheus and Grafana",
    source: "004",
    conflictsWith: ["victoria-metrics"],
  },
  charts: { stack: KUBE_PROMETHEUS_STACK_CHART },
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
      ...dashboardValues(s.dashboards, ctx.cluster.capabilities.services, KPS_DATASOURCE),
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
      ...addonChart(KUBE_PROMETHEUS_STACK_CHART, s.version),
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
