/**
 * The dependency graph of a cluster's items: each item waits for the items it names in
 * `dependsOn`, and only for those: the stack composition derives them from what each item
 * uses (needs.ts). Layers no longer order everything in them (they did: every item waited
 * for every item of the layer before, so one failing controller held back the cluster);
 * they place units in directories, Argo CD projects and the earliest sync wave. Both
 * engines and deploy mode order by this one graph.
 */
import type { DeliveryItem } from "./delivery";

/** The items each item waits for directly: its `dependsOn`, sorted. */
export function itemPrerequisites(items: readonly DeliveryItem[]): Map<string, string[]> {
  return new Map(items.map((item) => [item.name, [...new Set(item.dependsOn ?? [])].sort()]));
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

/**
 * The items without the bundles that deliver nothing, each dependency on a dropped bundle
 * replaced by that bundle's own dependencies (transitively), so the order is kept. A bundle
 * is left empty when emit mode takes its only object out of the tree (a Namespace that
 * Pulumi applies because a live Secret lives in it, engine-common.ts): its unit would point
 * at a directory with no files, and kustomize-controller fails such a Kustomization with
 * "kustomization path not found" (fluxcd/kustomize-controller
 * internal/controller/kustomization_controller.go, `reconcile`), and `checkDependencies`
 * holds back every unit that depends on a unit that is not Ready.
 */
export function withoutEmptyItems(items: readonly DeliveryItem[]): DeliveryItem[] {
  const empty = new Map(items.filter((i) => i.kind === "bundle" && i.objects.length === 0).map((i) => [i.name, i]));
  if (empty.size === 0) return [...items];
  const resolve = (name: string, seen: readonly string[]): string[] => {
    const dropped = empty.get(name);
    if (!dropped) return [name];
    if (seen.includes(name)) throw new Error(`dependsOn: items depend on each other in a cycle (${[...seen, name].join(" -> ")}); break the cycle`);
    return (dropped.dependsOn ?? []).flatMap((d) => resolve(d, [...seen, name]));
  };
  return items
    .filter((i) => !empty.has(i.name))
    .map((i) => {
      if (!(i.dependsOn ?? []).some((d) => empty.has(d))) return i;
      const dependsOn = [...new Set((i.dependsOn ?? []).flatMap((d) => resolve(d, [i.name])))].filter((d) => d !== i.name);
      return { ...i, dependsOn };
    });
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
