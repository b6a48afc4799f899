/**
 * The program's policies as plain functions over plain resources, so the same rules run in
 * `pulumi preview --policy-pack policy` (policy/index.ts wraps them in a CrossGuard
 * PolicyPack) and offline over the synth plan and the emitted objects (tools/policies.ts),
 * and jest tests each one without the CLI (the PolicyPack constructor starts a gRPC server,
 * so tests never import policy/index.ts).
 *
 * Pod Security Standards follow the Kubernetes documentation of the restricted and baseline
 * profiles: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
import { exemptionFor, OPEN_CHART_NAMESPACES, optOutReason, podSecurityLevel } from "./exceptions";

/** A resource as both runners see it. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** Inputs (CrossGuard `props`); for a Kubernetes object, the object itself. */
  readonly props: Readonly<Record<string, unknown>>;
  readonly protect: boolean;
  /** Only the offline runner knows it (CrossGuard does not pass retainOnDelete). */
  readonly retainOnDelete?: boolean;
  /** Output names the resource registers as secret. */
  readonly additionalSecretOutputs?: readonly string[];
  /** What separates clusters (the provider's URN, or the cluster name offline). */
  readonly cluster?: string;
}

/** What the stack allows that the rules cannot know from a resource alone. */
export interface PolicyContext {
  /** `<namespace>/<service>` names allowed to be NodePort or LoadBalancer. */
  readonly exposedServices: readonly string[];
}

/** One rule. */
export interface Rule {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  /** Messages for one resource; empty when it complies or the rule does not apply. */
  readonly check: (resource: PolicyResource, context: PolicyContext) => string[];
  /**
   * Why the rule runs offline only (npm run synth, npm test), not in the CrossGuard pack: it
   * reads what CrossGuard does not pass to a policy.
   * @default undefined (the rule runs in both)
   */
  readonly offlineOnly?: string;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
}

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

const POD_TEMPLATE_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

/** The Kubernetes object of a resource, if it is one. */
export function kubeObject(resource: PolicyResource): Obj | undefined {
  if (!resource.type.startsWith("kubernetes:")) return undefined;
  const p = resource.props;
  return typeof p["kind"] === "string" && typeof p["apiVersion"] === "string" ? p : undefined;
}

/** The pod spec of a workload object (Pod, controllers, CronJob), if it has one. */
export function podSpec(object: Obj): Obj | undefined {
  const kind = object["kind"];
  const spec = obj(object["spec"]);
  if (kind === "Pod") return spec;
  if (typeof kind === "string" && POD_TEMPLATE_KINDS.has(kind)) return obj(obj(spec["template"])["spec"]);
  if (kind === "CronJob") return obj(obj(obj(obj(spec["jobTemplate"])["spec"])["template"])["spec"]);
  return undefined;
}

/** Every container of a pod spec, init and ephemeral ones included, with where it is. */
function containersOf(pod: Obj): { where: string; c: Obj }[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) =>
    list(pod[field]).map((c) => ({ where: `${field}[${String(c["name"])}]`, c })),
  );
}

function metadata(object: Obj): { name: string; namespace?: string; annotations: Obj } {
  const m = obj(object["metadata"]);
  return {
    name: String(m["name"]),
    namespace: typeof m["namespace"] === "string" ? m["namespace"] : undefined,
    annotations: obj(m["annotations"]),
  };
}

/**
 * The container-level findings an app declared an opt-out for: the workload component
 * (components/apps/workload/pod.ts) writes `security.platform.io/<container>.<field>` with a
 * reason for each restricted default a container gives up, and only that field of that
 * container is excused.
 */
const FINDING_FIELDS: readonly (readonly [RegExp, string])[] = [
  [/ does not set runAsNonRoot: true$| runs as UID 0$/, "runAsNonRoot"],
  [/ has a writable root filesystem$/, "readOnlyRootFilesystem"],
  [/ does not set allowPrivilegeEscalation: false$/, "allowPrivilegeEscalation"],
  [/ adds capability [A-Z_]+$/, "capabilities"],
];
export const FIELD_OPT_OUT_PREFIX = "security.platform.io/";

function declaredFieldOptOut(annotations: Obj, finding: string): boolean {
  const container = /^(?:initContainers|containers|ephemeralContainers)\[([^\]]+)\]/.exec(finding)?.[1];
  const field = FINDING_FIELDS.find(([pattern]) => pattern.test(finding))?.[1];
  if (!container || !field) return false;
  const reason = annotations[`${FIELD_OPT_OUT_PREFIX}${container}.${field}`];
  return typeof reason === "string" && reason.trim().length >= 10;
}

/** A rule over the pod spec of every workload the program owns, minus declared exemptions. */
function podRule(
  name: string,
  description: string,
  check: (pod: Obj, containers: { where: string; c: Obj }[]) => string[],
  enforcementLevel: Rule["enforcementLevel"] = "mandatory",
): Rule {
  return {
    name,
    description,
    enforcementLevel,
    check: (resource) => {
      const object = kubeObject(resource);
      const pod = object && podSpec(object);
      if (!object || !pod) return [];
      const m = metadata(object);
      if (exemptionFor(name, String(object["kind"]), m.namespace, m.name)) return [];
      if (optOutReason(m.annotations, name)) return [];
      return check(pod, containersOf(pod)).filter((finding) => !declaredFieldOptOut(m.annotations, finding));
    },
  };
}

/** Security context value of a container, falling back to the pod's. */
function effective(pod: Obj, c: Obj, field: string): unknown {
  const own = obj(c["securityContext"])[field];
  return own !== undefined ? own : obj(pod["securityContext"])[field];
}

const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

/**
 * Types whose loss loses data or access (ARCHITECTURE.md decision 8). Hetzner servers and
 * Primary IPs are not among them: every server is a Talos node that holds no state of its
 * own (etcd is replicated, volumes are separate, configs come from the program), a lower
 * pool count must delete servers, and each node leaves the cluster first (its `-leave`
 * command). The component protects the Primary IP of the API endpoint itself, and the
 * Talos machine secrets and the LUKS passphrase, whose loss would lose access.
 */
export const PROTECTED_TYPES: readonly string[] = [
  "hcloud:index/volume:Volume",
  "proxmoxve:index/vmLegacy:VmLegacy",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:Namespace",
  "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
  "kubernetes:postgresql.cnpg.io/v1:Cluster",
];

/**
 * Capabilities the baseline profile lets a container add ("Capabilities" in the Pod Security
 * Standards page); restricted allows only NET_BIND_SERVICE.
 */
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

function addedCapabilities(c: Obj): unknown[] {
  const caps = obj(obj(c["securityContext"])["capabilities"]);
  return Array.isArray(caps["add"]) ? (caps["add"] as unknown[]) : [];
}

/** What the baseline profile refuses in a pod. */
function baselineFindings(pod: Obj, cs: { where: string; c: Obj }[]): string[] {
  const out: string[] = [];
  for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[ns] === true) out.push(`${ns} is true`);
  for (const v of list(pod["volumes"]))
    if (v["hostPath"] !== undefined) out.push(`volume ${String(v["name"])} is a hostPath`);
  for (const s of list(obj(pod["securityContext"])["sysctls"])) {
    if (!SAFE_SYSCTLS.has(String(s["name"]))) out.push(`sysctl ${String(s["name"])} is not in the safe set`);
  }
  for (const { where, c } of cs) {
    if (obj(c["securityContext"])["privileged"] === true) out.push(`${where} is privileged`);
    for (const p of list(c["ports"]))
      if (p["hostPort"] !== undefined && p["hostPort"] !== 0)
        out.push(`${where} uses hostPort ${JSON.stringify(p["hostPort"])}`);
    for (const cap of addedCapabilities(c))
      if (!BASELINE_CAPABILITIES.has(String(cap)))
        out.push(`${where} adds capability ${String(cap)} beyond baseline`);
  }
  return out;
}

/** What the restricted profile refuses in a pod, on top of baseline. */
function restrictedFindings(pod: Obj, cs: { where: string; c: Obj }[]): string[] {
  const out: string[] = [];
  for (const v of list(pod["volumes"])) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (type && !RESTRICTED_VOLUMES.has(type)) out.push(`volume ${String(v["name"])} is of type ${type}`);
  }
  const podSeccomp = obj(obj(pod["securityContext"])["seccompProfile"])["type"];
  for (const { where, c } of cs) {
    const sc = obj(c["securityContext"]);
    if (sc["allowPrivilegeEscalation"] !== false)
      out.push(`${where} does not set allowPrivilegeEscalation: false`);
    const caps = obj(sc["capabilities"]);
    if (!(Array.isArray(caps["drop"]) && caps["drop"].includes("ALL")))
      out.push(`${where} does not drop ALL capabilities`);
    for (const cap of addedCapabilities(c))
      if (cap !== "NET_BIND_SERVICE") out.push(`${where} adds capability ${String(cap)}`);
    if (effective(pod, c, "runAsNonRoot") !== true) out.push(`${where} does not set runAsNonRoot: true`);
    if (effective(pod, c, "runAsUser") === 0) out.push(`${where} runs as UID 0`);
    const seccomp = obj(sc["seccompProfile"])["type"] ?? podSeccomp;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
      out.push(`${where} has no RuntimeDefault or Localhost seccomp profile`);
  }
  return out;
}

/** Every rule, in report order. */
export const RULES: readonly Rule[] = [
  podRule(
    "pss-baseline",
    "Pod Security Standards baseline: no privileged, host namespaces, hostPath, hostPort, unsafe sysctls or capabilities",
    baselineFindings,
  ),
  podRule(
    "pss-restricted",
    "Pod Security Standards restricted: no escalation, drop ALL, non-root, seccomp, allowed volume types",
    restrictedFindings,
  ),
  podRule("read-only-root-filesystem", "Every container runs with a read-only root filesystem", (_pod, cs) =>
    cs
      .filter(({ c }) => obj(c["securityContext"])["readOnlyRootFilesystem"] !== true)
      .map(({ where }) => `${where} has a writable root filesystem`),
  ),
  podRule("resources", "Every container requests CPU and memory and has a memory limit", (_pod, cs) =>
    cs.flatMap(({ where, c }) => {
      const r = obj(c["resources"]);
      const missing = [
        obj(r["requests"])["cpu"] === undefined && "a CPU request",
        obj(r["requests"])["memory"] === undefined && "a memory request",
        obj(r["limits"])["memory"] === undefined && "a memory limit",
      ].filter(Boolean);
      return missing.length > 0 ? [`${where} lacks ${missing.join(", ")}`] : [];
    }),
  ),
  podRule("probes", "Every long-running container has liveness and readiness probes", (pod, cs) => {
    // Jobs run to completion; probes are for serving containers.
    if (pod["restartPolicy"] === "Never" || pod["restartPolicy"] === "OnFailure") return [];
    return cs
      .filter(({ where }) => where.startsWith("containers["))
      .flatMap(({ where, c }) => [
        ...(c["livenessProbe"] === undefined ? [`${where} has no livenessProbe`] : []),
        ...(c["readinessProbe"] === undefined ? [`${where} has no readinessProbe`] : []),
      ]);
  }),
  podRule("pinned-images", "Every image is pinned to a tag (never latest) or a digest", (_pod, cs) =>
    cs.flatMap(({ where, c }) => {
      const image = typeof c["image"] === "string" ? c["image"] : "";
      const pinned =
        /@sha256:[a-f0-9]{64}$/.test(image) || (/:[^/:@]+$/.test(image) && !/:latest$/.test(image));
      return pinned ? [] : [`${where} image ${JSON.stringify(c["image"])} is not pinned to a tag or digest`];
    }),
  ),
  podRule(
    "no-service-account-token",
    "Pods do not mount a service account token unless they declare it",
    (pod) =>
      pod["automountServiceAccountToken"] === false || pod["serviceAccountName"] !== undefined
        ? []
        : ["automountServiceAccountToken is not false (set it, or name the service account the pod needs)"],
  ),
  podRule(
    "secrets-as-env",
    "Secrets are better mounted as files than passed as environment variables",
    (_pod, cs) =>
      cs.flatMap(({ where, c }) =>
        list(c["env"])
          .filter((e) => obj(obj(e["valueFrom"])["secretKeyRef"])["name"] !== undefined)
          .map(
            (e) =>
              `${where} reads Secret ${String(obj(obj(e["valueFrom"])["secretKeyRef"])["name"])} into env ${String(e["name"])}`,
          ),
      ),
    "advisory",
  ),
  {
    name: "pod-security-admission",
    description:
      "Every namespace the program creates enforces restricted, or privileged or baseline where declared with a reason",
    enforcementLevel: "mandatory",
    check: (resource) => {
      const object = kubeObject(resource);
      if (!object || object["kind"] !== "Namespace") return [];
      const { name } = metadata(object);
      const labels = obj(obj(object["metadata"])["labels"]);
      const want = podSecurityLevel(name);
      const found = labels["pod-security.kubernetes.io/enforce"];
      // An app whose image must start as root declares a baseline namespace with its reason
      // (components/apps/types.ts `podSecurity`); nothing may declare privileged that way.
      const declared =
        want === "restricted" &&
        found === "baseline" &&
        optOutReason(metadata(object).annotations, "pod-security-admission") !== undefined;
      return found === want || declared
        ? []
        : [
            `Namespace ${name} has pod-security.kubernetes.io/enforce=${JSON.stringify(found ?? null)}; expected ${want}`,
          ];
    },
  },
  {
    name: "no-default-namespace",
    description: "Nothing the program owns lives in the default namespace",
    enforcementLevel: "mandatory",
    check: (resource) => {
      const object = kubeObject(resource);
      if (!object) return [];
      const { namespace, name } = metadata(object);
      // The API server's own `kubernetes` Service lives there; nothing of ours may.
      return namespace === "default" ? [`${String(object["kind"])} ${name} is in the default namespace`] : [];
    },
  },
  {
    name: "exposed-services",
    description: "NodePort and LoadBalancer Services only where config allows them",
    enforcementLevel: "mandatory",
    check: (resource, context) => {
      const object = kubeObject(resource);
      if (!object || object["kind"] !== "Service") return [];
      const type = obj(object["spec"])["type"];
      if (type !== "NodePort" && type !== "LoadBalancer") return [];
      const { namespace, name } = metadata(object);
      return context.exposedServices.includes(`${namespace ?? ""}/${name}`)
        ? []
        : [
            `Service ${namespace ?? ""}/${name} is ${String(type)}; only ${context.exposedServices.join(", ") || "none"} may be`,
          ];
    },
  },
  {
    name: "credential-outputs-secret",
    description:
      "Commands that print kubeconfigs, talosconfigs, machine configs or secrets register stdout as secret",
    enforcementLevel: "mandatory",
    check: (resource) =>
      /^command:(local|remote):Command$/.test(resource.type) &&
      /-(kubeconfig|talosconfig|secrets|config)$/.test(resource.name) &&
      !(resource.additionalSecretOutputs ?? []).includes("stdout")
        ? [`${resource.name} prints credentials but its stdout is not a secret output`]
        : [],
  },
  {
    name: "gateway-routes-scoped",
    description: "A Gateway listener admits routes only from selected namespaces, never from all",
    enforcementLevel: "mandatory",
    // Gateway API Listener `allowedRoutes.namespaces.from`: All | Same | Selector; with All,
    // any namespace can attach a route and claim a hostname under the listener
    // (https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces).
    check: (resource) => {
      const object = kubeObject(resource);
      if (
        !object ||
        object["kind"] !== "Gateway" ||
        !String(object["apiVersion"]).startsWith("gateway.networking.k8s.io/")
      )
        return [];
      return list(obj(object["spec"])["listeners"])
        .filter((l) => obj(obj(l["allowedRoutes"])["namespaces"])["from"] === "All")
        .map(
          (l) =>
            `Gateway ${metadata(object).name} listener ${String(l["name"])} admits routes from all namespaces`,
        );
    },
  },
  {
    name: "secret-store-scoped",
    description: "A ClusterSecretStore serves only the namespaces its conditions select",
    enforcementLevel: "mandatory",
    // ESO v1 SecretStoreSpec.Conditions: "Used to constrain a ClusterSecretStore to specific
    // namespaces"; without it every namespace that can create an ExternalSecret reads the store.
    check: (resource) => {
      const object = kubeObject(resource);
      if (!object || object["kind"] !== "ClusterSecretStore") return [];
      const conditions = list(obj(object["spec"])["conditions"]);
      const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
      const scoped =
        conditions.length > 0 &&
        conditions.every(
          (c) =>
            Object.keys(obj(c["namespaceSelector"])).length > 0 ||
            nonEmpty(c["namespaces"]) ||
            nonEmpty(c["namespaceRegexes"]),
        );
      return scoped ? [] : [`ClusterSecretStore ${metadata(object).name} has no namespace conditions`];
    },
  },
  {
    name: "stateful-protected",
    description:
      "Servers, VMs, primary IPs, volumes, claims, database clusters, namespaces and CRDs are protected or retained",
    enforcementLevel: "mandatory",
    // The engine's analyzer protocol has no retainOnDelete (pulumi/pulumi sdk/v3 v3.274.0 proto/go/analyzer.pb.go
    // AnalyzerResourceOptions: protect, ignoreChanges, deleteBeforeReplace, additionalSecretOutputs,
    // aliases, customTimeouts, parent; @pulumi/policy server.js getResourceOptions), so in the
    // pack every retained namespace and claim would fail `pulumi preview --policy-pack`.
    offlineOnly:
      "CrossGuard does not pass retainOnDelete to a policy, so every retained resource would fail it there",
    check: (resource) =>
      PROTECTED_TYPES.includes(resource.type) && !resource.protect && resource.retainOnDelete !== true
        ? [`${resource.type} ${resource.name} is neither protected nor retained on delete`]
        : [],
  },
];

/** The rules the CrossGuard pack (policy/index.ts) runs: every rule it can judge from what it is given. */
export const CROSSGUARD_RULES: readonly Rule[] = RULES.filter((rule) => rule.offlineOnly === undefined);

/** A violation of one rule by one resource. */
export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: Rule["enforcementLevel"];
  readonly urn: string;
  readonly message: string;
}

/** Runs every rule over every resource. */
export function evaluate(resources: readonly PolicyResource[], context: PolicyContext): Violation[] {
  return resources.flatMap((resource) =>
    RULES.flatMap((rule) =>
      rule.check(resource, context).map((message) => ({
        policy: rule.name,
        enforcementLevel: rule.enforcementLevel,
        urn: resource.urn,
        message,
      })),
    ),
  );
}

/** A rule over all resources of a stack (what one resource cannot show). */
export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly check: (resources: readonly PolicyResource[]) => { urn: string; message: string }[];
}

function labelsMatch(selector: Obj, labels: Obj): boolean {
  const matchLabels = obj(selector["matchLabels"]);
  const expressions = list(selector["matchExpressions"]);
  return (
    Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => {
      const values = Array.isArray(e["values"]) ? (e["values"] as unknown[]) : [];
      const key = String(e["key"]);
      switch (e["operator"]) {
        case "In":
          return values.includes(labels[key]);
        case "NotIn":
          return !values.includes(labels[key]);
        case "Exists":
          return key in labels;
        case "DoesNotExist":
          return !(key in labels);
        default:
          return false;
      }
    })
  );
}

interface Workload {
  readonly resource: PolicyResource;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly podLabels: Obj;
  readonly replicas: number;
}

/**
 * Custom resources whose operator creates pods, and the labels the operator puts on every
 * one of them, so the coverage rule counts pods the program never writes itself.
 * CloudNativePG labels each instance and Job pod `cnpg.io/cluster: <Cluster name>`
 * (cloudnative-pg pkg/utils/labels_annotations.go `ClusterLabelName`; docs/src/samples/networkpolicy-example.yaml).
 */
const OPERATOR_POD_LABELS: Readonly<Record<string, (name: string) => Obj>> = {
  "postgresql.cnpg.io/Cluster": (name) => ({ "cnpg.io/cluster": name }),
};

function operatorWorkloads(resources: readonly PolicyResource[]): Workload[] {
  return resources.flatMap((resource) => {
    const object = kubeObject(resource);
    if (!object) return [];
    const group = String(object["apiVersion"]).split("/")[0];
    const labelsOf = OPERATOR_POD_LABELS[`${group}/${String(object["kind"])}`];
    if (!labelsOf) return [];
    const { namespace, name } = metadata(object);
    const instances = obj(object["spec"])["instances"];
    return [
      {
        resource,
        kind: String(object["kind"]),
        namespace: namespace ?? "",
        name,
        podLabels: labelsOf(name),
        replicas: typeof instances === "number" ? instances : 1,
      },
    ];
  });
}

/** The directions a NetworkPolicy isolates (`policyTypes`, or its default when unset). */
function policyTypes(np: Obj): string[] {
  const spec = obj(np["spec"]);
  if (Array.isArray(spec["policyTypes"])) return spec["policyTypes"].map(String);
  // "If no policyTypes are specified on a NetworkPolicy then by default Ingress will always be
  // set and Egress will be set if the NetworkPolicy has any egress rules" (Kubernetes docs).
  return ["Ingress", ...(spec["egress"] !== undefined ? ["Egress"] : [])];
}

function workloads(resources: readonly PolicyResource[]): Workload[] {
  return resources.flatMap((resource) => {
    const object = kubeObject(resource);
    const kind = object ? String(object["kind"]) : "";
    if (!object || !["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"].includes(kind)) return [];
    const { namespace, name } = metadata(object);
    const spec = obj(object["spec"]);
    const template =
      kind === "CronJob" ? obj(obj(obj(spec["jobTemplate"])["spec"])["template"]) : obj(spec["template"]);
    const replicas = typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
    return [
      {
        resource,
        kind,
        namespace: namespace ?? "",
        name,
        podLabels: obj(obj(template["metadata"])["labels"]),
        replicas,
      },
    ];
  });
}

/** Objects of a kind in the same cluster and namespace as a workload. */
function peers(resources: readonly PolicyResource[], w: Workload, kind: string): Obj[] {
  return resources.flatMap((r) => {
    const object = kubeObject(r);
    if (!object || object["kind"] !== kind || r.cluster !== w.resource.cluster) return [];
    return metadata(object).namespace === w.namespace ? [object] : [];
  });
}

/** The PSA level each namespace of the plan enforces, by cluster and name. */
function enforcedLevels(resources: readonly PolicyResource[]): Map<string, string> {
  const levels = new Map<string, string>();
  for (const r of resources) {
    const object = kubeObject(r);
    if (!object || object["kind"] !== "Namespace") continue;
    const level = obj(obj(object["metadata"])["labels"])["pod-security.kubernetes.io/enforce"];
    if (typeof level === "string") levels.set(`${r.cluster ?? ""}/${metadata(object).name}`, level);
  }
  return levels;
}

/**
 * Pod Security Admission ignores the program's opt-out annotations: a pod whose namespace
 * enforces restricted is refused for any restricted finding, declared or not. This rule
 * checks each workload against the level its namespace (as planned) enforces, so an opt-out
 * that only the policy honours cannot hide a pod the API server will reject.
 */
const ADMISSION_FIT: StackRule = {
  name: "pod-security-admission-fit",
  description: "Every workload passes the Pod Security Admission level its namespace enforces",
  enforcementLevel: "mandatory",
  check: (resources) => {
    const levels = enforcedLevels(resources);
    return workloads(resources).flatMap((w) => {
      const level = levels.get(`${w.resource.cluster ?? ""}/${w.namespace}`);
      const pod = podSpec(obj(w.resource.props));
      if (!pod || level === undefined || level === "privileged") return [];
      const cs = containersOf(pod);
      const refused = [
        ...baselineFindings(pod, cs),
        ...(level === "restricted" ? restrictedFindings(pod, cs) : []),
      ];
      return refused.map((finding) => ({
        urn: w.resource.urn,
        message: `${w.kind} ${w.namespace}/${w.name}: namespace ${w.namespace} enforces ${level}, which refuses: ${finding}`,
      }));
    });
  },
};

/** A chart release an engine installs: Flux HelmRelease or Argo CD Application with a chart source. */
interface ChartRelease {
  readonly resource: PolicyResource;
  readonly chart: string;
  readonly namespace: string;
}

function chartReleases(resources: readonly PolicyResource[]): ChartRelease[] {
  return resources.flatMap((resource) => {
    const object = kubeObject(resource);
    if (!object) return [];
    const group = String(object["apiVersion"]).split("/")[0];
    const spec = obj(object["spec"]);
    if (group === "helm.toolkit.fluxcd.io" && object["kind"] === "HelmRelease") {
      // helm-controller: `targetNamespace` "defaults to the namespace of the HelmRelease".
      const target = spec["targetNamespace"];
      const namespace = typeof target === "string" ? target : (metadata(object).namespace ?? "");
      const chart = obj(obj(spec["chart"])["spec"])["chart"] ?? obj(spec["chartRef"])["name"];
      return [{ resource, chart: String(chart), namespace }];
    }
    if (group === "argoproj.io" && object["kind"] === "Application") {
      const sources = spec["source"] !== undefined ? [obj(spec["source"])] : list(spec["sources"]);
      const charts = sources.map((s) => s["chart"]).filter((c): c is string => typeof c === "string");
      const namespace = obj(spec["destination"])["namespace"];
      return charts.length && typeof namespace === "string"
        ? charts.map((chart) => ({ resource, chart, namespace }))
        : [];
    }
    return [];
  });
}

/** Whether a NetworkPolicy selects every pod of its namespace (`podSelector: {}`). */
function selectsAllPods(np: Obj): boolean {
  const selector = obj(obj(np["spec"])["podSelector"]);
  return (
    Object.keys(obj(selector["matchLabels"])).length === 0 && list(selector["matchExpressions"]).length === 0
  );
}

/**
 * A namespace a chart installs into has a default deny: a NetworkPolicy selecting every pod
 * for Ingress and Egress, so a pod of the chart that no allow rule names gets no traffic.
 * Namespaces policy/exceptions.ts leaves open, with their reasons, are skipped.
 */
const CHART_NAMESPACE_DENY: StackRule = {
  name: "chart-namespace-default-deny",
  description:
    "Every namespace a chart installs into has a default-deny NetworkPolicy, or is declared open with a reason",
  enforcementLevel: "mandatory",
  check: (resources) => {
    const denied = deniedNamespaces(resources);
    const reported = new Set<string>();
    return chartReleases(resources).flatMap((release) => {
      const key = `${release.resource.cluster ?? ""}/${release.namespace}`;
      if (OPEN_CHART_NAMESPACES[release.namespace] || denied.has(key) || reported.has(key)) return [];
      reported.add(key);
      return [
        {
          urn: release.resource.urn,
          message: `chart ${release.chart} installs into namespace ${release.namespace}, which has no default-deny NetworkPolicy (podSelector {} for Ingress and Egress): add the chart's rules to components/platform/namespace-policies.ts, or declare the namespace open in policy/exceptions.ts OPEN_CHART_NAMESPACES with why`,
        },
      ];
    });
  },
};

/** The `<cluster>/<namespace>` keys with a NetworkPolicy denying every pod in both directions. */
function deniedNamespaces(resources: readonly PolicyResource[]): Set<string> {
  return new Set(
    resources.flatMap((r) => {
      const object = kubeObject(r);
      if (!object || object["kind"] !== "NetworkPolicy" || !selectsAllPods(object)) return [];
      const types = policyTypes(object);
      if (!types.includes("Ingress") || !types.includes("Egress")) return [];
      return [`${r.cluster ?? ""}/${metadata(object).namespace ?? ""}`];
    }),
  );
}

/**
 * Every namespace the program creates (a Namespace object, applied live or delivered) has a
 * default deny in both directions, so a pod nobody wrote a rule for gets no traffic; the
 * namespaces policy/exceptions.ts leaves open, with their reasons, are skipped.
 */
const NAMESPACE_DENY: StackRule = {
  name: "namespace-default-deny",
  description:
    "Every namespace the program creates has a default-deny NetworkPolicy, or is declared open with a reason",
  enforcementLevel: "mandatory",
  check: (resources) => {
    const denied = deniedNamespaces(resources);
    return resources.flatMap((r) => {
      const object = kubeObject(r);
      if (!object || object["kind"] !== "Namespace") return [];
      const name = metadata(object).name;
      if (OPEN_CHART_NAMESPACES[name] || denied.has(`${r.cluster ?? ""}/${name}`)) return [];
      return [
        {
          urn: r.urn,
          message: `namespace ${name} has no default-deny NetworkPolicy (podSelector {} for Ingress and Egress): add one with the rules its pods need (cluster-helpers.ts baselineNetworkPolicies), or declare the namespace open in policy/exceptions.ts OPEN_CHART_NAMESPACES with why`,
        },
      ];
    });
  },
};

/** Every stack-wide rule. */
export const STACK_RULES: readonly StackRule[] = [
  {
    name: "network-policy-coverage",
    description:
      "Every pod the program owns or an operator creates for it is isolated for ingress and egress by NetworkPolicies",
    enforcementLevel: "mandatory",
    check: (resources) =>
      [...workloads(resources), ...operatorWorkloads(resources)]
        .filter((w) => !exemptionFor("network-policy-coverage", w.kind, w.namespace, w.name))
        .flatMap((w) => {
          const selecting = peers(resources, w, "NetworkPolicy").filter((np) =>
            labelsMatch(obj(obj(np["spec"])["podSelector"]), w.podLabels),
          );
          const covered = new Set(selecting.flatMap(policyTypes));
          const missing = ["Ingress", "Egress"].filter((t) => !covered.has(t));
          if (missing.length === 0) return [];
          const pods = w.kind === "Cluster" ? "the pods its operator creates" : "its pods";
          return [
            {
              urn: w.resource.urn,
              message: selecting.length
                ? `${w.kind} ${w.namespace}/${w.name}: no NetworkPolicy isolates ${pods} for ${missing.join(" and ")}`
                : `${w.kind} ${w.namespace}/${w.name}: no NetworkPolicy selects ${pods}`,
            },
          ];
        }),
  },
  {
    name: "pdb-for-replicas",
    description: "A workload with more than one replica has a PodDisruptionBudget",
    enforcementLevel: "mandatory",
    check: (resources) =>
      workloads(resources)
        .filter((w) => w.replicas > 1)
        .filter(
          (w) =>
            !peers(resources, w, "PodDisruptionBudget").some((pdb) =>
              labelsMatch(obj(obj(pdb["spec"])["selector"]), w.podLabels),
            ),
        )
        .map((w) => ({
          urn: w.resource.urn,
          message: `${w.kind} ${w.namespace}/${w.name} runs ${w.replicas} replicas without a PodDisruptionBudget`,
        })),
  },
  ADMISSION_FIT,
  CHART_NAMESPACE_DENY,
  NAMESPACE_DENY,
];

/** Runs the stack-wide rules. */
export function evaluateStack(resources: readonly PolicyResource[]): Violation[] {
  return STACK_RULES.flatMap((rule) =>
    rule.check(resources).map((v) => ({ policy: rule.name, enforcementLevel: rule.enforcementLevel, ...v })),
  );
}
