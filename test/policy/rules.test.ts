import {
  CROSSGUARD_RULES,
  evaluate,
  evaluateStack,
  PROTECTED_TYPES,
  RULES,
  STACK_RULES,
  type PolicyResource,
} from "../../policy/rules";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A Deployment that meets every rule. */
function deployment(replicas = 1): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "web",
              image: "ghcr.io/example/web:1.2.3",
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
              livenessProbe: { httpGet: { path: "/health", port: 8080 } },
              readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
    },
  };
}

function resource(object: Obj, extra: Partial<PolicyResource> = {}): PolicyResource {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["core", object.apiVersion];
  return {
    type: `kubernetes:${group}/${version}:${object.kind}`,
    name: object.metadata.name,
    urn: `urn:${object.kind}:${object.metadata.name}`,
    props: object,
    protect: false,
    cluster: "c1",
    ...extra,
  };
}

const context = { exposedServices: ["ai/open-webui"] };

function violations(res: PolicyResource, policy: string): string[] {
  return evaluate([res], context)
    .filter((v) => v.policy === policy)
    .map((v) => v.message);
}

const container = (d: Obj): Obj => d.spec.template.spec.containers[0];

describe("resource policies: a compliant workload passes, each breach fails", () => {
  it("passes the compliant Deployment on every rule", () => {
    expect(
      evaluate([resource(deployment())], context).filter((v) => v.enforcementLevel === "mandatory"),
    ).toEqual([]);
  });

  it.each<[string, (d: Obj) => void, string]>([
    ["pss-baseline", (d) => (d.spec.template.spec.hostNetwork = true), "hostNetwork is true"],
    [
      "pss-baseline",
      (d) => (container(d).securityContext.privileged = true),
      "containers[web] is privileged",
    ],
    [
      "pss-baseline",
      (d) => d.spec.template.spec.volumes.push({ name: "h", hostPath: { path: "/" } }),
      "volume h is a hostPath",
    ],
    [
      "pss-baseline",
      (d) => (container(d).ports = [{ containerPort: 80, hostPort: 80 }]),
      "containers[web] uses hostPort 80",
    ],
    [
      "pss-baseline",
      (d) => (d.spec.template.spec.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
      "sysctl kernel.msgmax is not in the safe set",
    ],
    [
      "pss-restricted",
      (d) => (container(d).securityContext.allowPrivilegeEscalation = true),
      "containers[web] does not set allowPrivilegeEscalation: false",
    ],
    [
      "pss-restricted",
      (d) => (container(d).securityContext.capabilities = { drop: ["NET_RAW"] }),
      "containers[web] does not drop ALL capabilities",
    ],
    [
      "pss-restricted",
      (d) => (container(d).securityContext.capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }),
      "containers[web] adds capability SYS_ADMIN",
    ],
    [
      "pss-restricted",
      (d) => delete d.spec.template.spec.securityContext.runAsNonRoot,
      "containers[web] does not set runAsNonRoot: true",
    ],
    ["pss-restricted", (d) => (container(d).securityContext.runAsUser = 0), "containers[web] runs as UID 0"],
    [
      "pss-restricted",
      (d) => delete d.spec.template.spec.securityContext.seccompProfile,
      "containers[web] has no RuntimeDefault or Localhost seccomp profile",
    ],
    [
      "pss-restricted",
      (d) => d.spec.template.spec.volumes.push({ name: "n", nfs: { server: "nas" } }),
      "volume n is of type nfs",
    ],
    [
      "read-only-root-filesystem",
      (d) => delete container(d).securityContext.readOnlyRootFilesystem,
      "containers[web] has a writable root filesystem",
    ],
    ["resources", (d) => delete container(d).resources.limits, "containers[web] lacks a memory limit"],
    ["probes", (d) => delete container(d).readinessProbe, "containers[web] has no readinessProbe"],
    [
      "pinned-images",
      (d) => (container(d).image = "ghcr.io/example/web:latest"),
      'containers[web] image "ghcr.io/example/web:latest" is not pinned',
    ],
    [
      "pinned-images",
      (d) => (container(d).image = "ghcr.io/example/web"),
      'containers[web] image "ghcr.io/example/web" is not pinned',
    ],
    [
      "no-service-account-token",
      (d) => delete d.spec.template.spec.automountServiceAccountToken,
      "automountServiceAccountToken is not false",
    ],
    [
      "secrets-as-env",
      (d) => (container(d).env = [{ name: "DB", valueFrom: { secretKeyRef: { name: "db", key: "uri" } } }]),
      "containers[web] reads Secret db into env DB",
    ],
    [
      "no-default-namespace",
      (d) => (d.metadata.namespace = "default"),
      "Deployment web is in the default namespace",
    ],
  ])("%s: %s", (policy, breach, message) => {
    const d = deployment();
    expect(violations(resource(d), policy)).toEqual([]);
    breach(d);
    expect(violations(resource(d), policy).join("\n")).toContain(message);
  });

  it("honours an opt-out annotation that gives a reason, and only for its rule", () => {
    const d = deployment();
    delete container(d).securityContext.readOnlyRootFilesystem;
    d.metadata.annotations = { "policy.platform.io/read-only-root-filesystem": "ok" };
    expect(violations(resource(d), "read-only-root-filesystem")).toHaveLength(1);
    d.metadata.annotations = {
      "policy.platform.io/read-only-root-filesystem": "the app unpacks plugins into its install directory",
    };
    expect(violations(resource(d), "read-only-root-filesystem")).toEqual([]);
    container(d).securityContext.allowPrivilegeEscalation = true;
    expect(violations(resource(d), "pss-restricted")).toHaveLength(1);
  });

  it("finds containers of CronJobs and init containers", () => {
    const cron = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "job", namespace: "shop" },
      spec: {
        jobTemplate: {
          spec: { template: { spec: { ...deployment().spec.template.spec, restartPolicy: "OnFailure" } } },
        },
      },
    };
    expect(violations(resource(cron), "pinned-images")).toEqual([]);
    cron.spec.jobTemplate.spec.template.spec.initContainers = [
      { ...container(deployment()), name: "init", image: "busybox" },
    ];
    expect(violations(resource(cron), "pinned-images")).toEqual([
      'initContainers[init] image "busybox" is not pinned to a tag or digest',
    ]);
  });

  it("exposed-services: only allowed NodePort/LoadBalancer Services", () => {
    const service = (ns: string, name: string, type: string) =>
      resource({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { type } });
    expect(violations(service("ai", "open-webui", "NodePort"), "exposed-services")).toEqual([]);
    expect(violations(service("shop", "web", "ClusterIP"), "exposed-services")).toEqual([]);
    expect(violations(service("shop", "web", "LoadBalancer"), "exposed-services")).toEqual([
      "Service shop/web is LoadBalancer; only ai/open-webui may be",
    ]);
  });

  it("the CrossGuard pack runs only rules it can judge without retainOnDelete, which it is not given", () => {
    // Retained, not protected: how the program keeps namespaces, claims and database clusters.
    const retained: PolicyResource[] = PROTECTED_TYPES.map((type) => ({
      type,
      name: "kept",
      urn: `urn:${type}`,
      props: {},
      protect: false,
      retainOnDelete: true,
    }));
    const context = { exposedServices: [] };
    for (const rule of CROSSGUARD_RULES) {
      for (const resource of retained) {
        const asCrossGuardSeesIt = { ...resource, retainOnDelete: undefined };
        expect(`${rule.name}: ${rule.check(asCrossGuardSeesIt, context).join("; ")}`).toBe(
          `${rule.name}: ${rule.check(resource, context).join("; ")}`,
        );
      }
    }
    // The offline runner still enforces every rule.
    expect(RULES.filter((r) => r.offlineOnly).map((r) => r.name)).toEqual(["stateful-protected"]);
  });

  it("stateful-protected: protect or retainOnDelete on stateful types", () => {
    const server = {
      type: "hcloud:index/volume:Volume",
      name: "cp-1",
      urn: "urn:cp-1",
      props: {},
      protect: true,
    };
    expect(violations(server, "stateful-protected")).toEqual([]);
    expect(violations({ ...server, protect: false, retainOnDelete: true }, "stateful-protected")).toEqual([]);
    expect(violations({ ...server, protect: false }, "stateful-protected")).toEqual([
      "hcloud:index/volume:Volume cp-1 is neither protected nor retained on delete",
    ]);
  });

  it("credential-outputs-secret: credential commands mark stdout secret", () => {
    const cmd = {
      type: "command:local:Command",
      name: "prod-kubeconfig",
      urn: "urn:k",
      props: {},
      protect: false,
      additionalSecretOutputs: ["stdout"],
    };
    expect(violations(cmd, "credential-outputs-secret")).toEqual([]);
    expect(violations({ ...cmd, additionalSecretOutputs: [] }, "credential-outputs-secret")).toEqual([
      "prod-kubeconfig prints credentials but its stdout is not a secret output",
    ]);
  });

  it("pod-security-admission: restricted unless declared privileged", () => {
    const ns = (name: string, enforce?: string) =>
      resource({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: enforce ? { "pod-security.kubernetes.io/enforce": enforce } : {} },
      });
    expect(violations(ns("shop", "restricted"), "pod-security-admission")).toEqual([]);
    expect(violations(ns("longhorn-system", "privileged"), "pod-security-admission")).toEqual([]);
    expect(violations(ns("shop"), "pod-security-admission")).toEqual([
      "Namespace shop has pod-security.kubernetes.io/enforce=null; expected restricted",
    ]);
    expect(violations(ns("shop", "privileged"), "pod-security-admission")).toEqual([
      'Namespace shop has pod-security.kubernetes.io/enforce="privileged"; expected restricted',
    ]);
    // An app may declare baseline with its reason (an image that must start as root), never privileged.
    const declared = (enforce: string) => {
      const n = ns("shop", enforce);
      const object = n.props as Obj;
      object.metadata.annotations = {
        "policy.platform.io/pod-security-admission": "shop: the image starts as root",
      };
      return n;
    };
    expect(violations(declared("baseline"), "pod-security-admission")).toEqual([]);
    expect(violations(declared("privileged"), "pod-security-admission")).toEqual([
      'Namespace shop has pod-security.kubernetes.io/enforce="privileged"; expected restricted',
    ]);
  });

  it("pss-baseline: capabilities beyond the baseline set are refused, even with a field opt-out", () => {
    const d = deployment();
    d.metadata.annotations = { "security.platform.io/web.capabilities": "needs raw sockets for ping" };
    container(d).securityContext.capabilities.add = ["NET_RAW", "CHOWN"];
    expect(violations(resource(d), "pss-baseline")).toEqual([
      "containers[web] adds capability NET_RAW beyond baseline",
    ]);
    // The restricted findings for both are excused by the declared opt-out.
    expect(violations(resource(d), "pss-restricted")).toEqual([]);
  });

  it("gateway-routes-scoped: no listener admits routes from all namespaces", () => {
    const gateway = (from: string) =>
      resource({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "public", namespace: "gateway" },
        spec: {
          listeners: [
            {
              name: "https",
              allowedRoutes: {
                namespaces: {
                  from,
                  ...(from === "Selector" ? { selector: { matchLabels: { a: "b" } } } : {}),
                },
              },
            },
          ],
        },
      });
    expect(violations(gateway("Selector"), "gateway-routes-scoped")).toEqual([]);
    expect(violations(gateway("Same"), "gateway-routes-scoped")).toEqual([]);
    expect(violations(gateway("All"), "gateway-routes-scoped")).toEqual([
      "Gateway public listener https admits routes from all namespaces",
    ]);
  });

  it("secret-store-scoped: a ClusterSecretStore needs namespace conditions", () => {
    const store = (conditions?: unknown) =>
      resource({
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: "vault-backend" },
        spec: { provider: { vault: {} }, ...(conditions === undefined ? {} : { conditions }) },
      });
    expect(
      violations(store([{ namespaceSelector: { matchLabels: { a: "b" } } }]), "secret-store-scoped"),
    ).toEqual([]);
    expect(violations(store([{ namespaces: ["cortex"] }]), "secret-store-scoped")).toEqual([]);
    const unscoped = ["ClusterSecretStore vault-backend has no namespace conditions"];
    expect(violations(store(), "secret-store-scoped")).toEqual(unscoped);
    expect(violations(store([]), "secret-store-scoped")).toEqual(unscoped);
    // An empty selector selects every namespace.
    expect(violations(store([{ namespaceSelector: {} }]), "secret-store-scoped")).toEqual(unscoped);
  });

  it("covers every rule with a test above", () => {
    expect(RULES.map((r) => r.name).sort()).toEqual(
      [
        "credential-outputs-secret",
        "exposed-services",
        "gateway-routes-scoped",
        "secret-store-scoped",
        "no-default-namespace",
        "no-service-account-token",
        "pinned-images",
        "pod-security-admission",
        "probes",
        "pss-baseline",
        "pss-restricted",
        "read-only-root-filesystem",
        "resources",
        "secrets-as-env",
        "stateful-protected",
      ].sort(),
    );
  });
});

describe("stack policies", () => {
  const policy = (
    podSelector: Obj,
    ns = "shop",
    cluster = "c1",
    policyTypes: string[] | null = ["Ingress", "Egress"],
  ) =>
    resource(
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "np", namespace: ns },
        spec: { podSelector, ...(policyTypes ? { policyTypes } : {}) },
      },
      { cluster },
    );
  const pdb = (selector: Obj) =>
    resource({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web", namespace: "shop" },
      spec: { selector },
    });
  const messages = (resources: PolicyResource[], name: string) =>
    evaluateStack(resources)
      .filter((v) => v.policy === name)
      .map((v) => v.message);

  it("network-policy-coverage: a policy in the same namespace and cluster must select the pods", () => {
    const web = resource(deployment());
    expect(messages([web, policy({})], "network-policy-coverage")).toEqual([]);
    expect(messages([web, policy({ matchLabels: { app: "web" } })], "network-policy-coverage")).toEqual([]);
    const none = ["Deployment shop/web: no NetworkPolicy selects its pods"];
    expect(messages([web, policy({ matchLabels: { app: "api" } })], "network-policy-coverage")).toEqual(none);
    expect(messages([web, policy({}, "other")], "network-policy-coverage")).toEqual(none);
    expect(messages([web, policy({}, "shop", "c2")], "network-policy-coverage")).toEqual(none);
  });

  it("network-policy-coverage: the pods must be isolated for ingress and for egress", () => {
    const web = resource(deployment());
    const app = { matchLabels: { app: "web" } };
    // policyTypes unset and no egress rules: Ingress only (Kubernetes default).
    expect(messages([web, policy(app, "shop", "c1", null)], "network-policy-coverage")).toEqual([
      "Deployment shop/web: no NetworkPolicy isolates its pods for Egress",
    ]);
    expect(messages([web, policy(app, "shop", "c1", ["Egress"])], "network-policy-coverage")).toEqual([
      "Deployment shop/web: no NetworkPolicy isolates its pods for Ingress",
    ]);
    // Two policies together cover both directions (a namespace default deny and the app's own).
    expect(
      messages(
        [web, policy(app, "shop", "c1", ["Ingress"]), policy({}, "shop", "c1", ["Egress"])],
        "network-policy-coverage",
      ),
    ).toEqual([]);
  });

  it("network-policy-coverage: counts the pods an operator creates (CloudNativePG instances and Jobs)", () => {
    const db = resource(
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name: "immich-db", namespace: "shop" },
        spec: { instances: 3 },
      },
      { cluster: "c1" },
    );
    expect(messages([db], "network-policy-coverage")).toEqual([
      "Cluster shop/immich-db: no NetworkPolicy selects the pods its operator creates",
    ]);
    // A policy for another database cluster does not count; one on the operator's label does.
    expect(
      messages([db, policy({ matchLabels: { "cnpg.io/cluster": "other" } })], "network-policy-coverage"),
    ).toEqual(["Cluster shop/immich-db: no NetworkPolicy selects the pods its operator creates"]);
    expect(
      messages([db, policy({ matchLabels: { "cnpg.io/cluster": "immich-db" } })], "network-policy-coverage"),
    ).toEqual([]);
    expect(messages([db, policy({}, "shop", "c1", ["Ingress"])], "network-policy-coverage")).toEqual([
      "Cluster shop/immich-db: no NetworkPolicy isolates the pods its operator creates for Egress",
    ]);
  });

  it("pdb-for-replicas: more than one replica needs a matching PDB", () => {
    const one = resource(deployment(1));
    const two = resource(deployment(2));
    expect(messages([one], "pdb-for-replicas")).toEqual([]);
    expect(messages([two, pdb({ matchLabels: { app: "web" } })], "pdb-for-replicas")).toEqual([]);
    expect(messages([two], "pdb-for-replicas")).toEqual([
      "Deployment shop/web runs 2 replicas without a PodDisruptionBudget",
    ]);
  });

  it("pod-security-admission-fit: opt-outs do not get a pod past the level its namespace enforces", () => {
    const ns = (enforce: string, cluster = "c1") =>
      resource(
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: "shop", labels: { "pod-security.kubernetes.io/enforce": enforce } },
        },
        { cluster },
      );
    const root = deployment();
    root.metadata.annotations = {
      "security.platform.io/web.runAsNonRoot": "the image starts as root and drops privileges",
      "security.platform.io/web.capabilities": "chowns its data directory before dropping to www-data",
    };
    root.spec.template.spec.securityContext.runAsNonRoot = false;
    container(root).securityContext.capabilities.add = ["CHOWN"];
    const web = resource(root);
    // The per-resource rule honours the declared opt-outs ...
    expect(violations(web, "pss-restricted")).toEqual([]);
    // ... but Pod Security Admission in a restricted namespace does not.
    expect(messages([web, ns("restricted")], "pod-security-admission-fit")).toEqual([
      "Deployment shop/web: namespace shop enforces restricted, which refuses: containers[web] adds capability CHOWN",
      "Deployment shop/web: namespace shop enforces restricted, which refuses: containers[web] does not set runAsNonRoot: true",
    ]);
    expect(messages([web, ns("baseline")], "pod-security-admission-fit")).toEqual([]);
    expect(messages([web, ns("privileged")], "pod-security-admission-fit")).toEqual([]);
    // A namespace of another cluster says nothing about this one.
    expect(messages([web, ns("restricted", "c2")], "pod-security-admission-fit")).toEqual([]);
    // Baseline still refuses a capability outside its set.
    container(root).securityContext.capabilities.add = ["SYS_ADMIN"];
    expect(messages([resource(root), ns("baseline")], "pod-security-admission-fit")).toEqual([
      "Deployment shop/web: namespace shop enforces baseline, which refuses: containers[web] adds capability SYS_ADMIN beyond baseline",
    ]);
    expect(messages([resource(deployment()), ns("restricted")], "pod-security-admission-fit")).toEqual([]);
  });

  it("chart-namespace-default-deny: a chart's namespace needs a namespace-wide deny in both directions", () => {
    const helmRelease = (ns: string | undefined, cluster = "c1") =>
      resource(
        {
          apiVersion: "helm.toolkit.fluxcd.io/v2",
          kind: "HelmRelease",
          metadata: { name: "metallb", namespace: "flux-system" },
          spec: { chart: { spec: { chart: "metallb" } }, ...(ns ? { targetNamespace: ns } : {}) },
        },
        { cluster },
      );
    const application = (ns: string, source: Obj) =>
      resource({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "x", namespace: "argocd" },
        spec: { source, destination: { namespace: ns } },
      });
    const rule = "chart-namespace-default-deny";
    const missing = (chart: string, ns: string) =>
      `chart ${chart} installs into namespace ${ns}, which has no default-deny NetworkPolicy (podSelector {} for Ingress and Egress): add the chart's rules to components/platform/namespace-policies.ts, or declare the namespace open in policy/exceptions.ts OPEN_CHART_NAMESPACES with why`;
    expect(messages([helmRelease("shop")], rule)).toEqual([missing("metallb", "shop")]);
    expect(messages([helmRelease("shop"), policy({})], rule)).toEqual([]);
    // Without targetNamespace the release installs into the HelmRelease's own namespace.
    expect(messages([helmRelease(undefined), policy({})], rule)).toEqual([missing("metallb", "flux-system")]);
    // A deny for some pods, for one direction, in another namespace or cluster does not count.
    expect(messages([helmRelease("shop"), policy({ matchLabels: { app: "web" } })], rule)).toEqual([
      missing("metallb", "shop"),
    ]);
    expect(messages([helmRelease("shop"), policy({}, "shop", "c1", ["Ingress"])], rule)).toEqual([
      missing("metallb", "shop"),
    ]);
    expect(messages([helmRelease("shop", "c2"), policy({})], rule)).toEqual([missing("metallb", "shop")]);
    // Argo CD: an Application with a chart source counts, one from a git path does not.
    expect(messages([application("shop", { chart: "vpa" })], rule)).toEqual([missing("vpa", "shop")]);
    expect(messages([application("shop", { path: "apps/shop" })], rule)).toEqual([]);
    // A namespace declared open (policy/exceptions.ts) with its reason is not reported.
    expect(messages([helmRelease("kube-system")], rule)).toEqual([]);
  });

  it("namespace-default-deny: every namespace the program creates needs a namespace-wide deny in both directions", () => {
    const namespace = (name: string, cluster = "c1") =>
      resource({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, { cluster });
    const rule = "namespace-default-deny";
    const missing = (ns: string) =>
      `namespace ${ns} has no default-deny NetworkPolicy (podSelector {} for Ingress and Egress): add one with the rules its pods need (cluster-helpers.ts baselineNetworkPolicies), or declare the namespace open in policy/exceptions.ts OPEN_CHART_NAMESPACES with why`;
    expect(messages([namespace("shop")], rule)).toEqual([missing("shop")]);
    expect(messages([namespace("shop"), policy({})], rule)).toEqual([]);
    // A deny for some pods, for one direction, or on another cluster does not count.
    expect(messages([namespace("shop"), policy({ matchLabels: { app: "web" } })], rule)).toEqual([
      missing("shop"),
    ]);
    expect(messages([namespace("shop"), policy({}, "shop", "c1", ["Egress"])], rule)).toEqual([
      missing("shop"),
    ]);
    expect(messages([namespace("shop", "c2"), policy({})], rule)).toEqual([missing("shop")]);
    // kube-system is declared open with its reason.
    expect(messages([namespace("kube-system")], rule)).toEqual([]);
  });

  it("covers every stack rule", () => {
    expect(STACK_RULES.map((r) => r.name).sort()).toEqual([
      "chart-namespace-default-deny",
      "namespace-default-deny",
      "network-policy-coverage",
      "pdb-for-replicas",
      "pod-security-admission-fit",
    ]);
  });
});
