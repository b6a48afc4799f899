/**
 * Places a cluster's items for Flux. Each item is its own unit (onedr0p cluster-template
 * style): `<layer>/<item>/ks.yaml` holds the item's Kustomization over
 * `<layer>/<item>/app/`; an item with migration Jobs or workloads gets one more
 * Kustomization per later phase (`ks-migrations.yaml` over `migrations/`, `force: true`
 * because a Job's template is immutable; `ks-workloads.yaml` over `workloads/`), each
 * waiting for the phase before it. An item's first unit waits for the last unit of every
 * prerequisite item (graph.ts).
 */
import { DEFAULT_TIMEOUT, keptOnRemoval, PHASES, phaseOf, withNamespace, type DeliveryItem, type Phase } from "./delivery";
import { addonUnitTimeout, fluxChartSource, fluxHelmRelease, fluxUnit, type FluxUnitSpec } from "./flux-objects";
import { withFluxTenancy } from "./flux-tenancy";
import { itemPrerequisites, orderItems, withoutEmptyItems } from "./graph";
import { fileNameOf, type PlacedObject, type PlacedUnit, type Placement, type PlacementContext } from "./placement";

/** The directory of an item's phase, relative to the emit root. */
export function fluxPhaseDir(item: DeliveryItem, phase: Phase): string {
  return `${item.layer}/${item.name}/${phase === "base" ? "app" : phase}`;
}

function phasesOf(item: DeliveryItem): Phase[] {
  if (item.kind === "addon") return ["base"];
  const present = new Set(item.objects.map(phaseOf));
  // Only phases with objects get a unit: a unit over a directory with no files fails with
  // "kustomization path not found". Empty bundles are dropped before (graph.ts), so every
  // item has at least one unit for its dependents to wait for.
  return PHASES.filter((p) => present.has(p));
}

/** Kustomization name of an item phase. */
export function fluxUnitName(item: string, phase: Phase): string {
  return phase === "base" ? item : `${item}-${phase}`;
}

/** The units of every item, in dependency order; throws when two units would share a name. */
export function fluxUnits(items: readonly DeliveryItem[]): FluxUnitSpec[] {
  const prerequisites = itemPrerequisites(items);
  const lastUnit = new Map<string, string>();
  const units: FluxUnitSpec[] = [];
  for (const item of orderItems(items)) {
    let previous: string | undefined;
    for (const phase of phasesOf(item)) {
      const name = fluxUnitName(item.name, phase);
      if (units.some((u) => u.name === name)) {
        throw new Error(`${item.kind} "${item.name}": its ${phase} unit would be named "${name}", which another item's unit already uses; rename one of the items`);
      }
      const dependsOn = previous ? [previous] : (prerequisites.get(item.name) ?? []).map((d) => lastUnit.get(d)!);
      units.push({
        name,
        item: item.name,
        layer: item.layer,
        dir: fluxPhaseDir(item, phase),
        dependsOn,
        // An addon's unit waits for its HelmRelease through all of its retries.
        timeout: item.kind === "addon" ? addonUnitTimeout(item.timeout ?? DEFAULT_TIMEOUT) : item.timeout,
        force: phase === "migrations",
      });
      previous = name;
    }
    if (previous === undefined) throw new Error(`${item.kind} "${item.name}": has no objects, so its unit would point at nothing; drop it first (withoutEmptyItems)`);
    lastUnit.set(item.name, previous);
  }
  return units;
}

/**
 * Places the items for Flux: objects in their phase directories, units beside them. In emit
 * mode the apps' units are applied as their namespace's tenant account (flux-tenancy.ts).
 */
export function placeFlux(given: readonly DeliveryItem[], ctx: PlacementContext): Placement {
  // An item with no objects gets no unit (graph.ts `withoutEmptyItems`).
  const present = withoutEmptyItems(given);
  const tenancy = ctx.delivery === "emit" ? withFluxTenancy(present) : { items: present, accounts: new Map<string, string>() };
  const items = tenancy.items;
  const objects: PlacedObject[] = [];
  for (const item of items) {
    if (item.kind === "addon") {
      const dir = fluxPhaseDir(item, "base");
      for (const object of [fluxChartSource(item), fluxHelmRelease(item, ctx.released)]) {
        objects.push({ object, order: { layer: item.layer, item: item.name, phase: "base" }, dir, file: fileNameOf(object) });
      }
      continue;
    }
    for (const raw of item.objects) {
      const object = keptOnRemoval(withNamespace(raw, item.namespace));
      const phase = phaseOf(object);
      objects.push({ object, order: { layer: item.layer, item: item.name, phase }, dir: fluxPhaseDir(item, phase), file: fileNameOf(object) });
    }
  }
  if (ctx.delivery === "deploy") return { objects, units: [] };
  const addons = new Set(items.filter((i) => i.kind === "addon").map((i) => i.name));
  const units: PlacedUnit[] = fluxUnits(items).map((spec) => {
    const phase = spec.dir.slice(spec.dir.lastIndexOf("/") + 1);
    const account = tenancy.accounts.get(spec.item);
    return {
      object: fluxUnit(account ? { ...spec, serviceAccountName: account } : spec, ctx.git.path, {
        sops: ctx.sops,
        released: ctx.released,
        deletesRelease: ctx.released && (ctx.leaving ?? false) && addons.has(spec.item),
      }),
      item: spec.item,
      syncs: spec.dir,
      dir: spec.dir.slice(0, spec.dir.lastIndexOf("/")),
      file: phase === "app" ? "ks.yaml" : `ks-${phase}.yaml`,
    };
  });
  return { objects, units };
}
