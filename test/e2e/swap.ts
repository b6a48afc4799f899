/**
 * A stack as shipped, with each cluster's kind swapped to `existing` on the simulated
 * cluster: the same engine, delivery, services, apps and settings; the capabilities of the
 * original kind stated explicitly; the settings the original kind derives for its services
 * (MetalLB's pool, the Gateway's location, CloudNativePG's instances) set as it would.
 */
import { capabilitiesOf } from "../../components/cluster/capabilities";
import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import { BUILT_CLUSTER_ONLY } from "../../config/catalog";
import { parseClusters } from "../../config/clusters";
import { ErrorCollector } from "../../config/reader";
import type { ClusterConfig } from "../../config/types";
import { loadOfflineConfig } from "../../tools/stack-config";
import { nodesOf, type SimNode } from "./nodes";

/** One cluster of a swapped stack. */
export interface SwappedCluster {
  readonly name: string;
  /** The kind the stack file gives it. */
  readonly kind: ClusterConfig["kind"];
  readonly engine: "flux" | "argocd";
  readonly delivery: "deploy" | "emit";
  readonly nodes: SimNode[];
  /** Every StorageClass the cluster offers and which one is the default. */
  readonly storageClasses: readonly string[];
  readonly defaultStorageClass: string;
}

/** A swapped stack: config for the CLI (full keys, plain values) and the clusters. */
export interface SwappedStack {
  readonly stack: string;
  readonly config: Record<string, unknown>;
  readonly secretKeys: string[];
  readonly clusters: SwappedCluster[];
}

type Raw = Record<string, unknown>;

/**
 * The stack file's config with every cluster `existing`; `engineInstall(cluster, engine)`
 * names the local engine install of each.
 */
export function swapStack(
  root: string,
  stack: string,
  engineInstall: (cluster: string, engine: "flux" | "argocd") => string,
  edit: (clusters: Record<string, Raw>) => void = () => {},
): SwappedStack {
  const offline = loadOfflineConfig(root, stack);
  const rawClusters = structuredClone(offline.config["platform:clusters"]) as Record<string, Raw>;
  edit(rawClusters);
  const errors = new ErrorCollector();
  const parsed = parseClusters(rawClusters, stack, errors);
  errors.throwIfAny();
  const clusters: SwappedCluster[] = [];
  const swapped: Record<string, Raw> = {};
  for (const c of parsed) {
    const raw = rawClusters[c.name];
    const caps = capabilitiesOf(c, BUILT_IN_SERVICES);
    const serviceSettings = structuredClone((raw["serviceSettings"] ?? {}) as Record<string, Raw>);
    for (const s of BUILT_CLUSTER_ONLY) delete serviceSettings[s];
    const setting = (service: string, key: string, value: unknown) => {
      if (!c.services.includes(service)) return;
      const block = (serviceSettings[service] ??= {});
      if (!(key in block)) block[key] = value;
    };
    if (c.kind === "k3s") {
      setting("metallb", "addresses", [c.loadBalancerPool]);
      setting("cloudnative-pg", "instances", 3);
    }
    if (c.kind === "talos-hcloud") {
      const gw = serviceSettings["cilium-gateway"];
      if (c.services.includes("cilium-gateway") && !(gw && "address" in gw))
        setting("cilium-gateway", "loadBalancer", { location: c.location, ...(gw?.["loadBalancer"] ?? {}) });
    }
    const common = [
      "engine",
      "delivery",
      "domain",
      "git",
      "services",
      "apps",
      "appSettings",
      "handover",
      "architecture",
    ];
    // What drives the machines the program builds (the autoscaler) has nothing to drive here.
    const services = c.services.filter((s) => !BUILT_CLUSTER_ONLY.has(s));
    swapped[c.name] = {
      ...Object.fromEntries(common.filter((k) => k in raw).map((k) => [k, raw[k]])),
      services,
      kind: "existing",
      architecture: c.architecture,
      ingress: caps.ingress,
      loadBalancer: caps.loadBalancer,
      storageClasses: [...caps.storageClasses],
      defaultStorageClass: caps.defaultStorageClass,
      ...(Object.keys(serviceSettings).length > 0 ? { serviceSettings } : {}),
      engineInstallFrom: engineInstall(c.name, c.engine),
    };
    clusters.push({
      name: c.name,
      kind: c.kind,
      engine: c.engine,
      delivery: c.delivery,
      nodes: nodesOf(c),
      storageClasses: caps.storageClasses,
      defaultStorageClass: caps.defaultStorageClass,
    });
  }
  // The API server checks what the synth cannot: a .dockerconfigjson must be JSON, so its fake
  // is a well-formed one.
  const fakes: Record<string, unknown> = {};
  for (const key of offline.secretKeys)
    if (/DockerConfigJson$/.test(key))
      fakes[key] = JSON.stringify({
        auths: { "ghcr.io": { auth: Buffer.from("fake:fake").toString("base64") } },
      });
  return {
    stack,
    config: { ...offline.config, ...fakes, "platform:clusters": swapped },
    secretKeys: offline.secretKeys,
    clusters,
  };
}
