/**
 * Issue #21 item 6, the GitOps parts, on the real synth of every stack in emit mode on both
 * engines: the apps' Flux units are applied as namespace-bound accounts allowed exactly the
 * kinds they deliver, and every Argo CD project admits only where its Applications deliver.
 */
import * as path from "node:path";
import { APP_RECONCILER_ROLE, CLUSTER_SCOPED_KINDS, resourceOf } from "../../components/gitops";
import { kustomizeBuild } from "../helpers/kustomize";
import { discardEmitted, emitStack, planOf, STACKS, type EmittedStack } from "./stack-emit";

// Built YAML is untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const cases = STACKS.flatMap((stack) => (["configured", "other"] as const).map((engine) => [stack, engine] as const));
const emitted = new Map<string, EmittedStack>();
beforeAll(async () => {
  for (const [stack, engine] of cases) emitted.set(`${stack}/${engine}`, await emitStack(stack, { engine }));
}, 180_000);
afterAll(() => emitted.forEach(discardEmitted));

/** Argo CD's destination check: some allow rule matches and no `!` deny rule does (projects.md). */
function admits(project: Any, namespace: string): boolean {
  const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
  const rules: Any[] = project.spec.destinations;
  const denied = rules.some((d) => String(d.namespace).startsWith("!") && glob(String(d.namespace).slice(1), namespace));
  return !denied && rules.some((d) => !String(d.namespace).startsWith("!") && glob(String(d.namespace), namespace));
}

describe.each(cases)("%s (%s engine) in emit mode", (stack, engine) => {
  it("Flux: applies every app unit as its namespace's account, allowed exactly what it delivers there", () => {
    const e = emitted.get(`${stack}/${engine}`)!;
    const flux = Object.entries(e.roots).filter(([c]) => e.engines[c] === "flux");
    if (flux.length === 0) return;
    let scoped = 0;
    for (const [, root] of flux) {
      const units = kustomizeBuild(path.join(e.repo, root));
      const tenancy = kustomizeBuild(path.join(e.repo, root, "infrastructure-configs/flux-tenancy/app"));
      const role = tenancy.find((o) => o.kind === "ClusterRole" && o.metadata.name === APP_RECONCILER_ROLE);
      const bindings = tenancy.filter((o) => o.kind === "RoleBinding");
      const objectsOf = new Map<string, Any[]>(units.map((u) => [u.metadata.name, kustomizeBuild(path.join(e.repo, u.spec.path))]));
      const itemObjects = (item: string) => units.filter((u) => u.metadata.labels["platform.io/item"] === item).flatMap((u) => objectsOf.get(u.metadata.name)!);
      for (const unit of units) {
        const account: string | undefined = unit.spec.serviceAccountName;
        const appLayer = unit.metadata.labels["platform.io/layer"] === "apps";
        const objects = objectsOf.get(unit.metadata.name)!;
        const all = itemObjects(unit.metadata.labels["platform.io/item"]);
        const namespaced = all.every((o) => !CLUSTER_SCOPED_KINDS.has(o.kind)) && new Set(all.map((o) => o.metadata.namespace)).size === 1;
        const helm = all.some((o) => o.kind === "HelmRelease");
        // Every app bundle whose objects all sit in one namespace is scoped; nothing else is.
        expect([unit.metadata.name, account !== undefined]).toEqual([unit.metadata.name, appLayer && namespaced && !helm]);
        if (!account) continue;
        scoped++;
        // Its first unit waits for the accounts; later phases wait for the phase before.
        const deps: string[] = unit.spec.dependsOn.map((d: Any) => d.name);
        const item = unit.metadata.labels["platform.io/item"];
        expect([unit.metadata.name, deps.includes("flux-tenancy") || deps.some((d) => d === item || d.startsWith(`${item}-`))]).toEqual([unit.metadata.name, true]);
        for (const o of objects) {
          const ns = o.metadata.namespace;
          const bound = bindings.some((b) => b.metadata.namespace === ns && b.subjects[0].name === account && b.subjects[0].namespace === "flux-system");
          const group = String(o.apiVersion).split("/").slice(0, -1).join("/");
          const allowed = role.rules.some((r: Any) => r.apiGroups.includes(group) && r.resources.includes(resourceOf(o.kind)) && r.verbs.includes("patch"));
          expect([unit.metadata.name, `${o.kind}/${ns}/${o.metadata.name}`, bound, allowed]).toEqual([unit.metadata.name, `${o.kind}/${ns}/${o.metadata.name}`, true, true]);
        }
      }
      // The role grants nothing cluster-wide: it is only ever bound per namespace.
      expect(tenancy.filter((o) => o.kind === "ClusterRoleBinding")).toEqual([]);
    }
    expect(scoped).toBeGreaterThan(0);
  });

  it("Argo CD: every project admits only where its Applications deliver; apps never reach argocd or other namespaces", () => {
    const e = emitted.get(`${stack}/${engine}`)!;
    const argo = Object.entries(e.roots).filter(([c]) => e.engines[c] === "argocd");
    if (argo.length === 0) return;
    const projects = planOf(e.result).resources.filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:AppProject");
    for (const [cluster, root] of argo) {
      const project = (name: string) => projects.find((p) => p.name === `${cluster}-gitops-project-${name}`)!.inputs;
      const platform = project("platform");
      expect(platform.spec.destinations.every((d: Any) => !String(d.namespace).includes("*"))).toBe(true);
      expect(admits(platform, "argocd")).toBe(false);
      // Namespaces, and only the cluster-scoped kinds the apps themselves deliver.
      expect(platform.spec.clusterResourceWhitelist[0]).toEqual({ group: "", kind: "Namespace" });
      expect(platform.spec.clusterResourceWhitelist.every((w: Any) => w.kind !== "*" && w.group !== "*")).toBe(true);
      expect(admits(project("infrastructure"), "argocd")).toBe(false);
      // Root: Applications, and the VPAs of Argo CD's own controllers where the vpa service runs.
      const vpa = e.result.objects.some((o) => {
        const object = o.object as Any;
        return o.cluster === cluster && object.kind === "VerticalPodAutoscaler" && object.metadata?.namespace === "argocd";
      });
      expect(project("root").spec).toMatchObject({
        destinations: [{ namespace: "argocd" }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [
          { group: "argoproj.io", kind: "Application" },
          ...(vpa ? [{ group: "autoscaling.k8s.io", kind: "VerticalPodAutoscaler" }] : []),
        ],
      });
      for (const app of kustomizeBuild(path.join(e.repo, root))) {
        const p = project(app.spec.project);
        expect([app.metadata.name, admits(p, app.spec.destination.namespace)]).toEqual([app.metadata.name, true]);
        if (!app.spec.source.path) continue;
        for (const o of kustomizeBuild(path.join(e.repo, app.spec.source.path))) {
          if (CLUSTER_SCOPED_KINDS.has(o.kind)) {
            const group = String(o.apiVersion).split("/").slice(0, -1).join("/");
            const whitelisted = p.spec.clusterResourceWhitelist.some((w: Any) => (w.group === "*" || w.group === group) && (w.kind === "*" || w.kind === o.kind));
            expect([app.metadata.name, o.kind, whitelisted]).toEqual([app.metadata.name, o.kind, true]);
            continue;
          }
          expect([app.metadata.name, o.metadata.namespace, admits(p, o.metadata.namespace)]).toEqual([app.metadata.name, o.metadata.namespace, true]);
          const group = String(o.apiVersion).split("/").slice(0, -1).join("/");
          const kindAllowed = p.spec.namespaceResourceWhitelist.some((w: Any) => (w.group === "*" || w.group === group) && (w.kind === "*" || w.kind === o.kind));
          expect([app.metadata.name, o.kind, kindAllowed]).toEqual([app.metadata.name, o.kind, true]);
        }
      }
    }
  });
});
