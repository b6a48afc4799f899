/**
 * Where an engine puts each delivered object: its directory under the cluster's emit root,
 * its file name and its engine-neutral order. Both deploy and emit start from a placement,
 * so the two modes deliver exactly the same objects.
 */
import type { KubeObject, OrderKey } from "./delivery";

/** One object after the engine's translation (addons become engine CRs). */
export interface PlacedObject {
  readonly object: KubeObject;
  readonly order: OrderKey;
  /** Directory relative to the cluster's emit root, e.g. `apps/backend`. */
  readonly dir: string;
  /** File name inside `dir`. */
  readonly file: string;
}

/** An engine's placement of a cluster's items. */
export interface Placement {
  readonly objects: readonly PlacedObject[];
  /**
   * Directories the engine syncs as separate units (Flux Kustomization paths, Argo CD layer
   * directories). A unit's `kustomization.yaml` does not include a nested unit.
   */
  readonly units: readonly string[];
}

/** The file name of an object: `<kind>-<name>.yaml`, lower-case. */
export function fileNameOf(object: KubeObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}

/** A copy of `object` with extra annotations merged in (the caller's object is never changed). */
export function annotate(object: KubeObject, annotations: Readonly<Record<string, string>>): KubeObject {
  if (Object.keys(annotations).length === 0) return object;
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations ?? {}), ...annotations } },
  };
}
