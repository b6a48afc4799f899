/** Existing clusters, in either composition: the cluster from its kubeconfig, nothing built. */
import * as pulumi from "@pulumi/pulumi";
import { ExistingCluster } from "../components/cluster/existing";
import type { ClusterHandle } from "../components/cluster/contract";
import type { ExistingClusterConfig, StackConfig } from "../config/types";
import type { PlatformUnits } from "./units";

/** The handle of an existing cluster, its kubeconfig taken from `platform:kubeconfigs`. */
export function existingHandle(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ExistingClusterConfig,
): ClusterHandle {
  const all = config.secrets.kubeconfigs;
  if (!all)
    throw new Error("existing cluster without platform:kubeconfigs: loadConfig should have rejected it");
  const kubeconfig = pulumi.secret(
    all.apply((text) => {
      const entry = (JSON.parse(text) as Record<string, unknown>)[cluster.name];
      if (typeof entry !== "string")
        throw new Error(`platform:kubeconfigs.${cluster.name}: missing; loadConfig should have rejected it`);
      return entry;
    }),
  );
  return new ExistingCluster(cluster.name, { config: cluster, services: units.services, kubeconfig }).handle;
}
