import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PHASE_ANNOTATION, renderGitopsTree, type Bundle, type DeliveryItem } from "../../components/gitops";
import { kustomizeBuild } from "../helpers/kustomize";
import { gitFor, ITEMS } from "./fixtures";

// Built YAML is untyped; tests read into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** A bundle whose database is placed in `base` by annotation, plus the fixture items (an OCI addon among them). */
const db: Bundle = {
  kind: "bundle",
  name: "postgres",
  layer: "apps",
  namespace: "steady",
  objects: [
    { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "postgres", annotations: { [PHASE_ANNOTATION]: "base" } }, spec: { replicas: 1 } },
    { apiVersion: "batch/v1", kind: "Job", metadata: { name: "postgres-init" }, spec: { template: { spec: { restartPolicy: "Never", containers: [] } } } },
  ],
};
const ITEMS_WITH_DB: readonly DeliveryItem[] = [...ITEMS, db, { ...(ITEMS[2] as Bundle), name: "api", dependsOn: ["postgres"], objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "api" }, data: { a: "b" } }] }];

const kustomize = (dir: string): Any[] => kustomizeBuild(dir);

describe.each(["flux", "argocd"] as const)("the emitted %s tree builds with kustomize", (engine) => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), `emit-${engine}-`));
  const files = renderGitopsTree({ stack: "s", cluster: "c", engine, items: ITEMS_WITH_DB, git: gitFor("s", "c"), sops: engine === "flux" });
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), content);
  }
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));
  const dirs = Object.keys(files)
    .filter((f) => f.endsWith("/kustomization.yaml"))
    .map((f) => path.dirname(f))
    .sort();

  it("builds the root into exactly the per-item units", () => {
    const units = kustomize(path.join(repo, "gitops/s/c"));
    const kind = engine === "flux" ? "Kustomization" : "Application";
    expect(units.every((u) => u.kind === kind)).toBe(true);
    expect(units.map((u) => String(u.metadata.name)).sort()).toEqual(
      engine === "flux"
        ? ["api", "backend", "backend-migrations", "backend-workloads", "cert-manager", "flux-tenancy", "issuers", "kube-prometheus-stack", "postgres", "postgres-migrations"]
        : ["api", "backend", "cert-manager", "issuers", "kube-prometheus-stack", "postgres"],
    );
  });

  it.each(dirs)("builds %s", (dir) => {
    expect(kustomize(path.join(repo, dir)).length).toBeGreaterThan(0);
  });

  it("points every unit at a directory that builds", () => {
    for (const unit of kustomize(path.join(repo, "gitops/s/c"))) {
      const unitPath: string | undefined = engine === "flux" ? unit.spec.path : unit.spec.source.path;
      if (unitPath === undefined) continue; // an addon's Application has a Helm source
      expect(dirs).toContain(unitPath.replace(/^\.\//, ""));
    }
  });
});
