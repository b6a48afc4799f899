/**
 * Where an engine puts each delivered object and each sync unit. Deploy mode applies the
 * placed objects through Pulumi; emit mode writes the objects into the item directories
 * and the units (one or more per item) into the tree that the root unit syncs. Both modes
 * start from the same placement, so they deliver exactly the same objects.
 */
import type { DeliveryMode, GitSourceConfig } from "../../config/types";
import type { KubeObject, OrderKey } from "./delivery";

/** One object after the engine's translation (addons become engine CRs). */
export interface PlacedObject {
  readonly object: KubeObject;
  readonly order: OrderKey;
  /** Directory relative to the cluster's emit root, e.g. `apps/backend/app`. */
  readonly dir: string;
  /** File name inside `dir`. */
  readonly file: string;
}

/**
 * An engine sync unit of one item (a Flux Kustomization, an Argo CD Application), only
 * written in emit mode: the root unit applies every unit file, each unit syncs its item.
 */
export interface PlacedUnit {
  readonly object: KubeObject;
  /** The item the unit delivers. */
  readonly item: string;
  /** Directory relative to the cluster's emit root, e.g. `apps/backend`. */
  readonly dir: string;
  readonly file: string;
  /**
   * The directory the unit syncs, relative to the emit root (`apps/backend/app`); none for a
   * unit with a Helm source (an addon's Application). The emitted tree must have objects there.
   * @default none
   */
  readonly syncs?: string;
}

/** An engine's placement of a cluster's items. */
export interface Placement {
  /** Objects applied by Pulumi (deploy) or written to the item directories (emit). */
  readonly objects: readonly PlacedObject[];
  /** Per-item units; empty in deploy mode, where Pulumi orders the objects itself. */
  readonly units: readonly PlacedUnit[];
}

/** What a placement depends on besides the items. */
export interface PlacementContext {
  readonly delivery: DeliveryMode;
  /** Repository, branch and emit root the units sync from (emit mode). */
  readonly git: GitSourceConfig;
  /**
   * Step 1 of a handover: every unit and engine CR is rendered so that deleting it keeps
   * what it applied (see handover.ts).
   */
  readonly released: boolean;
  /**
   * Step 1 of a handover that gives up the engine (handover.ts `leavesEngine`): the released
   * units of the engine's addons are rendered to be deleted in step 2 (Flux units delete their
   * suspended HelmRelease; Argo CD addon Applications lose `Delete=false`).
   * @default false
   */
  readonly leaving?: boolean;
  /** Flux only: units decrypt SOPS files with the age key Secret. */
  readonly sops: boolean;
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

/** Joins the configured git path and a relative directory: `gitops/s/c/apps/x` (no leading `./`). */
export function repoPath(gitPath: string, dir: string): string {
  const base = gitPath.replace(/^\.?\/+/, "").replace(/\/+$/, "");
  return dir === "" ? base : `${base}/${dir}`;
}
