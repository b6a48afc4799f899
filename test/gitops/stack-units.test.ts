/**
 * Issue #20 item 1 on the real synth of every stack, every cluster in emit mode, on the
 * engine it is configured with and on the other one: every unit the root applies syncs a
 * directory that exists in the emitted tree and builds with kustomize to at least one object.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { durationSeconds } from "../../components/gitops";
import { kustomizeBuild } from "../helpers/kustomize";
import { discardEmitted, emitStack, STACKS, type EmittedStack } from "./stack-emit";

const cases = STACKS.flatMap((stack) => (["configured", "other"] as const).map((engine) => [stack, engine] as const));
const emitted = new Map<string, EmittedStack>();

beforeAll(async () => {
  for (const [stack, engine] of cases) emitted.set(`${stack}/${engine}`, await emitStack(stack, { engine }));
}, 180_000);
afterAll(() => emitted.forEach(discardEmitted));

describe.each(cases)("the emitted tree of %s (%s engine)", (stack, engine) => {
  it("passes schema and policy checks", () => {
    const { result } = emitted.get(`${stack}/${engine}`)!;
    expect(result.schema.filter((s) => s.status === "invalid")).toEqual([]);
    expect(result.policy).toEqual([]);
  });

  it("points every unit at a directory that exists and builds to at least one object", () => {
    const { repo, roots, engines } = emitted.get(`${stack}/${engine}`)!;
    let checked = 0;
    for (const [cluster, root] of Object.entries(roots)) {
      const units = kustomizeBuild(path.join(repo, root));
      const kind = engines[cluster] === "flux" ? "Kustomization" : "Application";
      expect(units.length).toBeGreaterThan(0);
      expect(units.filter((u) => u.kind !== kind)).toEqual([]);
      for (const unit of units) {
        const unitPath: string | undefined = kind === "Kustomization" ? unit.spec.path : unit.spec.source.path;
        if (unitPath === undefined) continue; // an addon's Application has a Helm source
        const dir = path.join(repo, unitPath);
        expect([unit.metadata.name, fs.existsSync(dir)]).toEqual([unit.metadata.name, true]);
        expect([unit.metadata.name, kustomizeBuild(dir).length > 0]).toEqual([unit.metadata.name, true]);
        checked++;
      }
      // Flux: every dependsOn names a unit of the same tree.
      const names = new Set(units.map((u) => String(u.metadata.name)));
      for (const unit of units) {
        for (const dep of unit.spec.dependsOn ?? []) expect([unit.metadata.name, names.has(dep.name)]).toEqual([unit.metadata.name, true]);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe.each(cases)("the emitted files of %s (%s engine)", (stack, engine) => {
  it("carry no YAML anchors or aliases", () => {
    const { result } = emitted.get(`${stack}/${engine}`)!;
    const files = [...result.files].filter(([f]) => f.startsWith("gitops/"));
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter(([, content]) => /(^|\s)[&*]a\d+\b/m.test(content)).map(([f]) => f)).toEqual([]);
  });

  it("give each addon's unit time for every HelmRelease retry", () => {
    const { repo, roots, engines } = emitted.get(`${stack}/${engine}`)!;
    for (const [cluster, root] of Object.entries(roots)) {
      if (engines[cluster] !== "flux") continue;
      for (const unit of kustomizeBuild(path.join(repo, root))) {
        const release = kustomizeBuild(path.join(repo, unit.spec.path)).find((o) => o.kind === "HelmRelease");
        if (!release) continue;
        const seconds = (d: string) => durationSeconds(d);
        expect([unit.metadata.name, seconds(unit.spec.timeout)]).toEqual([unit.metadata.name, seconds(release.spec.timeout) * 7]);
      }
    }
  });
});

it("prod (Argo CD): charts that re-render certificates under Argo CD carry the ignoreDifferences their docs prescribe", () => {
  const { repo, roots } = emitted.get("prod/configured")!;
  const apps = kustomizeBuild(path.join(repo, roots.prod));
  const ignores = (chart: string) => apps.find((a) => a.spec.source?.chart === chart)?.spec.ignoreDifferences;
  // victoria-metrics-operator README, "ArgoCD issues": the webhook Secret's data and the caBundle.
  expect(ignores("victoria-metrics-k8s-stack")).toEqual([
    { group: "", kind: "Secret", namespace: "victoriametrics", jsonPointers: ["/data"] },
    { group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration", jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"] },
  ]);
  for (const chart of ["cert-manager", "cloudnative-pg", "istiod"]) expect([chart, (ignores(chart) ?? []).length > 0]).toEqual([chart, true]);
  // And Argo CD applies with them too, not only diffs (sync-options.md, "Respect ignore differences configs").
  for (const app of apps) expect(app.spec.syncPolicy.syncOptions).toContain("RespectIgnoreDifferences=true");
});

it("homelab staging: the namespaces Pulumi applies get no unit over nothing, and their dependents wait for what they waited for", () => {
  const { repo, roots } = emitted.get("homelab/configured")!;
  const units = kustomizeBuild(path.join(repo, roots.staging));
  const names = units.map((u) => String(u.metadata.name));
  // Before the fix: seven namespace Kustomizations over directories without files. A namespace
  // item keeps a unit only for objects beside its (Pulumi-applied) Namespace, such as the
  // namespace's default-deny NetworkPolicy, and its directory then builds to them.
  for (const ns of ["cert-manager", "monitoring", "onepassword-system", "ai", "commafeed", "linkding", "nightscout"]) {
    const unit = units.find((u) => u.metadata.name === `namespace-${ns}`);
    if (!unit) continue;
    const built = kustomizeBuild(path.join(repo, String(unit.spec.path)));
    expect([ns, built.length > 0, built.some((o) => o.kind === "Namespace")]).toEqual([ns, true, false]);
  }
  expect(names).not.toContain("namespace-cert-manager");
  const certManager = units.find((u) => u.metadata.name === "cert-manager");
  expect(certManager.spec.dependsOn ?? []).toEqual([]);
});
