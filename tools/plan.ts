/**
 * Turns recorded resources into the synth's artifacts: the plan, the Kubernetes objects
 * per cluster, and stable file names. Pure functions; the CLI in synth.ts writes files.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments, stringify } from "yaml";
import { SECRET_PLACEHOLDER, type RecordedResource } from "../lib/mock-runtime";

/** A Kubernetes object found in the plan, with the cluster it belongs to. */
export interface PlannedObject {
  readonly cluster: string;
  readonly urn: string;
  /** Whether it goes through a render (emit) provider rather than a live one. */
  readonly rendered: boolean;
  /** Whether it is written to the emitted GitOps tree (not a Pulumi resource at all). */
  readonly emitted?: boolean;
  readonly object: Record<string, unknown>;
}

/** Sorts object keys recursively so serialized output is byte-stable. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      out[key] = canonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Resolves a program's outputs, with secret Outputs as the placeholder. */
export async function resolveOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    if (await pulumi.isSecret(value)) return SECRET_PLACEHOLDER;
    const inner = await new Promise<unknown>((resolve) => value.apply((v) => resolve(v)));
    return resolveOutputs(inner);
  }
  if (value instanceof Promise) return resolveOutputs(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value !== null && typeof value === "object" && !(value instanceof pulumi.Resource)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveOutputs(v);
    return out;
  }
  return value;
}

/** Whether a resource type is a Kubernetes object (not a provider, chart or component). */
export function isKubernetesObject(r: RecordedResource): boolean {
  if (!r.custom || !r.type.startsWith("kubernetes:")) return false;
  if (r.type.startsWith("kubernetes:helm.sh/") || r.type.startsWith("kubernetes:yaml/")) return false;
  return typeof r.inputs["apiVersion"] === "string" && typeof r.inputs["kind"] === "string";
}

/**
 * Finds the cluster a resource belongs to: the nearest ancestor (of the resource or of its
 * provider) named after a cluster, as `<cluster>` or `<cluster>-<role>`.
 */
export function clusterOf(
  r: RecordedResource,
  byUrn: ReadonlyMap<string, RecordedResource>,
  clusters: readonly string[],
): string | undefined {
  const byLength = [...clusters].sort((a, b) => b.length - a.length);
  const match = (name: string) => byLength.find((c) => name === c || name.startsWith(`${c}-`));
  const walk = (start: string | undefined): string | undefined => {
    for (let urn = start; urn; urn = byUrn.get(urn)?.parent) {
      const found = match(byUrn.get(urn)?.name ?? "");
      if (found) return found;
    }
    return undefined;
  };
  return walk(r.urn) ?? walk(r.provider);
}

/** Every Kubernetes object of the plan, assigned to its cluster. */
export function plannedObjects(
  resources: readonly RecordedResource[],
  clusters: readonly string[],
): PlannedObject[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.filter(isKubernetesObject).map((r) => {
    const provider = r.provider ? byUrn.get(r.provider) : undefined;
    return {
      cluster: clusterOf(r, byUrn, clusters) ?? "_unassigned",
      urn: r.urn,
      rendered: typeof provider?.inputs["renderYamlToDirectory"] === "string",
      object: objectOf(r.inputs),
    };
  });
}

/**
 * The objects of an emitted GitOps tree (`gitops/<stack>/<cluster>/...`), for schema and
 * policy checks: every YAML document except kustomize's own `kustomization.yaml` files.
 */
export function emittedObjects(stack: string, files: ReadonlyMap<string, string>): PlannedObject[] {
  const prefix = `gitops/${stack}/`;
  const out: PlannedObject[] = [];
  for (const [file, content] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!file.startsWith(prefix) || !file.endsWith(".yaml") || file.endsWith("/kustomization.yaml")) continue;
    const cluster = file.slice(prefix.length).split("/")[0];
    for (const doc of parseAllDocuments(content)) {
      const object = doc.toJS() as Record<string, unknown> | null;
      if (!object || typeof object["kind"] !== "string") continue;
      out.push({ cluster, urn: `${file}#${String(object["kind"])}`, rendered: false, emitted: true, object });
    }
  }
  return out;
}

/** The object as it would be applied: apiVersion, kind, metadata first, no SDK bookkeeping. */
function objectOf(inputs: Record<string, unknown>): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = inputs;
  const out: Record<string, unknown> = { apiVersion, kind, metadata };
  for (const key of Object.keys(rest).sort()) {
    if (key.startsWith("__")) continue;
    // A Secret's whole data map is one secret Output, redacted to a string; keep the
    // object's shape so the schema still checks the rest of it.
    const redactedMap =
      kind === "Secret" && (key === "data" || key === "stringData") && rest[key] === SECRET_PLACEHOLDER;
    out[key] = redactedMap ? { redacted: SECRET_PLACEHOLDER } : rest[key];
  }
  return out;
}

/** A stable, readable file name for an object. */
export function manifestFileName(object: Record<string, unknown>): string {
  const metadata = (object["metadata"] ?? {}) as { name?: unknown; namespace?: unknown };
  const parts = [
    String(object["kind"]),
    typeof metadata.namespace === "string" ? metadata.namespace : "_cluster",
    typeof metadata.name === "string" ? metadata.name : "unnamed",
  ];
  return `${parts
    .join("_")
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, "-")}.yaml`;
}

/** YAML for one object, deterministic. */
export function toYaml(object: unknown): string {
  return stringify(object, { sortMapEntries: false, lineWidth: 0 });
}
