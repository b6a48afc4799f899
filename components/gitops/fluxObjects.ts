/**
 * Pure builders of the Flux objects (source documents 001 and 004): the GitRepository,
 * one Kustomization per layer (and per later phase), and HelmRepository + HelmRelease per
 * addon. The FluxEngine component applies them; emit writes the addon objects to git.
 *
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
import type { GitSourceConfig } from "../../config/types";
import {
  LAYER_DEPENDS_ON,
  LAYERS,
  PHASES,
  phaseOf,
  withNamespace,
  type Addon,
  type DeliveryItem,
  type KubeObject,
  type Layer,
  type Phase,
} from "./delivery";
import { fileNameOf, type PlacedObject, type Placement } from "./placement";

/** Namespace of the Flux controllers and of every Flux object the program creates. */
export const FLUX_NAMESPACE = "flux-system";
/** Name of the GitRepository every Kustomization syncs from. */
export const FLUX_SOURCE_NAME = "platform";
/** Name of the Secret with the age key; Flux's documented convention (source document 004). */
export const SOPS_SECRET_NAME = "sops-age";
/** Key of the age private key inside {@link SOPS_SECRET_NAME}. */
export const SOPS_SECRET_KEY = "age.agekey";
/** Name of the Secret with the git credentials. */
export const GIT_AUTH_SECRET_NAME = "platform-git-auth";
/** Reconcile interval (source document 004: "automatic reconciliation every 10 minutes"). */
export const FLUX_INTERVAL = "10m";

/** The pinned upstream install manifest of a Flux release. */
export function fluxInstallUrl(version: string): string {
  const bare = version.replace(/^v/, "");
  if (!/^\d+\.\d+\.\d+$/.test(bare)) throw new Error(`versions.flux: "${version}" must be an exact Flux version such as 2.7.5`);
  return `https://github.com/fluxcd/flux2/releases/download/v${bare}/install.yaml`;
}

/** A Flux sync unit: a Kustomization over one layer directory or one phase of a layer. */
export interface FluxStage {
  /** Kustomization name, e.g. `apps` or `apps-migrations`. */
  readonly name: string;
  readonly layer: Layer;
  readonly phase: Phase;
  /** Directory relative to the emit root. */
  readonly dir: string;
  readonly dependsOn: readonly string[];
}

function stageName(layer: Layer, phase: Phase): string {
  return phase === "base" ? layer : `${layer}-${phase}`;
}

function stageDir(layer: Layer, phase: Phase): string {
  return phase === "base" ? layer : `${layer}/${phase}`;
}

/**
 * The Kustomizations for a set of items: one per layer (always, so committed-by-hand
 * content has a home), plus one per later phase that has objects. A layer waits for every
 * stage of the layers it depends on; a phase waits for the previous stage of its layer.
 */
export function fluxStages(items: readonly DeliveryItem[]): FluxStage[] {
  const phasesOf = new Map<Layer, Set<Phase>>(LAYERS.map((l) => [l, new Set<Phase>(["base"])]));
  for (const item of items) {
    if (item.kind === "bundle") for (const o of item.objects) phasesOf.get(item.layer)!.add(phaseOf(o));
  }
  const namesOf = (layer: Layer): string[] => PHASES.filter((p) => phasesOf.get(layer)!.has(p)).map((p) => stageName(layer, p));
  const stages: FluxStage[] = [];
  for (const layer of LAYERS) {
    let previous: string | undefined;
    for (const phase of PHASES) {
      if (!phasesOf.get(layer)!.has(phase)) continue;
      const dependsOn = previous ? [previous] : LAYER_DEPENDS_ON[layer].flatMap(namesOf);
      const name = stageName(layer, phase);
      stages.push({ name, layer, phase, dir: stageDir(layer, phase), dependsOn });
      previous = name;
    }
  }
  return stages;
}

/** The GitRepository the Kustomizations sync from. */
export function fluxGitRepository(git: GitSourceConfig, withAuth: boolean): KubeObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: FLUX_SOURCE_NAME, namespace: FLUX_NAMESPACE },
    spec: {
      interval: FLUX_INTERVAL,
      url: git.url,
      ref: { branch: git.branch },
      ...(withAuth ? { secretRef: { name: GIT_AUTH_SECRET_NAME } } : {}),
    },
  };
}

/** Joins the configured git path and a relative directory into a Flux path (`./a/b`). */
export function fluxPath(gitPath: string, dir: string): string {
  const base = gitPath.replace(/^\.?\/+/, "").replace(/\/+$/, "");
  return `./${base}/${dir}`;
}

/** The Kustomization of one stage; SOPS decryption only when an age key is configured. */
export function fluxKustomization(stage: FluxStage, gitPath: string, sops: boolean): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: stage.name, namespace: FLUX_NAMESPACE, labels: { "platform.io/layer": stage.layer } },
    spec: {
      interval: FLUX_INTERVAL,
      retryInterval: "1m",
      timeout: "5m",
      path: fluxPath(gitPath, stage.dir),
      prune: true,
      // wait: Flux health-checks every object it applied before the stage is Ready, which
      // is what a dependent stage's dependsOn waits for.
      wait: true,
      // Jobs are immutable; a changed migration Job is recreated rather than patched.
      ...(stage.phase === "migrations" ? { force: true } : {}),
      sourceRef: { kind: "GitRepository", name: FLUX_SOURCE_NAME },
      ...(stage.dependsOn.length > 0 ? { dependsOn: stage.dependsOn.map((name) => ({ name })) } : {}),
      ...(sops ? { decryption: { provider: "sops", secretRef: { name: SOPS_SECRET_NAME } } } : {}),
    },
  };
}

/** The HelmRepository an addon's chart comes from. */
export function fluxHelmRepository(addon: Addon): KubeObject {
  const oci = addon.repository.startsWith("oci://");
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name: addon.name, namespace: FLUX_NAMESPACE },
    spec: { interval: FLUX_INTERVAL, url: addon.repository, ...(oci ? { type: "oci" } : {}) },
  };
}

/** The HelmRelease of an addon: pinned chart, values, CRD policy, install/upgrade remediation. */
export function fluxHelmRelease(addon: Addon): KubeObject {
  const crds = addon.includeCrds ? "CreateReplace" : "Skip";
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: addon.name, namespace: FLUX_NAMESPACE },
    spec: {
      interval: FLUX_INTERVAL,
      releaseName: addon.name,
      targetNamespace: addon.namespace,
      chart: {
        spec: {
          chart: addon.chart,
          version: addon.version,
          sourceRef: { kind: "HelmRepository", name: addon.name, namespace: FLUX_NAMESPACE },
        },
      },
      install: { createNamespace: true, crds: addon.includeCrds ? "Create" : "Skip", remediation: { retries: 3 } },
      upgrade: { crds, remediation: { retries: 3, remediateLastFailure: true } },
      values: addon.values ?? {},
    },
  };
}

/**
 * Places a cluster's items for Flux: objects of phase `base` in `<layer>/<item>/`, later
 * phases in `<layer>/<phase>/<item>/` (each its own Kustomization); an addon is its
 * HelmRepository and HelmRelease in `<layer>/<addon>/`.
 */
export function placeFlux(items: readonly DeliveryItem[]): Placement {
  const objects: PlacedObject[] = [];
  for (const item of items) {
    if (item.kind === "addon") {
      const dir = `${item.layer}/${item.name}`;
      for (const object of [fluxHelmRepository(item), fluxHelmRelease(item)]) {
        objects.push({ object, order: { layer: item.layer, item: item.name, phase: "base" }, dir, file: fileNameOf(object) });
      }
      continue;
    }
    for (const raw of item.objects) {
      const object = withNamespace(raw, item.namespace);
      const phase = phaseOf(object);
      const dir = `${stageDir(item.layer, phase)}/${item.name}`;
      objects.push({ object, order: { layer: item.layer, item: item.name, phase }, dir, file: fileNameOf(object) });
    }
  }
  return { objects, units: fluxStages(items).map((s) => s.dir) };
}
