/**
 * ArgoCdEngine: installs pinned Argo CD on a cluster, gives it the repository, creates the
 * projects and delivers the cluster's items, one Application per item (source documents
 * 000 and 002).
 *
 * Preview on a fresh stack (ARCHITECTURE.md decision 6). Argo CD is installed with
 * `k8s.helm.v3.Release`, a single custom resource. At the first preview the kubeconfig is
 * unknown, so the engine does not call the provider for it: "If the configuration for this
 * provider was not fully known--e.g. if we are doing a preview and some input property was
 * sourced from another resource's output properties--don't call into the underlying
 * provider" (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go, `Check`); the
 * Release previews as a create and the chart is fetched and installed at `pulumi up`.
 * The provider itself also previews Releases without a reachable cluster since
 * https://github.com/pulumi/pulumi-kubernetes/pull/1886 (fixes /issues/1794).
 * `helm.v4.Chart` was rejected: it renders client-side and fails preview on a kubeconfig
 * that is known but not usable (https://github.com/pulumi/pulumi-kubernetes/issues/3027),
 * and it would put the whole chart into the plan.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EngineKind } from "../../config/types";
import { KubeObjectResource, liveSecret } from "./apply";
import {
  ARGOCD_CHART,
  ARGOCD_CHART_REPO,
  ARGOCD_NAMESPACE,
  argoChartValues,
  argoProject,
  argoRepoUrl,
  argoRootApplication,
  projectOf,
  type ArgoProjectName,
} from "./argocd-objects";
import { CLUSTER_SCOPED_KINDS, withNamespace, type DeliveryItem } from "./delivery";
import { deliver, resolveEngineArgs, type GitOpsEngine, type GitOpsEngineArgs } from "./engine-common";

/**
 * Argo CD on one cluster. Deploy mode: Pulumi applies each addon's Application and every
 * bundle object itself, in the order of the item graph, and no Application points at
 * git. Emit mode: Pulumi applies the root app-of-apps `platform-root` over the emit root,
 * whose tree holds one Application per item with its sync wave (argocd-placement.ts).
 */
export class ArgoCdEngine extends pulumi.ComponentResource implements GitOpsEngine {
  readonly engine: EngineKind = "argocd";
  readonly files: Readonly<Record<string, string>>;
  readonly syncPath: string;

  constructor(name: string, args: ArgoCdEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gitops:ArgoCdEngine", name, {}, opts);
    const resolved = resolveEngineArgs(name, "argocd", args, opts);
    if (!/^\d+\.\d+\.\d+$/.test(args.versions.argocdChart)) {
      throw new Error(`versions.argocdChart: "${args.versions.argocdChart}" must be an exact chart version such as 8.5.7`);
    }
    const items = resolved.items;
    const provider = args.cluster.provider;
    const clusterReady = [...args.cluster.ready];
    const emit = args.delivery === "emit";
    this.syncPath = args.git.path;

    const install = new k8s.helm.v3.Release(
      `${name}-install`,
      {
        name: "argocd",
        // A local chart (air-gapped install) is a path; its Chart.yaml carries the version.
        ...(args.installFrom
          ? { chart: args.installFrom }
          : { chart: ARGOCD_CHART, version: args.versions.argocdChart, repositoryOpts: { repo: ARGOCD_CHART_REPO } }),
        namespace: ARGOCD_NAMESPACE,
        createNamespace: true,
        values: argoChartValues(),
      },
      { parent: this, provider, dependsOn: clusterReady },
    );
    const afterInstall = [...clusterReady, install];

    const secrets: pulumi.Resource[] = [];
    if (args.gitToken && emit) {
      const repo = {
        name: "platform-repo",
        namespace: ARGOCD_NAMESPACE,
        labels: { "argocd.argoproj.io/secret-type": "repository" },
      };
      const credentials = { type: "git", url: args.git.url, username: "git", password: args.gitToken };
      secrets.push(liveSecret(`${name}-repo`, repo, credentials, { parent: this, provider, dependsOn: afterInstall }));
    }

    const chartRepos = [...new Set(items.flatMap((i) => (i.kind === "addon" ? [argoRepoUrl(i.repository)] : [])))].sort();
    const sourceRepos = emit ? [args.git.url, ...chartRepos] : chartRepos;
    const scope = {
      platformNamespaces: projectNamespaces(items, "platform"),
      platformClusterKinds: projectClusterKinds(items, "platform"),
      rootKinds: projectNamespacedKinds(items, "root"),
    };
    const projects = new Map<ArgoProjectName, pulumi.Resource>();
    for (const project of emit ? (["infrastructure", "platform", "root"] as const) : (["infrastructure", "platform"] as const)) {
      const repos = project === "root" ? [args.git.url] : sourceRepos;
      projects.set(
        project,
        new KubeObjectResource(`${name}-project-${project}`, argoProject(project, repos, scope), {
          parent: this,
          provider,
          dependsOn: afterInstall,
        }),
      );
    }

    const delivered = deliver(name, "argocd", args, resolved, {
      parent: this,
      dependsOn: [...afterInstall, ...projects.values()],
      sops: false,
    });
    this.files = delivered.files;
    if (emit) {
      new KubeObjectResource(`${name}-root`, argoRootApplication(args.git, resolved.released), {
        parent: this,
        provider,
        dependsOn: [...afterInstall, ...secrets, ...projects.values(), ...delivered.live],
      });
    }
    this.registerOutputs({ syncPath: this.syncPath });
  }
}

/** The namespaces the items of a project deliver into: each item's namespace and its objects'. */
export function projectNamespaces(items: readonly DeliveryItem[], project: ArgoProjectName): string[] {
  const namespaces = new Set<string>();
  for (const item of items.filter((i) => projectOf(i) === project)) {
    namespaces.add(item.namespace);
    if (item.kind === "bundle") for (const o of item.objects) namespaces.add(withNamespace(o, item.namespace).metadata.namespace ?? item.namespace);
  }
  return [...namespaces].sort();
}

/** The cluster-scoped kinds the bundles of a project deliver, by group and kind, sorted. */
export function projectClusterKinds(items: readonly DeliveryItem[], project: ArgoProjectName): { group: string; kind: string }[] {
  const kinds = new Map<string, { group: string; kind: string }>();
  for (const item of items.filter((i) => projectOf(i) === project)) {
    if (item.kind !== "bundle") continue;
    for (const o of item.objects.filter((x) => CLUSTER_SCOPED_KINDS.has(x.kind))) {
      const group = o.apiVersion.split("/").slice(0, -1).join("/");
      kinds.set(`${group}/${o.kind}`, { group, kind: o.kind });
    }
  }
  return [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, k]) => k);
}

/** The namespaced kinds the bundles of a project deliver, by group and kind, sorted. */
export function projectNamespacedKinds(items: readonly DeliveryItem[], project: ArgoProjectName): { group: string; kind: string }[] {
  const kinds = new Map<string, { group: string; kind: string }>();
  for (const item of items.filter((i) => projectOf(i) === project)) {
    if (item.kind !== "bundle") continue;
    for (const o of item.objects.filter((x) => !CLUSTER_SCOPED_KINDS.has(x.kind))) {
      const group = o.apiVersion.split("/").slice(0, -1).join("/");
      kinds.set(`${group}/${o.kind}`, { group, kind: o.kind });
    }
  }
  return [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, k]) => k);
}

/** Arguments of {@link ArgoCdEngine}. */
export type ArgoCdEngineArgs = GitOpsEngineArgs;
