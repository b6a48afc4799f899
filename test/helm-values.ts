/**
 * The Helm values a synth passes to each chart, as dotted key paths, wherever they go: a
 * Pulumi `helm.v3.Release`, a Flux `HelmRelease` or an Argo CD `Application` (single or
 * multi-source). Checked against the paths verified upstream in
 * `fixtures/upstream/helm-value-paths.json`: Helm ignores an unknown key without a word.
 */
import type { RecordedResource } from "../lib/mock-runtime";
import type { PlannedObject } from "../tools/plan";

/** Leaf paths of a values tree; a list or an empty map is a leaf (the whole value is set). */
export function valuePaths(values: unknown, prefix = ""): string[] {
  if (values !== null && typeof values === "object" && !Array.isArray(values)) {
    const entries = Object.entries(values as Record<string, unknown>);
    if (entries.length > 0)
      return entries.flatMap(([key, value]) => valuePaths(value, prefix ? `${prefix}.${key}` : key));
  }
  return prefix ? [prefix] : [];
}

/** The value at a key path of plain objects, or undefined. */
function at(value: unknown, ...keys: string[]): unknown {
  let node = value;
  for (const key of keys) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Chart name -> the value paths the synth sets on it. */
export function chartValuePaths(
  resources: readonly RecordedResource[],
  objects: readonly PlannedObject[],
): Map<string, Set<string>> {
  const charts = new Map<string, Set<string>>();
  const add = (chart: unknown, values: unknown) => {
    if (typeof chart !== "string") return;
    const paths = charts.get(chart) ?? new Set<string>();
    for (const p of valuePaths(values)) paths.add(p);
    charts.set(chart, paths);
  };
  for (const r of resources)
    if (r.type === "kubernetes:helm.sh/v3:Release") add(r.inputs["chart"], r.inputs["values"]);
  for (const { object } of objects) {
    const spec = at(object, "spec");
    if (object["kind"] === "HelmRelease") add(at(spec, "chart", "spec", "chart"), at(spec, "values"));
    if (object["kind"] === "Application") {
      const sources = [at(spec, "source"), ...((at(spec, "sources") as unknown[] | undefined) ?? [])];
      for (const source of sources) add(at(source, "chart"), at(source, "helm", "valuesObject"));
    }
  }
  return charts;
}
