/**
 * Pure builders of the Argo CD objects (source documents 000 and 002): the projects
 * `infrastructure` and `platform`, one ApplicationSet per layer with sync waves, automated
 * prune/self-heal and retry backoff, and one Helm-source Application per addon.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators-Git/
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
import type { GitSourceConfig } from "../../config/types";
import { phaseOf, withNamespace, type Addon, type DeliveryItem, type KubeObject, type Layer, type Phase } from "./delivery";
import { annotate, fileNameOf, type PlacedObject, type Placement } from "./placement";
import { LAYERS } from "./delivery";

/** Namespace Argo CD runs in and where its Applications live. */
export const ARGOCD_NAMESPACE = "argocd";
/** The Argo CD Helm chart repository (source document 002). */
export const ARGOCD_CHART_REPO = "https://argoproj.github.io/argo-helm";
/** The Argo CD chart name. */
export const ARGOCD_CHART = "argo-cd";
/** The in-cluster API server, as Argo CD names it. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
/** The annotation Argo CD orders by. */
export const SYNC_WAVE = "argocd.argoproj.io/sync-wave";

/** The Argo CD project of each layer. */
export type ArgoProjectName = "infrastructure" | "platform";

/** Project per layer: everything but apps is infrastructure (source document 002). */
export const LAYER_PROJECT: Readonly<Record<Layer, ArgoProjectName>> = {
  "infrastructure-controllers": "infrastructure",
  "infrastructure-configs": "infrastructure",
  apps: "platform",
  monitoring: "infrastructure",
};

/**
 * Sync wave of each layer's ApplicationSet: infrastructure -10 and platform 0 as in
 * source document 002; infrastructure configs sit between so they follow the controllers.
 * Monitoring has no prerequisite and shares the earliest wave.
 */
export const LAYER_WAVE: Readonly<Record<Layer, number>> = {
  "infrastructure-controllers": -10,
  "infrastructure-configs": -5,
  apps: 0,
  monitoring: -10,
};

/**
 * A migration Job runs as a Sync hook that Argo CD deletes before creating the next one:
 * a Job's `spec.template` is immutable, so patching it on the next image bump would fail.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
 */
export const MIGRATION_HOOK: Readonly<Record<string, string>> = {
  "argocd.argoproj.io/hook": "Sync",
  "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
};

/** Sync wave of objects inside an app (source document 000): base 0, migrations 1, workloads 2. */
export const PHASE_WAVE: Readonly<Record<Phase, number>> = { base: 0, migrations: 1, workloads: 2 };

/** Retry backoff per project (source document 002: infrastructure 10s->3m, platform 5s->3m). */
export const PROJECT_RETRY: Readonly<Record<ArgoProjectName, { readonly duration: string; readonly maxDuration: string }>> = {
  infrastructure: { duration: "10s", maxDuration: "3m" },
  platform: { duration: "5s", maxDuration: "3m" },
};

/** Sync options every generated Application uses (source document 002). */
export const SYNC_OPTIONS: readonly string[] = [
  "CreateNamespace=true",
  "ServerSideApply=true",
  "PruneLast=true",
  "RespectIgnoreDifferences=true",
];

function syncPolicy(project: ArgoProjectName) {
  const retry = PROJECT_RETRY[project];
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions: [...SYNC_OPTIONS],
    retry: { limit: 5, backoff: { duration: retry.duration, factor: 2, maxDuration: retry.maxDuration } },
  };
}

/** The Argo CD repository URL of a chart repository (OCI repositories drop the scheme). */
export function argoRepoUrl(repository: string): string {
  return repository.replace(/^oci:\/\//, "");
}

/**
 * An AppProject. `infrastructure` may create any cluster-scoped object; `platform` only
 * Namespaces, so an app cannot widen its own permissions.
 */
export function argoProject(name: ArgoProjectName, sourceRepos: readonly string[]): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: name === "infrastructure" ? "Cluster controllers, their configuration and monitoring" : "Applications",
      sourceRepos: [...sourceRepos],
      // Apps may not deploy into Argo CD's own namespace, where an Application or a repository
      // Secret would widen their own permissions: a `!` destination denies (Argo CD >= 2.5,
      // argoproj/argo-cd#9464); everything else stays allowed.
      destinations:
        name === "infrastructure"
          ? [{ server: IN_CLUSTER, namespace: "*" }]
          : [
              { server: IN_CLUSTER, namespace: `!${ARGOCD_NAMESPACE}` },
              { server: IN_CLUSTER, namespace: "*" },
            ],
      clusterResourceWhitelist: name === "infrastructure" ? [{ group: "*", kind: "*" }] : [{ group: "", kind: "Namespace" }],
      namespaceResourceWhitelist: [{ group: "*", kind: "*" }],
    },
  };
}

/** Joins the configured git path and a relative directory (no leading `./` for Argo CD). */
export function argoPath(gitPath: string, dir: string): string {
  return `${gitPath.replace(/^\.?\/+/, "").replace(/\/+$/, "")}/${dir}`;
}

/**
 * The ApplicationSet of a layer: a git directory generator over `<git.path>/<layer>/*`,
 * one Application per item directory.
 */
export function argoApplicationSet(layer: Layer, git: GitSourceConfig): KubeObject {
  const project = LAYER_PROJECT[layer];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: layer, namespace: ARGOCD_NAMESPACE, annotations: { [SYNC_WAVE]: String(LAYER_WAVE[layer]) } },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [{ git: { repoURL: git.url, revision: git.branch, directories: [{ path: `${argoPath(git.path, layer)}/*` }] } }],
      template: {
        metadata: {
          name: `${layer}-{{.path.basename}}`,
          labels: { "platform.io/layer": layer },
          annotations: { [SYNC_WAVE]: String(LAYER_WAVE[layer]) },
        },
        spec: {
          project,
          source: { repoURL: git.url, targetRevision: git.branch, path: "{{.path.path}}" },
          // Delivered objects carry their own namespace; nested addon Applications live in
          // argocd, which only the infrastructure project may write to.
          destination: { server: IN_CLUSTER, namespace: project === "infrastructure" ? ARGOCD_NAMESPACE : "default" },
          syncPolicy: syncPolicy(project),
        },
      },
    },
  };
}

/** The Application of an addon: a Helm source, pinned, with its values. */
export function argoAddonApplication(addon: Addon): KubeObject {
  const project = LAYER_PROJECT[addon.layer];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: addon.name,
      namespace: ARGOCD_NAMESPACE,
      labels: { "platform.io/layer": addon.layer },
      annotations: { [SYNC_WAVE]: String(PHASE_WAVE.base) },
    },
    spec: {
      project,
      source: {
        repoURL: argoRepoUrl(addon.repository),
        chart: addon.chart,
        targetRevision: addon.version,
        helm: { releaseName: addon.name, skipCrds: !addon.includeCrds, valuesObject: addon.values ?? {} },
      },
      destination: { server: IN_CLUSTER, namespace: addon.namespace },
      syncPolicy: syncPolicy(project),
    },
  };
}

/**
 * Places a cluster's items for Argo CD: every item is one directory `<layer>/<item>/`
 * (one generated Application); objects carry the sync wave of their phase, and wave 0
 * objects carry none (source document 000).
 */
export function placeArgoCd(items: readonly DeliveryItem[]): Placement {
  const objects: PlacedObject[] = [];
  for (const item of items) {
    const dir = `${item.layer}/${item.name}`;
    if (item.kind === "addon") {
      const object = argoAddonApplication(item);
      objects.push({ object, order: { layer: item.layer, item: item.name, phase: "base" }, dir, file: fileNameOf(object) });
      continue;
    }
    for (const raw of item.objects) {
      const phase = phaseOf(raw);
      const wave = PHASE_WAVE[phase];
      const object = annotate(withNamespace(raw, item.namespace), {
        ...(wave === 0 ? {} : { [SYNC_WAVE]: String(wave) }),
        ...(phase === "migrations" && raw.kind === "Job" ? MIGRATION_HOOK : {}),
      });
      objects.push({ object, order: { layer: item.layer, item: item.name, phase }, dir, file: fileNameOf(object) });
    }
  }
  return { objects, units: [...LAYERS] };
}
