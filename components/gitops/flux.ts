/**
 * FluxEngine: installs pinned Flux on a cluster, points it at the repository, and
 * delivers the cluster's items (source documents 001 and 004).
 *
 * Preview on a fresh stack (ARCHITECTURE.md decision 6). Flux is installed from its pinned
 * release manifest with `k8s.yaml.v2.ConfigFile`, a provider-side (multi-language)
 * component. At the first preview the cluster's kubeconfig is unknown, so the engine
 * treats the provider as not fully configured and does not call it at all:
 *  - for a component (`Construct`), the engine registers the component without children
 *    ("If the provider is not fully configured. Pretend we are the provider and call
 *    RegisterResource to get the URN", pulumi/pulumi
 *    sdk/go/common/resource/plugin/provider_plugin.go, `Construct`); the manifest is only
 *    fetched and applied at `pulumi up`, once the kubeconfig is known;
 *  - for every custom resource (GitRepository, Kustomizations, Secrets), `Check` returns
 *    the inputs unchanged ("If the configuration for this provider was not fully known ...
 *    don't call into the underlying provider", same file), so they preview as creates.
 * What does break preview is a kubeconfig that is known but points at no cluster, e.g.
 * helm.v4.Chart "failed to parse kubeconfig data" (https://github.com/pulumi/pulumi-kubernetes/issues/3027)
 * and helm.v3 Chart/Release server-version lookups
 * (https://github.com/pulumi/pulumi-kubernetes/issues/2985, /issues/2236); the cluster
 * components keep the kubeconfig an Output of the cluster's creation, so it is unknown,
 * not wrong. The ConfigFile docs name `dependsOn` on the ConfigFile as the way to wait
 * for its objects (the Flux CRDs) before creating custom resources.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EngineKind } from "../../config/types";
import { KubeObjectResource, liveSecret } from "./apply";
import { deliver, resolveEngineArgs, type GitOpsEngine, type GitOpsEngineArgs } from "./engine-common";
import {
  FLUX_NAMESPACE,
  GIT_AUTH_SECRET_NAME,
  GIT_VERIFY_SECRET_NAME,
  ROOT_UNIT_NAME,
  SOPS_SECRET_KEY,
  SOPS_SECRET_NAME,
  fluxGitRepository,
  fluxInstallUrl,
  fluxRootKustomization,
} from "./flux-objects";

/**
 * Keeps the install's Namespace and CRDs when Pulumi deletes the install (a destroy, or a
 * switch to Argo CD): deleting the Flux CRDs would delete every Flux object with them,
 * and a deleted HelmRelease or Kustomization may take its workloads along. The ConfigFile
 * is a component whose children the provider registers, and `retainOnDelete` set on a
 * component does not reach them (pulumi-kubernetes issue 3065, closed "won't fix";
 * PR 3078 that would have propagated it was closed unmerged); `transforms` do reach the
 * children of packaged components ("Transforms support modifying child resources of
 * packaged components", Pulumi docs, resource option `transforms`).
 */
export const retainStatefulInstallObjects: pulumi.ResourceTransform = (args) => {
  const retained = ["kubernetes:core/v1:Namespace", "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"];
  if (!retained.includes(args.type)) return undefined;
  return { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) };
};

/**
 * Flux on one cluster. Deploy mode: Pulumi applies the chart sources, HelmReleases and
 * bundle objects itself, in the order of the item graph; there is no GitRepository and no
 * Kustomization, so nothing waits on a git path nothing writes. Emit mode: Pulumi applies
 * the GitRepository and the root Kustomization `platform-root` over the emit root, whose
 * tree holds one Kustomization per item (flux-placement.ts).
 */
export class FluxEngine extends pulumi.ComponentResource implements GitOpsEngine {
  readonly engine: EngineKind = "flux";
  readonly files: Readonly<Record<string, string>>;
  readonly syncPath: string;
  /** Names of the Kustomizations Pulumi creates (the root unit in emit mode; none in deploy mode). */
  readonly kustomizations: readonly string[];

  constructor(name: string, args: FluxEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gitops:FluxEngine", name, {}, opts);
    const resolved = resolveEngineArgs(name, "flux", args, opts);
    const installUrl = args.installFrom ?? fluxInstallUrl(args.versions.flux);
    const provider = args.cluster.provider;
    const clusterReady = [...args.cluster.ready];
    const emit = args.delivery === "emit";
    this.syncPath = args.git.path;

    const install = new k8s.yaml.v2.ConfigFile(
      `${name}-install`,
      { file: installUrl },
      { parent: this, provider, dependsOn: clusterReady, transforms: [retainStatefulInstallObjects] },
    );
    const afterInstall = [...clusterReady, install];

    const secretOpts = { parent: this, provider, dependsOn: afterInstall };
    const secrets: pulumi.Resource[] = [];
    if (args.gitToken) {
      // Flux basic auth over https: any user name with the token as password.
      const auth = { name: GIT_AUTH_SECRET_NAME, namespace: FLUX_NAMESPACE };
      secrets.push(liveSecret(`${name}-git-auth`, auth, { username: "git", password: args.gitToken }, secretOpts));
    }
    if (args.git.verify && emit) {
      // Public keys, but a Secret is what `spec.verify.secretRef` reads (data keys ending in .asc).
      const signers = { name: GIT_VERIFY_SECRET_NAME, namespace: FLUX_NAMESPACE };
      secrets.push(liveSecret(`${name}-git-signers`, signers, { "signers.asc": args.git.verify.publicKeys }, secretOpts));
    }
    if (args.sopsAgeKey) {
      const sops = { name: SOPS_SECRET_NAME, namespace: FLUX_NAMESPACE };
      secrets.push(liveSecret(`${name}-sops-age`, sops, { [SOPS_SECRET_KEY]: args.sopsAgeKey }, secretOpts));
    }

    // Flux's controllers, which must outlive every Flux object Pulumi deletes: the HelmReleases a
    // handover leaving Flux deletes (helm-controller drops their finalizer) and the root
    // Kustomization (kustomize-controller deletes its released units first). Depending on the
    // install component does not order them before its children (apply.ts `controllers`).
    const controllers = install.resources as pulumi.Output<pulumi.Resource[]>;
    const delivered = deliver(name, "flux", args, resolved, {
      parent: this,
      dependsOn: afterInstall,
      sops: args.sopsAgeKey !== undefined,
      controllers,
    });
    this.files = delivered.files;
    this.kustomizations = emit ? [ROOT_UNIT_NAME] : [];
    if (emit) {
      // Not retained when released: step 2 deletes the source and the root, and the root's
      // deletion removes the released units (fluxRootKustomization) while their objects stay.
      const unitOpts = { parent: this, provider };
      const source = new KubeObjectResource(`${name}-source`, fluxGitRepository(args.git, args.gitToken !== undefined), {
        ...unitOpts,
        dependsOn: [...afterInstall, ...secrets],
      });
      new KubeObjectResource(`${name}-root`, fluxRootKustomization(args.git.path, resolved.released), {
        ...unitOpts,
        // `controllers` is an Output of a resource list, which dependsOn takes at run time (apply.ts `controllersOf`).
        dependsOn: [...afterInstall, ...secrets, ...delivered.live, source, controllers as unknown as pulumi.Resource],
      });
    }
    this.registerOutputs({ syncPath: this.syncPath, kustomizations: this.kustomizations });
  }
}

/** Arguments of {@link FluxEngine}. */
export type FluxEngineArgs = GitOpsEngineArgs;
