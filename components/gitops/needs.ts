/**
 * What each item really needs, derived from its objects (issue: one failing controller
 * must not hold back the whole cluster). Besides its own `dependsOn`, an item waits for:
 *  - the item that creates each namespace it puts objects into (or installs a chart into);
 *  - the item that provides the API group of each custom resource it delivers (a chart
 *    installing the CRDs and their controller, or a bundle holding the CRD);
 *  - the items defining what its objects reference by name: the secret store of an
 *    ExternalSecret, the issuer of a Certificate or of an Ingress, the Gateway of an
 *    HTTPRoute, the StorageClass of a PVC or a database, the database Cluster of a Database,
 *    the PriorityClass of a pod (a workload's template, a CloudNativePG Cluster).
 * This is the onedr0p cluster-template pattern of per-app `dependsOn` (each `ks.yaml` names
 * only the Kustomizations its app needs), derived instead of written by hand.
 */
import { CLUSTER_SCOPED_KINDS, withNamespace, type DeliveryItem, type KubeObject } from "./delivery";

/** Who provides what no object in the items says: the CRDs and StorageClasses charts create. */
export interface ProviderTable {
  /** API group -> items (by name) whose chart installs the group's CRDs and controller. */
  readonly apiGroups: Readonly<Record<string, readonly string[]>>;
  /** StorageClass name -> items whose chart creates it. */
  readonly storageClasses: Readonly<Record<string, readonly string[]>>;
}

const groupOf = (object: Pick<KubeObject, "apiVersion">): string => object.apiVersion.split("/").slice(0, -1).join("/");

/** The value at `path` under an object (`at(o, "spec", "issuerRef", "name")`), if any. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<string | number, unknown>)[key];
  }
  return here;
}

/** A string at `path`, or undefined. */
function str(value: unknown, ...path: (string | number)[]): string | undefined {
  const found = at(value, ...path);
  return typeof found === "string" && found !== "" ? found : undefined;
}

/** What one object refers to: `<Kind>/<namespace>/<name>` keys of the objects it needs. */
function references(o: KubeObject): string[] {
  const ns = o.metadata.namespace ?? "";
  const out: string[] = [];
  const store = str(o, "spec", "secretStoreRef", "name");
  if (o.kind === "ExternalSecret" && store) {
    const kind = str(o, "spec", "secretStoreRef", "kind") ?? "SecretStore";
    out.push(`${kind}/${kind === "ClusterSecretStore" ? "" : ns}/${store}`);
  }
  const issuer = str(o, "spec", "issuerRef", "name");
  if (o.kind === "Certificate" && issuer) {
    const kind = str(o, "spec", "issuerRef", "kind") ?? "Issuer";
    out.push(`${kind}/${kind === "ClusterIssuer" ? "" : ns}/${issuer}`);
  }
  const clusterIssuer = o.metadata.annotations?.["cert-manager.io/cluster-issuer"];
  if (clusterIssuer) out.push(`ClusterIssuer//${clusterIssuer}`);
  if (["HTTPRoute", "GRPCRoute", "TLSRoute"].includes(o.kind)) {
    const refs = at(o, "spec", "parentRefs");
    for (let i = 0; Array.isArray(refs) && i < refs.length; i++) {
      const name = str(refs, i, "name");
      if (name) out.push(`Gateway/${str(refs, i, "namespace") ?? ns}/${name}`);
    }
  }
  const pvcClass = str(o, "spec", "storageClassName");
  if (o.kind === "PersistentVolumeClaim" && pvcClass) out.push(`StorageClass//${pvcClass}`);
  const cnpg = o.apiVersion.startsWith("postgresql.cnpg.io/");
  const dbClass = str(o, "spec", "storage", "storageClass");
  if (cnpg && o.kind === "Cluster" && dbClass) out.push(`StorageClass//${dbClass}`);
  const dbCluster = str(o, "spec", "cluster", "name");
  if (cnpg && o.kind === "Database" && dbCluster) out.push(`Cluster/${ns}/${dbCluster}`);
  // A pod naming a PriorityClass that does not exist yet is refused by the API server's
  // Priority admission ("no PriorityClass with name ... was found").
  const priorityClass =
    str(o, "spec", "priorityClassName") ??
    str(o, "spec", "template", "spec", "priorityClassName") ??
    str(o, "spec", "jobTemplate", "spec", "template", "spec", "priorityClassName");
  if (priorityClass) out.push(`PriorityClass//${priorityClass}`);
  return out;
}

/** The items each item needs, derived from its objects (its own `dependsOn` not included). */
export function derivedNeeds(items: readonly DeliveryItem[], providers: ProviderTable): Map<string, string[]> {
  const present = new Set(items.map((i) => i.name));
  const definedBy = new Map<string, string>();
  const crdGroups = new Map<string, string>();
  for (const item of items) {
    if (item.kind !== "bundle") continue;
    for (const raw of item.objects) {
      const o = withNamespace(raw, item.namespace);
      definedBy.set(`${o.kind}/${CLUSTER_SCOPED_KINDS.has(o.kind) ? "" : (o.metadata.namespace ?? "")}/${o.metadata.name}`, item.name);
      const crdGroup = str(o, "spec", "group");
      if (o.kind === "CustomResourceDefinition" && crdGroup) crdGroups.set(crdGroup, item.name);
    }
  }
  const result = new Map<string, string[]>();
  for (const item of items) {
    const needs = new Set<string>();
    const namespaces = new Set<string>(item.kind === "addon" ? [item.namespace] : []);
    if (item.kind === "bundle") {
      for (const raw of item.objects) {
        const o = withNamespace(raw, item.namespace);
        if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
        // Built-in groups are in no table; a group whose CRDs nothing on the cluster
        // installs (Cilium's, Gateway API's on Talos: the cluster installs them) adds nothing.
        const group = groupOf(o);
        for (const p of providers.apiGroups[group] ?? []) needs.add(p);
        const crdItem = crdGroups.get(group);
        if (crdItem) needs.add(crdItem);
        for (const ref of references(o)) {
          const definer = definedBy.get(ref);
          if (definer) needs.add(definer);
          if (ref.startsWith("StorageClass//")) for (const p of providers.storageClasses[ref.slice("StorageClass//".length)] ?? []) needs.add(p);
        }
      }
    }
    for (const ns of namespaces) {
      const creator = definedBy.get(`Namespace//${ns}`);
      if (creator) needs.add(creator);
    }
    needs.delete(item.name);
    result.set(item.name, [...needs].filter((n) => present.has(n)).sort());
  }
  return result;
}

/** The items with their derived needs added to their `dependsOn`. */
export function withDerivedDependencies(items: readonly DeliveryItem[], providers: ProviderTable): DeliveryItem[] {
  const needs = derivedNeeds(items, providers);
  return items.map((item) => {
    const dependsOn = [...new Set([...(item.dependsOn ?? []), ...(needs.get(item.name) ?? [])])];
    return dependsOn.length === (item.dependsOn ?? []).length ? item : { ...item, dependsOn };
  });
}
