import * as pulumi from "@pulumi/pulumi";
import { runProgram, SECRET_PLACEHOLDER, type RecordedResource } from "../../lib/mock-runtime";
import { createEngine, retainStatefulInstallObjects, type Addon, type GitOpsEngineArgs } from "../../components/gitops";
import { AGE_KEY_VALUE, fakeCluster, GIT_TOKEN_VALUE, ITEMS, LIVE_SECRET_VALUE, VERSIONS } from "./fixtures";

// Recorded inputs are untyped JSON; tests read into them freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

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

const childrenOf = (resources: RecordedResource[], parent: string) =>
  resources.filter((r) => r.parent?.endsWith(`::${parent}`)).map((r) => `${r.type} ${r.name}`).sort();
const find = (resources: RecordedResource[], name: string) => resources.find((r) => r.name === name)!;

describe("FluxEngine, deploy mode", () => {
  it("installs pinned Flux and applies the sources, HelmReleases and bundle objects itself, with no git unit", async () => {
    const { resources } = await runProgram(() => {
      const cluster = fakeCluster("production");
      createEngine("flux", "production-gitops", args({ cluster, gitToken: pulumi.secret(GIT_TOKEN_VALUE), sopsAgeKey: pulumi.secret(AGE_KEY_VALUE) }));
    });
    expect(childrenOf(resources, "production-gitops")).toEqual(
      [
        "kubernetes:yaml/v2:ConfigFile production-gitops-install",
        "kubernetes:core/v1:Secret production-gitops-git-auth",
        "kubernetes:core/v1:Secret production-gitops-sops-age",
        "kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository production-gitops-cert-manager-helmrepository-flux-system-cert-manager",
        "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease production-gitops-cert-manager-helmrelease-flux-system-cert-manager",
        "kubernetes:cert-manager.io/v1:ClusterIssuer production-gitops-issuers-clusterissuer-letsencrypt",
        "kubernetes:core/v1:Namespace production-gitops-backend-namespace-steady",
        "kubernetes:core/v1:Service production-gitops-backend-service-steady-backend",
        "kubernetes:batch/v1:Job production-gitops-backend-job-steady-backend-migration",
        "kubernetes:apps/v1:Deployment production-gitops-backend-deployment-steady-backend",
        "kubernetes:source.toolkit.fluxcd.io/v1:OCIRepository production-gitops-kube-prometheus-stack-ocirepository-flux-system-kube-prometheus-stack",
        "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease production-gitops-kube-prometheus-stack-helmrelease-flux-system-kube-prometheus-stack",
        "kubernetes:core/v1:Secret production-gitops-secret-steady-db",
      ].sort(),
    );
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    for (const r of resources.filter((x) => x.parent?.endsWith("::production-gitops"))) expect(r.provider).toBe(provider.urn);
    expect(find(resources, "production-gitops-install").inputs.file).toBe("https://github.com/fluxcd/flux2/releases/download/v2.7.5/install.yaml");
    expect(find(resources, "production-gitops-sops-age").inputs.stringData).toEqual({ "age.agekey": SECRET_PLACEHOLDER });
    expect(find(resources, "production-gitops-git-auth").inputs.metadata).toEqual({ name: "platform-git-auth", namespace: "flux-system" });
    // Pulumi waits for each HelmRelease to be Ready before the items that need it.
    const release = find(resources, "production-gitops-cert-manager-helmrelease-flux-system-cert-manager");
    expect((release.inputs as Any).metadata.annotations).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
    expect(find(resources, "production-gitops-issuers-clusterissuer-letsencrypt").dependsOn).toContain(release.urn);
    // Inside an item: base objects, then the migration Job, then the Deployment.
    const job = find(resources, "production-gitops-backend-job-steady-backend-migration");
    expect(find(resources, "production-gitops-backend-deployment-steady-backend").dependsOn).toContain(job.urn);
    expect(job.dependsOn).toContain(find(resources, "production-gitops-backend-service-steady-backend").urn);
    // Monitoring waits for nothing of the other layers.
    const monitoring = find(resources, "production-gitops-kube-prometheus-stack-helmrelease-flux-system-kube-prometheus-stack");
    expect(monitoring.dependsOn).not.toContain(release.urn);
    // The live Secret waits for the bundle's Namespace rather than creating its own.
    expect(find(resources, "production-gitops-secret-steady-db").dependsOn).toContain(find(resources, "production-gitops-backend-namespace-steady").urn);
    const all = JSON.stringify(resources);
    for (const v of [GIT_TOKEN_VALUE, AGE_KEY_VALUE, LIVE_SECRET_VALUE]) expect(all).not.toContain(v);
  });

  it("applies an object after its own Namespace when both are in one phase", async () => {
    // Objects of one phase are applied in parallel; a Service created before its Namespace is
    // refused by the API server (the e2e loop saw every app's default-deny NetworkPolicy fail).
    const { resources } = await runProgram(() => {
      createEngine("flux", "production-gitops", args({ cluster: fakeCluster("production") }));
    });
    const namespace = find(resources, "production-gitops-backend-namespace-steady");
    expect(find(resources, "production-gitops-backend-service-steady-backend").dependsOn).toContain(namespace.urn);
    expect(namespace.dependsOn).not.toContain(find(resources, "production-gitops-backend-service-steady-backend").urn);
  });

  it("retains Namespaces but not workloads, and aliases bundle objects to the Argo CD engine's children", async () => {
    const { resources } = await runProgram(() => {
      createEngine("flux", "production-gitops", args({ cluster: fakeCluster("production") }));
    });
    expect(find(resources, "production-gitops-backend-namespace-steady").retainOnDelete).toBe(true);
    expect(find(resources, "production-gitops-backend-deployment-steady-backend").retainOnDelete).toBe(false);
    expect(find(resources, "production-gitops-backend-deployment-steady-backend").aliases).toEqual([
      "urn:pulumi:test::platform::platform:gitops:ArgoCdEngine$kubernetes:apps/v1:Deployment::production-gitops-backend-deployment-steady-backend",
    ]);
  });

  it("keeps the install's Namespace and CRDs on delete, and only those", () => {
    const transform = (type: string) =>
      retainStatefulInstallObjects({ type, name: "x", props: {}, opts: {}, custom: true }) as
        | { opts: pulumi.CustomResourceOptions }
        | undefined;
    expect(transform("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")?.opts.retainOnDelete).toBe(true);
    expect(transform("kubernetes:core/v1:Namespace")?.opts.retainOnDelete).toBe(true);
    expect(transform("kubernetes:apps/v1:Deployment")).toBeUndefined();
  });

  it("applies item timeouts to the HelmRelease", async () => {
    const slow: Addon = { ...(ITEMS[0] as Addon), timeout: "15m" };
    const { resources } = await runProgram(() => {
      createEngine("flux", "production-gitops", args({ cluster: fakeCluster("production"), items: [slow], liveSecrets: [] }));
    });
    expect((find(resources, "production-gitops-cert-manager-helmrelease-flux-system-cert-manager").inputs as Any).spec.timeout).toBe("15m");
  });
});

describe("FluxEngine, emit mode", () => {
  it("creates the GitRepository and the root Kustomization only, and returns the tree", async () => {
    const { resources, outputs } = await runProgram(() => {
      const engine = createEngine("flux", "production-gitops", args({ cluster: fakeCluster("production"), delivery: "emit", sopsAgeKey: pulumi.secret(AGE_KEY_VALUE) }));
      return engine.files;
    });
    expect(childrenOf(resources, "production-gitops").map((c) => c.split(" ")[1]).sort()).toEqual(
      [
        "production-gitops-install",
        "production-gitops-sops-age",
        "production-gitops-source",
        "production-gitops-root",
        "production-gitops-backend-namespace-steady",
        "production-gitops-secret-steady-db",
      ].sort(),
    );
    const root = find(resources, "production-gitops-root");
    expect(root.inputs).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "platform-root", namespace: "flux-system" },
      spec: {
        interval: "10m",
        retryInterval: "1m",
        timeout: "5m",
        path: "./gitops/homelab/production",
        prune: true,
        deletionPolicy: "Orphan",
        wait: false,
        sourceRef: { kind: "GitRepository", name: "platform" },
      },
    });
    // The engine finds the live Secret before it applies the item that uses it.
    expect(root.dependsOn).toContain(find(resources, "production-gitops-secret-steady-db").urn);
    expect(find(resources, "production-gitops-backend-namespace-steady").retainOnDelete).toBe(true);
    expect(find(resources, "production-gitops-secret-steady-db").dependsOn).toContain(find(resources, "production-gitops-backend-namespace-steady").urn);
    // The Namespace Pulumi creates for the live Secret is not emitted too.
    expect(Object.keys(outputs)).not.toContain("gitops/homelab/production/apps/backend/app/namespace-steady.yaml");
    expect(Object.keys(outputs)).toContain("gitops/homelab/production/apps/backend/app/service-backend.yaml");
    expect(outputs["gitops/homelab/production/apps/backend/ks.yaml"]).toContain("name: sops-age");
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
  const prodGit = { url: "https://github.com/example/platform", branch: "prod", path: "gitops/prod/main" };

  it("emit mode: installs the chart with the Application health check, credentials, projects and the root app-of-apps", async () => {
    const { resources } = await runProgram(() => {
      createEngine("argocd", "main-gitops", args({ cluster: fakeCluster("main"), stack: "prod", delivery: "emit", git: prodGit, gitToken: pulumi.secret(GIT_TOKEN_VALUE) }));
    });
    expect(childrenOf(resources, "main-gitops")).toEqual(
      [
        "kubernetes:helm.sh/v3:Release main-gitops-install",
        "kubernetes:core/v1:Secret main-gitops-repo",
        "kubernetes:argoproj.io/v1alpha1:AppProject main-gitops-project-infrastructure",
        "kubernetes:argoproj.io/v1alpha1:AppProject main-gitops-project-platform",
        "kubernetes:argoproj.io/v1alpha1:AppProject main-gitops-project-root",
        "kubernetes:argoproj.io/v1alpha1:Application main-gitops-root",
        "kubernetes:core/v1:Namespace main-gitops-backend-namespace-steady",
        "kubernetes:core/v1:Secret main-gitops-secret-steady-db",
      ].sort(),
    );
    const inputs = (n: string) => find(resources, n).inputs as Record<string, Any>;
    expect(inputs("main-gitops-install")).toMatchObject({ chart: "argo-cd", version: "8.5.7", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" }, namespace: "argocd" });
    expect(inputs("main-gitops-install").values.crds).toEqual({ install: true, keep: true });
    expect(inputs("main-gitops-install").values.configs.cm["resource.customizations.health.argoproj.io_Application"]).toContain(
      "hs.status = obj.status.health.status",
    );
    expect(inputs("main-gitops-repo").metadata.labels).toEqual({ "argocd.argoproj.io/secret-type": "repository" });
    expect(inputs("main-gitops-repo").stringData).toEqual({ password: SECRET_PLACEHOLDER, type: SECRET_PLACEHOLDER, url: SECRET_PLACEHOLDER, username: SECRET_PLACEHOLDER });
    expect(inputs("main-gitops-root")).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: "platform-root", namespace: "argocd" },
      spec: {
        project: "root",
        source: { repoURL: "https://github.com/example/platform", targetRevision: "prod", path: "gitops/prod/main" },
        destination: { server: "https://kubernetes.default.svc", namespace: "argocd" },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ["ServerSideApply=true"],
          retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } },
        },
      },
    });
    // The apps only where they deliver; the charts anywhere but argocd; the root only into argocd.
    expect(inputs("main-gitops-project-platform").spec.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "steady" }]);
    expect(inputs("main-gitops-project-infrastructure").spec.destinations).toEqual([
      { server: "https://kubernetes.default.svc", namespace: "!argocd" },
      { server: "https://kubernetes.default.svc", namespace: "*" },
    ]);
    expect(inputs("main-gitops-project-root").spec).toMatchObject({
      sourceRepos: ["https://github.com/example/platform"],
      destinations: [{ server: "https://kubernetes.default.svc", namespace: "argocd" }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: "argoproj.io", kind: "Application" }],
    });
    expect(inputs("main-gitops-project-platform").spec.sourceRepos).toEqual([
      "https://github.com/example/platform",
      "ghcr.io/prometheus-community/charts",
      "https://charts.jetstack.io",
    ]);
    expect(JSON.stringify(resources)).not.toContain(GIT_TOKEN_VALUE);
  });

  it("deploy mode: applies addon Applications and bundle objects, with no git source or root", async () => {
    const { resources } = await runProgram(() => {
      createEngine("argocd", "main-gitops", args({ cluster: fakeCluster("main"), gitToken: pulumi.secret(GIT_TOKEN_VALUE) }));
    });
    const names = childrenOf(resources, "main-gitops");
    expect(names.filter((n) => n.includes(":Application ") || n.includes("-repo") || n.includes("-root"))).toEqual([
      "kubernetes:argoproj.io/v1alpha1:Application main-gitops-cert-manager-application-argocd-cert-manager",
      "kubernetes:argoproj.io/v1alpha1:Application main-gitops-kube-prometheus-stack-application-argocd-kube-prometheus-stack",
    ]);
    const app = find(resources, "main-gitops-cert-manager-application-argocd-cert-manager").inputs as Record<string, Any>;
    expect(app.metadata.annotations).toEqual({
      "argocd.argoproj.io/sync-wave": "-10",
      "pulumi.com/waitFor": JSON.stringify(["jsonpath={.status.health.status}=Healthy", "jsonpath={.status.sync.status}=Synced", "jsonpath={.status.sync.revision}=1.16.2"]),
    });
    expect(app.metadata.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
    expect(app.spec.source.targetRevision).toBe("1.16.2");
    expect((find(resources, "main-gitops-project-platform").inputs as Any).spec.sourceRepos).toEqual([
      "ghcr.io/prometheus-community/charts",
      "https://charts.jetstack.io",
    ]);
    const issuer = find(resources, "main-gitops-issuers-clusterissuer-letsencrypt");
    expect(issuer.dependsOn).toContain(find(resources, "main-gitops-cert-manager-application-argocd-cert-manager").urn);
  });

  it("rejects valuesFrom before creating anything", async () => {
    const withSecret: Addon = { ...(ITEMS[0] as Addon), valuesFrom: [{ secretName: "cm-auth", key: "token", targetPath: "auth.token" }] };
    await expect(
      runProgram(() => {
        createEngine("argocd", "main-gitops", args({ cluster: fakeCluster("main"), items: [withSecret] }));
      }),
    ).rejects.toThrow('addon "cert-manager": valuesFrom is not supported on Argo CD');
  });
});
