/**
 * Deploy mode: the placed objects applied by Pulumi through the cluster's live provider,
 * in the order of the item graph (ARCHITECTURE.md decision 4), and the live Secrets.
 */
import { BUILT_IN_NAMESPACES, podSecurityLabels } from "../../lib/namespaces";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isRetained, PHASES, type DeliveryItem, type KubeObject, type LiveSecret } from "./delivery";
import { itemPrerequisites, orderItems } from "./graph";
import { annotate, type PlacedObject } from "./placement";

/**
 * Any Kubernetes object as a Pulumi resource, typed by its apiVersion and kind exactly as
 * the provider's own classes are (`kubernetes:<group|core>/<version>:<Kind>`).
 */
export class KubeObjectResource extends pulumi.CustomResource {
  constructor(name: string, object: KubeObject, opts?: pulumi.CustomResourceOptions) {
    super(kubeTypeToken(object), name, { ...object }, opts);
  }
}

/** The Pulumi type token of an object. */
export function kubeTypeToken(object: Pick<KubeObject, "apiVersion" | "kind">): string {
  const parts = object.apiVersion.split("/");
  const groupVersion = parts.length === 1 ? `core/${parts[0]}` : object.apiVersion;
  return `kubernetes:${groupVersion}:${object.kind}`;
}

/**
 * How Pulumi knows an engine CR is done, so that objects after it wait for the chart
 * rather than for the CR's creation (`pulumi.com/waitFor`, pulumi-kubernetes 4.18+;
 * https://github.com/pulumi/pulumi-kubernetes/issues/1260). Only set in deploy mode.
 */
export function waitForAnnotation(object: KubeObject): Record<string, string> {
  if (object.kind === "HelmRelease") return { "pulumi.com/waitFor": "condition=Ready" };
  if (object.kind === "Application") {
    // Healthy alone is stale: right after an update the Application still reports the
    // previous revision's health, and dependants would go ahead. It must also be Synced to
    // the revision asked for (a Helm source reports the chart version as its sync revision).
    // A JSON list of expressions waits for all of them (pulumi-kubernetes issue 3521).
    const revision = (object.spec as { source?: { targetRevision?: string } } | undefined)?.source?.targetRevision;
    const all = ["jsonpath={.status.health.status}=Healthy", "jsonpath={.status.sync.status}=Synced"];
    if (revision) all.push(`jsonpath={.status.sync.revision}=${revision}`);
    return { "pulumi.com/waitFor": JSON.stringify(all) };
  }
  return {};
}

/** The child name of a delivered object: `<prefix>-<item>-<kind>-<namespace?>-<name>`. */
export function deliveredName(prefix: string, placed: PlacedObject): string {
  const { kind, metadata } = placed.object;
  const ns = metadata.namespace ? `${metadata.namespace}-` : "";
  return `${prefix}-${placed.order.item}-${kind.toLowerCase()}-${ns}${metadata.name}`;
}

/** How {@link applyPlaced} applies a cluster's objects. */
export interface ApplyOptions {
  readonly parent: pulumi.Resource;
  readonly provider: k8s.Provider;
  /** What every object waits for (the engine install, the projects). */
  readonly dependsOn: readonly pulumi.Resource[];
  /** The cluster's items: their graph orders the objects, their timeouts bound the waits. */
  readonly items: readonly DeliveryItem[];
  /** Handover step 1: every object is retained when Pulumi later stops managing it. */
  readonly released: boolean;
  /**
   * Handover step 1 gives up the engine: the engine's own units (HelmReleases and their chart
   * sources, addon Applications) are not retained, so step 2 deletes them, released (see
   * handover.ts); bundle objects stay retained for the next owner.
   * @default false
   */
  readonly leaving?: boolean;
  /**
   * The engine's controllers (the objects of its install): every object depends on each of
   * them directly, so a deletion of the engine's units in step 2 runs, and waits for their
   * finalizers, before Pulumi deletes the controllers. A dependency on the install component
   * alone does not order them: a multi-language component's children are not dependencies
   * of what depends on it (pulumi/pulumi#9665).
   * @default none
   */
  readonly controllers?: pulumi.Input<pulumi.Resource[]>;
  /**
   * URNs of components whose children these objects may have been before (the other
   * engine's component of the same name): a deploy-mode engine switch then keeps the
   * Pulumi identity of every bundle object instead of deleting and recreating it.
   * @default none
   */
  readonly aliasParents?: readonly pulumi.Input<string>[];
}

/**
 * Applies placed objects item by item: an item's objects wait for every object of the
 * items it depends on (graph.ts) and, inside the item, for the phase before theirs. A
 * Namespace, CRD or PVC is retained on delete (ARCHITECTURE.md decision 8): dropping it
 * from the program must not delete the data in it. Returns each object's resource.
 */
export function applyPlaced(prefix: string, objects: readonly PlacedObject[], opts: ApplyOptions): Map<PlacedObject, pulumi.Resource> {
  const prerequisites = itemPrerequisites(opts.items);
  const byItem = new Map<string, pulumi.Resource[]>();
  const created = new Map<PlacedObject, pulumi.Resource>();
  // The Namespaces applied so far, by name: an object in one waits for it. Objects of one
  // phase are otherwise applied in parallel, and the API server refuses a namespaced object
  // whose Namespace does not exist yet (the provider retries only for about a minute).
  const namespaces = new Map<string, pulumi.Resource>();
  const apply = (placed: PlacedObject, dependsOn: readonly pulumi.Resource[], timeouts: pulumi.CustomResourceOptions): pulumi.Resource => {
    const name = deliveredName(prefix, placed);
    const type = kubeTypeToken(placed.object);
    const ns = placed.object.metadata.namespace;
    const own = ns !== undefined ? namespaces.get(ns) : undefined;
    const resource = new KubeObjectResource(name, annotate(placed.object, waitForAnnotation(placed.object)), {
      parent: opts.parent,
      provider: opts.provider,
      dependsOn: [...opts.dependsOn, ...dependsOn, ...(own ? [own] : []), ...controllersOf(opts)],
      ...timeouts,
      ...(isRetained(placed.object) || (opts.released && !(opts.leaving && isEngineUnit(placed.object))) ? { retainOnDelete: true } : {}),
      ...namespaceAliases(prefix, placed.object, name, type, opts.parent, opts.aliasParents ?? []),
    });
    if (placed.object.kind === "Namespace") namespaces.set(placed.object.metadata.name, resource);
    return resource;
  };
  for (const item of orderItems(opts.items)) {
    let previous: pulumi.Resource[] = (prerequisites.get(item.name) ?? []).flatMap((d) => byItem.get(d) ?? []);
    const all: pulumi.Resource[] = [];
    const timeouts = item.timeout ? { customTimeouts: { create: item.timeout, update: item.timeout } } : {};
    for (const phase of PHASES) {
      const here = objects.filter((o) => o.order.item === item.name && o.order.phase === phase);
      if (here.length === 0) continue;
      // Namespaces first, so that the objects of the same phase in them can wait for them.
      const isNamespace = (p: PlacedObject) => p.object.kind === "Namespace";
      for (const placed of [...here.filter(isNamespace), ...here.filter((p) => !isNamespace(p))]) {
        created.set(placed, apply(placed, previous, timeouts));
      }
      const resources = here.map((placed) => created.get(placed)!);
      all.push(...resources);
      previous = resources;
    }
    byItem.set(item.name, all);
  }
  return created;
}

/**
 * A Flux HelmRelease or chart source, or an Argo CD Application: a unit of the engine itself,
 * which a handover leaving the engine deletes in step 2 (released, so the deletion keeps
 * what it applied).
 */
export function isEngineUnit(object: KubeObject): boolean {
  const group = object.apiVersion.split("/")[0];
  return group.endsWith(".toolkit.fluxcd.io") || (group === "argoproj.io" && object.kind === "Application");
}

/**
 * `dependsOn` accepts an Output of a resource list as an element at run time (the SDK's
 * `gatherExplicitDependencies` recurses into Outputs and arrays; an unknown Output in a
 * preview adds nothing), though its type names single resources.
 */
function controllersOf(opts: ApplyOptions): pulumi.Input<pulumi.Resource>[] {
  return opts.controllers === undefined ? [] : [opts.controllers as unknown as pulumi.Input<pulumi.Resource>];
}

/**
 * Former identities of an object: under the other engine's component (an engine switch),
 * and, for a Namespace, the name the live-Secret applier gave it before charts' namespaces
 * became items of their own (`<prefix>-ns-<namespace>`), so that change adopts it.
 */
function namespaceAliases(
  prefix: string,
  object: KubeObject,
  name: string,
  type: string,
  parent: pulumi.Resource,
  aliasParents: readonly pulumi.Input<string>[],
): { aliases?: pulumi.Input<string>[] } {
  const aliases: pulumi.Input<string>[] = aliasParents.map((p) => pulumi.createUrn(name, type, p));
  if (object.kind === "Namespace") {
    const former = `${prefix}-ns-${object.metadata.name}`;
    aliases.push(pulumi.createUrn(former, type, parent), ...aliasParents.map((p) => pulumi.createUrn(former, type, p)));
  }
  return aliases.length ? { aliases } : {};
}

/** Where and how a live Secret is applied. */
export interface LiveSecretOpts {
  readonly parent: pulumi.Resource;
  readonly provider: k8s.Provider;
  readonly dependsOn: readonly pulumi.Resource[];
  /** Former URNs of the Secret (an engine switch). @default none */
  readonly aliases?: readonly pulumi.Input<string>[];
}

/**
 * One Secret applied live through the cluster provider, its whole data map wrapped
 * secret: the single way the gitops layer writes a Secret (engine credentials included).
 */
export function liveSecret(
  resourceName: string,
  metadata: { readonly name: string; readonly namespace: string; readonly labels?: Record<string, string> },
  stringData: pulumi.Input<Record<string, pulumi.Input<string>>>,
  opts: LiveSecretOpts,
  type = "Opaque",
): pulumi.CustomResource {
  return new LiveSecretResource(
    resourceName,
    { apiVersion: "v1", kind: "Secret", metadata: { ...metadata }, type, stringData: secretValues(stringData) },
    { parent: opts.parent, provider: opts.provider, dependsOn: [...opts.dependsOn], ...(opts.aliases ? { aliases: [...opts.aliases] } : {}) },
  );
}

/**
 * Every value secret, each on its own: a plan or diff then shows which keys a Secret carries
 * (`uri: [secret]`) without showing any value. A map that is itself an Output (its keys
 * unknown until it resolves) is made secret as a whole.
 */
export function secretValues(
  stringData: pulumi.Input<Record<string, pulumi.Input<string>>>,
): pulumi.Input<Record<string, pulumi.Input<string>>> {
  if (pulumi.Output.isInstance(stringData) || stringData instanceof Promise) {
    return pulumi.secret(pulumi.output(stringData));
  }
  const out: Record<string, pulumi.Output<string>> = {};
  for (const key of Object.keys(stringData).sort()) out[key] = pulumi.secret(pulumi.output(stringData[key]));
  return out;
}

/**
 * A `v1/Secret` with each value secret rather than the whole map: the provider's own
 * `k8s.core.v1.Secret` class wraps `stringData` in one secret, which hides the key names a
 * reviewer (and the policy checks) need to see. The outputs the provider returns (`data`,
 * `stringData`) stay secret, as that class makes them.
 */
class LiveSecretResource extends pulumi.CustomResource {
  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super("kubernetes:core/v1:Secret", name, inputs, { ...opts, additionalSecretOutputs: ["data", "stringData"] });
  }
}

/**
 * Applies Secrets live. A Secret's namespace is created live too (retained on delete, as
 * namespaces are stateful) unless `namespaces` already holds a resource for it.
 */
export function applyLiveSecrets(
  prefix: string,
  secrets: readonly LiveSecret[],
  namespaces: ReadonlyMap<string, pulumi.Resource>,
  opts: LiveSecretOpts & { readonly aliasParents?: readonly pulumi.Input<string>[] },
): pulumi.Resource[] {
  const aliases = (name: string, type: string) =>
    opts.aliasParents?.length ? { aliases: opts.aliasParents.map((p) => pulumi.createUrn(name, type, p)) } : {};
  const seen = new Set<string>();
  const created: pulumi.Resource[] = [];
  const liveNamespaces = new Map<string, pulumi.Resource>(namespaces);
  for (const secret of secrets) {
    const id = `${secret.namespace}/${secret.name}`;
    if (seen.has(id)) throw new Error(`liveSecrets: Secret ${id} is given twice`);
    seen.add(id);
    let ns = liveNamespaces.get(secret.namespace);
    // kube-system and the other built-in namespaces exist on every cluster; creating one
    // would fail with "already exists" (and deleting it would be worse).
    if (!ns && !BUILT_IN_NAMESPACES.has(secret.namespace)) {
      const nsName = `${prefix}-ns-${secret.namespace}`;
      ns = new k8s.core.v1.Namespace(
        nsName,
        { metadata: { name: secret.namespace, labels: podSecurityLabels(secret.namespace) } },
        {
          parent: opts.parent,
          provider: opts.provider,
          dependsOn: [...opts.dependsOn],
          retainOnDelete: true,
          ...aliases(nsName, "kubernetes:core/v1:Namespace"),
        },
      );
      liveNamespaces.set(secret.namespace, ns);
      created.push(ns);
    }
    const secretName = `${prefix}-secret-${secret.namespace}-${secret.name}`;
    created.push(
      liveSecret(secretName, { name: secret.name, namespace: secret.namespace }, secret.stringData, {
        ...opts,
        dependsOn: [...opts.dependsOn, ...(ns ? [ns] : [])],
        ...aliases(secretName, "kubernetes:core/v1:Secret"),
      }, secret.type),
    );
  }
  return created;
}
