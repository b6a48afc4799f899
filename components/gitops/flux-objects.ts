/**
 * Pure builders of the Flux objects (source documents 001 and 004): the GitRepository,
 * the root Kustomization over the emit root, one Kustomization per item and phase (the
 * onedr0p cluster-template `ks.yaml` pattern), and a chart source + HelmRelease per addon.
 *
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 */
import type { GitSourceConfig } from "../../config/types";
import { DEFAULT_TIMEOUT, type Addon, type JsonValue, type KubeObject } from "./delivery";
import { repoPath } from "./placement";

/** Namespace of the Flux controllers and of every Flux object the program creates. */
export const FLUX_NAMESPACE = "flux-system";
/** Name of the GitRepository every Kustomization syncs from. */
export const FLUX_SOURCE_NAME = "platform";
/** Name of the root Kustomization (and of the Argo CD root Application). */
export const ROOT_UNIT_NAME = "platform-root";
/** Name of the Secret with the age key; Flux's documented convention (source document 004). */
export const SOPS_SECRET_NAME = "sops-age";
/** Key of the age private key inside {@link SOPS_SECRET_NAME}. */
export const SOPS_SECRET_KEY = "age.agekey";
/** Name of the Secret with the PGP public keys commits must be signed with (`git.verify`). */
export const GIT_VERIFY_SECRET_NAME = "platform-git-signers";
/** Name of the Secret with the git credentials. */
export const GIT_AUTH_SECRET_NAME = "platform-git-auth";
/** Reconcile interval (source document 004: "automatic reconciliation every 10 minutes"). */
export const FLUX_INTERVAL = "10m";
/** Label naming the item a unit delivers (`kubectl get ks -l platform.io/item`). */
export const ITEM_LABEL = "platform.io/item";
/** Label naming the layer of a unit. */
export const LAYER_LABEL = "platform.io/layer";

/** Remediation retries of a HelmRelease install and upgrade. */
export const HELM_REMEDIATION_RETRIES = 3;

/** A Go duration in seconds (`1h30m` -> 5400); the input matches {@link DURATION}. */
export function durationSeconds(duration: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, u] of duration.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) total += Number(n) * unit[u];
  return total;
}

/**
 * The timeout of the unit of an addon: long enough for helm-controller to use every retry.
 * A HelmRelease's `timeout` bounds each Helm action, and a failed install or upgrade is
 * remediated (uninstalled or rolled back, another action) and retried up to `retries` times
 * (helm-controller docs/spec/v2/helmreleases.md, `.spec.install.remediation.retries` and
 * `.spec.upgrade.remediation.retries`: "the number of retries that should be attempted on
 * failures before bailing"), so the release may take (2 x retries + 1) actions before it is Ready or
 * failed. A unit timing out first reports the item failed while the release still recovers,
 * and holds its dependents back for another retry interval.
 */
export function addonUnitTimeout(timeout: string): string {
  const seconds = Math.ceil(durationSeconds(timeout) * (2 * HELM_REMEDIATION_RETRIES + 1));
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** The pinned upstream install manifest of a Flux release. */
export function fluxInstallUrl(version: string): string {
  const bare = version.replace(/^v/, "");
  if (!/^\d+\.\d+\.\d+$/.test(bare)) throw new Error(`versions.flux: "${version}" must be an exact Flux version such as 2.7.5`);
  return `https://github.com/fluxcd/flux2/releases/download/v${bare}/install.yaml`;
}

/**
 * The GitRepository the Kustomizations sync from (emit mode only). With `git.verify` the
 * source-controller verifies the PGP signature of the commit (and/or tag) against the keys
 * in {@link GIT_VERIFY_SECRET_NAME} and refuses an unsigned or foreign one, so only what a
 * trusted signer pushed reaches the cluster (source-controller docs/spec/v1/gitrepositories.md,
 * "Verification").
 */
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
      ...(git.verify ? { verify: { mode: git.verify.mode, secretRef: { name: GIT_VERIFY_SECRET_NAME } } } : {}),
    },
  };
}

/** A Flux path (`./a/b`) for a directory under the configured git path. */
export function fluxPath(gitPath: string, dir: string): string {
  return `./${repoPath(gitPath, dir)}`;
}

/** What one Flux unit delivers. */
export interface FluxUnitSpec {
  /** Kustomization name: the item, or `<item>-<phase>` for a later phase. */
  readonly name: string;
  readonly item: string;
  readonly layer: string;
  /** Directory relative to the emit root. */
  readonly dir: string;
  readonly dependsOn: readonly string[];
  /** How long kustomize-controller waits for the unit's objects to be ready. @default DEFAULT_TIMEOUT (5m) */
  readonly timeout?: string;
  /** Recreate objects whose immutable fields changed (migration Jobs). */
  readonly force: boolean;
  /**
   * The ServiceAccount (in `flux-system`) kustomize-controller impersonates for this unit
   * (flux-tenancy.ts); none for the platform's own units, which run as the controller.
   * @default the controller's own account
   */
  readonly serviceAccountName?: string;
}

/**
 * The Kustomization of one item phase: `wait: true` health-checks every object it applied
 * (and makes `healthChecks` redundant: "If set to true, .spec.healthChecks is ignored"),
 * so a dependent unit's `dependsOn` waits for a healthy item, not an applied one.
 */
export function fluxUnit(
  unit: FluxUnitSpec,
  gitPath: string,
  opts: { readonly sops: boolean; readonly released: boolean; readonly deletesRelease?: boolean },
): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: unit.name, namespace: FLUX_NAMESPACE, labels: { [LAYER_LABEL]: unit.layer, [ITEM_LABEL]: unit.item } },
    spec: {
      interval: FLUX_INTERVAL,
      retryInterval: "1m",
      timeout: unit.timeout ?? DEFAULT_TIMEOUT,
      path: fluxPath(gitPath, unit.dir),
      ...releasedPrune(opts.released, opts.deletesRelease ?? false),
      wait: true,
      ...(unit.force ? { force: true } : {}),
      ...(unit.serviceAccountName ? { serviceAccountName: unit.serviceAccountName } : {}),
      sourceRef: { kind: "GitRepository", name: FLUX_SOURCE_NAME },
      ...(unit.dependsOn.length > 0 ? { dependsOn: unit.dependsOn.map((name) => ({ name })) } : {}),
      ...(opts.sops ? { decryption: { provider: "sops", secretRef: { name: SOPS_SECRET_NAME } } } : {}),
    },
  };
}

/**
 * Garbage collection of a unit: on normally; off and orphaning on delete when released. An
 * addon's released unit in a handover that leaves Flux deletes its objects instead, its
 * suspended HelmRelease and chart source, and waits for them to go (`WaitForTermination`,
 * "Deletion policy" in kustomize-controller docs/spec/v1/kustomizations.md): helm-controller
 * skips the uninstall of a suspended HelmRelease and only drops its finalizer (handover.ts),
 * so no suspended HelmRelease outlives Flux and the release stays installed.
 */
function releasedPrune(released: boolean, deletesRelease: boolean): Record<string, boolean | string> {
  if (!released) return { prune: true };
  return { prune: false, deletionPolicy: deletesRelease ? "WaitForTermination" : "Orphan" };
}

/**
 * The root Kustomization over the emit root (created by Pulumi in emit mode): it applies
 * the per-item Kustomizations. It prunes a unit removed from git (and so that item's
 * objects, stateful ones excepted: delivery.ts `keptOnRemoval`) but never garbage-collects
 * the tree when it is itself deleted (`deletionPolicy: Orphan`), and it does not wait, so
 * one failing item does not mark the root failed.
 *
 * Released (handover step 1) it stops pruning and, when step 2 deletes it, deletes the
 * released unit Kustomizations before it goes (`WaitForTermination`: "Ensure the managed
 * resources are deleted and wait for termination before the Kustomization is deleted",
 * kustomize-controller docs/spec/v1/kustomizations.md, "Deletion policy"), so no unit keeps
 * re-applying the old tree; each released unit orphans its objects (`Orphan`), which the
 * next owner adopts.
 */
export function fluxRootKustomization(gitPath: string, released: boolean): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: ROOT_UNIT_NAME, namespace: FLUX_NAMESPACE },
    spec: {
      interval: FLUX_INTERVAL,
      retryInterval: "1m",
      timeout: DEFAULT_TIMEOUT,
      path: fluxPath(gitPath, ""),
      prune: !released,
      deletionPolicy: released ? "WaitForTermination" : "Orphan",
      wait: false,
      sourceRef: { kind: "GitRepository", name: FLUX_SOURCE_NAME },
    },
  };
}

/**
 * The chart source of an addon. OCI charts use an OCIRepository (`chartRef`), which the
 * source-controller docs recommend over a HelmRepository of type `oci` ("For improved
 * support for OCI Helm charts, please use the OCIRepository API", fluxcd/source-controller
 * PR 1893, shipped with Flux 2.7), with the Helm chart layer selected as the onedr0p
 * cluster-template does; https repositories use a HelmRepository.
 */
export function fluxChartSource(addon: Addon): KubeObject {
  if (addon.repository.startsWith("oci://")) {
    return {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: addon.name, namespace: FLUX_NAMESPACE },
      spec: {
        interval: FLUX_INTERVAL,
        url: `${addon.repository.replace(/\/+$/, "")}/${addon.chart}`,
        ref: { tag: addon.version },
        layerSelector: { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", operation: "copy" },
      },
    };
  }
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name: addon.name, namespace: FLUX_NAMESPACE },
    spec: { interval: FLUX_INTERVAL, url: addon.repository },
  };
}

/**
 * The HelmRelease of an addon: pinned chart, values, values from Secrets (`valuesFrom`,
 * kind Secret, in the HelmRelease's namespace `flux-system`), CRD policy, remediation, the
 * item timeout, and drift detection that leaves `ignoreDifferences` alone
 * (`driftDetection.ignore[].paths/target`). Suspended when released, so deleting it keeps
 * the Helm release installed.
 */
export function fluxHelmRelease(addon: Addon, released: boolean): KubeObject {
  const crds = addon.includeCrds ? "CreateReplace" : "Skip";
  const spec: Record<string, JsonValue> = {
    interval: FLUX_INTERVAL,
    timeout: addon.timeout ?? DEFAULT_TIMEOUT,
    releaseName: addon.name,
    targetNamespace: addon.namespace,
  };
  if (addon.repository.startsWith("oci://")) {
    spec.chartRef = { kind: "OCIRepository", name: addon.name, namespace: FLUX_NAMESPACE };
  } else {
    spec.chart = {
      spec: { chart: addon.chart, version: addon.version, sourceRef: { kind: "HelmRepository", name: addon.name, namespace: FLUX_NAMESPACE } },
    };
  }
  spec.install = { createNamespace: true, crds: addon.includeCrds ? "Create" : "Skip", remediation: { retries: HELM_REMEDIATION_RETRIES } };
  spec.upgrade = { crds, remediation: { retries: HELM_REMEDIATION_RETRIES, remediateLastFailure: true } };
  // Drift detection ignores JSON pointers only; jq expressions are Argo CD's (delivery.ts).
  const ignore = (addon.ignoreDifferences ?? []).filter((d) => d.jsonPointers.length > 0).map((d) => {
    const target: Record<string, string> = {};
    if (d.group) target.group = d.group;
    target.kind = d.kind;
    if (d.name) target.name = d.name;
    if (d.namespace) target.namespace = d.namespace;
    return { paths: [...d.jsonPointers], target };
  });
  if (ignore.length > 0) spec.driftDetection = { mode: "enabled", ignore };
  // Written both ways, never omitted: every writer applies with server-side apply, and a
  // field another manager set stays when an apply omits it ("A field is removed only if no
  // other manager owns it", Kubernetes docs, Server-Side Apply). A HelmRelease suspended by
  // step 1 of a handover (one manager) is resumed only by the next manager writing `false`;
  // kustomize-controller applies with ForceOwnership (fluxcd/pkg ssa/manager_apply.go), Argo
  // CD with --force-conflicts (sync-options.md), Pulumi with patch force (operating guide).
  spec.suspend = released;
  const valuesFrom = addon.valuesFrom ?? [];
  if (valuesFrom.length > 0) {
    spec.valuesFrom = valuesFrom.map((v) => ({ kind: "Secret", name: v.secretName, valuesKey: v.key, targetPath: v.targetPath }));
  }
  spec.values = addon.values ?? {};
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: addon.name, namespace: FLUX_NAMESPACE, labels: { [ITEM_LABEL]: addon.name } },
    spec,
  };
}
