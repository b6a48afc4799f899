import * as pulumi from "@pulumi/pulumi";

// Recorded inputs are untyped JSON; tests read into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
import { runProgram, SECRET_PLACEHOLDER } from "../../lib/mock-runtime";
import { createEngine, type GitOpsEngineArgs } from "../../components/gitops";
import { AGE_KEY_VALUE, fakeCluster, GIT_TOKEN_VALUE, ITEMS, LIVE_SECRET_VALUE, VERSIONS } from "./fixtures";

function args(overrides: Partial<GitOpsEngineArgs> & Pick<GitOpsEngineArgs, "cluster">): GitOpsEngineArgs {
  return {
    stack: "homelab",
    delivery: "deploy",
    git: { url: "https://github.com/example/platform", branch: "main", path: "gitops/homelab/production" },
    versions: VERSIONS,
    items: ITEMS,
    liveSecrets: [{ name: "db", namespace: "steady", stringData: { password: pulumi.secret(LIVE_SECRET_VALUE) } }],
    ...overrides,
  };
}

describe("FluxEngine", () => {
  it("installs pinned Flux and the source and applies items in deploy mode, with no git-path Kustomizations", async () => {
    const { resources } = await runProgram(() => {
      const cluster = fakeCluster("production");
      createEngine("flux", "production-flux", args({ cluster, gitToken: pulumi.secret(GIT_TOKEN_VALUE), sopsAgeKey: pulumi.secret(AGE_KEY_VALUE) }));
    });
    const children = resources.filter((r) => (r.parent?.endsWith("::production-flux") || r.parent?.endsWith("::production-flux-delivered"))).map((r) => `${r.type} ${r.name}`).sort();
    expect(children).toEqual(([
      "kubernetes:yaml/v2:ConfigFile production-flux-install",
      "kubernetes:core/v1:Secret production-flux-git-auth",
      "kubernetes:core/v1:Secret production-flux-sops-age",
      "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository production-flux-source",
      "kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository production-flux-cert-manager-helmrepository-flux-system-cert-manager",
      "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease production-flux-cert-manager-helmrelease-flux-system-cert-manager",
      "kubernetes:cert-manager.io/v1:ClusterIssuer production-flux-issuers-clusterissuer-letsencrypt",
      "kubernetes:core/v1:Namespace production-flux-backend-namespace-steady",
      "kubernetes:core/v1:Service production-flux-backend-service-steady-backend",
      "kubernetes:batch/v1:Job production-flux-backend-job-steady-backend-migration",
      "kubernetes:apps/v1:Deployment production-flux-backend-deployment-steady-backend",
      "kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository production-flux-kube-prometheus-stack-helmrepository-flux-system-kube-prometheus-stack",
      "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease production-flux-kube-prometheus-stack-helmrelease-flux-system-kube-prometheus-stack",
      "kubernetes:core/v1:Secret production-flux-secret-steady-db",
    ] as string[]).sort());
    const byName = (n: string) => resources.find((r) => r.name === n)!;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    for (const r of resources.filter((r) => (r.parent?.endsWith("::production-flux") || r.parent?.endsWith("::production-flux-delivered")))) expect(r.provider).toBe(provider.urn);
    expect(byName("production-flux-install").inputs.file).toBe("https://github.com/fluxcd/flux2/releases/download/v2.7.5/install.yaml");
    expect(byName("production-flux-sops-age").inputs.stringData).toEqual({ "age.agekey": SECRET_PLACEHOLDER });
    expect(byName("production-flux-git-auth").inputs.metadata).toEqual({ name: "platform-git-auth", namespace: "flux-system" });
    // Deploy-mode order: the Deployment waits for the migration Job, the Job for the base objects.
    const job = byName("production-flux-backend-job-steady-backend-migration");
    expect(byName("production-flux-backend-deployment-steady-backend").dependsOn).toContain(job.urn);
    expect(job.dependsOn).toContain(byName("production-flux-backend-service-steady-backend").urn);
    expect(byName("production-flux-issuers-clusterissuer-letsencrypt").dependsOn).toContain(
      byName("production-flux-cert-manager-helmrelease-flux-system-cert-manager").urn,
    );
    // The live Secret waits for the bundle's Namespace rather than creating its own.
    expect(byName("production-flux-secret-steady-db").dependsOn).toContain(byName("production-flux-backend-namespace-steady").urn);
    const all = JSON.stringify(resources);
    for (const v of [GIT_TOKEN_VALUE, AGE_KEY_VALUE, LIVE_SECRET_VALUE]) expect(all).not.toContain(v);
  });

  it("registers nothing for emitted objects in emit mode and returns the tree", async () => {
    const { resources, outputs } = await runProgram(() => {
      const engine = createEngine(
        "flux",
        "production-flux",
        args({ cluster: fakeCluster("production"), delivery: "emit", sopsAgeKey: pulumi.secret(AGE_KEY_VALUE) }),
      );
      return engine.files;
    });
    const children = resources.filter((r) => (r.parent?.endsWith("::production-flux") || r.parent?.endsWith("::production-flux-delivered"))).map((r) => r.name).sort();
    expect(children).toEqual(([
      "production-flux-install",
      "production-flux-source",
      "production-flux-infrastructure-controllers",
      "production-flux-infrastructure-configs",
      "production-flux-apps",
      "production-flux-apps-migrations",
      "production-flux-apps-workloads",
      "production-flux-monitoring",
      "production-flux-ns-steady",
      "production-flux-secret-steady-db",
      "production-flux-sops-age",
    ] as string[]).sort());
    expect(resources.find((r) => r.name === "production-flux-ns-steady")!.retainOnDelete).toBe(true);
    const byName = (n: string) => resources.find((r) => r.name === n)!;
    const ks = byName("production-flux-apps").inputs as { spec: Record<string, unknown> };
    expect(ks.spec).toMatchObject({
      interval: "10m",
      path: "./gitops/homelab/production/apps",
      prune: true,
      wait: true,
      dependsOn: [{ name: "infrastructure-configs" }],
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
    });
    expect((byName("production-flux-monitoring").inputs as { spec: Record<string, unknown> }).spec.dependsOn).toBeUndefined();

    expect(Object.keys(outputs)).toContain("gitops/homelab/production/apps/backend/service-backend.yaml");
    expect(JSON.stringify(outputs)).not.toContain(LIVE_SECRET_VALUE);
  });

  it("refuses an emit path other than the emit root", async () => {
    await expect(
      runProgram(() => {
        createEngine("flux", "f", args({ cluster: fakeCluster("production"), delivery: "emit", git: { url: "https://x/y", branch: "main", path: "clusters/production" } }));
      }),
    ).rejects.toThrow('git.path: "clusters/production" must be "gitops/homelab/production" in emit mode');
  });
});

describe("ArgoCdEngine", () => {
  it("installs the pinned chart, repository credentials, projects and ApplicationSets", async () => {
    const { resources } = await runProgram(() => {
      createEngine(
        "argocd",
        "main-argocd",
        args({ cluster: fakeCluster("main"), stack: "prod", delivery: "emit", git: { url: "https://github.com/example/platform", branch: "prod", path: "gitops/prod/main" }, gitToken: pulumi.secret(GIT_TOKEN_VALUE) }),
      );
    });
    const children = resources.filter((r) => (r.parent?.endsWith("::main-argocd") || r.parent?.endsWith("::main-argocd-delivered"))).map((r) => `${r.type} ${r.name}`).sort();
    expect(children).toEqual(([
      "kubernetes:helm.sh/v3:Release main-argocd-install",
      "kubernetes:core/v1:Secret main-argocd-repo",
      "kubernetes:argoproj.io/v1alpha1:AppProject main-argocd-project-infrastructure",
      "kubernetes:argoproj.io/v1alpha1:AppProject main-argocd-project-platform",
      "kubernetes:argoproj.io/v1alpha1:ApplicationSet main-argocd-infrastructure-controllers",
      "kubernetes:argoproj.io/v1alpha1:ApplicationSet main-argocd-infrastructure-configs",
      "kubernetes:argoproj.io/v1alpha1:ApplicationSet main-argocd-apps",
      "kubernetes:argoproj.io/v1alpha1:ApplicationSet main-argocd-monitoring",
      "kubernetes:core/v1:Namespace main-argocd-ns-steady",
      "kubernetes:core/v1:Secret main-argocd-secret-steady-db",
    ] as string[]).sort());
    const byName = (n: string) => resources.find((r) => r.name === n)!.inputs as Record<string, Any>;
    expect(byName("main-argocd-install")).toMatchObject({
      chart: "argo-cd",
      version: "8.5.7",
      repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
      namespace: "argocd",
    });
    expect(byName("main-argocd-repo").metadata.labels).toEqual({ "argocd.argoproj.io/secret-type": "repository" });
    expect(byName("main-argocd-repo").stringData).toEqual({ password: SECRET_PLACEHOLDER, type: SECRET_PLACEHOLDER, url: SECRET_PLACEHOLDER, username: SECRET_PLACEHOLDER });
    const infra = byName("main-argocd-infrastructure-controllers");
    expect(infra.metadata.annotations).toEqual({ "argocd.argoproj.io/sync-wave": "-10" });
    expect(infra.spec.generators[0].git).toEqual({
      repoURL: "https://github.com/example/platform",
      revision: "prod",
      directories: [{ path: "gitops/prod/main/infrastructure-controllers/*" }],
    });
    expect(infra.spec.template.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ["CreateNamespace=true", "ServerSideApply=true", "PruneLast=true", "RespectIgnoreDifferences=true"],
      retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
    });
    const apps = byName("main-argocd-apps");
    expect(apps.metadata.annotations).toEqual({ "argocd.argoproj.io/sync-wave": "0" });
    expect(apps.spec.template.spec.project).toBe("platform");
    expect(apps.spec.template.spec.syncPolicy.retry.backoff).toEqual({ duration: "5s", factor: 2, maxDuration: "3m" });
    expect(byName("main-argocd-project-platform").spec.sourceRepos).toEqual([
      "https://github.com/example/platform",
      "ghcr.io/prometheus-community/charts",
      "https://charts.jetstack.io",
    ]);
    expect(JSON.stringify(resources)).not.toContain(GIT_TOKEN_VALUE);
  });

  it("applies addon Applications with a wait condition in deploy mode", async () => {
    const { resources } = await runProgram(() => {
      createEngine("argocd", "main-argocd", args({ cluster: fakeCluster("main") }));
    });
    const app = resources.find((r) => r.name === "main-argocd-cert-manager-application-argocd-cert-manager")!;
    expect((app.inputs as Record<string, Any>).metadata.annotations).toEqual({
      "argocd.argoproj.io/sync-wave": "0",
      "pulumi.com/waitFor": "jsonpath={.status.health.status}=Healthy",
    });
    expect((app.inputs as Record<string, Any>).spec.source.targetRevision).toBe("1.16.2");
  });
});
