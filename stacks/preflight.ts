/**
 * The checks that need a cluster's delivery items, run before the stack registers its first
 * resource: each cluster's items are built in a dry pass (the same builders, with no parent
 * component and no generated password: lib/generated-password.ts), then the builders' own
 * config checks and the capacity preflight report their problems together with the config's
 * (config/load.ts `LateChecks`). A dry pass rather than demands from config alone, because
 * the demands are the rendered pods (an app's controllers, HPAs, CNPG instances), which only
 * the builders know.
 */
import * as pulumi from "@pulumi/pulumi";
import { capabilitiesOf } from "../components/cluster/capabilities";
import { autoscalerSettings, ciliumAddon } from "../components/cluster/talos";
import type { DeliveryItem } from "../components/gitops/delivery";
import type { ClusterComponentFacts } from "../components/platform/types";
import { ConfigError, ConfigErrors } from "../config/reader";
import type { ClusterConfig, StackConfig } from "../config/types";
import { capacityPreflight } from "./capacity";
import { clusterDelivery } from "./delivery";
import type { PlatformUnits } from "./units";

/**
 * What the cluster component hands the services and the engine, from config alone: the
 * Talos autoscaler's node groups (its worker machine config is a placeholder here: only
 * the live Secret reads it) and the Cilium addon.
 */
function fromConfig(
  config: StackConfig,
  cluster: ClusterConfig,
): { facts: ClusterComponentFacts; clusterItems: DeliveryItem[] } {
  if (cluster.kind !== "talos-hcloud") return { facts: {}, clusterItems: [] };
  const facts: ClusterComponentFacts = cluster.nodePools.some((p) => p.autoscaler)
    ? { autoscaler: { settings: autoscalerSettings(cluster), workerConfigBase64: pulumi.secret("") } }
    : {};
  return { facts, clusterItems: [ciliumAddon(cluster, config.versions)] };
}

/** The capacity preflight's errors as config errors on the cluster's apps. */
function capacityErrors(cluster: ClusterConfig, errors: readonly string[]): ConfigError[] {
  return errors.map(
    (e) =>
      new ConfigError(
        `platform:clusters.${cluster.name}.apps`,
        cluster.apps,
        `${e}; add or enlarge nodes, let the workload tolerate an autoscaled pool, or run fewer apps here (README "Capacity preflight")`,
      ),
  );
}

/**
 * Builds every cluster's items in a dry pass and places their pods: the config errors the
 * builders raise and the workloads that fit nowhere, for every cluster at once. Headroom
 * warnings are logged.
 */
export function preflightProblems(config: StackConfig, units: PlatformUnits): ConfigError[] {
  const problems: ConfigError[] = [];
  for (const cluster of config.clusters) {
    const { facts, clusterItems } = fromConfig(config, cluster);
    let items: DeliveryItem[];
    try {
      items = clusterDelivery(
        config,
        units,
        cluster,
        capabilitiesOf(cluster, units.services),
        facts,
        clusterItems,
        true,
      ).items;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...(error instanceof ConfigErrors ? error.errors : [error]));
      continue;
    }
    const capacity = capacityPreflight(cluster, items);
    problems.push(...capacityErrors(cluster, capacity.errors));
    for (const warning of capacity.warnings) void pulumi.log.warn(warning);
  }
  return problems;
}
