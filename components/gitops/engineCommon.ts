/**
 * What both engines share: their arguments, argument validation, and delivery of the
 * items (applied live in deploy mode, rendered as files in emit mode).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DeliveryMode, EngineKind, GitSourceConfig, Versions } from "../../config/types";
import type { ClusterHandle } from "../cluster/contract";
import { applyLiveSecrets, applyPlaced } from "./apply";
import { validateItems, type DeliveryItem, type LiveSecret } from "./delivery";
import { emitRoot, isEmitRoot, placementFor, renderGitopsTree } from "./emit";

/** Arguments of a GitOps engine component. */
export interface GitOpsEngineArgs {
  /** The cluster the engine runs on; everything is applied with its provider after `ready`. */
  readonly cluster: ClusterHandle;
  /** Stack name; part of the emit root `gitops/<stack>/<cluster>/`. */
  readonly stack: string;
  /** Whether items are applied by Pulumi (`deploy`) or written for the engine to sync (`emit`). */
  readonly delivery: DeliveryMode;
  /** Repository, branch and path the engine syncs. In emit mode the path must be the emit root. */
  readonly git: GitSourceConfig;
  /** Pinned versions; Flux uses `flux`, Argo CD uses `argocdChart`. */
  readonly versions: Pick<Versions, "flux" | "argocdChart">;
  /**
   * Token for an https repository, applied as a live Secret.
   * @default no credentials (a public repository)
   */
  readonly gitToken?: pulumi.Output<string>;
  /**
   * age private key for SOPS-encrypted files; Flux only (Argo CD ignores it).
   * @default no decryption
   * @see https://fluxcd.io/flux/guides/mozilla-sops/
   */
  readonly sopsAgeKey?: pulumi.Output<string>;
  /**
   * The addons and bundles this cluster gets.
   * @default none
   */
  readonly items?: readonly DeliveryItem[];
  /**
   * Secrets the items need, always applied live, never emitted.
   * @default none
   */
  readonly liveSecrets?: readonly LiveSecret[];
}

/** What every engine component exposes. */
export interface GitOpsEngine {
  readonly engine: EngineKind;
  /** Emit mode: the file tree (repository-relative path -> content); empty in deploy mode. */
  readonly files: Readonly<Record<string, string>>;
  /** The repository directory the engine syncs. */
  readonly syncPath: string;
}

/** Validates engine args before anything is created; errors name the argument. */
export function validateEngineArgs(args: GitOpsEngineArgs): void {
  if (args.delivery !== "deploy" && args.delivery !== "emit") {
    throw new Error(`delivery: "${String(args.delivery)}" must be "deploy" or "emit"`);
  }
  if (!/^(https|ssh):\/\/\S+$/.test(args.git.url)) throw new Error(`git.url: "${args.git.url}" must start with https:// or ssh://`);
  if (args.gitToken && !args.git.url.startsWith("https://")) {
    throw new Error(`git.url: "${args.git.url}" must be an https:// URL when a git token is configured`);
  }
  if (!args.git.branch) throw new Error("git.branch: must not be empty");
  if (args.delivery === "emit" && !isEmitRoot(args.git.path, args.stack, args.cluster.name)) {
    throw new Error(
      `git.path: "${args.git.path}" must be "${emitRoot(args.stack, args.cluster.name)}" in emit mode, the directory the cluster's objects are written to`,
    );
  }
  validateItems(args.items ?? []);
}

/** The engine-independent parent of a cluster's delivered objects (`platform:gitops:Delivered`). */
export class DeliveredObjects extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gitops:Delivered", name, {}, opts);
    this.registerOutputs({});
  }
}

/**
 * Delivers the items: in emit mode returns their file tree and registers nothing for them;
 * in deploy mode applies them in order. Live Secrets are applied in both modes.
 */
export function deliver(
  name: string,
  engine: EngineKind,
  args: GitOpsEngineArgs,
  opts: { readonly parent: pulumi.Resource; readonly dependsOn: readonly pulumi.Resource[] },
): Record<string, string> {
  const items = args.items ?? [];
  // Deploy-mode objects and live Secrets hang off a component whose type does not depend on
  // the engine, so their URNs survive a switch between Flux and Argo CD: the same object is
  // updated in place rather than created under the new engine and deleted under the old
  // (which would remove it from the cluster).
  const parent = new DeliveredObjects(`${name}-delivered`, { dependsOn: [opts.parent] });
  const applyOpts = { parent, provider: args.cluster.provider, dependsOn: opts.dependsOn };
  let files: Record<string, string> = {};
  const namespaces = new Map<string, pulumi.Resource>();
  if (args.delivery === "emit") {
    files = renderGitopsTree({ stack: args.stack, cluster: args.cluster.name, engine, items });
  } else {
    const applied = applyPlaced(name, placementFor(engine, items).objects, applyOpts);
    for (const [placed, resource] of applied) {
      if (placed.object.kind === "Namespace") namespaces.set(placed.object.metadata.name, resource);
    }
  }
  applyLiveSecrets(name, args.liveSecrets ?? [], namespaces, applyOpts);
  return files;
}
