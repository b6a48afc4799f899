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
import { deliver, validateEngineArgs, type GitOpsEngine, type GitOpsEngineArgs } from "./engineCommon";
import {
  FLUX_NAMESPACE,
  GIT_AUTH_SECRET_NAME,
  SOPS_SECRET_KEY,
  SOPS_SECRET_NAME,
  fluxGitRepository,
  fluxInstallUrl,
  fluxKustomization,
  fluxStages,
} from "./fluxObjects";

/** Flux on one cluster, with its source, its layer Kustomizations and the cluster's items. */
export class FluxEngine extends pulumi.ComponentResource implements GitOpsEngine {
  readonly engine: EngineKind = "flux";
  readonly files: Readonly<Record<string, string>>;
  readonly syncPath: string;
  /** Names of the Flux Kustomizations, in dependency order. */
  readonly kustomizations: readonly string[];

  constructor(name: string, args: FluxEngineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gitops:FluxEngine", name, {}, opts);
    validateEngineArgs(args);
    const installUrl = fluxInstallUrl(args.versions.flux);
    const items = [...(args.items ?? [])];
    const provider = args.cluster.provider;
    const clusterReady = [...args.cluster.ready];
    this.syncPath = args.git.path;

    const install = new k8s.yaml.v2.ConfigFile(
      `${name}-install`,
      { file: installUrl },
      // Retained: deleting Flux's install (on an engine switch or a destroy) would delete its
      // CRDs and with them every Flux object; `flux uninstall` removes it safely instead.
      { parent: this, provider, dependsOn: clusterReady, retainOnDelete: true },
    );
    const afterInstall = [...clusterReady, install];

    const secretOpts = { parent: this, provider, dependsOn: afterInstall };
    const secrets: pulumi.Resource[] = [];
    if (args.gitToken) {
      // Flux basic auth over https: any user name with the token as password.
      const auth = { name: GIT_AUTH_SECRET_NAME, namespace: FLUX_NAMESPACE };
      secrets.push(liveSecret(`${name}-git-auth`, auth, { username: "git", password: args.gitToken }, secretOpts));
    }
    if (args.sopsAgeKey) {
      const sops = { name: SOPS_SECRET_NAME, namespace: FLUX_NAMESPACE };
      secrets.push(liveSecret(`${name}-sops-age`, sops, { [SOPS_SECRET_KEY]: args.sopsAgeKey }, secretOpts));
    }

    const source = new KubeObjectResource(`${name}-source`, fluxGitRepository(args.git, args.gitToken !== undefined), {
      parent: this,
      provider,
      dependsOn: [...afterInstall, ...secrets],
      retainOnDelete: true,
    });
    // Deploy mode: Pulumi applies every item itself, so no Kustomization points at a git
    // path nothing writes (it would stay not-ready forever and could apply objects twice).
    // Emit mode: one Kustomization per layer and phase over the emitted tree.
    const stages = args.delivery === "emit" ? fluxStages(items) : [];
    this.kustomizations = stages.map((s) => s.name);
    for (const stage of stages) {
      new KubeObjectResource(`${name}-${stage.name}`, fluxKustomization(stage, args.git.path, args.sopsAgeKey !== undefined), {
        parent: this,
        provider,
        dependsOn: [...afterInstall, ...secrets, source],
        // A deleted Kustomization with prune garbage-collects what it applied: retained.
        retainOnDelete: true,
      });
    }

    this.files = deliver(name, "flux", args, { parent: this, dependsOn: afterInstall });
    this.registerOutputs({ syncPath: this.syncPath, kustomizations: this.kustomizations });
  }
}

/** Arguments of {@link FluxEngine}. */
export type FluxEngineArgs = GitOpsEngineArgs;
