/**
 * Mastodon, glitch-soc edition (source document 002, "Platform Apps" and "Mastodon Autoscaling
 * Strategy"), in the `mastodon` namespace: the migration Job, web (Puma), streaming, four
 * Sidekiq workers, Redis and Elasticsearch StatefulSets, and the `mastodon` database on a
 * CloudNativePG cluster with the cluster's backups. Numbers cite 002's text or, where the
 * text is silent, 002's repository (goingdark-social/IaC kubernetes/apps/platform/mastodon,
 * "IaC" below). Env names are the image's own (glitch-soc/mastodon `.env.production.sample`,
 * docs.joinmastodon.org/admin/config).
 */
import { MASTODON_IMAGES, parseMastodonSettings, type MastodonSettings } from "./settings";
import type { KubeObject } from "../../gitops/delivery";
import { defineApp } from "../types";
import type { AppSpec } from "../workload";
import { coreSpec, postDeploySpec } from "./jobs";
import { CORE, MASTODON_CRITICAL, MASTODON_HIGH, REDIS, SEARCH, STREAMING } from "./names";
import { mastodonParts } from "./parts";
import { sidekiqSpecs } from "./sidekiq";
import { elasticsearchSpec, redisSpec } from "./stores";
import { streamingSpec, webSpec } from "./web";

export { MASTODON_BITWARDEN_KEYS, mastodonEnvGroups, type MastodonEnvGroup } from "./env";
export { MASTODON_CRITICAL, MASTODON_HIGH, MASTODON_METRICS_PORT } from "./names";

/** The specs, pure data (exported for tests and review); workloads without an image are left out. */
export function mastodonSpecs(s: MastodonSettings, domain: string): AppSpec[] {
  const specs: AppSpec[] = [redisSpec(s), elasticsearchSpec(s)];
  if (!s.images.mastodon) return specs.map((spec) => ({ ...spec, calledBy: [] }));
  const p = mastodonParts(s, domain);
  specs.push(coreSpec(p), webSpec(p));
  if (s.images.streaming) specs.push(streamingSpec(p));
  specs.push(...sidekiqSpecs(p));
  const workloads = specs
    .filter((x) => x.name !== CORE && x.name !== REDIS && x.name !== SEARCH)
    .map((x) => x.name);
  specs.push(postDeploySpec(p, workloads));
  const railsApps = specs.filter((x) => x.database).map((x) => x.name);
  return specs.map((spec) => {
    if (spec.name === REDIS) return { ...spec, calledBy: railsApps };
    if (spec.name === SEARCH) return { ...spec, calledBy: railsApps.filter((n) => n !== STREAMING) };
    return spec;
  });
}

/** 002's PriorityClasses (IaC resources/priorityclasses.yaml; values as 002's text gives them). */
export function mastodonPriorityClasses(): KubeObject[] {
  const pc = (name: string, value: number, description: string): KubeObject => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name },
    value,
    globalDefault: false,
    description,
  });
  return [
    // 002 text: mastodon-critical priority 1000000.
    pc(MASTODON_CRITICAL, 1000000, "Keep Mastodon's datastores online under pressure"),
    // 002 gives no number for mastodon-high; IaC keeps it at 90 % of critical.
    pc(MASTODON_HIGH, 900000, "Mastodon's application deployments"),
  ];
}

/** Mastodon on one cluster. */
export const mastodonDefinition = defineApp<MastodonSettings>({
  name: "mastodon",
  catalog: {
    description: "Mastodon (glitch-soc) with custom-metric HPAs",
    source: "002",
    needsServices: ["cloudnative-pg", "external-secrets", "victoria-metrics"],
    needsIngress: "gateway-api",
    needsStorage: true,
    routes: "cluster",
  },
  images: MASTODON_IMAGES,
  parse: parseMastodonSettings,
  build(ctx) {
    const s = ctx.settings;
    return {
      namespace: s.namespace,
      // goingdark.social (002): "Autoscaler nodes require toleration for 'autoscaler-node' taint".
      runsOnAutoscaledNodes: true,
      specs: mastodonSpecs(s, ctx.cluster.domain),
      waitingForImages: Object.entries(s.images)
        .filter(([, image]) => image === undefined)
        .map(([name]) => name),
      objects: mastodonPriorityClasses(),
      mainHost: s.host,
    };
  },
});
