/**
 * The apps and platform services a stack may enable: the built-in definitions plus the
 * custom apps a stack lists in `platform:appModules`. The composition hands this list to the
 * loader (config/load.ts), which parses each enabled unit's settings with its definition, and
 * to the builders, which build each unit with the settings its definition parsed.
 */
import { BUILT_IN_APPS } from "../components/apps/registry";
import type { AppDefinition } from "../components/apps/types";
import { BUILT_IN_SERVICES } from "../components/platform/registry";
import type { ServiceDefinition } from "../components/platform/types";
import { capabilitiesOf } from "../components/cluster/capabilities";
import { validateK3dArgs } from "../components/cluster/k3d/validate";
import { k3sArgProblems } from "../components/cluster/k3s/validate";
import { kubernetesCompatibility } from "../components/cluster/talos/compat";
import { talosHcloudProblems } from "../components/cluster/talos/validate";
import type { ClusterRules, Units } from "../config/units";

/** Every unit a stack may enable, with its builder. */
export interface PlatformUnits extends Units {
  readonly apps: readonly AppDefinition[];
  readonly services: readonly ServiceDefinition[];
}

/** The rules of the cluster kinds, as their components state them. */
export const CLUSTER_RULES: ClusterRules = {
  capabilities: capabilitiesOf,
  componentProblems(cluster, versions) {
    if (cluster.kind === "talos-hcloud") return talosHcloudProblems(cluster, versions);
    if (cluster.kind === "k3s") return k3sArgProblems(cluster, versions);
    if (cluster.kind === "k3d-proxmox") {
      // The k3d component checks its args by throwing the first problem.
      try {
        validateK3dArgs(cluster.name, cluster, versions);
      } catch (error) {
        return [error instanceof Error ? error.message : String(error)];
      }
    }
    return [];
  },
  kubernetesCompatibility,
};

/** The apps and services the program ships. */
export const BUILT_IN_UNITS: PlatformUnits = {
  apps: BUILT_IN_APPS,
  services: BUILT_IN_SERVICES,
  clusterRules: CLUSTER_RULES,
};
