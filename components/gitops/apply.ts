/**
 * Deploy mode: the placed objects applied by Pulumi through the cluster's live provider,
 * in the engine-neutral order (ARCHITECTURE.md decision 4), and the live Secrets.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LAYER_DEPENDS_ON, PHASES, type KubeObject, type Layer, type LiveSecret, type Phase } from "./delivery";
import { annotate, type PlacedObject } from "./placement";
import { BUILT_IN_NAMESPACES, podSecurityLabels } from "../../lib/namespaces";

/**
 * Any Kubernetes object as a Pulumi resource, typed by its apiVersion and kind exactly as
 * the provider's own classes are (`kubernetes:<group|core>/<version>:<Kind>`).
 */
export class KubeObjectResource extends pulumi.CustomResource {
  constructor(name: string, object: KubeObject, opts?: pulumi.CustomResourceOptions) {
    super(kubeTypeToken(object), name, { ...object }, opts);
  }
}

/**
 * Kinds Pulumi never deletes from a cluster (ARCHITECTURE.md decision 8): namespaces and
 * CRDs hold everything in or of them, and the engines' own objects act on delete (a deleted
 * HelmRelease uninstalls its release, a deleted Kustomization with `prune` garbage-collects
 * what it applied). Retained, a switch of engine or of delivery mode, an item removed from
 * config or a destroy leaves them and their workloads in place; the operator then removes
 * the old engine with its own uninstall, which drops its finalizers and keeps the
 * workloads (README "Switch engine safely").
 */
export const RETAINED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "HelmRelease",
  "HelmRepository",
  "OCIRepository",
  "GitRepository",
  "Kustomization",
  "Application",
  "ApplicationSet",
  "AppProject",
]);

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
  if (object.kind === "Application") return { "pulumi.com/waitFor": "jsonpath={.status.health.status}=Healthy" };
  return {};
}

/** The child name of a delivered object: `<prefix>-<item>-<kind>-<namespace?>-<name>`. */
export function deliveredName(prefix: string, placed: PlacedObject): string {
  const { kind, metadata } = placed.object;
  const ns = metadata.namespace ? `${metadata.namespace}-` : "";
  return `${prefix}-${placed.order.item}-${kind.toLowerCase()}-${ns}${metadata.name}`;
}

/**
 * Applies placed objects in order: an object waits for every object of the stages before
 * it (the previous phase of its layer, or all of the layers its layer depends on).
 * Returns each object's resource.
 */
export function applyPlaced(
  prefix: string,
  objects: readonly PlacedObject[],
  opts: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider; readonly dependsOn: readonly pulumi.Resource[] },
): Map<PlacedObject, pulumi.Resource> {
  const byStage = new Map<string, pulumi.Resource[]>();
  const key = (layer: Layer, phase: Phase): string => `${layer}/${phase}`;
  const layerResources = (layer: Layer): pulumi.Resource[] => PHASES.flatMap((p) => byStage.get(key(layer, p)) ?? []);
  const created = new Map<PlacedObject, pulumi.Resource>();
  // Layers in dependency order, phases in order, so every prerequisite exists first.
  const layers: Layer[] = [];
  const visit = (l: Layer): void => {
    if (layers.includes(l)) return;
    LAYER_DEPENDS_ON[l].forEach(visit);
    layers.push(l);
  };
  objects.forEach((o) => visit(o.order.layer));
  for (const layer of layers) {
    let previous: pulumi.Resource[] = LAYER_DEPENDS_ON[layer].flatMap(layerResources);
    for (const phase of PHASES) {
      const here = objects.filter((o) => o.order.layer === layer && o.order.phase === phase);
      if (here.length === 0) continue;
      const resources = here.map(
        (placed) =>
          new KubeObjectResource(deliveredName(prefix, placed), annotate(placed.object, waitForAnnotation(placed.object)), {
            parent: opts.parent,
            provider: opts.provider,
            dependsOn: [...opts.dependsOn, ...previous],
            // Retained, all of them: when the cluster switches to emit mode the engine takes
            // these objects over from git, and a Pulumi delete in between would remove them
            // (a database cluster, a StorageClass, a ClusterIssuer) from the cluster. Removing
            // an item from config in deploy mode therefore leaves its objects for the
            // operator to delete (README "Delivery").
            retainOnDelete: true,
          }),
      );
      byStage.set(key(layer, phase), resources);
      here.forEach((placed, i) => created.set(placed, resources[i]));
      previous = resources;
    }
  }
  return created;
}

/** Where and how a live Secret is applied. */
export interface LiveSecretOpts {
  readonly parent: pulumi.Resource;
  readonly provider: k8s.Provider;
  readonly dependsOn: readonly pulumi.Resource[];
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
): pulumi.CustomResource {
  return new LiveSecretResource(
    resourceName,
    { apiVersion: "v1", kind: "Secret", metadata: { ...metadata }, type: "Opaque", stringData: secretValues(stringData) },
    { parent: opts.parent, provider: opts.provider, dependsOn: [...opts.dependsOn] },
  );
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
 * Applies Secrets live. A Secret's namespace is created live too (retained on delete, as
 * namespaces are stateful) unless `namespaces` already holds a resource for it.
 */
export function applyLiveSecrets(
  prefix: string,
  secrets: readonly LiveSecret[],
  namespaces: ReadonlyMap<string, pulumi.Resource>,
  opts: { readonly parent: pulumi.Resource; readonly provider: k8s.Provider; readonly dependsOn: readonly pulumi.Resource[] },
): pulumi.Resource[] {
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
      ns = new k8s.core.v1.Namespace(
        `${prefix}-ns-${secret.namespace}`,
        { metadata: { name: secret.namespace, labels: podSecurityLabels(secret.namespace) } },
        { parent: opts.parent, provider: opts.provider, dependsOn: [...opts.dependsOn], retainOnDelete: true },
      );
      liveNamespaces.set(secret.namespace, ns);
      created.push(ns);
    }
    created.push(
      liveSecret(
        `${prefix}-secret-${secret.namespace}-${secret.name}`,
        { name: secret.name, namespace: secret.namespace },
        secret.stringData,
        { ...opts, dependsOn: [...opts.dependsOn, ...(ns ? [ns] : [])] },
      ),
    );
  }
  return created;
}
