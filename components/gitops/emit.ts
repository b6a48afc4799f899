/**
 * Emit mode (ARCHITECTURE.md decision 4): the cluster's delivered objects as a file tree
 * under `gitops/<stack>/<cluster>/`, one object per file and a `kustomization.yaml` in
 * every directory, for the engine to sync from git.
 *
 * The tree is built here as plain data and written by the caller (the offline synth writes
 * it to `out/<stack>/gitops/...`); no live resource is registered for an emitted object.
 * Decision 4 names `renderYamlToDirectory`; it is not used because it writes its own
 * `0-crd/` and `1-manifest/` file names, which the kustomization files would have to
 * guess, and because its output is only written at `pulumi up`, not by the offline synth.
 */
import { stringify } from "yaml";
import type { EngineKind } from "../../config/types";
import { LAYERS, validateItems, type DeliveryItem } from "./delivery";
import { placeArgoCd } from "./argocdObjects";
import { placeFlux } from "./fluxObjects";
import type { Placement } from "./placement";

/** The emit root of a cluster, relative to the repository root. */
export function emitRoot(stack: string, cluster: string): string {
  return `gitops/${stack}/${cluster}`;
}

/** Whether a configured git path names the emit root (a leading `./` and trailing `/` are ignored). */
export function isEmitRoot(gitPath: string, stack: string, cluster: string): boolean {
  return gitPath.replace(/^\.\//, "").replace(/\/+$/, "") === emitRoot(stack, cluster);
}

/** YAML the way every emitted file is written: block style, no line folding. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** The engine's placement of a cluster's items. */
export function placementFor(engine: EngineKind, items: readonly DeliveryItem[]): Placement {
  return engine === "flux" ? placeFlux(items) : placeArgoCd(items);
}

function kustomization(resources: readonly string[]): string {
  return toYaml({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...resources] });
}

/**
 * The files of a placement, relative to the emit root. Every layer directory exists (an
 * engine syncs it even when empty); each directory's `kustomization.yaml` lists its files
 * and its subdirectories, except subdirectories that the engine syncs as units of their own.
 */
export function renderPlacement(placement: Placement): Record<string, string> {
  const files = new Map<string, string>();
  const dirs = new Set<string>(["", ...LAYERS, ...placement.units]);
  for (const placed of placement.objects) {
    const path = `${placed.dir}/${placed.file}`;
    if (files.has(path)) throw new Error(`emit: two objects would be written to ${path}; object names must differ per kind in an item`);
    files.set(path, toYaml(placed.object));
    const parts = placed.dir.split("/");
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const units = new Set(placement.units);
  const parentOf = (dir: string): string => (dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "");
  const baseOf = (path: string): string => path.slice(path.lastIndexOf("/") + 1);
  for (const dir of [...dirs].sort()) {
    const ownFiles = [...files.keys()].filter((p) => parentOf(p) === dir).map(baseOf).sort();
    // The root lists the layers; a unit never includes a nested unit (Flux syncs it on its own).
    const subdirs = [...dirs].filter((d) => d !== "" && parentOf(d) === dir && (dir === "" || !units.has(d))).map(baseOf).sort();
    files.set(dir === "" ? "kustomization.yaml" : `${dir}/kustomization.yaml`, kustomization([...ownFiles, ...subdirs]));
  }
  return Object.fromEntries([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What the emitted tree of one cluster depends on. */
export interface GitopsTreeArgs {
  readonly stack: string;
  readonly cluster: string;
  readonly engine: EngineKind;
  readonly items: readonly DeliveryItem[];
}

/**
 * The emitted file tree of a cluster: repository-relative path -> file content, sorted,
 * deterministic. Throws on invalid items, including any `Secret`.
 */
export function renderGitopsTree(args: GitopsTreeArgs): Record<string, string> {
  validateItems(args.items);
  const root = emitRoot(args.stack, args.cluster);
  const relative = renderPlacement(placementFor(args.engine, args.items));
  return Object.fromEntries(Object.entries(relative).map(([path, content]) => [`${root}/${path}`, content]));
}
