/**
 * Grafana dashboards of the metrics stacks: CloudNativePG's where the cluster runs it, loaded
 * through the grafana chart's file provider with the stack's data source; more from settings,
 * always pinned.
 */
import { kubePrometheusStackService } from "../../components/platform/kube-prometheus-stack";
import { victoriaMetricsService } from "../../components/platform/victoria-metrics";
import type { Addon } from "../../components/gitops/delivery";
import type { ServiceBuild } from "../../components/platform/types";
import { CLOUDNATIVE_PG_DASHBOARD, DASHBOARD_PATH } from "../../components/platform/grafana-dashboards";
import {
  KUBE_PROMETHEUS_STACK_DEFAULTS,
  parseKubePrometheusStackSettings,
} from "../../components/platform/kube-prometheus-stack/settings";
import { parseVictoriaMetricsSettings } from "../../components/platform/victoria-metrics/settings";
import { Reader } from "../../config/reader";
import { runProgram } from "../../lib/mock-runtime";
import { cluster, context, type Loose } from "./fixtures";

const KEY = "platform:clusters.production.serviceSettings.kube-prometheus-stack";
const kpsSettings = (raw: Record<string, unknown>) =>
  parseKubePrometheusStackSettings(new Reader(KEY, raw), cluster("k3s", [], "production"));

async function grafanaOf(
  service: typeof kubePrometheusStackService | typeof victoriaMetricsService,
  services: string[],
  settings: unknown,
  name: string,
): Promise<Loose> {
  let build: ServiceBuild | undefined;
  await runProgram(() => {
    build = (service.spec.build as (c: unknown) => ServiceBuild)(
      context(cluster(services.includes("longhorn") ? "k3s" : "talos-hcloud", services), settings, [], true),
    );
  });
  const addon = build!.items.find((i) => i.name === name) as Addon;
  return (addon.values as Loose).grafana;
}

describe("Grafana dashboards", () => {
  it("loads CloudNativePG's dashboard, pinned to a commit, with kube-prometheus-stack's Prometheus", async () => {
    const grafana = await grafanaOf(
      kubePrometheusStackService,
      ["kube-prometheus-stack", "longhorn", "cloudnative-pg"],
      KUBE_PROMETHEUS_STACK_DEFAULTS,
      "kube-prometheus-stack",
    );
    expect(grafana.dashboardProviders["dashboardproviders.yaml"].providers).toEqual([
      {
        name: "platform",
        orgId: 1,
        folder: "Platform",
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: DASHBOARD_PATH },
      },
    ]);
    expect(grafana.dashboards).toEqual({
      platform: {
        "cloudnative-pg": {
          url: expect.stringMatching(
            /^https:\/\/raw\.githubusercontent\.com\/cloudnative-pg\/grafana-dashboards\/[0-9a-f]{40}\/charts\/cluster\/grafana-dashboard\.json$/,
          ),
          datasource: [{ name: "DS_PROMETHEUS", value: "Prometheus" }],
        },
      },
    });
    // Outside the victoria-metrics stack's sidecar folder, whose emptyDir would hide the files.
    expect(DASHBOARD_PATH.startsWith("/var/lib/grafana/dashboards")).toBe(false);
    expect(grafana.dashboards.platform["cloudnative-pg"].url).toBe(
      (CLOUDNATIVE_PG_DASHBOARD as { url: string }).url,
    );
  });

  it("uses VictoriaMetrics' data source on the victoria-metrics stack", async () => {
    const settings = parseVictoriaMetricsSettings(
      new Reader("platform:clusters.prod.serviceSettings.victoria-metrics", {}),
      cluster("talos-hcloud", []),
    );
    const grafana = await grafanaOf(
      victoriaMetricsService,
      ["victoria-metrics", "cloudnative-pg"],
      settings,
      "victoria-metrics",
    );
    expect(grafana.dashboards.platform["cloudnative-pg"].datasource).toEqual([
      { name: "DS_PROMETHEUS", value: "VictoriaMetrics" },
    ]);
  });

  it("adds nothing where no service has a dashboard, or with builtIn off", async () => {
    const none = await grafanaOf(
      kubePrometheusStackService,
      ["kube-prometheus-stack", "longhorn"],
      KUBE_PROMETHEUS_STACK_DEFAULTS,
      "kube-prometheus-stack",
    );
    expect(none.dashboards).toBeUndefined();
    expect(none.dashboardProviders).toBeUndefined();
    const off = await grafanaOf(
      kubePrometheusStackService,
      ["kube-prometheus-stack", "longhorn", "cloudnative-pg"],
      kpsSettings({ dashboards: { builtIn: false } }),
      "kube-prometheus-stack",
    );
    expect(off.dashboards).toBeUndefined();
  });

  it("adds the configured grafana.com and URL dashboards, each pinned", async () => {
    const grafana = await grafanaOf(
      kubePrometheusStackService,
      ["kube-prometheus-stack", "longhorn"],
      kpsSettings({
        dashboards: {
          extra: {
            longhorn: { gnetId: 13032, revision: 6 },
            flux: {
              url: "https://raw.githubusercontent.com/fluxcd/flux2-monitoring-example/0123456789abcdef0123456789abcdef01234567/monitoring/configs/dashboards/control-plane.json",
              datasourceInput: "DS_PROM",
            },
          },
        },
      }),
      "kube-prometheus-stack",
    );
    expect(grafana.dashboards.platform).toEqual({
      flux: {
        url: "https://raw.githubusercontent.com/fluxcd/flux2-monitoring-example/0123456789abcdef0123456789abcdef01234567/monitoring/configs/dashboards/control-plane.json",
        datasource: [{ name: "DS_PROM", value: "Prometheus" }],
      },
      longhorn: { gnetId: 13032, revision: 6, datasource: [{ name: "DS_PROMETHEUS", value: "Prometheus" }] },
    });
  });

  it.each([
    [
      { longhorn: { gnetId: 13032 } },
      `${KEY}.dashboards.extra.longhorn.revision = (not set): required with gnetId`,
    ],
    [
      {
        flux: {
          url: "https://raw.githubusercontent.com/fluxcd/flux2-monitoring-example/main/dashboards/cluster.json",
        },
      },
      /dashboards\.extra\.flux\.url = "https:\/\/raw\.githubusercontent\.com\/fluxcd\/flux2-monitoring-example\/main\/.*: the URL names a branch, .*; use a tag or a commit SHA/,
    ],
    [{ both: { gnetId: 1, revision: 1, url: "https://example.org/a.json" } }, "set either url"],
    [{ Bad_Name: { gnetId: 1, revision: 1 } }, `${KEY}.dashboards.extra.Bad_Name`],
    [{ plain: { url: "http://example.org/a.json" } }, "expected an https URL of a .json file"],
  ])("refuses %j, naming the key, the value and the fix", (extra, message) => {
    expect(() => kpsSettings({ dashboards: { extra } })).toThrow(message);
  });
});
