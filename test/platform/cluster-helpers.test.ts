import { prod } from "../cluster/talos-fixture";
import * as pulumi from "@pulumi/pulumi";
import { autoscalerSettings } from "../../components/cluster/talos/autoscaler";
import type { Addon, Bundle } from "../../components/gitops/delivery";
import { validateItems } from "../../components/gitops/delivery";
import {
  autoscalerExtraArgs,
  clusterAutoscalerService,
  type ClusterAutoscalerSettings,
} from "../../components/platform/cluster-autoscaler";
import { baselineNetworkPolicies, platformPriorityClasses } from "../../components/platform/cluster-helpers";
import { deschedulerService } from "../../components/platform/descheduler";
import { metricsServerService } from "../../components/platform/metrics-server";
import { renovateService } from "../../components/platform/renovate";
import { vpaService } from "../../components/platform/vpa";
import type { ServiceBuild } from "../../components/platform/types";
import { CLUSTER_AUTOSCALER_DEFAULTS } from "../../components/platform/cluster-autoscaler/settings";
import { DESCHEDULER_DEFAULTS } from "../../components/platform/descheduler/settings";
import { METRICS_SERVER_DEFAULTS } from "../../components/platform/metrics-server/settings";
import { RENOVATE_DEFAULTS } from "../../components/platform/renovate/settings";
import { VPA_DEFAULTS } from "../../components/platform/vpa/settings";
import type { TalosHcloudClusterConfig } from "../../config/types";
import { isSecretOutput, runProgram, valueOf } from "../../lib/mock-runtime";
import { cluster, context, FAKE, type Loose } from "./fixtures";

/** 002's pools (the Talos tests' prod fixture), with the autoscaler enabled and the image by selector. */
function talos(): TalosHcloudClusterConfig {
  return { ...prod, services: ["cluster-autoscaler"], image: { selector: "os=talos" } };
}

const WORKER_CONFIG = "machine:\n  type: worker\n  token: fake-test-worker-token-not-a-secret\n";

function autoscalerArgs(): ClusterAutoscalerSettings {
  const base = autoscalerSettings(talos());
  return {
    ...CLUSTER_AUTOSCALER_DEFAULTS,
    autoscaler: base,
    workerConfigBase64: pulumi.secret(Buffer.from(WORKER_CONFIG).toString("base64")),
  };
}

/** The builder context: the chart from config, the rest from the Talos component (`fromCluster`). */
function autoscalerContext(s: ClusterAutoscalerSettings, secrets: string[] = []) {
  const { autoscaler, workerConfigBase64, ...chart } = s;
  return {
    ...context(talos(), chart, secrets),
    fromCluster: { autoscaler: { settings: autoscaler, workerConfigBase64 } },
  };
}

describe("cluster-autoscaler", () => {
  it("renders 002's node group and behaviour, with token and worker config only in the live Secret", async () => {
    let build: ServiceBuild | undefined;
    const { outputs } = await runProgram(() => {
      build = clusterAutoscalerService.spec.build(autoscalerContext(autoscalerArgs(), ["hcloudToken"]));
      const config = (build.liveSecrets[0].stringData as Record<string, Loose>).HCLOUD_CLUSTER_CONFIG;
      return Promise.all([valueOf(config), isSecretOutput(config)]);
    });
    const [clusterConfig, isSecret] = outputs as [string, boolean];
    expect(isSecret).toBe(true);
    const b = build!;
    validateItems(b.items, { complete: false });
    const a = b.items[0] as Addon;
    expect(a).toMatchObject({ namespace: "kube-system", version: "9.50.1" });
    const values = a.values as Loose;
    expect(values.cloudProvider).toBe("hetzner");
    expect(values.image).toEqual({
      repository: "registry.k8s.io/autoscaling/cluster-autoscaler",
      tag: "v1.33.3",
    });
    expect(values.autoscalingGroups).toEqual([
      { name: "prod-autoscaler", minSize: 0, maxSize: 2, instanceType: "cx32", region: "nbg1" },
    ]);
    expect(values.extraArgs).toEqual({
      "scale-down-delay-after-add": "10m",
      "scale-down-delay-after-delete": "10m",
      "scale-down-unneeded-time": "8m",
      expander: "least-waste",
      "balance-similar-node-groups": "false",
    });
    expect(values.extraEnv).toEqual({
      HCLOUD_NETWORK: "prod",
      HCLOUD_FIREWALL: "prod",
      HCLOUD_PUBLIC_IPV4: "true",
      HCLOUD_PUBLIC_IPV6: "false",
    });
    expect(values.envFromSecret).toBe("cluster-autoscaler-hetzner");
    const decoded = JSON.parse(Buffer.from(clusterConfig, "base64").toString("utf8"));
    expect(decoded).toEqual({
      imagesForArch: { amd64: "os=talos" },
      nodeConfigs: {
        "prod-autoscaler": {
          cloudInit: WORKER_CONFIG,
          labels: { "autoscaler-node": "true", nodepool: "autoscaler" },
          taints: [{ key: "autoscaler-node", value: "true", effect: "NoSchedule" }],
        },
      },
    });
    const text = JSON.stringify(b.items);
    expect(text).not.toContain("fake-test-worker-token");
    expect(text).not.toContain(FAKE("hcloudToken"));
  });

  it("fails clearly without the token, the image or an autoscaled pool", () => {
    expect(() => clusterAutoscalerService.spec.build(autoscalerContext(autoscalerArgs()))).toThrow(
      "Missing secret config platform:hcloudToken: cluster-autoscaler is enabled; set it with `pulumi config set --secret platform:hcloudToken <value>`",
    );
    const withoutImage: Record<string, string> = { ...autoscalerSettings(talos()).env };
    delete withoutImage["HCLOUD_IMAGE"];
    const noImage = {
      ...autoscalerArgs(),
      autoscaler: { ...autoscalerSettings(talos()), env: withoutImage },
    };
    expect(() => clusterAutoscalerService.spec.build(autoscalerContext(noImage, ["hcloudToken"]))).toThrow(
      "cluster-autoscaler: the Talos autoscaler settings carry no HCLOUD_IMAGE; the autoscaler cannot boot Talos workers without the image",
    );
    const noPools = { ...autoscalerArgs(), autoscaler: { ...autoscalerArgs().autoscaler, nodeGroups: [] } };
    expect(() => clusterAutoscalerService.spec.build(autoscalerContext(noPools, ["hcloudToken"]))).toThrow(
      "cluster-autoscaler: cluster prod has no autoscaled node pool; give a pool `autoscaler.max` or remove cluster-autoscaler from platform:clusters.prod.services",
    );
  });

  it("rejects malformed or repeated args", () => {
    expect(() => autoscalerExtraArgs(["--v"])).toThrow(
      'cluster-autoscaler: argument "--v" is not of the form --flag=value',
    );
    expect(() => autoscalerExtraArgs(["--v=1", "--v=2"])).toThrow(
      "cluster-autoscaler: argument --v is given twice",
    );
  });
});

describe("helpers", () => {
  it("runs VPA as recommender only", () => {
    const b = vpaService.spec.build(context(cluster("talos-hcloud", ["vpa"]), VPA_DEFAULTS));
    validateItems(b.items, { complete: false });
    expect((b.items[0] as Addon).values).toMatchObject({
      recommender: { enabled: true },
      updater: { enabled: false },
      admissionController: { enabled: false },
    });
  });

  it("runs the descheduler with 002's policy every 5m", () => {
    const b = deschedulerService.spec.build(
      context(cluster("talos-hcloud", ["descheduler"]), DESCHEDULER_DEFAULTS),
    );
    validateItems(b.items, { complete: false });
    const values = (b.items[0] as Addon).values as Loose;
    expect(values.kind).toBe("Deployment");
    expect(values.deschedulingInterval).toBe("5m");
    expect(values.deschedulerPolicy.profiles[0].pluginConfig[0].args.targetThresholds).toEqual({
      cpu: 75,
      memory: 75,
      pods: 75,
    });
  });

  it("installs metrics-server without insecure kubelet TLS unless asked", () => {
    const c = cluster("talos-hcloud", ["metrics-server"]);
    expect(
      (metricsServerService.spec.build(context(c, METRICS_SERVER_DEFAULTS)).items[0] as Addon).values,
    ).toEqual({});
    const insecure = metricsServerService.spec.build(
      context(c, { ...METRICS_SERVER_DEFAULTS, kubeletInsecureTls: true }),
    );
    expect((insecure.items[0] as Addon).values).toEqual({ args: ["--kubelet-insecure-tls"] });
  });

  it("runs Renovate hourly as 004's CronJob, token only in the live Secret", () => {
    const settings = { ...RENOVATE_DEFAULTS, repositories: ["ronaldlokers/homelab"] };
    const b = renovateService.spec.build(context(cluster("k3s", ["renovate"]), settings, ["renovateToken"]));
    validateItems(b.items, { complete: false });
    const bundle = b.items[0] as Bundle;
    expect(bundle.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/renovate",
      "NetworkPolicy/default-deny-all",
      "NetworkPolicy/allow-dns-egress",
      "NetworkPolicy/allow-https-egress",
      "ConfigMap/renovate-configmap",
      "CronJob/renovate",
    ]);
    const cron = bundle.objects[5] as Loose;
    expect(cron.spec.schedule).toBe("@hourly");
    expect(cron.spec.concurrencyPolicy).toBe("Forbid");
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.image).toMatch(/^renovate\/renovate:44\.39\.2@sha256:[0-9a-f]{64}$/);
    expect(container.args).toEqual(["ronaldlokers/homelab"]);
    expect(container.resources).toEqual({
      requests: { cpu: "100m", memory: "512Mi" },
      limits: { memory: "2Gi" },
    });
    expect(b.liveSecrets).toEqual([
      { name: "renovate-env", namespace: "renovate", stringData: { RENOVATE_TOKEN: expect.anything() } },
    ]);
    expect(JSON.stringify(b.items)).not.toContain(FAKE("renovateToken"));
  });

  it("gives every namespace a default deny with DNS to kube-dns", () => {
    const [deny, dns] = baselineNetworkPolicies("mastodon");
    expect(deny.metadata).toEqual({ name: "default-deny-all", namespace: "mastodon" });
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect((dns.spec as Loose).egress[0].to[0].podSelector).toEqual({
      matchLabels: { "k8s-app": "kube-dns" },
    });
    expect((dns.spec as Loose).egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
  });

  it("ranks the platform PriorityClasses below system-cluster-critical and above mastodon-critical", () => {
    const bundle = platformPriorityClasses();
    validateItems([bundle], { complete: false });
    const values = bundle.objects.map((o) => (o as Loose).value as number);
    for (const v of values) {
      expect(v).toBeLessThan(2000000000);
      expect(v).toBeGreaterThan(1000000);
    }
  });
});
