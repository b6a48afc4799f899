import * as pulumi from "@pulumi/pulumi";
import { runProgram, type RecordedResource } from "../../lib/mock-runtime";
import { createEngine, isReleasing, leavesEngine, renderGitopsTree, type GitOpsEngineArgs } from "../../components/gitops";
import type { DeliveryMode, EngineKind } from "../../config/types";
import { fakeCluster, gitFor, ITEMS, LIVE_SECRET_VALUE, VERSIONS } from "./fixtures";

// Recorded inputs are untyped JSON; tests read into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** One `pulumi up` of a cluster's engine; with `next`, step 1 of a handover to that engine and delivery. */
async function plan(engine: EngineKind, delivery: DeliveryMode, next?: [EngineKind, DeliveryMode]): Promise<RecordedResource[]> {
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
    createEngine(engine, "main-gitops", args);
  });
  return resources;
}

/**
 * What the next `pulumi up` deletes from the cluster: resources of the previous state that
 * the new program registers neither under the same URN nor through an alias, and that
 * are not retained (retainOnDelete is read from the previous state).
 */
function destroyedBySwitch(before: RecordedResource[], after: RecordedResource[]): string[] {
  const kept = new Set(after.flatMap((r) => [r.urn, ...(r.aliases ?? [])]));
  return before
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !kept.has(r.urn) && !r.retainOnDelete)
    .map((r) => `${r.type.split(":").pop()} ${r.name}`)
    .sort();
}

/** Drops the old engine itself (install, credentials, projects): those are meant to go on a switch. */
const engineOnly = (names: string[]) => names.filter((n) => !/-install$|-git-auth$|-sops-age$|-repo$|-project-(infrastructure|platform)$/.test(n));

describe("engine handover", () => {
  it("refuses a handover that does not name the cluster's current engine and delivery", () => {
    const toArgo = { release: { engine: "flux", delivery: "deploy" }, next: { engine: "argocd", delivery: "deploy" } } as const;
    expect(() => isReleasing(toArgo, "argocd", "deploy")).toThrow(
      'handover.release: "flux/deploy" must equal the cluster\'s current engine/delivery "argocd/deploy". Step 1: keep engine and delivery, set handover.release to them and handover.next to the ones you switch to, and run pulumi up',
    );
    expect(isReleasing(undefined, "flux", "deploy")).toBe(false);
    expect(isReleasing(toArgo, "flux", "deploy")).toBe(true);
    expect([leavesEngine(toArgo, "flux"), leavesEngine(undefined, "flux")]).toEqual([true, false]);
    expect(leavesEngine({ ...toArgo, next: { engine: "flux", delivery: "emit" } }, "flux")).toBe(false);
  });

  it("Flux deploy to Argo CD deploy: without step 1 the switch would uninstall the charts", async () => {
    const destroyed = engineOnly(destroyedBySwitch(await plan("flux", "deploy"), await plan("argocd", "deploy")));
    expect(destroyed).toEqual([
      "HelmRelease main-gitops-cert-manager-helmrelease-flux-system-cert-manager",
      "HelmRelease main-gitops-kube-prometheus-stack-helmrelease-flux-system-kube-prometheus-stack",
      "HelmRepository main-gitops-cert-manager-helmrepository-flux-system-cert-manager",
      "OCIRepository main-gitops-kube-prometheus-stack-ocirepository-flux-system-kube-prometheus-stack",
    ]);
  });

  it("Flux deploy to Argo CD deploy in two steps deletes the suspended HelmReleases and nothing the workloads need", async () => {
    const released = await plan("flux", "deploy", ["argocd", "deploy"]);
    // Step 1 keeps every URN and releases the HelmReleases: suspended, so deleting them in
    // step 2 skips the uninstall, and not retained, so step 2 does delete them (while Flux's
    // controllers still run: they depend on them) and none is left suspended.
    expect(released.map((r) => r.urn).sort()).toEqual((await plan("flux", "deploy")).map((r) => r.urn).sort());
    for (const r of released.filter((x) => x.type.endsWith(":HelmRelease"))) expect([(r.inputs as Any).spec.suspend, r.retainOnDelete]).toEqual([true, false]);
    for (const r of released.filter((x) => /:(Deployment|Namespace)$/.test(x.type))) expect([r.name, r.retainOnDelete]).toEqual([r.name, true]);
    const switched = await plan("argocd", "deploy");
    expect(engineOnly(destroyedBySwitch(released, switched))).toEqual([
      "HelmRelease main-gitops-cert-manager-helmrelease-flux-system-cert-manager",
      "HelmRelease main-gitops-kube-prometheus-stack-helmrelease-flux-system-kube-prometheus-stack",
      "HelmRepository main-gitops-cert-manager-helmrepository-flux-system-cert-manager",
      "OCIRepository main-gitops-kube-prometheus-stack-ocirepository-flux-system-kube-prometheus-stack",
    ]);
    // Bundle objects and live Secrets keep their identity: aliased, neither deleted nor recreated.
    const deployment = switched.find((r) => r.name === "main-gitops-backend-deployment-steady-backend")!;
    expect(deployment.aliases).toContain(released.find((r) => r.name === deployment.name)!.urn);
    const secret = switched.find((r) => r.name === "main-gitops-secret-steady-db")!;
    expect(secret.aliases).toContain(released.find((r) => r.name === secret.name)!.urn);
  });

  it("Argo CD deploy to Flux deploy in two steps: the released Applications orphan their resources, then go", async () => {
    const released = await plan("argocd", "deploy", ["flux", "deploy"]);
    for (const r of released.filter((x) => x.type.endsWith(":Application"))) {
      const inputs = r.inputs as Any;
      // Without the resources finalizer, deleting the Application deletes nothing else.
      expect([inputs.metadata.finalizers, inputs.spec.syncPolicy.automated, r.retainOnDelete]).toEqual([undefined, undefined, false]);
    }
    expect(engineOnly(destroyedBySwitch(released, await plan("flux", "deploy")))).toEqual([
      "Application main-gitops-cert-manager-application-argocd-cert-manager",
      "Application main-gitops-kube-prometheus-stack-application-argocd-kube-prometheus-stack",
    ]);
  });

  it("a switch of delivery on one engine keeps the engine's units retained: the next delivery applies the same ones", async () => {
    for (const engine of ["flux", "argocd"] as const) {
      const released = await plan(engine, "deploy", [engine, "emit"]);
      const units = released.filter((x) => /:(HelmRelease|HelmRepository|OCIRepository|Application)$/.test(x.type));
      expect(units.length).toBeGreaterThan(0);
      for (const r of units) expect([r.name, r.retainOnDelete]).toEqual([r.name, true]);
    }
  });

  it("deploy to emit on the same engine in two steps: Pulumi forgets the objects the engine now applies from git", async () => {
    const direct = destroyedBySwitch(await plan("flux", "deploy"), await plan("flux", "emit"));
    expect(direct).toContain("Deployment main-gitops-backend-deployment-steady-backend");
    const released = await plan("flux", "deploy", ["flux", "emit"]);
    expect(engineOnly(destroyedBySwitch(released, await plan("flux", "emit")))).toEqual([]);
  });

  it("emit to deploy in two steps: the root unit and the per-item units are released first, then deleted", async () => {
    const released = await plan("argocd", "emit", ["argocd", "deploy"]);
    const root = released.find((r) => r.name === "main-gitops-root")!;
    // Step 2 deletes the released root; its finalizer deletes the released child Applications
    // (handover-end-state.test.ts follows every object through it).
    expect([(root.inputs as Any).spec.syncPolicy.automated.prune, (root.inputs as Any).metadata.finalizers, root.retainOnDelete]).toEqual([
      false,
      ["resources-finalizer.argocd.argoproj.io"],
      false,
    ]);
    expect(destroyedBySwitch(released, await plan("argocd", "deploy"))).toEqual([
      // The root's own project (argocd-objects.ts `argoProject`) goes with it.
      "AppProject main-gitops-project-root",
      "Application main-gitops-root",
    ]);
    // The committed tree of step 1 releases every item's Application too.
    const tree = renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: ITEMS, git: gitFor("prod", "main"), released: true });
    const apps = Object.entries(tree).filter(([path]) => path.endsWith("/application.yaml"));
    expect(apps).toHaveLength(4);
    for (const [, content] of apps) expect(content).not.toContain("resources-finalizer");
  });

  it("Flux emit to Argo CD emit in two steps: the released root stops pruning and takes the released units with it", async () => {
    const released = await plan("flux", "emit", ["argocd", "emit"]);
    const root = released.find((r) => r.name === "main-gitops-root")!;
    expect((root.inputs as Any).spec).toMatchObject({ prune: false, deletionPolicy: "WaitForTermination" });
    expect(engineOnly(destroyedBySwitch(released, await plan("argocd", "emit")))).toEqual([
      "GitRepository main-gitops-source",
      "Kustomization main-gitops-root",
    ]);
  });
});
