/**
 * The pull-request diff as pure functions: two synth plans (base and head) and their files
 * in, a per-cluster change set and its text or markdown rendering out. tools/diff.ts runs
 * the two synths; tests call these directly with small plans built in memory.
 *
 * What Pulumi would do to each resource is decided the way the engine does it, by URN:
 * present only in head = create, only in base = delete, in both with different inputs =
 * update, or replace when a changed input is one the provider cannot change in place (the
 * resource's `replaceOnChanges`, or {@link FORCE_NEW}). Paths listed in `ignoreChanges`
 * never count. The offline plan cannot know what a provider computes at deploy time, so a
 * real `pulumi preview` remains the authority; this is what a reviewer can see without
 * credentials.
 */
import { parseAllDocuments } from "yaml";
import { PROTECTED_TYPES } from "../policy/rules";
import type { RecordedResource } from "../lib/mock-runtime";
import { clusterOf } from "./plan";

/** A synth's `plan.json`. */
export interface Plan {
  readonly project?: string;
  readonly stack?: string;
  readonly resources: readonly RecordedResource[];
  readonly outputs?: unknown;
}

/** One side of the diff: the plan and every other file the synth wrote, by relative path. */
export interface SynthSide {
  readonly plan: Plan;
  readonly files: ReadonlyMap<string, string>;
}

export type Operation = "create" | "update" | "replace" | "delete";

/** One changed input of an update or replace. */
export interface InputChange {
  readonly path: string;
  /** `old -> new`, shortened; `[secret]` when either side is or may be secret. */
  readonly summary: string;
  /** Whether this change alone forces a replacement. */
  readonly forcesReplace: boolean;
  /** What an in-place change does that a reviewer should know (a reboot, say). */
  readonly note?: string;
}

/** In-place changes with a side effect, by type and path. */
const NOTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // `ChangeType` runs after a power-off (internal/server/resource.go, resourceServerUpdate).
  "hcloud:index/server:Server": { serverType: "the server is powered off to change its type" },
};

/** The CloudNativePG Cluster type and what a `spec.bootstrap` change does to a running one. */
const CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster";
const CNPG_BOOTSTRAP_NOTE =
  "bootstrap applies only when a cluster is created; the running cluster ignores it (CloudNativePG docs, Bootstrap)";

/** The note for a changed input path, if the change has a side effect worth saying. */
function noteFor(type: string, path: string): string | undefined {
  if (type === CNPG_CLUSTER && (path === "spec.bootstrap" || path.startsWith("spec.bootstrap.")))
    return CNPG_BOOTSTRAP_NOTE;
  return NOTES[type]?.[path];
}

/** What happens to one resource. */
export interface ResourceChange {
  readonly op: Operation;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly changes: readonly InputChange[];
  /** Set for a replace or delete of a protected, retained or stateful resource. */
  readonly warning?: string;
}

/** One changed file (manifest or emitted GitOps file). */
export interface FileChange {
  readonly path: string;
  readonly status: "added" | "removed" | "modified";
  /** Unified diff lines, headers included. */
  readonly diff: readonly string[];
  /** What the change does that the text diff does not say. */
  readonly warning?: string;
}

/** Everything that changes on one cluster (or, for `(stack)`, outside any cluster). */
export interface ClusterDiff {
  readonly cluster: string;
  readonly resources: readonly ResourceChange[];
  readonly files: readonly FileChange[];
}

/** The whole diff of one stack. */
export interface StackDiff {
  readonly stack: string;
  readonly clusters: readonly ClusterDiff[];
  /** Changed stack outputs: the contract other stacks read through a StackReference. */
  readonly outputs: readonly { path: string; summary: string }[];
}

/** Group of resources that belong to no cluster (the stack itself, shared providers). */
export const STACK_GROUP = "(stack)";

/**
 * Inputs a provider cannot change in place, by resource type (for Kubernetes objects by
 * `<group>:<Kind>`, any version). Paths use Pulumi's property-path syntax; `[*]` matches
 * any index.
 *
 * - Hetzner server: `image`, `location`, `datacenter`, `userData` and `sshKeys` are
 *   `ForceNew` in hetznercloud/terraform-provider-hcloud `internal/server/resource.go`,
 *   which the Pulumi provider bridges; `serverType` is not: it is changed in place by
 *   powering the server off (`ChangeType`), so it is an update (with a reboot). Network:
 *   `ipRange` is `ForceNew` (`internal/network/resource.go`).
 * - Kubernetes: pulumi/pulumi-kubernetes `provider/pkg/provider/diff.go` (`forceNew`):
 *   `metadata.name`/`metadata.namespace` for every kind, and per kind the fields below.
 *   ConfigMap and Secret data replace unless the provider sets `enableConfigMapMutable` /
 *   `enableSecretMutable` (checked in {@link isForceNew}).
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  "hcloud:index/server:Server": ["image", "location", "datacenter", "userData", "sshKeys"],
  "hcloud:index/network:Network": ["ipRange"],
  "apps:Deployment": ["spec.selector"],
  "apps:StatefulSet": [
    "spec.podManagementPolicy",
    "spec.revisionHistoryLimit",
    "spec.selector",
    "spec.serviceName",
    "spec.volumeClaimTemplates",
  ],
  "batch:Job": ["spec.selector", "spec.template"],
  "core:ConfigMap": ["data", "binaryData"],
  "core:Secret": ["type", "data", "stringData"],
  "core:PersistentVolumeClaim": [
    "spec.accessModes",
    "spec.resources",
    "spec.selector",
    "spec.storageClassName",
    "spec.volumeName",
  ],
  "core:Service": ["spec.clusterIP", "spec.type"],
  "storage.k8s.io:StorageClass": ["parameters", "provisioner"],
  "rbac.authorization.k8s.io:RoleBinding": ["roleRef"],
  "rbac.authorization.k8s.io:ClusterRoleBinding": ["roleRef"],
};

/** Paths every Kubernetes object replaces on. */
const KUBERNETES_FORCE_NEW = ["metadata.name", "metadata.namespace"];

/** Key names whose values are never printed, even when the plan shows them in clear. */
const SENSITIVE_KEY =
  /(password|passwd|secret|token|private_?key|api_?key|credential|kubeconfig|talosconfig)/i;

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `kubernetes:apps/v1:Deployment` -> `apps:Deployment`; undefined for other types. */
export function kubernetesKey(type: string): string | undefined {
  const m = /^kubernetes:([^:]+)\/[^/:]+:([A-Za-z0-9]+)$/.exec(type);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

function pathRegex(pattern: string): RegExp {
  const escaped = pattern
    .split(/(\[\*\]|\*)/)
    .map((part) =>
      part === "[*]" ? "\\[\\d+\\]" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  // A pattern covers the path itself and everything below it.
  return new RegExp(`^${escaped}(?:$|[.[])`);
}

/** Whether `path` is `pattern` or lies below it (Pulumi property paths, `[*]` any index). */
export function pathCovered(path: string, pattern: string): boolean {
  if (pattern === "*") return true;
  return pathRegex(pattern).test(path);
}

/** Every leaf path where two input trees differ; a subtree added or removed is one path. */
export function changedPaths(before: Json, after: Json, prefix = ""): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      out.push(...changedPaths(before[i], after[i], `${prefix}[${i}]`));
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const out: string[] = [];
    for (const key of keys) {
      if (key.startsWith("__")) continue; // SDK bookkeeping, not an input
      const child = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
        ? `${prefix ? `${prefix}.` : ""}${key}`
        : `${prefix}[${JSON.stringify(key)}]`;
      out.push(...changedPaths(before[key], after[key], child));
    }
    return out;
  }
  return [prefix];
}

function valueAt(root: Json, path: string): Json {
  let value = root;
  const re = /(?:^|\.)([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    const key = m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string));
    if (Array.isArray(value) && typeof key === "number") value = value[key];
    else if (isObject(value)) value = value[String(key)];
    else return undefined;
  }
  return value;
}

function show(value: Json): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `old -> new`; two long strings are shown around their first difference. */
export function summarize(from: Json, to: Json): string {
  if (typeof from === "string" && typeof to === "string" && (from.length > 60 || to.length > 60)) {
    const a = JSON.stringify(from);
    const b = JSON.stringify(to);
    let p = 0;
    while (p < a.length && a[p] === b[p]) p++;
    const start = Math.max(0, p - 24);
    const window = (s: string) =>
      `${start > 0 ? "..." : ""}${s.slice(start, start + 60)}${s.length > start + 60 ? "..." : ""}`;
    return `${window(a)} -> ${window(b)}`;
  }
  return `${show(from)} -> ${show(to)}`;
}

function looksSecret(resource: RecordedResource, path: string, values: Json[]): boolean {
  if (values.some((v) => JSON.stringify(v ?? null).includes("[secret]"))) return true;
  const top = path.split(/[.[]/)[0];
  if (resource.additionalSecretOutputs.includes(top)) return true;
  if (kubernetesKey(resource.type) === "core:Secret" && (top === "data" || top === "stringData")) return true;
  return SENSITIVE_KEY.test(path);
}

function providerOf(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>) {
  return r.provider ? byUrn.get(r.provider) : undefined;
}

/** Whether a change at `path` forces a new resource (see {@link FORCE_NEW}). */
export function isForceNew(resource: RecordedResource, path: string, provider?: RecordedResource): boolean {
  if (resource.replaceOnChanges.some((p) => pathCovered(path, p))) return true;
  const key = kubernetesKey(resource.type);
  const table = [...(key ? KUBERNETES_FORCE_NEW : []), ...(FORCE_NEW[key ?? resource.type] ?? [])];
  const mutable = (flag: string) => String(provider?.inputs[flag]) === "true";
  return table.some((p) => {
    if (!pathCovered(path, p)) return false;
    if (key === "core:ConfigMap" && mutable("enableConfigMapMutable")) return false;
    if (key === "core:Secret" && p !== "type" && mutable("enableSecretMutable")) return false;
    return true;
  });
}

/**
 * Types that install many objects the plan cannot see one by one (a Helm release, a YAML
 * bundle): deleting one deletes everything it installed, CRDs (and with them every custom
 * resource of those kinds) included.
 */
const BUNDLE_TYPES = new Set([
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
]);

function warningFor(r: RecordedResource, op: Operation): string | undefined {
  if (op !== "replace" && op !== "delete") return undefined;
  if (op === "delete" && BUNDLE_TYPES.has(r.type) && !r.protect && !r.retainOnDelete)
    return `deletes ${r.type} ${r.name}: everything it installed goes with it, CRDs and every custom resource of their kinds included.`;
  const verb = op === "replace" ? "replaces" : "deletes";
  const id = `${r.type} ${r.name}`;
  if (r.protect)
    return `${verb} protected ${id}: \`pulumi up\` stops on it until it is unprotected; ${op === "replace" ? "a replacement starts it empty" : "its data is lost"}. Add an alias if this is a rename.`;
  if (r.retainOnDelete)
    return `${verb} retained ${id}: Pulumi forgets it and leaves the old one running${op === "replace" ? " beside a new one" : ""}; clean it up by hand.`;
  if (PROTECTED_TYPES.includes(r.type))
    return `${verb} stateful ${id}: its data is lost. Add an alias if this is a rename.`;
  return undefined;
}

/** What Pulumi would do to each resource, by URN. */
export function diffResources(base: Plan, head: Plan): ResourceChange[] {
  const before = new Map(base.resources.map((r) => [r.urn, r]));
  const after = new Map(head.resources.map((r) => [r.urn, r]));
  const out: ResourceChange[] = [];
  for (const [urn, r] of after) {
    const old = before.get(urn);
    if (!old) {
      out.push({ op: "create", urn, type: r.type, name: r.name, changes: [] });
      continue;
    }
    const paths = changedPaths(old.inputs, r.inputs).filter(
      (p) => !r.ignoreChanges.some((pattern) => pathCovered(p, pattern)),
    );
    if (paths.length === 0) continue;
    const provider = providerOf(r, after);
    const changes = paths.map((path) => {
      const from = valueAt(old.inputs, path);
      const to = valueAt(r.inputs, path);
      return {
        path,
        summary: looksSecret(r, path, [from, to]) ? "[secret] changed" : summarize(from, to),
        forcesReplace: isForceNew(r, path, provider),
        ...(noteFor(r.type, path) ? { note: noteFor(r.type, path) } : {}),
      };
    });
    const op: Operation = changes.some((c) => c.forcesReplace) ? "replace" : "update";
    out.push({ op, urn, type: r.type, name: r.name, changes, warning: warningFor(old, op) });
  }
  for (const [urn, r] of before) {
    if (after.has(urn)) continue;
    out.push({
      op: "delete",
      urn,
      type: r.type,
      name: r.name,
      changes: [],
      warning: warningFor(r, "delete"),
    });
  }
  const order: Record<Operation, number> = { create: 0, update: 1, replace: 2, delete: 3 };
  return warnHostRenames(out, before, after).sort(
    (a, b) => order[a.op] - order[b.op] || a.urn.localeCompare(b.urn),
  );
}

/** `<cluster>` and `<host>` of a K3s host's installer command, or undefined. */
function k3sHostOf(r: RecordedResource | undefined): { parent: string; host: string } | undefined {
  if (!r || r.type !== "command:remote:Command" || !r.parent?.includes("platform:cluster:K3sCluster"))
    return undefined;
  const cluster = r.parent.split("::").at(-1)!;
  const [prefix, suffix] = [`${cluster}-`, "-install"];
  if (
    !r.name.startsWith(prefix) ||
    !r.name.endsWith(suffix) ||
    r.name.length <= prefix.length + suffix.length
  )
    return undefined;
  return { parent: r.parent, host: r.name.slice(prefix.length, -suffix.length) };
}

/**
 * A K3s host deleted and another created in the same cluster is how a rename looks to
 * Pulumi; done in one update it stops (the new host's installer refuses a machine that runs
 * K3s as another node). The created host's installer carries the warning, with the README's
 * way to do it.
 */
function warnHostRenames(
  changes: ResourceChange[],
  before: ReadonlyMap<string, RecordedResource>,
  after: ReadonlyMap<string, RecordedResource>,
): ResourceChange[] {
  const deleted = changes.filter((c) => c.op === "delete").flatMap((c) => k3sHostOf(before.get(c.urn)) ?? []);
  return changes.map((c) => {
    const created = c.op === "create" ? k3sHostOf(after.get(c.urn)) : undefined;
    const gone = created && deleted.filter((d) => d.parent === created.parent).map((d) => d.host);
    if (!created || !gone || gone.length === 0) return c;
    return {
      ...c,
      warning: `adds K3s host ${created.host} while removing ${gone.join(", ")}: if this renames the same machine, the update stops (the new name's installer refuses a host that runs K3s as another node); remove the old host and \`pulumi up\`, then add the new name and \`pulumi up\`.`,
    };
  });
}

/** CloudNativePG Clusters of a YAML file (one or more documents), by namespace/name. */
function cnpgClusters(text: string | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (text === undefined) return out;
  for (const doc of parseAllDocuments(text)) {
    const o = (Array.isArray(doc) ? undefined : doc.toJS()) as
      | {
          apiVersion?: string;
          kind?: string;
          metadata?: { name?: string; namespace?: string };
          spec?: { bootstrap?: unknown };
        }
      | undefined;
    if (o?.kind === "Cluster" && o.apiVersion?.startsWith("postgresql.cnpg.io/"))
      out.set(`${o.metadata?.namespace ?? "default"}/${o.metadata?.name ?? ""}`, o.spec?.bootstrap ?? null);
  }
  return out;
}

/** A warning for a file that changes the bootstrap of an existing CloudNativePG Cluster. */
export function bootstrapWarning(before: string | undefined, after: string | undefined): string | undefined {
  const old = cnpgClusters(before);
  const changed = [...cnpgClusters(after)]
    .filter(([id, bootstrap]) => old.has(id) && JSON.stringify(old.get(id)) !== JSON.stringify(bootstrap))
    .map(([id]) => id);
  if (changed.length === 0) return undefined;
  return `changes spec.bootstrap of CloudNativePG Cluster ${changed.join(", ")}: ${CNPG_BOOTSTRAP_NOTE}.`;
}

/**
 * A unified diff of two texts (3 lines of context), or [] when equal. Longest common
 * subsequence over lines after trimming the common head and tail; manifests are small.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined): string[] {
  if (before === after) return [];
  const a = before === undefined ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === undefined ? [] : after.replace(/\n$/, "").split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  // LCS table of the differing middle.
  const lcs: number[][] = Array.from({ length: midA.length + 1 }, () =>
    new Array<number>(midB.length + 1).fill(0),
  );
  for (let i = midA.length - 1; i >= 0; i--)
    for (let j = midB.length - 1; j >= 0; j--)
      lcs[i][j] = midA[i] === midB[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  type Line = { tag: " " | "-" | "+"; text: string; ai: number; bi: number };
  const lines: Line[] = [];
  for (let i = 0; i < start; i++) lines.push({ tag: " ", text: a[i], ai: i, bi: i });
  let i = 0;
  let j = 0;
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      lines.push({ tag: " ", text: midA[i], ai: start + i++, bi: start + j++ });
    } else if (i < midA.length && (j === midB.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      lines.push({ tag: "-", text: midA[i], ai: start + i++, bi: start + j });
    } else {
      lines.push({ tag: "+", text: midB[j], ai: start + i, bi: start + j++ });
    }
  }
  for (let k = 0; k < a.length - endA; k++)
    lines.push({ tag: " ", text: a[endA + k], ai: endA + k, bi: endB + k });
  // Hunks: changed lines with 3 lines of context, merged when they touch.
  const changed = lines.map((l, k) => (l.tag !== " " ? k : -1)).filter((k) => k >= 0);
  const out = [
    `--- ${before === undefined ? "/dev/null" : `a/${path}`}`,
    `+++ ${after === undefined ? "/dev/null" : `b/${path}`}`,
  ];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k] - 3);
    let to = Math.min(lines.length - 1, changed[k] + 3);
    while (k + 1 < changed.length && changed[k + 1] - 3 <= to + 1)
      to = Math.min(lines.length - 1, changed[++k] + 3);
    k++;
    const hunk = lines.slice(from, to + 1);
    const countA = hunk.filter((l) => l.tag !== "+").length;
    const countB = hunk.filter((l) => l.tag !== "-").length;
    const startA = countA === 0 ? hunk[0].ai : hunk[0].ai + 1;
    const startB = countB === 0 ? hunk[0].bi : hunk[0].bi + 1;
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const l of hunk) out.push(`${l.tag}${l.text}`);
  }
  return out;
}

/** The cluster a synth file belongs to: `manifests/<cluster>/...` or `gitops/<stack>/<cluster>/...`. */
export function clusterOfFile(stack: string, file: string): string {
  const parts = file.split("/");
  if (parts[0] === "manifests" && parts.length > 2) return parts[1];
  if (parts[0] === "gitops" && parts[1] === stack && parts.length > 3) return parts[2];
  return STACK_GROUP;
}

/** Cluster names of a plan: the keys of its `clusters` output. */
function clustersOf(plan: Plan): string[] {
  const outputs = plan.outputs as { clusters?: Record<string, unknown> } | undefined;
  return Object.keys(outputs?.clusters ?? {});
}

/** The diff of one stack, grouped by cluster. */
export function diffStack(stack: string, base: SynthSide, head: SynthSide): StackDiff {
  const clusters = [...new Set([...clustersOf(base.plan), ...clustersOf(head.plan)])].sort();
  const baseByUrn = new Map(base.plan.resources.map((r) => [r.urn, r]));
  const headByUrn = new Map(head.plan.resources.map((r) => [r.urn, r]));
  const groups = new Map<string, { resources: ResourceChange[]; files: FileChange[] }>();
  const group = (name: string) => {
    if (!groups.has(name)) groups.set(name, { resources: [], files: [] });
    return groups.get(name)!;
  };
  for (const change of diffResources(base.plan, head.plan)) {
    const [r, byUrn] =
      change.op === "delete"
        ? [baseByUrn.get(change.urn)!, baseByUrn]
        : [headByUrn.get(change.urn)!, headByUrn];
    group(clusterOf(r, byUrn, clusters) ?? STACK_GROUP).resources.push(change);
  }
  const files = [...new Set([...base.files.keys(), ...head.files.keys()])]
    .filter((f) => f !== "plan.json")
    .sort();
  for (const file of files) {
    const diff = unifiedDiff(file, base.files.get(file), head.files.get(file));
    if (diff.length === 0) continue;
    const status = !base.files.has(file) ? "added" : !head.files.has(file) ? "removed" : "modified";
    const warning =
      status === "modified" ? bootstrapWarning(base.files.get(file), head.files.get(file)) : undefined;
    group(clusterOfFile(stack, file)).files.push({
      path: file,
      status,
      diff,
      ...(warning ? { warning } : {}),
    });
  }
  const names = [...groups.keys()].sort((a, b) =>
    a === STACK_GROUP ? -1 : b === STACK_GROUP ? 1 : a.localeCompare(b),
  );
  const outputs = changedPaths(base.plan.outputs ?? {}, head.plan.outputs ?? {}).map((p) => {
    const from = valueAt(base.plan.outputs, p);
    const to = valueAt(head.plan.outputs, p);
    const secret =
      SENSITIVE_KEY.test(p) || [from, to].some((v) => JSON.stringify(v ?? null).includes("[secret]"));
    return { path: p, summary: secret ? "[secret] changed" : summarize(from, to) };
  });
  return { stack, clusters: names.map((cluster) => ({ cluster, ...groups.get(cluster)! })), outputs };
}

const SYMBOL: Record<Operation, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

function counts(resources: readonly ResourceChange[]): string {
  const n = (op: Operation) => resources.filter((r) => r.op === op).length;
  return `${n("create")} to create, ${n("update")} to update, ${n("replace")} to replace, ${n("delete")} to delete`;
}

/** Lines of the resource part of one cluster (the same in text and markdown). */
function resourceLines(c: ClusterDiff, maxPaths: number): string[] {
  const lines: string[] = [];
  for (const r of c.resources) {
    lines.push(`${SYMBOL[r.op].padEnd(2)} ${r.op.padEnd(7)} ${r.type} ${r.name}`);
    for (const change of r.changes.slice(0, maxPaths))
      lines.push(
        `      ${change.path}: ${change.summary}${change.forcesReplace ? " (forces replacement)" : ""}${change.note ? ` (${change.note})` : ""}`,
      );
    if (r.changes.length > maxPaths)
      lines.push(`      ... and ${r.changes.length - maxPaths} more changed inputs`);
  }
  return lines;
}

function warnings(d: StackDiff): string[] {
  return d.clusters.flatMap((c) => [
    ...c.resources.filter((r) => r.warning).map((r) => `${c.cluster}: ${r.warning!}`),
    ...c.files.filter((f) => f.warning).map((f) => `${c.cluster}: ${f.path} ${f.warning!}`),
  ]);
}

/** Cuts `lines` to `max`, saying how many were left out. */
export function truncate(lines: readonly string[], max: number, hint: string): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, max), `... ${lines.length - max} more lines not shown (${hint})`];
}

/** Rendering limits. */
export interface RenderOptions {
  /** Lines per cluster section before truncation. @default 300 */
  readonly maxLines?: number;
  /** Changed inputs listed per resource. @default 12 */
  readonly maxPaths?: number;
}

/** The diff for a terminal. */
export function renderText(d: StackDiff, options: RenderOptions = {}): string {
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const maxPaths = options.maxPaths ?? 12;
  const all = d.clusters.flatMap((c) => c.resources);
  const unchanged = d.clusters.length === 0 && d.outputs.length === 0;
  const out = [`stack ${d.stack}: ${unchanged ? "no changes" : counts(all)}`];
  for (const w of warnings(d)) out.push(`WARNING ${w}`);
  if (d.outputs.length > 0) {
    out.push("", "stack outputs (read by other stacks through a StackReference):");
    for (const o of d.outputs) out.push(`  ~ ${o.path}: ${o.summary}`);
  }
  for (const c of d.clusters) {
    const body = [...resourceLines(c, maxPaths)];
    if (c.files.length > 0) {
      body.push(`files: ${c.files.length} changed`);
      for (const f of c.files) body.push(...f.diff);
    }
    out.push("", `== ${c.cluster}: ${counts(c.resources)}, ${c.files.length} files changed`);
    out.push(...truncate(body, maxLines, `npm run diff -- ${d.stack}`));
  }
  return `${out.join("\n")}\n`;
}

/** A marker the workflow's sticky comment is found by. */
export const COMMENT_MARKER = "<!-- platform-diff -->";

/**
 * The diff as a pull-request comment: a summary line, a warning per protected or stateful
 * replace/delete, and one collapsed section per cluster holding the resource changes and
 * the unified diff of its files, each cut at `maxLines` with a count.
 */
export function renderMarkdown(d: StackDiff, options: RenderOptions = {}): string {
  const maxLines = options.maxLines ?? 300;
  const maxPaths = options.maxPaths ?? 12;
  const all = d.clusters.flatMap((c) => c.resources);
  const unchanged = d.clusters.length === 0 && d.outputs.length === 0;
  const out = [`### \`${d.stack}\`: ${unchanged ? "no changes" : counts(all)}`, ""];
  const warned = warnings(d);
  if (warned.length > 0) {
    out.push("> [!WARNING]");
    for (const w of warned) out.push(`> ${w.replace(/\n/g, " ")}  `);
    out.push("");
  }
  if (d.outputs.length > 0) {
    out.push(
      "<details>",
      `<summary><b>stack outputs</b>: ${d.outputs.length} changed (read by other stacks)</summary>`,
      "",
      "```diff",
      ...truncate(
        d.outputs.map((o) => `~ ${o.path}: ${o.summary}`),
        maxLines,
        `run \`npm run diff -- ${d.stack}\` for all of it`,
      ),
      "```",
      "",
      "</details>",
      "",
    );
  }
  for (const c of d.clusters) {
    const resources = resourceLines(c, maxPaths);
    const files = c.files.flatMap((f) => f.diff);
    out.push(
      "<details>",
      `<summary><b>${c.cluster}</b>: ${counts(c.resources)}; ${c.files.length} files changed</summary>`,
      "",
    );
    const hint = `run \`npm run diff -- ${d.stack}\` for all of it`;
    if (resources.length > 0) out.push("```diff", ...truncate(resources, maxLines, hint), "```", "");
    if (files.length > 0) out.push("```diff", ...truncate(files, maxLines, hint), "```", "");
    out.push("</details>", "");
  }
  // Fences inside the content would close ours early; YAML does not produce them.
  return `${out.join("\n")}\n`;
}

/** GitHub refuses comments over 65,536 characters; cut below that with a note. */
export function fitComment(body: string, limit = 60_000): string {
  if (body.length <= limit) return body;
  const cut = body.slice(0, limit);
  const open = (cut.match(/```/g) ?? []).length % 2 === 1;
  return `${cut}${open ? "\n```" : ""}\n</details>\n\n... ${body.length - limit} more characters not shown; run \`npm run diff\` locally.\n`;
}
