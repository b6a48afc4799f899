/**
 * Least privilege for the apps' Flux units. By default "a Kustomization apply runs under
 * the cluster admin account and can create, modify and delete cluster level objects"; a unit
 * with `.spec.serviceAccountName` is applied as that ServiceAccount, "in the namespace of the
 * object" (flux-system), and "if the Kustomization contains cluster level objects ... or
 * objects belonging to a different namespace, the reconciliation will fail"
 * (kustomize-controller docs/spec/v1/kustomizations.md, "Role-based access control"). So
 * every apps-layer bundle whose objects are all namespaced is applied as `apps-<namespace>`,
 * which a RoleBinding in that namespace (and only there) binds to a ClusterRole allowing
 * exactly the kinds the apps deliver. The accounts and bindings are one more unit,
 * `flux-tenancy`, which the apps wait for ("The Kustomizations that are running under that
 * service account should depend on the one that contains the account", same section).
 *
 * Not scoped: the platform's charts and their configuration (they install CRDs, ClusterRoles
 * and webhooks), and an app delivered as a chart (its HelmRelease is installed by
 * helm-controller as its own account; a unit allowed to write HelmReleases could install
 * anything).
 */
import { CLUSTER_SCOPED_KINDS, withNamespace, type Bundle, type DeliveryItem, type KubeObject } from "./delivery";
import { FLUX_NAMESPACE } from "./flux-objects";

/** The item holding the tenants' ServiceAccounts, ClusterRole and RoleBindings. */
export const FLUX_TENANCY_ITEM = "flux-tenancy";
/** The ClusterRole the tenants are bound to in their namespaces. */
export const APP_RECONCILER_ROLE = "platform-app-reconciler";
/** What kustomize-controller does to an object it applies, health-checks and prunes. */
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** The ServiceAccount an app unit in `namespace` is applied as. */
export function tenantAccount(namespace: string): string {
  return `apps-${namespace}`;
}

/** The RBAC resource name of a kind: lower case, plural (`NetworkPolicy` -> `networkpolicies`). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

const groupOf = (o: KubeObject) => o.apiVersion.split("/").slice(0, -1).join("/");

/** Whether an item's unit can run as a tenant: an apps-layer bundle with only namespaced objects. */
export function isTenant(item: DeliveryItem): item is Bundle {
  return item.kind === "bundle" && item.layer === "apps" && item.objects.every((o) => !CLUSTER_SCOPED_KINDS.has(o.kind));
}

/** The namespace a tenant's unit is confined to, or undefined when its objects span several. */
function tenantNamespace(item: Bundle): string | undefined {
  const namespaces = new Set(item.objects.map((o) => withNamespace(o, item.namespace).metadata.namespace));
  return namespaces.size === 1 ? [...namespaces][0] : undefined;
}

/** What {@link withFluxTenancy} returns. */
export interface FluxTenancy {
  /** The items with the tenancy item added and the tenants waiting for it. */
  readonly items: DeliveryItem[];
  /** Item name -> the ServiceAccount its units are applied as. */
  readonly accounts: ReadonlyMap<string, string>;
}

/** Adds the tenancy item and names each tenant's account; items unchanged when there is no tenant. */
export function withFluxTenancy(items: readonly DeliveryItem[]): FluxTenancy {
  const accounts = new Map<string, string>();
  for (const item of items) {
    if (!isTenant(item)) continue;
    const ns = tenantNamespace(item);
    if (ns) accounts.set(item.name, tenantAccount(ns));
  }
  if (accounts.size === 0) return { items: [...items], accounts };
  if (items.some((i) => i.name === FLUX_TENANCY_ITEM)) {
    throw new Error(`item "${FLUX_TENANCY_ITEM}": the name is taken by the Flux tenancy unit; rename the item`);
  }
  const tenants = items.filter((i): i is Bundle => accounts.has(i.name));
  const namespaces = [...new Set(tenants.map((t) => tenantNamespace(t)!))].sort();
  const rules = new Map<string, Set<string>>();
  for (const t of tenants) for (const o of t.objects) rules.set(groupOf(o), (rules.get(groupOf(o)) ?? new Set()).add(resourceOf(o.kind)));
  const role: KubeObject = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: APP_RECONCILER_ROLE },
    rules: [...rules.keys()].sort().map((group) => ({ apiGroups: [group], resources: [...rules.get(group)!].sort(), verbs: VERBS })),
  };
  const perNamespace = namespaces.flatMap((ns): KubeObject[] => [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: tenantAccount(ns), namespace: FLUX_NAMESPACE } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: tenantAccount(ns), namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: APP_RECONCILER_ROLE },
      subjects: [{ kind: "ServiceAccount", name: tenantAccount(ns), namespace: FLUX_NAMESPACE }],
    },
  ]);
  // The bindings need their namespaces: wait for whatever the tenants wait for that creates one.
  const creators = new Set(
    items.filter((i) => i.kind === "bundle" && i.objects.some((o) => o.kind === "Namespace" && namespaces.includes(o.metadata.name))).map((i) => i.name),
  );
  const tenancy: Bundle = {
    kind: "bundle",
    name: FLUX_TENANCY_ITEM,
    layer: "infrastructure-configs",
    namespace: FLUX_NAMESPACE,
    objects: [role, ...perNamespace],
    ...(creators.size ? { dependsOn: [...creators].sort() } : {}),
  };
  const out = items.map((i) => (accounts.has(i.name) ? { ...i, dependsOn: [...(i.dependsOn ?? []), FLUX_TENANCY_ITEM] } : i));
  return { items: [tenancy, ...out], accounts };
}
