/**
 * What the simulated cluster needs beyond its control plane, generated per run:
 *
 * - Stand-in CRDs for every custom resource kind the program applies live that neither
 *   Kubernetes nor the engine install serves. In a real cluster the services' charts install
 *   them; here no chart is rendered (the engines' reconciliation is simulated), and the
 *   upstream CRD manifests are not reachable (the module proxy does not serve the controllers'
 *   repositories at the pinned versions: source-, helm- and notification-controller answer
 *   "not available"). So their schema accepts any fields (`x-kubernetes-preserve-unknown-fields`):
 *   the API server checks their apiVersion, kind, scope and metadata, not their spec; the unit
 *   suite validates their spec against the @kubernetes-models schemas.
 * - Stand-ins of the engine installs for engineInstallFrom: Flux's install manifest (the Flux
 *   CRDs as above, the flux-system namespace and the four controllers of the pinned release)
 *   and an argo-cd chart (the three Argo CD CRDs, the server, repo server, application
 *   controller and redis).
 * - The StorageClasses the cluster's kind provides (local-path, hcloud-volumes-encrypted) and
 *   those its services would add, each served by platform-sim's provisioner.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

/** Groups Kubernetes serves itself (no CRD needed). */
const BUILT_IN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "certificates.k8s.io",
  "discovery.k8s.io",
  "node.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "resource.k8s.io",
]);

/** A planned object as plan-objects.ts prints it. */
export interface PlannedRef {
  readonly cluster: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
}

interface Kind {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  /** Whether the CRD has the status subresource (Argo CD's Application has none upstream). */
  status: boolean;
}

function plural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/** A CustomResourceDefinition whose schema accepts any fields. */
export function standInCrd(k: Kind): Record<string, unknown> {
  const name = plural(k.kind);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${name}.${k.group}`,
      labels: { "platform-e2e/stand-in": "true" },
      // Groups under k8s.io need it (the API server refuses them otherwise); Gateway API's CRDs
      // carry this one.
      ...(k.group.endsWith(".k8s.io")
        ? {
            annotations: {
              "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/1538",
            },
          }
        : {}),
    },
    spec: {
      group: k.group,
      names: { kind: k.kind, listKind: `${k.kind}List`, plural: name, singular: k.kind.toLowerCase() },
      scope: k.namespaced ? "Namespaced" : "Cluster",
      versions: [
        {
          name: k.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          ...(k.status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

const FLUX_KINDS: Kind[] = [
  ...["GitRepository", "HelmRepository", "HelmChart", "OCIRepository", "Bucket"].map((kind) => ({
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind,
    namespaced: true,
    status: true,
  })),
  {
    group: "kustomize.toolkit.fluxcd.io",
    version: "v1",
    kind: "Kustomization",
    namespaced: true,
    status: true,
  },
  { group: "helm.toolkit.fluxcd.io", version: "v2", kind: "HelmRelease", namespaced: true, status: true },
  {
    group: "notification.toolkit.fluxcd.io",
    version: "v1beta3",
    kind: "Alert",
    namespaced: true,
    status: true,
  },
  {
    group: "notification.toolkit.fluxcd.io",
    version: "v1beta3",
    kind: "Provider",
    namespaced: true,
    status: true,
  },
  {
    group: "notification.toolkit.fluxcd.io",
    version: "v1",
    kind: "Receiver",
    namespaced: true,
    status: true,
  },
];

const ARGO_KINDS: Kind[] = [
  { group: "argoproj.io", version: "v1alpha1", kind: "Application", namespaced: true, status: false },
  { group: "argoproj.io", version: "v1alpha1", kind: "AppProject", namespaced: true, status: false },
  { group: "argoproj.io", version: "v1alpha1", kind: "ApplicationSet", namespaced: true, status: true },
];

const ENGINE_GROUPS = new Set([...FLUX_KINDS, ...ARGO_KINDS].map((k) => k.group));

/** A container that passes the restricted Pod Security level, as the real controllers' do. */
function restrictedContainer(name: string, image: string): Record<string, unknown> {
  return {
    name,
    image,
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

function deployment(
  name: string,
  namespace: string,
  image: string,
  kind = "Deployment",
): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 1,
      ...(kind === "StatefulSet" ? { serviceName: name } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          serviceAccountName: name,
          securityContext: { runAsNonRoot: true, fsGroup: 1337, seccompProfile: { type: "RuntimeDefault" } },
          containers: [restrictedContainer("manager", image)],
        },
      },
    },
  };
}

function serviceAccountWithAdmin(name: string, namespace: string): Record<string, unknown>[] {
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${namespace}-${name}` },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  ];
}

/**
 * Flux's controllers at release v2.7.5 (flux2 go.mod: source-controller v1.7.4,
 * kustomize-controller v1.7.3, helm-controller v1.4.5, notification-controller v1.7.5).
 */
const FLUX_CONTROLLERS: Record<string, string> = {
  "source-controller": "v1.7.4",
  "kustomize-controller": "v1.7.3",
  "helm-controller": "v1.4.5",
  "notification-controller": "v1.7.5",
};

/** Writes the stand-in of Flux's install.yaml into `dir` and returns its path. */
export function fluxInstall(dir: string): string {
  const ns = "flux-system";
  const docs: Record<string, unknown>[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: ns,
        // As the upstream install.yaml labels it.
        labels: {
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/warn-version": "latest",
        },
      },
    },
    ...FLUX_KINDS.map(standInCrd),
    ...Object.entries(FLUX_CONTROLLERS).flatMap(([name, version]) => [
      ...serviceAccountWithAdmin(name, ns),
      deployment(name, ns, `ghcr.io/fluxcd/${name}:${version}`),
    ]),
  ];
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "flux-install.yaml");
  fs.writeFileSync(file, docs.map((d) => stringify(d)).join("---\n"));
  return file;
}

/** Writes a stand-in argo-cd chart at `version` into `dir` and returns its folder. */
export function argoChart(dir: string, version: string): string {
  const chart = path.join(dir, "argo-cd");
  fs.mkdirSync(path.join(chart, "crds"), { recursive: true });
  fs.mkdirSync(path.join(chart, "templates"), { recursive: true });
  fs.writeFileSync(
    path.join(chart, "Chart.yaml"),
    stringify({
      apiVersion: "v2",
      name: "argo-cd",
      version,
      description: "e2e stand-in of the argo-cd chart",
    }),
  );
  fs.writeFileSync(path.join(chart, "values.yaml"), "{}\n");
  fs.writeFileSync(
    path.join(chart, "crds", "crds.yaml"),
    ARGO_KINDS.map((k) => stringify(standInCrd(k))).join("---\n"),
  );
  const ns = "{{ .Release.Namespace }}";
  const workloads = [
    ["argocd-server", "Deployment"],
    ["argocd-repo-server", "Deployment"],
    ["argocd-redis", "Deployment"],
    ["argocd-application-controller", "StatefulSet"],
  ] as const;
  const docs = workloads.flatMap(([name, kind]) => [
    ...serviceAccountWithAdmin(name, ns),
    deployment(name, ns, "quay.io/argoproj/argocd:v3.1.8", kind),
  ]);
  fs.writeFileSync(path.join(chart, "templates", "argocd.yaml"), docs.map((d) => stringify(d)).join("---\n"));
  return chart;
}

/**
 * The YAML platform-sim applies at start: stand-in CRDs for the custom kinds the program
 * applies (but not the engines', which their install brings) and the cluster's StorageClasses
 * (except those the program creates itself).
 */
export function simManifests(
  dir: string,
  planned: readonly PlannedRef[],
  storageClasses: readonly string[],
  defaultStorageClass: string,
): string {
  const kinds = new Map<string, Kind>();
  for (const o of planned) {
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
    if (BUILT_IN_GROUPS.has(group) || ENGINE_GROUPS.has(group)) continue;
    const key = `${group}/${o.kind}`;
    const known = kinds.get(key);
    kinds.set(key, {
      group: group,
      version: version,
      kind: o.kind,
      namespaced: (known?.namespaced ?? false) || o.namespace !== undefined,
      status: true,
    });
  }
  const createdByProgram = new Set(planned.filter((o) => o.kind === "StorageClass").map((o) => o.name));
  const classes = storageClasses
    .filter((sc) => !createdByProgram.has(sc))
    .map((sc) => ({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: {
        name: sc,
        ...(sc === defaultStorageClass
          ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
          : {}),
      },
      provisioner: `sim.platform-e2e/${sc}`,
      reclaimPolicy: "Delete",
      // local-path and the Hetzner CSI bind on first consumer, as upstream.
      volumeBindingMode:
        sc === "local-path" || sc.startsWith("hcloud") ? "WaitForFirstConsumer" : "Immediate",
      allowVolumeExpansion: true,
    }));
  const out = path.join(dir, "sim-manifests");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, "10-crds.yaml"),
    [...kinds.values()].map((k) => stringify(standInCrd(k))).join("---\n"),
  );
  fs.writeFileSync(path.join(out, "20-storageclasses.yaml"), classes.map((c) => stringify(c)).join("---\n"));
  return out;
}
