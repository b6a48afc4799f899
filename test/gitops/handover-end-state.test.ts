/**
 * Issue #20 item 4: the end state of every object after the two `pulumi up`s of a handover,
 * on a model of the API server's field management (ssa.ts) and of what each engine does
 * when its units are deleted:
 *  - kustomize-controller applies with ForceOwnership as `kustomize-controller`
 *    (fluxcd/pkg ssa/manager_apply.go); a deleted Kustomization garbage-collects its
 *    inventory when `deletionPolicy` is Delete or WaitForTermination, or MirrorPrune with
 *    `prune: true`, skipping objects annotated `kustomize.toolkit.fluxcd.io/prune: disabled`;
 *  - Argo CD applies with `--force-conflicts` (ServerSideApply=true) as `argocd-controller`;
 *    a deleted Application with the resources finalizer deletes its resources except those
 *    with `Delete=false` (docs/user-guide/app_deletion.md, sync-options.md);
 *  - helm-controller uninstalls a deleted HelmRelease unless it is suspended
 *    (internal/controller/helmrelease_controller.go, `reconcileDelete`);
 *  - Pulumi applies with patch force (the operating guide's step 2) and deletes, at the end
 *    of the update, what it no longer registers unless `retainOnDelete`.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { createEngine, type GitOpsEngineArgs } from "../../components/gitops";
import type { DeliveryMode, EngineKind } from "../../config/types";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { fakeCluster, gitFor, ITEMS, LIVE_SECRET_VALUE, VERSIONS } from "./fixtures";
import { drift, FakeApiServer, objectId } from "./ssa";

// Objects are untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const MANAGER: Readonly<Record<EngineKind | "pulumi", string>> = {
  flux: "kustomize-controller",
  argocd: "argocd-controller",
  pulumi: "pulumi-kubernetes",
};
const ROOT = "gitops/prod/main";

interface Up {
  readonly resources: RecordedResource[];
  readonly files: Readonly<Record<string, string>>;
}

/** One `pulumi up` of the engine, as the stack composition creates it; with `next`, handover step 1 towards it. */
async function up(engine: EngineKind, delivery: DeliveryMode, next?: [EngineKind, DeliveryMode]): Promise<Up> {
  let files: Readonly<Record<string, string>> = {};
  const { resources } = await runProgram(() => {
    const args: GitOpsEngineArgs = {
      cluster: fakeCluster("main"),
      stack: "prod",
      delivery,
      git: gitFor("prod", "main"),
      versions: VERSIONS,
      items: ITEMS,
      liveSecrets: [{ name: "db", namespace: "steady", stringData: { password: pulumi.secret(LIVE_SECRET_VALUE) } }],
      ...(next ? { handover: { release: { engine, delivery }, next: { engine: next[0], delivery: next[1] } } } : {}),
    };
    files = createEngine(engine, "main-gitops", args).files;
  });
  return { resources, files };
}

/** The Kubernetes objects Pulumi applies in an up (Secrets left out: their values are not modelled). */
const pulumiObjects = (u: Up): Any[] =>
  u.resources.map((r) => r.inputs as Any).filter((i) => i?.apiVersion && i?.kind && i.kind !== "Secret");

/** An emitted tree: the units the root applies, and the objects of each synced directory. */
function treeOf(files: Readonly<Record<string, string>>): { units: Any[]; dirs: Map<string, Any[]> } {
  const units: Any[] = [];
  const dirs = new Map<string, Any[]>();
  for (const [file, content] of Object.entries(files)) {
    if (file.endsWith("/kustomization.yaml")) continue;
    const objects = parseAllDocuments(content).map((d) => d.toJS());
    if (/\/(ks(-\w+)?|application)\.yaml$/.test(file)) units.push(...objects);
    else dirs.set(path.dirname(file), [...(dirs.get(path.dirname(file)) ?? []), ...objects]);
  }
  return { units, dirs };
}

/** The engine syncs the committed tree: the root applies the units, each unit its directory. */
function sync(server: FakeApiServer, engine: EngineKind, files: Readonly<Record<string, string>>): void {
  const { units, dirs } = treeOf(files);
  for (const unit of units) server.apply(unit, MANAGER[engine]);
  for (const objects of dirs.values()) for (const o of objects) server.apply(o, MANAGER[engine]);
}

const annotation = (server: FakeApiServer, id: string, key: string) =>
  server.value(id, `/metadata/annotations/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`) as string | undefined;

/** Deletes an object with what its controller does on deletion; returns what was deleted or uninstalled. */
function remove(server: FakeApiServer, id: string, files: Readonly<Record<string, string>>, log: string[]): void {
  if (!server.has(id)) return;
  const { units, dirs } = treeOf(files);
  const [, kind] = id.split("|");
  const spec = (p: string) => server.value(id, `/spec/${p}`);
  let inventory: Any[] = [];
  if (kind === "Kustomization") {
    const policy = (spec("deletionPolicy") as string | undefined) ?? "MirrorPrune";
    const gc = policy === "Delete" || policy === "WaitForTermination" || (policy === "MirrorPrune" && spec("prune") === true);
    const dir = String(spec("path")).replace(/^\.\//, "");
    if (gc) inventory = (dir === ROOT ? units : (dirs.get(dir) ?? [])).filter((o) => annotation(server, objectId(o), "kustomize.toolkit.fluxcd.io/prune") !== "disabled");
  } else if (kind === "Application") {
    const finalizers = (server.value(id, "/metadata/finalizers") as string[] | undefined) ?? [];
    const dir = spec("source/path") as string | undefined;
    if (finalizers.includes("resources-finalizer.argocd.argoproj.io") && dir !== undefined) {
      inventory = (dir === ROOT ? units : (dirs.get(dir) ?? [])).filter(
        (o) => !String(annotation(server, objectId(o), "argocd.argoproj.io/sync-options") ?? "").includes("Delete=false"),
      );
    }
  } else if (kind === "HelmRelease" && spec("suspend") !== true) {
    log.push(`uninstalled ${id}`);
  }
  server.delete(id);
  log.push(`deleted ${id}`);
  for (const o of inventory) remove(server, objectId(o), files, log);
}

/** Pulumi's up: apply what it registers, then delete what it stopped registering and does not retain. */
function pulumiUp(server: FakeApiServer, before: Up | undefined, after: Up, committed: Readonly<Record<string, string>>, log: string[]): void {
  for (const o of pulumiObjects(after)) server.apply(o, MANAGER.pulumi);
  const kept = new Set(after.resources.flatMap((r) => [r.urn, ...(r.aliases ?? [])]));
  for (const r of before?.resources ?? []) {
    const o = r.inputs as Any;
    if (kept.has(r.urn) || r.retainOnDelete || !o?.apiVersion || o.kind === "Secret") continue;
    remove(server, objectId(o), committed, log);
  }
}

/** Runs a two-step handover from `from` to `to`; returns the server, the last up, and the log. */
async function handover(from: [EngineKind, DeliveryMode], to: [EngineKind, DeliveryMode]) {
  const server = new FakeApiServer();
  const log: string[] = [];
  const start = await up(...from);
  pulumiUp(server, undefined, start, start.files, log);
  if (from[1] === "emit") sync(server, from[0], start.files);
  // Step 1: release; in emit mode the released tree is committed and synced.
  const released = await up(...from, to);
  pulumiUp(server, start, released, released.files, log);
  if (from[1] === "emit") sync(server, from[0], released.files);
  // Step 2: the switch. The old tree stays in git until it is overwritten (emit) or removed.
  const next = await up(...to);
  const committed = to[1] === "emit" ? next.files : released.files;
  pulumiUp(server, released, next, from[1] === "emit" ? released.files : committed, log);
  if (to[1] === "emit") sync(server, to[0], next.files);
  return { server, next, log };
}

/** The fields of every object the new owner delivers that are not exactly what it wants. */
function driftOf(server: FakeApiServer, to: [EngineKind, DeliveryMode], next: Up): Record<string, string[]> {
  const wanted =
    to[1] === "deploy"
      ? pulumiObjects(next).map((o) => [o, MANAGER.pulumi] as const)
      : [...pulumiObjects(next).map((o) => [o, MANAGER.pulumi] as const), ...[...treeOf(next.files).dirs.values()].flat().map((o) => [o, MANAGER[to[0]]] as const)];
  const out: Record<string, string[]> = {};
  for (const [o, manager] of wanted) {
    const d = drift(server, o, manager);
    if (d.length > 0) out[objectId(o)] = d;
  }
  return out;
}

const HELM_RELEASES = ["helm.toolkit.fluxcd.io|HelmRelease|flux-system|cert-manager", "helm.toolkit.fluxcd.io|HelmRelease|flux-system|kube-prometheus-stack"];

describe("handover end state", () => {
  it("Flux emit to Flux deploy: the HelmReleases run again, owned by Pulumi, and no released unit is left", async () => {
    const { server, next, log } = await handover(["flux", "emit"], ["flux", "deploy"]);
    for (const id of HELM_RELEASES) expect([id, server.value(id, "/spec/suspend"), server.fields(id)["/spec/suspend"].managers]).toEqual([id, false, [MANAGER.pulumi]]);
    expect(driftOf(server, ["flux", "deploy"], next)).toEqual({});
    expect(server.ids().filter((id) => /\|(Kustomization|GitRepository)\|/.test(id))).toEqual([]);
    expect(log.filter((l) => l.startsWith("uninstalled"))).toEqual([]);
    // Only the root, its source and the released units went.
    expect(log.filter((l) => !/\|(Kustomization|GitRepository)\|/.test(l))).toEqual([]);
  });

  it("Flux deploy to Flux emit: the engine resumes the HelmReleases Pulumi suspended; only Pulumi's waitFor annotation is left over", async () => {
    const { server, next, log } = await handover(["flux", "deploy"], ["flux", "emit"]);
    for (const id of HELM_RELEASES) expect([id, server.value(id, "/spec/suspend"), server.fields(id)["/spec/suspend"].managers]).toEqual([id, false, [MANAGER.flux]]);
    const left = Object.values(driftOf(server, ["flux", "emit"], next)).flat();
    expect([...new Set(left)]).toEqual(["/metadata/annotations/pulumi.com~1waitFor: left over, owned by pulumi-kubernetes"]);
    expect(log).toEqual([]);
  });

  it("Argo CD emit to Argo CD deploy: the released root and bundle Applications go, the addon Applications are Pulumi's", async () => {
    const { server, next, log } = await handover(["argocd", "emit"], ["argocd", "deploy"]);
    const apps = server.ids().filter((id) => id.includes("|Application|"));
    expect(apps).toEqual(["argoproj.io|Application|argocd|cert-manager", "argoproj.io|Application|argocd|kube-prometheus-stack"]);
    const d = driftOf(server, ["argocd", "deploy"], next);
    // Argo CD's own `Delete=false` of step 1 stays on the addon Applications (the root honoured it); nothing else differs.
    expect(Object.values(d).flat().every((l) => l.startsWith("/metadata/annotations/argocd.argoproj.io~1sync-options: left over"))).toBe(true);
    expect(log.sort()).toEqual([
      "deleted argoproj.io|AppProject|argocd|root",
      "deleted argoproj.io|Application|argocd|backend",
      "deleted argoproj.io|Application|argocd|issuers",
      "deleted argoproj.io|Application|argocd|platform-root",
    ]);
  });

  it("Flux emit to Argo CD emit: the released addon units delete their suspended HelmReleases, and nothing is uninstalled", async () => {
    const { server, log } = await handover(["flux", "emit"], ["argocd", "emit"]);
    expect(server.ids().filter((id) => id.includes(".toolkit.fluxcd.io|"))).toEqual([]);
    expect(log.filter((l) => l.startsWith("uninstalled"))).toEqual([]);
    for (const id of HELM_RELEASES) expect(log).toContain(`deleted ${id}`);
    // The bundles' objects stay, for Argo CD to adopt.
    expect(server.ids()).toContain("apps|Deployment|steady|backend");
  });

  it("Flux deploy to Argo CD deploy: Pulumi deletes the suspended HelmReleases and their sources; nothing is uninstalled", async () => {
    const { server, next, log } = await handover(["flux", "deploy"], ["argocd", "deploy"]);
    expect(server.ids().filter((id) => id.includes(".toolkit.fluxcd.io|"))).toEqual([]);
    expect(log.filter((l) => l.startsWith("uninstalled"))).toEqual([]);
    expect(log.filter((l) => !/\|(HelmRelease|HelmRepository|OCIRepository)\|/.test(l))).toEqual([]);
    expect(driftOf(server, ["argocd", "deploy"], next)).toEqual({});
  });

  it("Argo CD deploy to Flux deploy: the released Applications go without their resources, and the HelmReleases run", async () => {
    const { server, next, log } = await handover(["argocd", "deploy"], ["flux", "deploy"]);
    expect(server.ids().filter((id) => id.includes("|Application|"))).toEqual([]);
    // No finalizer: deleting them deleted nothing else (the projects are Argo CD's own).
    expect(log.filter((l) => !/\|(Application|AppProject)\|/.test(l))).toEqual([]);
    for (const id of HELM_RELEASES) expect(server.value(id, "/spec/suspend")).toBe(false);
    expect(driftOf(server, ["flux", "deploy"], next)).toEqual({});
  });
});
