/**
 * Handing a cluster from one engine or delivery mode to another without deleting what the
 * old one applied. Deleting an engine unit is destructive by default:
 *  - a Flux Kustomization with `prune: true` garbage-collects its objects when deleted
 *    (`deletionPolicy` defaults to `MirrorPrune`; `Orphan` leaves them:
 *    https://fluxcd.io/flux/components/kustomize/kustomizations/#deletion-policy);
 *  - a deleted HelmRelease is uninstalled unless it is suspended (helm-controller
 *    `reconcileDelete`: "Only uninstall the release ... if the resource is not suspended",
 *    internal/controller/helmrelease_controller.go);
 *  - an Argo CD Application with the `resources-finalizer.argocd.argoproj.io` finalizer
 *    cascade-deletes its resources; without it the delete is non-cascading
 *    (https://argo-cd.readthedocs.io/en/stable/user-guide/app_deletion/);
 *  - Pulumi deletes every object it no longer registers (deploy mode).
 *
 * So a switch takes two `pulumi up`s. Step 1 sets `handover.release` to the cluster's
 * current engine and delivery and `handover.next` to the ones step 2 sets: the engine
 * stays, but every unit and engine CR is rendered released (Kustomizations `prune: false` +
 * `deletionPolicy: Orphan`, HelmReleases `suspend: true`, Applications without finalizer
 * and without automated sync) and every Pulumi-owned object gets `retainOnDelete`. In emit
 * mode the released tree is emitted and committed too, and the engine must have synced it.
 * Step 2 changes `engine` or `delivery` and removes `handover`: the old units are deleted
 * but keep their objects, and the new engine adopts them. Bundle objects that stay
 * Pulumi-owned across an engine switch (deploy to deploy) keep their identity through
 * aliases (apply.ts).
 *
 * When the engine changes ({@link leavesEngine}), the old engine's own units are not
 * retained but deleted in step 2, released, so that no suspended HelmRelease or inert
 * Application is left once the old controllers are gone:
 *  - Flux deploy: the HelmReleases and their chart sources lose `retainOnDelete`; step 2
 *    deletes them before Flux's controllers (they depend on them), and helm-controller,
 *    seeing a suspended HelmRelease deleted, skips the uninstall and only drops its
 *    finalizer (`reconcileDelete`: "Only uninstall the release and delete the HelmChart
 *    resource if the resource is not suspended", internal/controller/helmrelease_controller.go);
 *  - Flux emit: each addon's released unit deletes its HelmRelease and chart source when
 *    the root deletes it (`deletionPolicy: WaitForTermination`), again suspended;
 *  - Argo CD deploy: the released addon Applications lose `retainOnDelete`; without the
 *    resources finalizer their deletion is non-cascading and deletes nothing else.
 * Within one engine (a delivery switch) everything stays retained: the next delivery
 * re-applies the same HelmReleases and Applications under the same names, and Pulumi's
 * deletion at the end of step 2 could otherwise hit the object the engine just took over
 * (no longer suspended).
 */
import type { DeliveryMode, EngineKind } from "../../config/types";

/**
 * Step 1 of switching a cluster's engine or delivery mode: release what the current
 * engine applied. Parsed from the cluster config key `handover`.
 */
export interface EngineHandover {
  /** The engine and delivery mode being given up; must equal the cluster's current ones. */
  readonly release: { readonly engine: EngineKind; readonly delivery: DeliveryMode };
  /** The engine and delivery mode step 2 sets. */
  readonly next: { readonly engine: EngineKind; readonly delivery: DeliveryMode };
}

/**
 * Whether the engine renders released units; throws when the handover does not name the
 * cluster's current engine and delivery (the switch itself is the next step).
 */
export function isReleasing(handover: EngineHandover | undefined, engine: EngineKind, delivery: DeliveryMode): boolean {
  if (handover === undefined) return false;
  const { engine: from, delivery: mode } = handover.release;
  if (from !== engine || mode !== delivery) {
    throw new Error(
      `handover.release: "${from}/${mode}" must equal the cluster's current engine/delivery "${engine}/${delivery}". ` +
        "Step 1: keep engine and delivery, set handover.release to them and handover.next to the ones you switch to, and run pulumi up (in emit mode also emit, commit and let the engine sync); " +
        "step 2: change engine or delivery and remove handover",
    );
  }
  return true;
}

/**
 * Whether step 1 of this handover gives up the engine itself (not only the delivery mode):
 * then the released units of the engine are deleted in step 2 instead of retained.
 */
export function leavesEngine(handover: EngineHandover | undefined, engine: EngineKind): boolean {
  return handover !== undefined && handover.release.engine === engine && handover.next.engine !== engine;
}

/** The Argo CD finalizer that makes deleting an Application delete its resources. */
export const ARGOCD_RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";
