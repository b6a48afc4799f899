/**
 * The engine-neutral delivery model (ARCHITECTURE.md decision 3): platform services and
 * apps are described once, as addons (third-party charts) and bundles (the program's own
 * objects), placed in ordered layers. Flux and Argo CD translate the same description.
 *
 * Everything here is plain data and pure functions: an emitted file must be reproducible
 * byte for byte, so nothing in an item may be a `pulumi.Output` (and so no secret can
 * reach a file or a Helm values block; secrets travel as {@link LiveSecret}s).
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * The delivery layers. Order: infrastructure controllers -> infrastructure configs ->
 * apps; monitoring is independent (source document 004, "Deployment Order").
 */
export type Layer = "infrastructure-controllers" | "infrastructure-configs" | "apps" | "monitoring";

/** Every layer, in a fixed order (used for directory listings and names). */
export const LAYERS: readonly Layer[] = ["infrastructure-controllers", "infrastructure-configs", "apps", "monitoring"];

/**
 * The order of objects inside one item: infrastructure and databases first, then
 * migration Jobs, then the workloads (source document 000, "ArgoCD Sync Waves").
 */
export type Phase = "base" | "migrations" | "workloads";

/** Phases in order; the index is the phase's rank. */
export const PHASES: readonly Phase[] = ["base", "migrations", "workloads"];

/** A JSON value: what a Helm values block or a manifest may contain. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A Kubernetes object as plain data. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    /** The object's namespace. @default none (cluster-scoped, or the unit's namespace) */
    readonly namespace?: string;
    /** @default none */
    readonly labels?: Readonly<Record<string, string>>;
    /** @default none */
    readonly annotations?: Readonly<Record<string, string>>;
    /** Engine units only (an Argo CD Application's resources finalizer). @default none */
    readonly finalizers?: readonly string[];
  };
  readonly [field: string]: JsonValue | KubeObject["metadata"] | undefined;
}

/** What every delivered unit (addon or bundle) has. */
export interface ItemCommon {
  /** Item name (DNS label); unique among the cluster's items. */
  readonly name: string;
  readonly layer: Layer;
  /** Namespace of the item (an addon's release namespace; a bundle's default namespace). */
  readonly namespace: string;
  /**
   * Items on the same cluster (by name) that must be ready before this one, beyond the
   * layer order: the CRD-providing controller before its custom resources, the database
   * before the app, the monitoring CRDs before any scrape object.
   * @default none
   */
  readonly dependsOn?: readonly string[];
  /**
   * How long the engine waits for the item to become healthy before it counts as failed.
   * @default "5m"
   */
  readonly timeout?: string;
}

/** A field an engine must not fight a controller over (a webhook's injected `caBundle`). */
export interface IgnoredDifference {
  readonly group: string;
  readonly kind: string;
  /** Only the object of this name. @default every object of the kind */
  readonly name?: string;
  /** Only objects in this namespace. @default every namespace */
  readonly namespace?: string;
  /** RFC 6901 JSON pointers, e.g. `/webhooks/0/clientConfig/caBundle`; empty when `jqPathExpressions` names the fields. */
  readonly jsonPointers: readonly string[];
  /**
   * Argo CD jq path expressions, e.g. `.webhooks[]?.clientConfig.caBundle`, for fields a
   * pointer cannot name (every element of a list). Argo CD only: Flux renders charts with
   * Helm itself, whose `lookup` sees the cluster, so what Argo CD re-renders on every sync
   * stays put under Flux (docs/user-guide/diffing.md, "Application Level Configuration").
   * @default none
   */
  readonly jqPathExpressions?: readonly string[];
}

/**
 * A Helm value taken from a Secret the program applies live (or an operator creates),
 * so no secret is ever a literal value. Prefer a chart's own `existingSecret` option, which
 * works on both engines.
 */
export interface ValueFromSecret {
  /**
   * The Secret, in the namespace of the engine's HelmRelease: `flux-system` ("in the same
   * namespace as the HelmRelease", helm-controller `valuesFrom` docs). Flux only: Argo CD
   * rejects `valuesFrom` (argocd-placement.ts).
   */
  readonly secretName: string;
  readonly key: string;
  /** Dotted Helm values path the value is written to, e.g. `auth.password`. */
  readonly targetPath: string;
}

/** A third-party Helm chart, pinned. */
export interface Addon extends ItemCommon {
  readonly kind: "addon";
  /** Chart repository: `https://...` or `oci://...` (OCI: the repository without the chart name). */
  readonly repository: string;
  readonly chart: string;
  /** Exact chart version; ranges and `latest` are rejected (ARCHITECTURE.md decision 9). */
  readonly version: string;
  /** Helm values; plain data only, never a secret. @default the chart's own */
  readonly values?: { readonly [key: string]: JsonValue };
  /**
   * Values read from Secrets at install time.
   * @default none
   */
  readonly valuesFrom?: readonly ValueFromSecret[];
  /** Whether the chart's CRDs are installed and upgraded with it. */
  readonly includeCrds: boolean;
  /**
   * Fields the engine leaves alone.
   * @default none
   */
  readonly ignoreDifferences?: readonly IgnoredDifference[];
}

/** The program's own Kubernetes objects. */
export interface Bundle extends ItemCommon {
  readonly kind: "bundle";
  /** The objects; a `Secret` is rejected (use a {@link LiveSecret} or an operator). */
  readonly objects: readonly KubeObject[];
}

/**
 * Kept by both engines when the object leaves git and when its unit is deleted, so
 * removing a stateful object from the program never deletes its data. Argo CD: `Prune=false`
 * stops a sync from pruning it, `Delete=false` stops the resources finalizer from deleting
 * it with its Application ("No Resource Deletion", docs/user-guide/sync-options.md). Flux:
 * the annotation skips the object in garbage collection, which also runs when a
 * Kustomization is deleted (kustomize-controller docs/spec/v1/kustomizations.md, "Prune":
 * "protect sensitive resources such as Namespaces, PVCs and PVs").
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#no-resource-deletion
 */
export const KEEP_ON_PRUNE: Readonly<Record<string, string>> = {
  "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
  "kustomize.toolkit.fluxcd.io/prune": "disabled",
};

/** Kinds whose deletion loses data or cascades: retained by Pulumi and kept by the engines. */
export const RETAINED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "PersistentVolumeClaim",
  "PersistentVolume",
]);

/**
 * Whether deleting the object would lose data: a retained kind, or a CloudNativePG `Cluster`
 * (its PVCs are owned by it and garbage-collected with it; cloudnative-pg docs "Storage") or
 * `Database` (kept in PostgreSQL by its default `databaseReclaimPolicy: retain`, but kept as
 * an object too so removing an app never reaches the database).
 */
export function isRetained(object: Pick<KubeObject, "apiVersion" | "kind">): boolean {
  return RETAINED_KINDS.has(object.kind) || (["Cluster", "Database"].includes(object.kind) && object.apiVersion.startsWith("postgresql.cnpg.io/"));
}

/**
 * The object with {@link KEEP_ON_PRUNE} when it is stateful ({@link isRetained}); other Argo
 * CD sync options it carries are kept. Every engine placement passes its objects through this.
 */
export function keptOnRemoval(object: KubeObject): KubeObject {
  if (!isRetained(object)) return object;
  const argo = "argocd.argoproj.io/sync-options";
  const existing = (object.metadata.annotations?.[argo] ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "" && !/^(Prune|Delete)=/.test(o));
  const annotations = { ...(object.metadata.annotations ?? {}), ...KEEP_ON_PRUNE, [argo]: [...existing, KEEP_ON_PRUNE[argo]].join(",") };
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** Anything an engine delivers. */
export type DeliveryItem = Addon | Bundle;

/**
 * A Secret applied live through the cluster provider, never emitted or rendered
 * (ARCHITECTURE.md decision 5).
 */
export interface LiveSecret {
  readonly name: string;
  readonly namespace: string;
  /**
   * The Secret's type: the kubelet only reads image pull secrets of type
   * `kubernetes.io/dockerconfigjson` (key `.dockerconfigjson`); CloudNativePG reads role
   * passwords from `kubernetes.io/basic-auth` Secrets (`username`, `password`).
   * @default "Opaque"
   */
  readonly type?: "Opaque" | "kubernetes.io/dockerconfigjson" | "kubernetes.io/basic-auth";
  readonly stringData: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Kinds that are cluster-scoped and so never get a namespace. Anything else is treated as
 * namespaced.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "PriorityClass",
  "PersistentVolume",
  "IngressClass",
  "GatewayClass",
  "ClusterIssuer",
  "ClusterSecretStore",
  "ClusterExternalSecret",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "APIService",
  "CiliumLoadBalancerIPPool",
  "CiliumClusterwideNetworkPolicy",
  "VolumeSnapshotClass",
  "RuntimeClass",
]);

/**
 * Annotation that sets an object's phase explicitly, for objects whose kind says too little
 * (a database StatefulSet belongs to `base`; a one-off Job that is no migration to `workloads`).
 */
export const PHASE_ANNOTATION = "platform.io/phase";

/**
 * The phase of an object: the {@link PHASE_ANNOTATION} when set; otherwise Jobs are
 * migrations and controllers of pods are workloads.
 */
export function phaseOf(object: KubeObject): Phase {
  const explicit = object.metadata.annotations?.[PHASE_ANNOTATION];
  if (explicit !== undefined) {
    if (!(PHASES as readonly string[]).includes(explicit)) {
      throw new Error(`${object.kind}/${object.metadata.name}: annotation ${PHASE_ANNOTATION}="${explicit}" must be one of ${PHASES.join(", ")}`);
    }
    return explicit as Phase;
  }
  if (object.kind === "Job") return "migrations";
  if (["Deployment", "StatefulSet", "DaemonSet", "CronJob"].includes(object.kind)) return "workloads";
  return "base";
}

/** Rank of a phase (base 0, migrations 1, workloads 2). */
export function phaseRank(phase: Phase): number {
  return PHASES.indexOf(phase);
}

/** Where an object sits in the engine-neutral order. */
export interface OrderKey {
  readonly layer: Layer;
  /** The item (addon or bundle) the object belongs to. */
  readonly item: string;
  readonly phase: Phase;
}

/**
 * The engine-neutral order: whether `a` must be in place before `b` is applied, given the
 * items `b`'s item waits for (directly or transitively, graph.ts `transitivePrerequisites`).
 * Phases order the objects of one item.
 */
export function mustPrecede(a: OrderKey, b: OrderKey, prerequisitesOfB: ReadonlySet<string>): boolean {
  if (a.item !== b.item) return prerequisitesOfB.has(a.item);
  return phaseRank(a.phase) < phaseRank(b.phase);
}

/** The object with `metadata.namespace` set from the bundle when it is namespaced and unset. */
export function withNamespace(object: KubeObject, namespace: string): KubeObject {
  if (CLUSTER_SCOPED_KINDS.has(object.kind) || object.metadata.namespace !== undefined) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/**
 * Names an item may not take: the phase directories of an item, and the names of the
 * root units the engines create over the emit root.
 */
const RESERVED_ITEM_NAMES = new Set(["migrations", "workloads", "app", "platform-root"]);

/**
 * A Go duration as Flux's CRDs accept it (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`, the
 * `timeout` pattern of the Kustomization and HelmRelease CRDs).
 */
export const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/** The default of {@link ItemCommon.timeout}. */
export const DEFAULT_TIMEOUT = "5m";

/** True when `value` (or something inside it) is not plain JSON data, e.g. a pulumi Output. */
function findNonJson(value: unknown, path: string): string | undefined {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNonJson(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (child === undefined) continue;
      const found = findNonJson(child, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}

function isPinned(version: string): boolean {
  return /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version);
}

/**
 * Validates a cluster's items before anything is built; each error names the item, the
 * field, the bad value and what is expected.
 */
export function validateItems(
  items: readonly DeliveryItem[],
  options: {
    /**
     * Whether every `dependsOn` must name an item of `items`: true for a cluster's whole set
     * (the engines), false for one service's or app's items checked on their own.
     * @default true
     */
    readonly complete?: boolean;
  } = {},
): void {
  const names = new Set<string>();
  const objectIds = new Set<string>();
  for (const item of items) {
    const where = `${item.kind} "${item.name}"`;
    if (!DNS_LABEL.test(item.name)) throw new Error(`${where}: name must be a DNS label (lower-case letters, digits, "-")`);
    if (RESERVED_ITEM_NAMES.has(item.name)) {
      throw new Error(`${where}: name is reserved (${[...RESERVED_ITEM_NAMES].join(", ")} name phase directories and root units)`);
    }
    if (names.has(item.name)) throw new Error(`${where}: duplicate item name; names are unique per cluster`);
    names.add(item.name);
    if (!LAYERS.includes(item.layer)) throw new Error(`${where}: layer "${String(item.layer)}" is not one of ${LAYERS.join(", ")}`);
    if (!DNS_LABEL.test(item.namespace)) throw new Error(`${where}: namespace "${item.namespace}" must be a DNS label`);
    if (item.timeout !== undefined && !DURATION.test(item.timeout)) {
      throw new Error(`${where}: timeout "${item.timeout}" must be a duration such as 5m, 90s or 1h30m`);
    }
    if (item.kind === "addon") {
      if (!/^(https:\/\/|oci:\/\/)\S+$/.test(item.repository)) {
        throw new Error(`${where}: repository "${item.repository}" must start with https:// or oci://`);
      }
      if (!isPinned(item.version)) {
        throw new Error(`${where}: version "${item.version}" must be an exact chart version such as 1.2.3, not a range or "latest"`);
      }
      const bad = findNonJson(item.values ?? {}, "values");
      if (bad) throw new Error(`${where}: ${bad} is not plain data; Helm values never hold Outputs or secrets`);
      validateAddonExtras(item, where);
    } else {
      for (const object of item.objects) {
        const id = `${object.kind}/${object.metadata?.name}`;
        if (!object.apiVersion || !object.kind || !object.metadata?.name) {
          throw new Error(`${where}: every object needs apiVersion, kind and metadata.name (got ${id})`);
        }
        if (object.kind === "Secret") {
          throw new Error(
            `${where}: object ${id} is a Secret; Secrets are never emitted or delivered through git. Pass it as a LiveSecret or reference it through an operator`,
          );
        }
        const bad = findNonJson(object, id);
        if (bad) throw new Error(`${where}: ${bad} is not plain data; delivered objects never hold Outputs or secrets`);
        const placed = withNamespace(object, item.namespace);
        const key = `${object.apiVersion.split("/").slice(0, -1).join("/")}|${object.kind}|${placed.metadata.namespace ?? ""}|${object.metadata.name}`;
        if (objectIds.has(key)) throw new Error(`${where}: object ${id} is delivered twice on this cluster`);
        objectIds.add(key);
      }
    }
  }
  for (const item of items) {
    for (const dep of item.dependsOn ?? []) {
      const where = `${item.kind} "${item.name}"`;
      if (dep === item.name) throw new Error(`${where}: dependsOn names the item itself`);
      if (options.complete !== false && !names.has(dep)) {
        throw new Error(`${where}: dependsOn "${dep}" is not an item on this cluster (items: ${[...names].sort().join(", ")})`);
      }
    }
  }
}

const JSON_POINTER = /^(\/([^~/]|~[01])*)+$/;
const HELM_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Checks an addon's `valuesFrom` and `ignoreDifferences`. */
function validateAddonExtras(addon: Addon, where: string): void {
  const targets = new Set<string>();
  for (const ref of addon.valuesFrom ?? []) {
    if (!/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/.test(ref.secretName)) {
      throw new Error(`${where}: valuesFrom secretName "${ref.secretName}" must be a Secret name (DNS subdomain)`);
    }
    if (!ref.key) throw new Error(`${where}: valuesFrom "${ref.secretName}" needs the key of the value inside the Secret`);
    if (!HELM_PATH.test(ref.targetPath)) {
      throw new Error(`${where}: valuesFrom targetPath "${ref.targetPath}" must be a dotted Helm values path such as auth.password`);
    }
    if (targets.has(ref.targetPath)) throw new Error(`${where}: valuesFrom targetPath "${ref.targetPath}" is given twice`);
    targets.add(ref.targetPath);
  }
  for (const diff of addon.ignoreDifferences ?? []) {
    if (!diff.kind) throw new Error(`${where}: every ignoreDifferences entry needs a kind`);
    if (diff.jsonPointers.length === 0 && (diff.jqPathExpressions ?? []).length === 0) {
      throw new Error(`${where}: ignoreDifferences ${diff.kind} needs at least one JSON pointer or jq path expression`);
    }
    for (const pointer of diff.jsonPointers) {
      if (!JSON_POINTER.test(pointer)) {
        throw new Error(`${where}: ignoreDifferences ${diff.kind} pointer "${pointer}" must be an RFC 6901 JSON pointer such as /webhooks/0/clientConfig/caBundle`);
      }
    }
  }
}
