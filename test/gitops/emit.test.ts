import { parse } from "yaml";
import { renderGitopsTree, type DeliveryItem } from "../../components/gitops";
import { ITEMS } from "./fixtures";

const SECRET_VALUES = ["fake-git-token-0123456789", "AGE-SECRET-KEY-1FAKEFAKEFAKE", "fake-db-password-xyz", "fake-kubeconfig-do-not-emit"];

function kustomizationResources(files: Record<string, string>, dir: string): string[] {
  return (parse(files[`${dir}/kustomization.yaml`]) as { resources: string[] }).resources;
}

function assertNoSecrets(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const doc = parse(content) as { kind?: string };
    expect({ path, kind: doc.kind }).not.toEqual({ path, kind: "Secret" });
    for (const value of SECRET_VALUES) expect({ path, holds: content.includes(value) }).toEqual({ path, holds: false });
  }
}

describe("emit: Flux cluster", () => {
  const files = renderGitopsTree({ stack: "homelab", cluster: "production", engine: "flux", items: ITEMS });
  const root = "gitops/homelab/production";

  it("writes the directory tree under gitops/<stack>/<cluster>/", () => {
    expect(Object.keys(files)).toEqual([
      `${root}/apps/backend/kustomization.yaml`,
      `${root}/apps/backend/namespace-steady.yaml`,
      `${root}/apps/backend/service-backend.yaml`,
      `${root}/apps/kustomization.yaml`,
      `${root}/apps/migrations/backend/job-backend-migration.yaml`,
      `${root}/apps/migrations/backend/kustomization.yaml`,
      `${root}/apps/migrations/kustomization.yaml`,
      `${root}/apps/workloads/backend/deployment-backend.yaml`,
      `${root}/apps/workloads/backend/kustomization.yaml`,
      `${root}/apps/workloads/kustomization.yaml`,
      `${root}/infrastructure-configs/issuers/clusterissuer-letsencrypt.yaml`,
      `${root}/infrastructure-configs/issuers/kustomization.yaml`,
      `${root}/infrastructure-configs/kustomization.yaml`,
      `${root}/infrastructure-controllers/cert-manager/helmrelease-cert-manager.yaml`,
      `${root}/infrastructure-controllers/cert-manager/helmrepository-cert-manager.yaml`,
      `${root}/infrastructure-controllers/cert-manager/kustomization.yaml`,
      `${root}/infrastructure-controllers/kustomization.yaml`,
      `${root}/kustomization.yaml`,
      `${root}/monitoring/kube-prometheus-stack/helmrelease-kube-prometheus-stack.yaml`,
      `${root}/monitoring/kube-prometheus-stack/helmrepository-kube-prometheus-stack.yaml`,
      `${root}/monitoring/kube-prometheus-stack/kustomization.yaml`,
      `${root}/monitoring/kustomization.yaml`,
    ]);
  });

  it("lists files and subdirectories in each kustomization.yaml, never a nested Flux unit", () => {
    expect(kustomizationResources(files, root)).toEqual(["apps", "infrastructure-configs", "infrastructure-controllers", "monitoring"]);
    expect(kustomizationResources(files, `${root}/apps`)).toEqual(["backend"]);
    expect(kustomizationResources(files, `${root}/apps/backend`)).toEqual(["namespace-steady.yaml", "service-backend.yaml"]);
    expect(kustomizationResources(files, `${root}/apps/migrations`)).toEqual(["backend"]);
    expect(kustomizationResources(files, `${root}/infrastructure-controllers/cert-manager`)).toEqual([
      "helmrelease-cert-manager.yaml",
      "helmrepository-cert-manager.yaml",
    ]);
    expect(parse(files[`${root}/apps/kustomization.yaml`])).toMatchObject({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" });
  });

  it("turns an addon into a pinned HelmRelease with remediation", () => {
    const release = parse(files[`${root}/infrastructure-controllers/cert-manager/helmrelease-cert-manager.yaml`]);
    expect(release.spec.chart.spec).toEqual({
      chart: "cert-manager",
      version: "1.16.2",
      sourceRef: { kind: "HelmRepository", name: "cert-manager", namespace: "flux-system" },
    });
    expect(release.spec.values).toEqual({ crds: { enabled: true } });
    expect(release.spec.install).toEqual({ createNamespace: true, crds: "Create", remediation: { retries: 3 } });
    expect(release.spec.upgrade).toEqual({ crds: "CreateReplace", remediation: { retries: 3, remediateLastFailure: true } });
    const repo = parse(files[`${root}/monitoring/kube-prometheus-stack/helmrepository-kube-prometheus-stack.yaml`]);
    expect(repo.spec).toEqual({ interval: "10m", url: "oci://ghcr.io/prometheus-community/charts", type: "oci" });
  });

  it("gives namespaced bundle objects their namespace and no Argo annotations", () => {
    const svc = parse(files[`${root}/apps/backend/service-backend.yaml`]);
    expect(svc.metadata).toEqual({ name: "backend", namespace: "steady" });
  });

  it("holds no Secret and no secret value", () => assertNoSecrets(files));

  it("is deterministic", () => {
    expect(renderGitopsTree({ stack: "homelab", cluster: "production", engine: "flux", items: ITEMS })).toEqual(files);
  });
});

describe("emit: Argo CD cluster", () => {
  const files = renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: ITEMS });
  const root = "gitops/prod/main";

  it("puts every item in one directory per layer with sync waves", () => {
    expect(kustomizationResources(files, `${root}/apps/backend`)).toEqual([
      "deployment-backend.yaml",
      "job-backend-migration.yaml",
      "namespace-steady.yaml",
      "service-backend.yaml",
    ]);
    const wave = (f: string): string | undefined => (parse(files[`${root}/apps/backend/${f}`]) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.["argocd.argoproj.io/sync-wave"];
    expect(wave("job-backend-migration.yaml")).toBe("1");
    expect(wave("deployment-backend.yaml")).toBe("2");
    expect(wave("service-backend.yaml")).toBeUndefined();
  });

  it("turns an addon into a Helm-source Application", () => {
    const app = parse(files[`${root}/monitoring/kube-prometheus-stack/application-kube-prometheus-stack.yaml`]);
    expect(app.spec.source).toEqual({
      repoURL: "ghcr.io/prometheus-community/charts",
      chart: "kube-prometheus-stack",
      targetRevision: "65.1.1",
      helm: { releaseName: "kube-prometheus-stack", skipCrds: false, valuesObject: {} },
    });
    expect(app.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "monitoring" });
    expect(app.spec.project).toBe("infrastructure");
  });

  it("holds no Secret and no secret value", () => assertNoSecrets(files));
});

describe("emit: refusals", () => {
  it("throws when a bundle holds a Secret", () => {
    const withSecret: DeliveryItem = {
      kind: "bundle",
      name: "db",
      layer: "apps",
      namespace: "steady",
      objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "db-credentials" }, stringData: { password: "fake-db-password-xyz" } }],
    };
    expect(() => renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: [withSecret] })).toThrow(
      'bundle "db": object Secret/db-credentials is a Secret; Secrets are never emitted',
    );
  });

  it("writes every layer directory even with no items", () => {
    expect(Object.keys(renderGitopsTree({ stack: "s", cluster: "c", engine: "flux", items: [] }))).toEqual([
      "gitops/s/c/apps/kustomization.yaml",
      "gitops/s/c/infrastructure-configs/kustomization.yaml",
      "gitops/s/c/infrastructure-controllers/kustomization.yaml",
      "gitops/s/c/kustomization.yaml",
      "gitops/s/c/monitoring/kustomization.yaml",
    ]);
  });
});
