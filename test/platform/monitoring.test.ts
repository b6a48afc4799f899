import { kubePrometheusStackService } from "../../components/platform/kube-prometheus-stack";
import { MASTODON_EXTERNAL_RULES, victoriaMetricsService } from "../../components/platform/victoria-metrics";
import { victoriaLogsService } from "../../components/platform/victoria-logs";
import type { Addon } from "../../components/gitops/delivery";
import { validateItems } from "../../components/gitops/delivery";
import type { ServiceBuild } from "../../components/platform/types";
import { KUBE_PROMETHEUS_STACK_DEFAULTS } from "../../components/platform/kube-prometheus-stack/settings";
import { VICTORIA_LOGS_DEFAULTS } from "../../components/platform/victoria-logs/settings";
import { VICTORIA_METRICS_DEFAULTS } from "../../components/platform/victoria-metrics/settings";
import { runProgram, valueOf } from "../../lib/mock-runtime";
import { cluster, context, type Loose } from "./fixtures";

function addon(build: ServiceBuild, name: string): Addon {
  const item = build.items.find((i) => i.name === name);
  if (!item || item.kind !== "addon") throw new Error(`no addon ${name}`);
  return item;
}

describe("kube-prometheus-stack", () => {
  it("renders 004's homelab numbers, K3s exclusions and a generated Grafana admin", async () => {
    let build: ServiceBuild | undefined;
    const { resources } = await runProgram(() => {
      build = kubePrometheusStackService.spec.build(
        context(
          cluster("k3s", ["kube-prometheus-stack", "longhorn"], "production"),
          KUBE_PROMETHEUS_STACK_DEFAULTS,
          [],
          true,
        ),
      );
    });
    const b = build!;
    validateItems(b.items, { complete: false });
    const a = addon(b, "kube-prometheus-stack");
    expect(a).toMatchObject({
      layer: "monitoring",
      namespace: "monitoring",
      version: "88.6.5",
      includeCrds: true,
    });
    const values = a.values as Loose;
    expect(values.prometheus.prometheusSpec.retention).toBe("10d");
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "longhorn",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "30Gi" } },
    });
    expect(values.kubeEtcd).toEqual({ enabled: false });
    expect(values.grafana.admin).toEqual({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect(values.grafana.ingress.hosts).toEqual(["grafana.example.org"]);
    // A certificate from cert-manager, not Traefik's self-signed default.
    expect(values.grafana.ingress.annotations).toEqual({
      "cert-manager.io/cluster-issuer": "letsencrypt-production",
    });
    expect(values.grafana.ingress.tls).toEqual([
      { secretName: "grafana-tls", hosts: ["grafana.example.org"] },
    ]);
    expect(b.liveSecrets.map((s) => `${s.namespace}/${s.name}`)).toEqual(["monitoring/grafana-admin"]);
    const password = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
    expect(password.name).toBe("production-kube-prometheus-stack-grafana-admin");
    expect(password.parent).toContain("platform:test:Parent::parent");
    expect(JSON.stringify(b.items)).not.toContain("fake-random");
  });

  it("keeps the Talos control-plane scrapes on talos-hcloud", async () => {
    let build: ServiceBuild | undefined;
    await runProgram(() => {
      build = kubePrometheusStackService.spec.build(
        context(cluster("talos-hcloud", []), KUBE_PROMETHEUS_STACK_DEFAULTS, [], true),
      );
    });
    const values = addon(build!, "kube-prometheus-stack").values as Loose;
    expect(values.kubeEtcd).toBeUndefined();
    expect(values.grafana.ingress).toBeUndefined();
  });
});

describe("victoria-metrics", () => {
  it("installs the stack after the operator CRDs and the adapter after the stack, pointed at VMSingle", async () => {
    let build: ServiceBuild | undefined;
    const { outputs: password } = await runProgram(() => {
      build = victoriaMetricsService.spec.build(
        context(cluster("talos-hcloud", ["victoria-metrics"]), VICTORIA_METRICS_DEFAULTS, [], true),
      );
      return valueOf((build.liveSecrets[0].stringData as Record<string, Loose>)["admin-password"]);
    });
    const b = build!;
    validateItems(b.items, { complete: false });
    expect(b.items.map((i) => i.name)).toEqual([
      "prometheus-operator-crds",
      "victoria-metrics",
      "prometheus-adapter",
    ]);
    const stack = addon(b, "victoria-metrics");
    expect(stack).toMatchObject({
      version: "0.85.9",
      namespace: "victoriametrics",
      dependsOn: ["prometheus-operator-crds"],
    });
    expect((stack.values as Loose).vmsingle.spec.retentionPeriod).toBe("14d");
    expect((stack.values as Loose).grafana.admin.existingSecret).toBe("grafana-admin");
    // The chart's dashboard and rule sync-job defaults to the `latest` image: pinned.
    expect((stack.values as Loose).syncJob.image.tag).toMatch(/^v\d+\.\d+\.\d+$/);
    const adapter = addon(b, "prometheus-adapter");
    expect(adapter.dependsOn).toEqual(["victoria-metrics"]);
    expect((adapter.values as Loose).prometheus).toEqual({
      url: "http://vmsingle-vm.victoriametrics.svc.cluster.local",
      port: 8429,
      path: "",
    });
    expect(b.liveSecrets[0]).toMatchObject({ name: "grafana-admin", namespace: "victoriametrics" });
    expect(password).toBe("fake-random-prod-victoria-metrics-grafana-admin");
  });

  it("exposes 002's Mastodon HPA metrics as external metrics", () => {
    expect(MASTODON_EXTERNAL_RULES.map((r) => (r.name as { as: string }).as)).toEqual([
      "ruby_http_request_queue_duration_seconds_p95",
      "ruby_puma_request_backlog",
      "ruby_http_requests_per_second",
      "mastodon_streaming_connected_clients",
      "sidekiq_queue_latency_seconds",
    ]);
    // Summed over the streaming pods: the HPA's AverageValue target divides by the replicas.
    expect(MASTODON_EXTERNAL_RULES[3]).toMatchObject({
      seriesQuery: 'mastodon_streaming_connected_clients{job="mastodon-streaming"}',
      metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>})",
    });
    expect(MASTODON_EXTERNAL_RULES[0].metricsQuery).toBe(
      "histogram_quantile(0.95, sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (le))",
    );
    expect(MASTODON_EXTERNAL_RULES[0].seriesQuery).toBe(
      'ruby_http_request_queue_duration_seconds_bucket{job="mastodon-web"}',
    );
  });
});

describe("victoria-logs", () => {
  it("keeps 002's volume and collector", () => {
    const b = victoriaLogsService.spec.build(
      context(cluster("talos-hcloud", ["victoria-logs"]), VICTORIA_LOGS_DEFAULTS),
    );
    validateItems(b.items, { complete: false });
    const a = addon(b, "victoria-logs");
    expect(a).toMatchObject({ chart: "victoria-logs-single", version: "0.11.20", namespace: "victorialogs" });
    expect((a.values as Loose).server.persistentVolume).toEqual({
      enabled: true,
      storageClassName: "hcloud-volumes-encrypted",
      size: "15Gi",
    });
    expect((a.values as Loose).vector.enabled).toBe(true);
    expect((a.values as Loose).vector.resources.limits.memory).toBe("1Gi");
  });
});
