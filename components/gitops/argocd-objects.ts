/**
 * Pure builders of the Argo CD objects (source documents 000 and 002): the projects
 * `infrastructure` and `platform`, the root app-of-apps Application over the emit root,
 * one Application per item (Helm source for an addon, the item's git directory for a
 * bundle), with automated prune/self-heal and retry backoff.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/cluster-bootstrapping/
 */
import { argoIgnoredDifferences } from "./argocd-chart-differences";
import type { GitSourceConfig } from "../../config/types";
import type { Addon, DeliveryItem, JsonValue, KubeObject, Layer, Phase } from "./delivery";
import { ITEM_LABEL, LAYER_LABEL, ROOT_UNIT_NAME } from "./flux-objects";
import { ARGOCD_RESOURCES_FINALIZER } from "./handover";
import { repoPath } from "./placement";

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
/** The annotation that makes an object a sync hook. */
export const HOOK = "argocd.argoproj.io/hook";
/** The annotation that says when a hook object is deleted. */
export const HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy";

/**
 * The Argo CD projects: `infrastructure` and `platform` hold the items (by layer); `root`
 * the root app-of-apps (emit mode) and the items delivered into `argocd` itself (the VPAs
 * of Argo CD's own controllers), of exactly the kinds those items hold.
 */
export type ArgoProjectName = "infrastructure" | "platform" | "root";

/** Project per layer: everything but apps is infrastructure (source document 002). */
export const LAYER_PROJECT: Readonly<Record<Layer, ArgoProjectName>> = {
  "infrastructure-controllers": "infrastructure",
  "infrastructure-configs": "infrastructure",
  apps: "platform",
  monitoring: "infrastructure",
};

/**
 * The project of an item: by its layer, except an item delivered into `argocd`, which only
 * `root` may write to (the other projects deny that namespace).
 */
export function projectOf(item: Pick<DeliveryItem, "layer" | "namespace">): ArgoProjectName {
  return item.namespace === ARGOCD_NAMESPACE ? "root" : LAYER_PROJECT[item.layer];
}

/**
 * The earliest sync wave of an item of each layer: infrastructure -10 and platform 0 as in
 * source document 002; infrastructure configs sit between. An item's wave is later when
 * it depends on an item of the same or a later wave (argocd-placement.ts).
 */
export const LAYER_WAVE: Readonly<Record<Layer, number>> = {
  "infrastructure-controllers": -10,
  "infrastructure-configs": -5,
  apps: 0,
  monitoring: -10,
};

/** Sync wave of objects inside an app (source document 000): base 0, migrations 1, workloads 2. */
export const PHASE_WAVE: Readonly<Record<Phase, number>> = { base: 0, migrations: 1, workloads: 2 };

/** Retry backoff per project (source document 002: infrastructure 10s->3m, platform 5s->3m). */
export const PROJECT_RETRY: Readonly<Record<ArgoProjectName, { readonly duration: string; readonly maxDuration: string }>> = {
  infrastructure: { duration: "10s", maxDuration: "3m" },
  platform: { duration: "5s", maxDuration: "3m" },
  root: { duration: "10s", maxDuration: "3m" },
};

/** Sync options every Application uses (source document 002). */
export const SYNC_OPTIONS: readonly string[] = [
  "CreateNamespace=true",
  "ServerSideApply=true",
  "PruneLast=true",
  "RespectIgnoreDifferences=true",
];

/**
 * The health check Argo CD needs to wait for child Applications of an app-of-apps between
 * sync waves: "The health assessment of argoproj.io/Application CRD has been removed in
 * argocd 1.8 ... You might need to restore it if you are using app-of-apps pattern and
 * orchestrating synchronization using sync waves" (docs/operator-manual/health.md). Set
 * through the chart's `configs.cm`.
 */
export const APPLICATION_HEALTH_LUA = [
  "hs = {}",
  'hs.status = "Progressing"',
  'hs.message = ""',
  "if obj.status ~= nil then",
  "  if obj.status.health ~= nil then",
  "    hs.status = obj.status.health.status",
  "    if obj.status.health.message ~= nil then",
  "      hs.message = obj.status.health.message",
  "    end",
  "  end",
  "end",
  "return hs",
  "",
].join("\n");

/** The Argo CD chart values the engine sets. */
export function argoChartValues(): Record<string, unknown> {
  return {
    // CRDs are kept on uninstall so Applications are not cascaded away with the chart.
    crds: { install: true, keep: true },
    configs: { cm: { "resource.customizations.health.argoproj.io_Application": APPLICATION_HEALTH_LUA } },
  };
}

/**
 * The sync policy of an Application. Released (handover step 1): no automated sync, so
 * Argo CD neither prunes nor heals while the next engine takes over.
 */
export function syncPolicy(project: ArgoProjectName, released: boolean): { readonly [key: string]: JsonValue } {
  const retry = PROJECT_RETRY[project];
  return {
    ...(released ? {} : { automated: { prune: true, selfHeal: true } }),
    syncOptions: [...SYNC_OPTIONS],
    retry: { limit: 5, backoff: { duration: retry.duration, factor: 2, maxDuration: retry.maxDuration } },
  };
}

/**
 * The Argo CD repository URL of a chart repository. OCI Helm repositories drop the
 * scheme: "repoURL: registry-1.docker.io/bitnamicharts # note: the oci:// syntax is not
 * included" (docs/user-guide/helm.md).
 */
export function argoRepoUrl(repository: string): string {
  return repository.replace(/^oci:\/\//, "");
}

/** Where a project's Applications may deliver (argocd.ts derives it from the items). */
export interface ArgoProjectScope {
  /**
   * Namespaces the `platform` project's Applications deliver into (every apps-layer item's
   * namespace and its objects' namespaces); nowhere else.
   * @default none
   */
  readonly platformNamespaces?: readonly string[];
  /**
   * Cluster-scoped kinds the apps deliver besides Namespaces (an NFS PersistentVolume).
   * @default none
   */
  readonly platformClusterKinds?: readonly { readonly group: string; readonly kind: string }[];
  /**
   * Namespaced kinds the items delivered into `argocd` hold (the VPAs of Argo CD's own
   * controllers), which the `root` project allows besides Applications.
   * @default none
   */
  readonly rootKinds?: readonly { readonly group: string; readonly kind: string }[];
}

/**
 * An AppProject, scoped (the `default` project "permits deployments from any source repo, to
 * any cluster, and all resource Kinds", docs/user-guide/projects.md; "Projects with access to
 * the namespace in which Argo CD is installed effectively have admin-level privileges",
 * docs/operator-manual/cluster-bootstrapping.md). Every project takes only the program's own
 * repository and pinned chart repositories (`sourceRepos`, set by the caller) and the
 * in-cluster server. A destination is allowed when an allow rule matches and no `!` deny rule
 * does (projects.md, "Controlling Destinations"):
 *  - `root`: only into `argocd`, only Applications and the kinds of the items delivered
 *    there (`rootKinds`), nothing cluster-scoped;
 *  - `infrastructure`: the charts and their configuration, anywhere but `argocd`, any kind:
 *    charts install CRDs, ClusterRoles and webhooks, and write beyond their release namespace
 *    (cert-manager's leader-election Role lives in kube-system), so kinds and namespaces of a
 *    chart cannot be listed without rendering it;
 *  - `platform`: the apps, only into the namespaces they use, and of cluster-scoped kinds
 *    only Namespaces (`CreateNamespace=true`) and those the apps deliver.
 */
export function argoProject(name: ArgoProjectName, sourceRepos: readonly string[], scope: ArgoProjectScope = {}): KubeObject {
  const spec: Record<ArgoProjectName, { description: string; destinations: JsonValue[]; cluster: JsonValue[]; namespaced: JsonValue[] }> = {
    root: {
      description: "The root app-of-apps: the item Applications, and the items delivered into argocd",
      destinations: [{ server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE }],
      cluster: [],
      namespaced: [
        { group: "argoproj.io", kind: "Application" },
        ...(scope.rootKinds ?? [])
          .filter((k) => !(k.group === "argoproj.io" && k.kind === "Application"))
          .map((k) => ({ group: k.group, kind: k.kind })),
      ],
    },
    infrastructure: {
      description: "Cluster controllers, their configuration and monitoring",
      destinations: [
        { server: IN_CLUSTER, namespace: `!${ARGOCD_NAMESPACE}` },
        { server: IN_CLUSTER, namespace: "*" },
      ],
      cluster: [{ group: "*", kind: "*" }],
      namespaced: [{ group: "*", kind: "*" }],
    },
    platform: {
      description: "Applications",
      destinations: [...new Set(scope.platformNamespaces ?? [])]
        .filter((ns) => ns !== ARGOCD_NAMESPACE)
        .sort()
        .map((namespace) => ({ server: IN_CLUSTER, namespace })),
      cluster: [
        { group: "", kind: "Namespace" },
        ...(scope.platformClusterKinds ?? [])
          .filter((k) => !(k.group === "" && k.kind === "Namespace"))
          .map((k) => ({ group: k.group, kind: k.kind })),
      ],
      namespaced: [{ group: "*", kind: "*" }],
    },
  };
  const s = spec[name];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name, namespace: ARGOCD_NAMESPACE },
    spec: {
      description: s.description,
      sourceRepos: [...sourceRepos],
      destinations: s.destinations,
      clusterResourceWhitelist: s.cluster,
      namespaceResourceWhitelist: s.namespaced,
    },
  };
}

function itemMetadata(item: DeliveryItem, wave: number, released: boolean, leaving: boolean): KubeObject["metadata"] {
  // Released, an addon's Application is kept when step 2 deletes the released root (whose
  // finalizer deletes the other child Applications, argoRootApplication): in Argo CD deploy
  // mode Pulumi applies the same Application, and deleting it would take its chart along.
  // The root's deletion honours `Delete=false` on its resources (sync-options.md, "No
  // Resource Deletion"). A handover that leaves Argo CD deletes it with the others: without
  // the resources finalizer the deletion is non-cascading (handover.ts).
  const keep: Record<string, string> =
    released && !leaving && item.kind === "addon" ? { "argocd.argoproj.io/sync-options": "Delete=false" } : {};
  return {
    name: item.name,
    namespace: ARGOCD_NAMESPACE,
    labels: { [LAYER_LABEL]: item.layer, [ITEM_LABEL]: item.name },
    annotations: { [SYNC_WAVE]: String(wave), ...keep },
    // Deleting an item's Application (removed from git or from the program) deletes its
    // objects, like a pruned Flux unit; released Applications orphan them instead.
    ...(released ? {} : { finalizers: [ARGOCD_RESOURCES_FINALIZER] }),
  };
}

/** The Application of an addon: a Helm source, pinned, with its values and ignored differences. */
export function argoAddonApplication(addon: Addon, wave: number, released: boolean, leaving = false): KubeObject {
  const project = projectOf(addon);
  const ignore = argoIgnoredDifferences(addon).map((d) => {
    const entry: Record<string, JsonValue> = { group: d.group, kind: d.kind };
    if (d.name) entry.name = d.name;
    if (d.namespace) entry.namespace = d.namespace;
    if (d.jsonPointers.length) entry.jsonPointers = [...d.jsonPointers];
    if (d.jqPathExpressions?.length) entry.jqPathExpressions = [...d.jqPathExpressions];
    return entry;
  });
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: itemMetadata(addon, wave, released, leaving),
    spec: {
      project,
      source: {
        repoURL: argoRepoUrl(addon.repository),
        chart: addon.chart,
        targetRevision: addon.version,
        helm: { releaseName: addon.name, skipCrds: !addon.includeCrds, valuesObject: addon.values ?? {} },
      },
      destination: { server: IN_CLUSTER, namespace: addon.namespace },
      ...(ignore.length > 0 ? { ignoreDifferences: ignore } : {}),
      syncPolicy: syncPolicy(project, released),
    },
  };
}

/** The Application of a bundle: the item's directory in git, objects ordered by their waves. */
export function argoBundleApplication(item: DeliveryItem, dir: string, git: GitSourceConfig, wave: number, released: boolean): KubeObject {
  const project = projectOf(item);
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: itemMetadata(item, wave, released, false),
    spec: {
      project,
      source: { repoURL: git.url, targetRevision: git.branch, path: repoPath(git.path, dir) },
      destination: { server: IN_CLUSTER, namespace: item.namespace },
      syncPolicy: syncPolicy(project, released),
    },
  };
}

/**
 * The root app-of-apps over the emit root (created by Pulumi in emit mode): it applies
 * the per-item Applications wave by wave, waiting for each wave to be healthy
 * (APPLICATION_HEALTH_LUA). It has no resources finalizer, so deleting it never cascades.
 *
 * Released (handover step 1) it stops pruning and gets the resources finalizer, so step 2,
 * which deletes it, deletes the released child Applications with it ("Argo CD's app
 * controller watches for this and will then delete both the app and its resources",
 * docs/user-guide/app_deletion.md), and no child keeps
 * syncing the old tree; the children have no finalizer when released, so their own
 * deletion is non-cascading and their objects stay for the next owner.
 */
export function argoRootApplication(git: GitSourceConfig, released: boolean): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: ROOT_UNIT_NAME,
      namespace: ARGOCD_NAMESPACE,
      ...(released ? { finalizers: [ARGOCD_RESOURCES_FINALIZER] } : {}),
    },
    spec: {
      project: "root",
      source: { repoURL: git.url, targetRevision: git.branch, path: repoPath(git.path, "") },
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      syncPolicy: {
        automated: { prune: !released, selfHeal: true },
        syncOptions: ["ServerSideApply=true"],
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
      },
    },
  };
}
