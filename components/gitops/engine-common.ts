/**
 * What both engines share: their arguments, argument validation, and delivery of the
 * items (applied by Pulumi in deploy mode, rendered as files in emit mode).
 */
import * as pulumi from "@pulumi/pulumi";
import type { DeliveryMode, EngineKind, GitSourceConfig, Versions } from "../../config/types";
import type { ClusterHandle } from "../cluster/contract";
import { applyLiveSecrets, applyPlaced } from "./apply";
import { phaseOf, validateItems, type DeliveryItem, type KubeObject, type LiveSecret } from "./delivery";
import { emitRoot, isEmitRoot, placementFor, renderGitopsTree } from "./emit";
import { withoutEmptyItems } from "./graph";
import { isReleasing, leavesEngine, type EngineHandover } from "./handover";
import type { PlacedObject } from "./placement";

/** Arguments of a GitOps engine component. */
export interface GitOpsEngineArgs {
  /** The cluster the engine runs on; everything is applied with its provider after `ready`. */
  readonly cluster: ClusterHandle;
  /** Stack name; part of the emit root `gitops/<stack>/<cluster>/`. */
  readonly stack: string;
  /**
   * `deploy`: Pulumi applies the engine's CRs and the items' objects itself, and no unit
   * points at git. `emit`: Pulumi applies the engine and one root unit over the emit root;
   * the engine applies everything else from git.
   */
  readonly delivery: DeliveryMode;
  /** Repository, branch and path the engine syncs (emit mode); the path must be the emit root. */
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
  /**
   * Step 1 of an engine or delivery switch: release what this engine applied (handover.ts).
   * @default no handover
   */
  readonly handover?: EngineHandover;
  /**
   * Air-gapped install: a local path to install the engine from instead of the internet.
   * Flux: its install manifest (`install.yaml` of the pinned release); Argo CD: the argo-cd
   * chart at `versions.argocdChart`, as a chart directory or `.tgz`.
   * @default Flux's release manifest from GitHub; the chart from the Argo Helm repository
   */
  readonly installFrom?: string;
}

/** What every engine component exposes. */
export interface GitOpsEngine {
  readonly engine: EngineKind;
  /** Emit mode: the file tree (repository-relative path -> content); empty in deploy mode. */
  readonly files: Readonly<Record<string, string>>;
  /** The repository directory the engine syncs in emit mode. */
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

/** The engine-independent settings an engine resolves once. */
export interface ResolvedEngineArgs {
  readonly items: readonly DeliveryItem[];
  readonly released: boolean;
  /** Step 1 of a handover that gives up this engine (handover.ts `leavesEngine`). */
  readonly leaving: boolean;
  /** URN of the other engine's component with this name, for aliases (apply.ts). */
  readonly otherEngineUrn: pulumi.Output<string>;
}

/** Validates the args and resolves what both engines need. */
export function resolveEngineArgs(
  name: string,
  engine: EngineKind,
  args: GitOpsEngineArgs,
  opts: pulumi.ComponentResourceOptions | undefined,
): ResolvedEngineArgs {
  validateEngineArgs(args);
  const other = engine === "flux" ? "platform:gitops:ArgoCdEngine" : "platform:gitops:FluxEngine";
  return {
    items: withoutEmptyItems(args.items ?? []),
    released: isReleasing(args.handover, engine, args.delivery),
    leaving: leavesEngine(args.handover, engine),
    otherEngineUrn: pulumi.createUrn(name, other, opts?.parent),
  };
}

/** What {@link deliver} returns. */
export interface Delivery {
  /** Emit mode: the file tree; empty in deploy mode. */
  readonly files: Record<string, string>;
  /** The live Secrets and their Namespaces (the root unit waits for them). */
  readonly live: pulumi.Resource[];
}

/**
 * Delivers the items: in emit mode returns their file tree and registers nothing for
 * them; in deploy mode applies them in the order of the item graph. Live Secrets are
 * applied in both modes. In emit mode a bundle's Namespace that also holds a live Secret
 * is not emitted: Pulumi applies it (retained, under its deploy-mode name) before the
 * Secret, so no object is applied both by Pulumi and by the engine.
 */
export function deliver(
  name: string,
  engine: EngineKind,
  args: GitOpsEngineArgs,
  resolved: ResolvedEngineArgs,
  opts: {
    readonly parent: pulumi.Resource;
    readonly dependsOn: readonly pulumi.Resource[];
    readonly sops: boolean;
    /** The engine's controllers (apply.ts `ApplyOptions.controllers`). @default none */
    readonly controllers?: pulumi.Input<pulumi.Resource[]>;
  },
): Delivery {
  const provider = args.cluster.provider;
  const aliasParents = [resolved.otherEngineUrn];
  const base = { parent: opts.parent, provider, dependsOn: opts.dependsOn };
  const liveSecrets = args.liveSecrets ?? [];
  const namespaces = new Map<string, pulumi.Resource>();
  let files: Record<string, string> = {};
  const applyOpts = {
    ...base,
    items: resolved.items,
    released: resolved.released,
    leaving: resolved.leaving,
    aliasParents,
    ...(opts.controllers ? { controllers: opts.controllers } : {}),
  };
  if (args.delivery === "emit") {
    const liveNamespaces = new Set(liveSecrets.map((s) => s.namespace));
    const isLiveNamespace = (o: KubeObject): boolean => o.kind === "Namespace" && liveNamespaces.has(o.metadata.name);
    // Applied under the name deploy mode gives them, so a deploy/emit switch keeps their identity.
    const pulumiOwned: PlacedObject[] = resolved.items.flatMap((item) =>
      item.kind === "bundle"
        ? item.objects.filter(isLiveNamespace).map((object) => ({ object, order: { layer: item.layer, item: item.name, phase: phaseOf(object) }, dir: "", file: "" }))
        : [],
    );
    for (const [placed, resource] of applyPlaced(name, pulumiOwned, applyOpts)) namespaces.set(placed.object.metadata.name, resource);
    // A bundle left empty (a namespace item whose Namespace Pulumi applies) gets no unit;
    // its dependents wait for what it waited for (graph.ts).
    const items = withoutEmptyItems(
      resolved.items.map((item) => (item.kind === "bundle" ? { ...item, objects: item.objects.filter((o) => !isLiveNamespace(o)) } : item)),
    );
    files = renderGitopsTree({ stack: args.stack, cluster: args.cluster.name, engine, items, git: args.git, sops: opts.sops, released: resolved.released, leaving: resolved.leaving });
  } else {
    const ctx = { delivery: args.delivery, git: args.git, released: resolved.released, leaving: resolved.leaving, sops: opts.sops };
    const applied = applyPlaced(name, placementFor(engine, resolved.items, ctx).objects, applyOpts);
    for (const [placed, resource] of applied) {
      if (placed.object.kind === "Namespace") namespaces.set(placed.object.metadata.name, resource);
    }
  }
  const live = applyLiveSecrets(name, liveSecrets, namespaces, { ...base, aliasParents });
  return { files, live };
}
