/**
 * ArgoCdEngine: installs pinned Argo CD on a cluster, gives it the repository, creates the
 * projects and one ApplicationSet per layer, and delivers the cluster's items (source
 * documents 000 and 002).
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
  argoApplicationSet,
  argoProject,
  argoRepoUrl,
  type ArgoProjectName,
} from "./argocdObjects";
import { LAYERS, LAYER_DEPENDS_ON } from "./delivery";
import { deliver, validateEngineArgs, type GitOpsEngine, type GitOpsEngineArgs } from "./engineCommon";

/** Argo CD on one cluster, with its repository, projects, ApplicationSets and the cluster's items. */
export class ArgoCdEngine extends pulumi.ComponentResource implements GitOpsEngine {
  readonly engine: EngineKind = "argocd";
  readonly files: Readonly<Record<string, string>>;
  readonly syncPath: string;

  constructor(name: string, args: ArgoCdEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gitops:ArgoCdEngine", name, {}, opts);
    validateEngineArgs(args);
    if (!/^\d+\.\d+\.\d+$/.test(args.versions.argocdChart)) {
      throw new Error(`versions.argocdChart: "${args.versions.argocdChart}" must be an exact chart version such as 8.5.7`);
    }
    const items = [...(args.items ?? [])];
    const provider = args.cluster.provider;
    const clusterReady = [...args.cluster.ready];
    this.syncPath = args.git.path;

    const install = new k8s.helm.v3.Release(
      `${name}-install`,
      {
        name: "argocd",
        chart: ARGOCD_CHART,
        version: args.versions.argocdChart,
        repositoryOpts: { repo: ARGOCD_CHART_REPO },
        namespace: ARGOCD_NAMESPACE,
        createNamespace: true,
        // CRDs are kept on uninstall so Applications are not cascaded away with the chart.
        values: { crds: { install: true, keep: true } },
      },
      // Retained on an engine switch or a destroy: uninstalling Argo CD is the operator's step
      // once the new engine has adopted the workloads (README "Switch engine safely").
      { parent: this, provider, dependsOn: clusterReady, retainOnDelete: true },
    );
    const afterInstall = [...clusterReady, install];

    const secrets: pulumi.Resource[] = [];
    if (args.gitToken) {
      const repo = {
        name: "platform-repo",
        namespace: ARGOCD_NAMESPACE,
        labels: { "argocd.argoproj.io/secret-type": "repository" },
      };
      const credentials = { type: "git", url: args.git.url, username: "git", password: args.gitToken };
      secrets.push(liveSecret(`${name}-repo`, repo, credentials, { parent: this, provider, dependsOn: afterInstall }));
    }

    const chartRepos = [...new Set(items.flatMap((i) => (i.kind === "addon" ? [argoRepoUrl(i.repository)] : [])))].sort();
    const projects = new Map<ArgoProjectName, pulumi.Resource>();
    for (const project of ["infrastructure", "platform"] as const) {
      projects.set(
        project,
        new KubeObjectResource(`${name}-project-${project}`, argoProject(project, [args.git.url, ...chartRepos]), {
          parent: this,
          provider,
          dependsOn: afterInstall,
          retainOnDelete: true,
        }),
      );
    }
    // Deploy mode: Pulumi applies every item itself (addons as Applications), so no
    // ApplicationSet scans git paths nothing writes. Emit mode: one per layer over the tree.
    const appSets = new Map<string, pulumi.Resource>();
    for (const layer of args.delivery === "emit" ? LAYERS : []) {
      appSets.set(
        layer,
        new KubeObjectResource(`${name}-${layer}`, argoApplicationSet(layer, args.git), {
          parent: this,
          provider,
          // Created after the ApplicationSets of the layers it follows, as the waves say.
          dependsOn: [...afterInstall, ...secrets, ...projects.values(), ...LAYER_DEPENDS_ON[layer].map((l) => appSets.get(l)!)],
          retainOnDelete: true,
        }),
      );
    }

    this.files = deliver(name, "argocd", args, { parent: this, dependsOn: [...afterInstall, ...projects.values()] });
    this.registerOutputs({ syncPath: this.syncPath });
  }
}

/** Arguments of {@link ArgoCdEngine}. */
export type ArgoCdEngineArgs = GitOpsEngineArgs;
