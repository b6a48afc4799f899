/**
 * The dependency graph of a cluster's items: each item waits for the items it names in
 * `dependsOn` and, by default, for every item of the layers its layer follows (source
 * document 004, "Deployment Order"). Both engines and deploy mode order by this one graph,
 * so a failing item holds back only the items that need it.
 */
import { LAYER_DEPENDS_ON, type DeliveryItem, type Layer } from "./delivery";

/**
 * The items an item waits for directly: its own `dependsOn` plus the items of the nearest
 * non-empty layers its layer depends on (an empty layer is looked through, so apps still
 * follow the controllers when a cluster has no infrastructure configs).
 */
export function itemPrerequisites(items: readonly DeliveryItem[]): Map<string, string[]> {
  const byLayer = new Map<Layer, string[]>();
  for (const item of items) byLayer.set(item.layer, [...(byLayer.get(item.layer) ?? []), item.name]);
  const layerItems = (layer: Layer): string[] => {
    const here = byLayer.get(layer) ?? [];
    return here.length > 0 ? here : LAYER_DEPENDS_ON[layer].flatMap(layerItems);
  };
  const result = new Map<string, string[]>();
  for (const item of items) {
    const fromLayers = LAYER_DEPENDS_ON[item.layer].flatMap(layerItems);
    result.set(item.name, [...new Set([...fromLayers, ...(item.dependsOn ?? [])])].sort());
  }
  return result;
}

/**
 * The items in an order where every item comes after its prerequisites (ties by the
 * order given). Throws naming the cycle when `dependsOn` closes one.
 */
export function orderItems(items: readonly DeliveryItem[]): DeliveryItem[] {
  const prerequisites = itemPrerequisites(items);
  const byName = new Map(items.map((i) => [i.name, i]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const ordered: DeliveryItem[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const at = visiting.indexOf(name);
    if (at >= 0) {
      throw new Error(`dependsOn: items depend on each other in a cycle (${[...visiting.slice(at), name].join(" -> ")}); break the cycle`);
    }
    visiting.push(name);
    for (const dep of prerequisites.get(name) ?? []) visit(dep);
    visiting.pop();
    done.add(name);
    ordered.push(byName.get(name)!);
  };
  items.forEach((i) => visit(i.name));
  return ordered;
}

/** Every item `name` waits for, directly or transitively. */
export function transitivePrerequisites(items: readonly DeliveryItem[], name: string): Set<string> {
  const prerequisites = itemPrerequisites(items);
  const seen = new Set<string>();
  const walk = (n: string): void => {
    for (const dep of prerequisites.get(n) ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        walk(dep);
      }
    }
  };
  walk(name);
  return seen;
}
