/**
 * Places a cluster's items for Argo CD. Each item is one Application (its unit): an
 * addon's Application has a Helm source; a bundle's Application syncs
 * `<layer>/<item>/app/`, where objects carry the sync wave of their phase (source
 * document 000: migrations 1, workloads 2) and migration Jobs are Sync hooks deleted
 * before the next run (`hook-delete-policy: BeforeHookCreation`), because a Job's pod
 * template is immutable and the next image bump could not patch it. Argo CD documents
 * hooks for migrations ("Using a PreSync hook to perform a database schema migration",
 * docs/user-guide/resource_hooks.md); a Sync hook is used so the Job runs after the
 * item's wave-0 objects (its database) and before the wave-2 workloads, since "Hooks and
 * resources are assigned to wave zero by default" and waves order each phase
 * (docs/user-guide/sync-waves.md). A hook runs on every sync, so migrations must be
 * idempotent (they are, in every source document).
 *
 * The Applications are ordered by sync waves, which only order the children of a parent
 * that syncs them (the root app-of-apps in emit mode); an item's wave is its layer's wave
 * or one more than the latest wave of the items it waits for (graph.ts).
 */
import { keptOnRemoval, phaseOf, withNamespace, type DeliveryItem } from "./delivery";
import { argoAddonApplication, argoBundleApplication, HOOK, HOOK_DELETE_POLICY, LAYER_WAVE, PHASE_WAVE, SYNC_WAVE } from "./argocd-objects";
import { itemPrerequisites, orderItems, withoutEmptyItems } from "./graph";
import { annotate, fileNameOf, type PlacedObject, type PlacedUnit, type Placement, type PlacementContext } from "./placement";

/**
 * The sync wave of every item's Application: one more than the latest wave of the items it
 * needs (graph.ts), and no earlier than its layer's wave (source document 002's -10 for
 * infrastructure, 0 for the platform). Argo CD orders the children of an app-of-apps only by
 * wave, each wave after the earlier ones are healthy (docs/user-guide/sync-waves.md), so on
 * Argo CD an item still waits for every item of an earlier wave; deriving the waves from the
 * needs keeps the number of waves, and so what a failing item holds back, as small as the
 * needs allow. Flux's per-unit `dependsOn` has no such limit.
 */
export function argoItemWaves(items: readonly DeliveryItem[]): Map<string, number> {
  const prerequisites = itemPrerequisites(items);
  const waves = new Map<string, number>();
  for (const item of orderItems(items)) {
    const after = (prerequisites.get(item.name) ?? []).map((d) => waves.get(d)! + 1);
    waves.set(item.name, Math.max(LAYER_WAVE[item.layer], ...after));
  }
  return waves;
}

/** The directory of a bundle's objects, relative to the emit root. */
export function argoItemDir(item: DeliveryItem): string {
  return `${item.layer}/${item.name}/app`;
}

/**
 * Rejects what Argo CD cannot deliver: `valuesFrom`. An Application's Helm source has
 * `values`, `valuesObject`, `valueFiles` and `parameters`, all read from git or the
 * Application itself (docs/user-guide/helm.md), so a value from a Secret would have to be
 * written into git.
 */
export function checkArgoItems(items: readonly DeliveryItem[]): void {
  for (const item of items) {
    if (item.kind === "addon" && (item.valuesFrom ?? []).length > 0) {
      throw new Error(
        `addon "${item.name}": valuesFrom is not supported on Argo CD (an Application's Helm values come from git, never from a Secret); ` +
          "use the chart's existingSecret option (or its equivalent) with a LiveSecret or an operator-managed Secret instead",
      );
    }
  }
}

/** Places the items for Argo CD. */
export function placeArgoCd(given: readonly DeliveryItem[], ctx: PlacementContext): Placement {
  // An item with no objects gets no Application (graph.ts `withoutEmptyItems`).
  const items = withoutEmptyItems(given);
  checkArgoItems(items);
  const waves = argoItemWaves(items);
  const objects: PlacedObject[] = [];
  const units: PlacedUnit[] = [];
  for (const item of items) {
    const wave = waves.get(item.name)!;
    const unitDir = `${item.layer}/${item.name}`;
    if (item.kind === "addon") {
      const app = argoAddonApplication(item, wave, ctx.released, ctx.leaving ?? false);
      // Deploy: Pulumi applies the Application; emit: the root app-of-apps does.
      if (ctx.delivery === "deploy") {
        objects.push({ object: app, order: { layer: item.layer, item: item.name, phase: "base" }, dir: unitDir, file: fileNameOf(app) });
      } else {
        units.push({ object: app, item: item.name, dir: unitDir, file: "application.yaml" });
      }
      continue;
    }
    const dir = argoItemDir(item);
    for (const raw of item.objects) {
      const phase = phaseOf(raw);
      const wave = PHASE_WAVE[phase];
      const annotations: Record<string, string> = {};
      if (wave !== 0) annotations[SYNC_WAVE] = String(wave);
      if (raw.kind === "Job" && phase === "migrations") {
        annotations[HOOK] = "Sync";
        annotations[HOOK_DELETE_POLICY] = "BeforeHookCreation";
      }
      const object = annotate(keptOnRemoval(withNamespace(raw, item.namespace)), annotations);
      objects.push({ object, order: { layer: item.layer, item: item.name, phase }, dir, file: fileNameOf(object) });
    }
    if (ctx.delivery === "emit") {
      units.push({ object: argoBundleApplication(item, dir, ctx.git, wave, ctx.released), item: item.name, dir: unitDir, file: "application.yaml", syncs: dir });
    }
  }
  return { objects, units };
}
