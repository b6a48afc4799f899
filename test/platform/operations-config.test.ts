import { Reader } from "../../config/reader";
import {
  KUBE_PROMETHEUS_STACK_DEFAULTS,
  parseKubePrometheusStackSettings,
} from "../../components/platform/kube-prometheus-stack/settings";
import { parseClusterAutoscalerChart } from "../../components/platform/cluster-autoscaler/settings";
import { parseDeschedulerSettings } from "../../components/platform/descheduler/settings";
import { parseExternalSecretsSettings } from "../../components/platform/external-secrets/settings";
import { parseRenovateSettings } from "../../components/platform/renovate/settings";
import { parseVictoriaMetricsSettings } from "../../components/platform/victoria-metrics/settings";
import type { TalosHcloudClusterConfig } from "../../config/types";
import { cluster } from "./fixtures";

const at = (service: string, value: Record<string, unknown> = {}): Reader =>
  new Reader(`platform:clusters.prod.serviceSettings.${service}`, value);
const prod = cluster("talos-hcloud", []);

describe("operations settings", () => {
  it("defaults every field from the documents", () => {
    expect(parseKubePrometheusStackSettings(at("kube-prometheus-stack"), prod)).toEqual(
      KUBE_PROMETHEUS_STACK_DEFAULTS,
    );
    expect(parseVictoriaMetricsSettings(at("victoria-metrics"), prod).retentionPeriod).toBe("14d");
    expect(parseDeschedulerSettings(at("descheduler"), prod)).toEqual({ version: "0.34.0", interval: "5m" });
    expect(parseExternalSecretsSettings(at("external-secrets"), prod)).toEqual({ version: "1.2.1" });
  });

  it("turns a store on only when its block is given", () => {
    const s = parseExternalSecretsSettings(
      at("external-secrets", {
        bitwarden: {
          organizationId: "4a014e57-f197-4852-9831-b287013e47b6",
          projectId: "c3db446d-ed3c-4713-82d1-b34000c4a2cf",
        },
      }),
      prod,
    );
    expect(s.bitwarden).toEqual({
      sdkServerVersion: "v0.5.2",
      organizationId: "4a014e57-f197-4852-9831-b287013e47b6",
      projectId: "c3db446d-ed3c-4713-82d1-b34000c4a2cf",
      apiUrl: "https://api.bitwarden.com",
      identityUrl: "https://identity.bitwarden.com",
    });
    expect(s.vault).toBeUndefined();
    expect(s.onepassword).toBeUndefined();
  });

  it("names the key, the value and the fix on bad input", () => {
    expect(() =>
      parseKubePrometheusStackSettings(at("kube-prometheus-stack", { retention: "ten days" }), prod),
    ).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.kube-prometheus-stack.retention = "ten days": expected a retention such as 14d, 4w or 1y',
    );
    expect(() =>
      parseExternalSecretsSettings(
        at("external-secrets", { vault: { server: "https://v", auth: "kubernetes" } }),
        prod,
      ),
    ).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.external-secrets.vault.role = (not set): required when auth is "kubernetes"; set the Vault role bound to the external-secrets ServiceAccount',
    );
    expect(() =>
      parseExternalSecretsSettings(at("external-secrets", { bitwarden: { organizationId: "acme" } }), prod),
    ).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.external-secrets.bitwarden.organizationId = "acme": expected a UUID from the Bitwarden web vault',
    );
    expect(() => parseRenovateSettings(at("renovate"), prod)).toThrow(
      "Invalid config platform:clusters.prod.serviceSettings.renovate.repositories = []: required; list the repositories Renovate updates, e.g. [ronaldlokers/homelab]",
    );
    expect(() =>
      parseRenovateSettings(
        at("renovate", { image: "renovate/renovate:latest", repositories: ["a/b"] }),
        prod,
      ),
    ).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.renovate.image = "renovate/renovate:latest": expected image:tag@sha256:digest',
    );
    expect(() => parseDeschedulerSettings(at("descheduler", { schedule: "5m" }), prod)).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.descheduler.schedule = "5m": unknown key; expected one of: version, interval',
    );
  });

  it("pins the autoscaler image to the Kubernetes minor", () => {
    const talos = {
      ...prod,
      location: "nbg1",
      nodePools: [],
      autoscaler: {
        scaleDownDelayAfterAdd: "10m",
        scaleDownDelayAfterDelete: "10m",
        scaleDownUnneededTime: "8m",
        expander: "least-waste",
      },
    } as unknown as TalosHcloudClusterConfig;
    expect(
      parseClusterAutoscalerChart(at("cluster-autoscaler"), talos, { kubernetes: "v1.33.5" }).imageTag,
    ).toBe("v1.33.3");
    expect(() =>
      parseClusterAutoscalerChart(at("cluster-autoscaler"), talos, { kubernetes: "v1.35.0" }),
    ).toThrow(
      'Invalid config platform:clusters.prod.serviceSettings.cluster-autoscaler.imageTag = "v1.33.3": the cluster-autoscaler minor must equal the Kubernetes minor (v1.35.0); set a v1.35.x tag',
    );
  });
});
