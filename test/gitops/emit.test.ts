import { parse } from "yaml";
import { EMIT_MARKER, renderGitopsTree, type Addon, type DeliveryItem } from "../../components/gitops";
import { gitFor, ITEMS } from "./fixtures";

// Parsed YAML is untyped; tests read into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

const SECRET_VALUES = ["fake-git-token-0123456789", "AGE-SECRET-KEY-1FAKEFAKEFAKE", "fake-db-password-xyz", "fake-kubeconfig-do-not-emit"];

function resources(files: Record<string, string>, dir: string): string[] {
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
  const root = "gitops/homelab/production";
  const files = renderGitopsTree({ stack: "homelab", cluster: "production", engine: "flux", items: ITEMS, git: gitFor("homelab", "production"), sops: true });
  const doc = (path: string): Any => parse(files[`${root}/${path}`]);

  it("writes one unit per item phase beside the item's directories", () => {
    expect(Object.keys(files).map((f) => f.slice(root.length + 1))).toEqual([
      "apps/backend/app/kustomization.yaml",
      "apps/backend/app/namespace-steady.yaml",
      "apps/backend/app/service-backend.yaml",
      "apps/backend/ks-migrations.yaml",
      "apps/backend/ks-workloads.yaml",
      "apps/backend/ks.yaml",
      "apps/backend/migrations/job-backend-migration.yaml",
      "apps/backend/migrations/kustomization.yaml",
      "apps/backend/workloads/deployment-backend.yaml",
      "apps/backend/workloads/kustomization.yaml",
      "infrastructure-configs/issuers/app/clusterissuer-letsencrypt.yaml",
      "infrastructure-configs/issuers/app/kustomization.yaml",
      "infrastructure-configs/issuers/ks.yaml",
      "infrastructure-controllers/cert-manager/app/helmrelease-cert-manager.yaml",
      "infrastructure-controllers/cert-manager/app/helmrepository-cert-manager.yaml",
      "infrastructure-controllers/cert-manager/app/kustomization.yaml",
      "infrastructure-controllers/cert-manager/ks.yaml",
      "kustomization.yaml",
      "monitoring/kube-prometheus-stack/app/helmrelease-kube-prometheus-stack.yaml",
      "monitoring/kube-prometheus-stack/app/kustomization.yaml",
      "monitoring/kube-prometheus-stack/app/ocirepository-kube-prometheus-stack.yaml",
      "monitoring/kube-prometheus-stack/ks.yaml",
    ]);
  });

  it("lists only the unit files at the root and each directory's files in its kustomization.yaml", () => {
    expect(resources(files, root)).toEqual([
      "apps/backend/ks-migrations.yaml",
      "apps/backend/ks-workloads.yaml",
      "apps/backend/ks.yaml",
      "infrastructure-configs/issuers/ks.yaml",
      "infrastructure-controllers/cert-manager/ks.yaml",
      "monitoring/kube-prometheus-stack/ks.yaml",
    ]);
    expect(resources(files, `${root}/apps/backend/app`)).toEqual(["namespace-steady.yaml", "service-backend.yaml"]);
    expect(resources(files, `${root}/apps/backend/migrations`)).toEqual(["job-backend-migration.yaml"]);
  });

  it("gives each unit its path, dependencies, timeout, wait and prune; migrations are forced", () => {
    expect(doc("apps/backend/ks.yaml")).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "backend", namespace: "flux-system", labels: { "platform.io/layer": "apps", "platform.io/item": "backend" } },
      spec: {
        interval: "10m",
        retryInterval: "1m",
        timeout: "10m",
        path: "./gitops/homelab/production/apps/backend/app",
        prune: true,
        wait: true,
        sourceRef: { kind: "GitRepository", name: "platform" },
        decryption: { provider: "sops", secretRef: { name: "sops-age" } },
      },
    });
    expect(doc("apps/backend/ks-migrations.yaml").spec).toMatchObject({ force: true, dependsOn: [{ name: "backend" }], path: "./gitops/homelab/production/apps/backend/migrations" });
    expect(doc("apps/backend/ks-workloads.yaml").spec.force).toBeUndefined();
    expect(doc("monitoring/kube-prometheus-stack/ks.yaml").spec.dependsOn).toBeUndefined();
    expect(doc("infrastructure-configs/issuers/ks.yaml").spec.dependsOn).toEqual([{ name: "cert-manager" }]);
    // The HelmRelease's 5m bounds each Helm action; the unit waits for all of its retries.
    expect(doc("infrastructure-controllers/cert-manager/ks.yaml").spec.timeout).toBe("35m");
  });

  it("turns an https addon into a HelmRepository and a pinned HelmRelease that ignores the webhook caBundle", () => {
    const release = doc("infrastructure-controllers/cert-manager/app/helmrelease-cert-manager.yaml");
    expect(release.spec.chart.spec).toEqual({
      chart: "cert-manager",
      version: "1.16.2",
      sourceRef: { kind: "HelmRepository", name: "cert-manager", namespace: "flux-system" },
    });
    expect(release.spec.values).toEqual({ crds: { enabled: true } });
    expect(release.spec.timeout).toBe("5m");
    expect(release.spec.install).toEqual({ createNamespace: true, crds: "Create", remediation: { retries: 3 } });
    expect(release.spec.upgrade).toEqual({ crds: "CreateReplace", remediation: { retries: 3, remediateLastFailure: true } });
    expect(release.spec.driftDetection).toEqual({
      mode: "enabled",
      ignore: [
        {
          paths: ["/webhooks/0/clientConfig/caBundle"],
          target: { group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration", name: "cert-manager-webhook" },
        },
      ],
    });
    // Written explicitly: omitting it would leave a suspend set by another manager in place.
    expect(release.spec.suspend).toBe(false);
  });

  it("fetches an OCI chart through an OCIRepository and chartRef", () => {
    expect(doc("monitoring/kube-prometheus-stack/app/ocirepository-kube-prometheus-stack.yaml").spec).toEqual({
      interval: "10m",
      url: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack",
      ref: { tag: "65.1.1" },
      layerSelector: { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", operation: "copy" },
    });
    const release = doc("monitoring/kube-prometheus-stack/app/helmrelease-kube-prometheus-stack.yaml");
    expect(release.spec.chartRef).toEqual({ kind: "OCIRepository", name: "kube-prometheus-stack", namespace: "flux-system" });
    expect(release.spec.chart).toBeUndefined();
  });

  it("reads chart values from a Secret through valuesFrom", () => {
    const withSecret: Addon = { ...(ITEMS[0] as Addon), valuesFrom: [{ secretName: "cm-auth", key: "token", targetPath: "auth.token" }] };
    const tree = renderGitopsTree({ stack: "homelab", cluster: "production", engine: "flux", items: [withSecret], git: gitFor("homelab", "production") });
    const release = parse(tree[`${root}/infrastructure-controllers/cert-manager/app/helmrelease-cert-manager.yaml`]);
    expect(release.spec.valuesFrom).toEqual([{ kind: "Secret", name: "cm-auth", valuesKey: "token", targetPath: "auth.token" }]);
  });

  it("starts every file with the emit marker", () => {
    for (const content of Object.values(files)) expect(content.split("\n")[0]).toBe(EMIT_MARKER);
  });

  it("holds no Secret and no secret value", () => assertNoSecrets(files));

  it("is deterministic", () => {
    expect(renderGitopsTree({ stack: "homelab", cluster: "production", engine: "flux", items: ITEMS, git: gitFor("homelab", "production"), sops: true })).toEqual(files);
  });

  it("renders released units for handover step 1: no pruning, orphan on delete, HelmReleases suspended", () => {
    const released = renderGitopsTree({ stack: "homelab", cluster: "production", engine: "flux", items: ITEMS, git: gitFor("homelab", "production"), released: true });
    const ks = parse(released[`${root}/apps/backend/ks.yaml`]);
    expect([ks.spec.prune, ks.spec.deletionPolicy]).toEqual([false, "Orphan"]);
    const release = parse(released[`${root}/monitoring/kube-prometheus-stack/app/helmrelease-kube-prometheus-stack.yaml`]);
    expect(release.spec.suspend).toBe(true);
  });
});

describe("emit: Argo CD cluster", () => {
  const root = "gitops/prod/main";
  const files = renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: ITEMS, git: gitFor("prod", "main") });
  const doc = (path: string): Any => parse(files[`${root}/${path}`]);

  it("writes one Application per item and the bundle objects in the item's app directory", () => {
    expect(Object.keys(files).map((f) => f.slice(root.length + 1))).toEqual([
      "apps/backend/app/deployment-backend.yaml",
      "apps/backend/app/job-backend-migration.yaml",
      "apps/backend/app/kustomization.yaml",
      "apps/backend/app/namespace-steady.yaml",
      "apps/backend/app/service-backend.yaml",
      "apps/backend/application.yaml",
      "infrastructure-configs/issuers/app/clusterissuer-letsencrypt.yaml",
      "infrastructure-configs/issuers/app/kustomization.yaml",
      "infrastructure-configs/issuers/application.yaml",
      "infrastructure-controllers/cert-manager/application.yaml",
      "kustomization.yaml",
      "monitoring/kube-prometheus-stack/application.yaml",
    ]);
    expect(resources(files, root)).toEqual([
      "apps/backend/application.yaml",
      "infrastructure-configs/issuers/application.yaml",
      "infrastructure-controllers/cert-manager/application.yaml",
      "monitoring/kube-prometheus-stack/application.yaml",
    ]);
  });

  it("orders objects of an item by phase waves and runs migration Jobs as Sync hooks recreated each run", () => {
    const annotations = (f: string): Record<string, string> | undefined => (doc(`apps/backend/app/${f}`) as { metadata: { annotations?: Record<string, string> } }).metadata.annotations;
    expect(annotations("job-backend-migration.yaml")).toEqual({
      "argocd.argoproj.io/sync-wave": "1",
      "argocd.argoproj.io/hook": "Sync",
      "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    });
    expect(annotations("deployment-backend.yaml")).toEqual({ "argocd.argoproj.io/sync-wave": "2" });
    expect(annotations("service-backend.yaml")).toBeUndefined();
  });

  it("gives a bundle an Application over its directory, with wave, finalizer and project", () => {
    expect(doc("apps/backend/application.yaml")).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "backend",
        namespace: "argocd",
        labels: { "platform.io/layer": "apps", "platform.io/item": "backend" },
        annotations: { "argocd.argoproj.io/sync-wave": "0" },
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: {
        project: "platform",
        source: { repoURL: "https://github.com/example/platform", targetRevision: "main", path: "gitops/prod/main/apps/backend/app" },
        destination: { server: "https://kubernetes.default.svc", namespace: "steady" },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ["CreateNamespace=true", "ServerSideApply=true", "PruneLast=true", "RespectIgnoreDifferences=true"],
          retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
        },
      },
    });
    expect(doc("infrastructure-configs/issuers/application.yaml").metadata.annotations).toEqual({ "argocd.argoproj.io/sync-wave": "-5" });
  });

  it("turns an OCI addon into a Helm-source Application with the scheme-less repository URL", () => {
    const app = doc("monitoring/kube-prometheus-stack/application.yaml");
    expect(app.spec.source).toEqual({
      repoURL: "ghcr.io/prometheus-community/charts",
      chart: "kube-prometheus-stack",
      targetRevision: "65.1.1",
      helm: { releaseName: "kube-prometheus-stack", skipCrds: false, valuesObject: {} },
    });
    expect(app.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "monitoring" });
    expect(app.spec.project).toBe("infrastructure");
    expect(app.metadata.annotations).toEqual({ "argocd.argoproj.io/sync-wave": "-10" });
  });

  it("leaves the webhook caBundle to the controller", () => {
    expect(doc("infrastructure-controllers/cert-manager/application.yaml").spec.ignoreDifferences).toEqual([
      {
        group: "admissionregistration.k8s.io",
        kind: "ValidatingWebhookConfiguration",
        name: "cert-manager-webhook",
        jsonPointers: ["/webhooks/0/clientConfig/caBundle"],
      },
    ]);
  });

  it("rejects valuesFrom, which an Application cannot read", () => {
    const withSecret: Addon = { ...(ITEMS[0] as Addon), valuesFrom: [{ secretName: "cm-auth", key: "token", targetPath: "auth.token" }] };
    expect(() => renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: [withSecret], git: gitFor("prod", "main") })).toThrow(
      'addon "cert-manager": valuesFrom is not supported on Argo CD (an Application\'s Helm values come from git, never from a Secret); use the chart\'s existingSecret option (or its equivalent) with a LiveSecret or an operator-managed Secret instead',
    );
  });

  it("renders released Applications for handover step 1: no finalizer, no automated sync", () => {
    const released = renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: ITEMS, git: gitFor("prod", "main"), released: true });
    const app = parse(released[`${root}/apps/backend/application.yaml`]);
    expect(app.metadata.finalizers).toBeUndefined();
    expect(app.spec.syncPolicy.automated).toBeUndefined();
  });

  it("holds no Secret and no secret value", () => assertNoSecrets(files));
});

describe("emit: refusals and empty clusters", () => {
  it("throws when a bundle holds a Secret", () => {
    const withSecret: DeliveryItem = {
      kind: "bundle",
      name: "db",
      layer: "apps",
      namespace: "steady",
      objects: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "db-credentials" }, stringData: { password: "fake-db-password-xyz" } }],
    };
    expect(() => renderGitopsTree({ stack: "prod", cluster: "main", engine: "argocd", items: [withSecret], git: gitFor("prod", "main") })).toThrow(
      'bundle "db": object Secret/db-credentials is a Secret; Secrets are never emitted',
    );
  });

  it("writes a root kustomization.yaml with no units when there are no items", () => {
    const tree = renderGitopsTree({ stack: "s", cluster: "c", engine: "flux", items: [], git: gitFor("s", "c") });
    expect(Object.keys(tree)).toEqual(["gitops/s/c/kustomization.yaml"]);
    expect(parse(tree["gitops/s/c/kustomization.yaml"])).toEqual({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [] });
  });
});
