/**
 * Issue #20 items 2 and 3 on the plan: an app removed from a stack in emit mode keeps its
 * Namespace, PVCs and database objects, on both engines. What each engine deletes is
 * derived from the emitted trees before and after the removal, with the engines' rules:
 *  - Flux: the root Kustomization prunes the app's unit Kustomizations (`prune: true`), and
 *    a deleted or pruning Kustomization garbage-collects every object it applied except
 *    those annotated `kustomize.toolkit.fluxcd.io/prune: disabled` (kustomize-controller
 *    docs/spec/v1/kustomizations.md, "Prune");
 *  - Argo CD: the root prunes the app's Applications, whose resources finalizer deletes
 *    their objects except those with `Delete=false`; an object leaving a remaining
 *    Application is pruned unless `Prune=false` (docs/user-guide/sync-options.md);
 *  - Pulumi deletes what it no longer registers unless `retainOnDelete`;
 *  - and Kubernetes cascades: a deleted Namespace takes everything in it, a deleted
 *    CloudNativePG Cluster its PVCs (they carry its ownerReference).
 */
import { parseAllDocuments, type Document, type YAMLMap, type YAMLSeq } from "yaml";
import { discardEmitted, editClusters, emitStack, planOf, type EmittedStack } from "./stack-emit";

// Emitted YAML is untyped; tests read into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** The app each stack loses, and the namespace its data lives in. */
const REMOVED: Readonly<Record<string, { app: string; namespace: string }>> = {
  homelab: { app: "linkding", namespace: "linkding" },
  stage: { app: "steady", namespace: "steady-stage" },
  prod: { app: "steady", namespace: "steady-prod" },
};

const removeApp = (app: string) => (doc: Document) =>
  editClusters(doc, (cluster) => {
    const apps = cluster.get("apps") as YAMLSeq | undefined;
    const at = apps?.items.findIndex((i) => String((i as { value?: unknown }).value ?? i) === app) ?? -1;
    if (at >= 0) apps!.delete(at);
    const settings = cluster.get("appSettings") as YAMLMap | undefined;
    settings?.delete(app);
    // pgAdmin's list of the databases it administers names the app's, as a user must edit it.
    const admin = (settings?.get("pgadmin") as YAMLMap | undefined)?.get("databases") as YAMLSeq | undefined;
    const db = admin?.items.findIndex((i) => String((i as { value?: unknown }).value ?? i).startsWith(`${app}/`)) ?? -1;
    if (db >= 0) admin!.delete(db);
  });

/** Every object an engine applies from an emitted tree (item directories, not unit files), by identity. */
function engineObjects(e: EmittedStack): Map<string, Any> {
  const out = new Map<string, Any>();
  for (const [file, content] of e.result.files) {
    if (!file.startsWith("gitops/") || file.endsWith("kustomization.yaml") || /\/(ks(-\w+)?|application)\.yaml$/.test(file)) continue;
    for (const doc of parseAllDocuments(content)) {
      const o = doc.toJS();
      out.set(`${o.apiVersion.split("/").slice(0, -1).join("/")}|${o.kind}|${o.metadata.namespace ?? ""}|${o.metadata.name}`, o);
    }
  }
  return out;
}

function keptByEngine(o: Any): boolean {
  const a = o.metadata.annotations ?? {};
  const argo = String(a["argocd.argoproj.io/sync-options"] ?? "").split(",").map((s) => s.trim());
  return a["kustomize.toolkit.fluxcd.io/prune"] === "disabled" && argo.includes("Prune=false") && argo.includes("Delete=false");
}

/** What holds data: namespaces (deleting one deletes its PVCs), volumes, and the database objects. */
const STATEFUL = (o: Any) =>
  ["Namespace", "PersistentVolumeClaim", "PersistentVolume"].includes(o.kind) ||
  (["Cluster", "Database"].includes(o.kind) && String(o.apiVersion).startsWith("postgresql.cnpg.io/"));

describe.each(Object.keys(REMOVED))("removing an app from %s in emit mode", (stack) => {
  const { app, namespace } = REMOVED[stack];
  const runs: Record<string, { before: EmittedStack; after: EmittedStack }> = {};
  beforeAll(async () => {
    for (const engine of ["configured", "other"] as const) {
      runs[engine] = { before: await emitStack(stack, { engine }), after: await emitStack(stack, { engine, extra: removeApp(app) }) };
    }
  }, 180_000);
  afterAll(() => Object.values(runs).forEach((r) => [r.before, r.after].forEach(discardEmitted)));

  it.each(["configured", "other"] as const)("keeps its Namespace, PVCs and database objects (%s engine)", (engine) => {
    const { before, after } = runs[engine];
    const was = engineObjects(before);
    const is = engineObjects(after);
    const gone = [...was.entries()].filter(([id]) => !is.has(id)).map(([, o]) => o);
    // The removal really removes the app: its stateless objects go.
    expect(gone.filter((o) => !STATEFUL(o)).length).toBeGreaterThan(0);
    // What the engine deletes, then what Kubernetes cascades from it.
    const deleted = gone.filter((o) => !keptByEngine(o));
    const deletedNamespaces = new Set(deleted.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    const deletedClusters = deleted.filter((o) => o.kind === "Cluster");
    expect(deleted.filter(STATEFUL).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect([...deletedNamespaces, ...deletedClusters]).toEqual([]);
    // The stateful objects the app had are among those kept, not merely absent from both trees.
    const keptStateful = gone.filter(STATEFUL).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    const pulumiNamespace = planOf(before.result).resources.find(
      (r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs?.metadata?.name === namespace,
    );
    if (pulumiNamespace) {
      // A namespace holding a live Secret is applied by Pulumi: it is retained when Pulumi forgets it.
      expect(planOf(after.result).resources.some((r) => r.urn === pulumiNamespace.urn)).toBe(false);
      expect(pulumiNamespace.retainOnDelete).toBe(true);
    } else {
      expect(keptStateful).toContain(`Namespace//${namespace}`);
    }
    expect(keptStateful.some((k) => k.startsWith("Cluster/"))).toBe(true);
    // Pulumi's own deletions: nothing stateful it stops registering is deleted.
    const afterUrns = new Set(planOf(after.result).resources.map((r) => r.urn));
    const pulumiDeleted = planOf(before.result).resources.filter(
      (r) => r.custom && !afterUrns.has(r.urn) && !r.retainOnDelete && /:(Namespace|PersistentVolumeClaim|PersistentVolume|Cluster)$/.test(r.type),
    );
    expect(pulumiDeleted.map((r) => r.name)).toEqual([]);
  });
});
