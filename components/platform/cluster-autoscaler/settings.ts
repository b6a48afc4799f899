/**
 * Settings of the cluster-autoscaler platform service (`serviceSettings.cluster-autoscaler` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig, Versions } from "../../../config/types";
import { VERSION } from "../settings-patterns";
import type { ServiceChart } from "../types";

/** The chart and image of cluster-autoscaler, from config. */
export interface ClusterAutoscalerChart {
  readonly version: string;
  /** Image tag; its minor must equal the Kubernetes minor. */
  readonly imageTag: string;
}

/** The cluster-autoscaler chart: repository, name and default version. */
export const CLUSTER_AUTOSCALER_CHART: ServiceChart = {
  repository: "https://kubernetes.github.io/autoscaler",
  name: "cluster-autoscaler",
  // renovate: datasource=helm depName=cluster-autoscaler registryUrl=https://kubernetes.github.io/autoscaler
  version: "9.50.1",
};

export const CLUSTER_AUTOSCALER_DEFAULTS = {
  // cluster-autoscaler chart 9.50.1 (kubernetes/autoscaler, 2025-10; entigolabs/entigo-infralib#1079).
  version: CLUSTER_AUTOSCALER_CHART.version,
  // The image minor must equal the Kubernetes minor (cluster-autoscaler README, "Releases");
  // v1.33.3 of registry.k8s.io/autoscaling/cluster-autoscaler matches the pinned v1.33.
  // renovate: datasource=docker depName=registry.k8s.io/autoscaling/cluster-autoscaler
  imageTag: "v1.33.3",
};

/**
 * The chart and image of cluster-autoscaler; `versions.kubernetes` is the pinned Kubernetes,
 * whose minor the image must match. The composition adds the Talos component's
 * `autoscalerSettings(config)` and the worker machine config Output (see
 * ClusterAutoscalerSettings in components/platform/cluster-autoscaler/index.ts).
 */
export function parseClusterAutoscalerChart(
  r: Reader,
  _cluster: ClusterConfig,
  versions: Pick<Versions, "kubernetes">,
): ClusterAutoscalerChart {
  r.only(["version", "imageTag"]);
  const d = CLUSTER_AUTOSCALER_DEFAULTS;
  const imageTag = r.string(
    "imageTag",
    { pattern: /^v\d+\.\d+\.\d+$/, expected: "a tag such as v1.34.2" },
    d.imageTag,
  );
  const kubernetesVersion = versions.kubernetes;
  const minor = (v: string): string => v.replace(/^v/, "").split(".").slice(0, 2).join(".");
  if (minor(imageTag) !== minor(kubernetesVersion)) {
    throw new ConfigError(
      r.key("imageTag"),
      imageTag,
      `the cluster-autoscaler minor must equal the Kubernetes minor (${kubernetesVersion}); set a v${minor(kubernetesVersion)}.x tag`,
    );
  }
  return { version: r.string("version", VERSION, d.version), imageTag };
}
