/**
 * A model of the API server's server-side apply field management, enough to follow an
 * object through a handover: each leaf field has a value and the set of managers that own
 * it. An apply by a manager sets every field it sends (forcing: a conflicting field changes
 * hands, an equal value is co-owned) and removes each field it owned before and no longer
 * sends, unless another manager still owns it ("Server-Side Apply", kubernetes.io
 * docs/reference/using-api/server-side-apply: field management, conflicts, and "if the
 * applier ... removes a field ... the field is removed ... unless another manager owns
 * it"). Lists are atomic here (the default list type); `metadata.finalizers` and other set
 * lists are not merged element-wise, which no check below depends on.
 */

// Objects are untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Field {
  value: unknown;
  managers: Set<string>;
}

/** `<group>|<kind>|<namespace>|<name>` of an object. */
export function objectId(o: Any): string {
  return `${String(o.apiVersion).split("/").slice(0, -1).join("/")}|${o.kind}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;
}

function leaves(value: Any, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) leaves(v, `${prefix}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** The fake API server: objects as managed leaf fields. */
export class FakeApiServer {
  private readonly objects = new Map<string, Map<string, Field>>();

  /** A server-side apply of `object` by `manager`, with conflicts forced. */
  apply(object: Any, manager: string): void {
    const id = objectId(object);
    const fields = this.objects.get(id) ?? new Map<string, Field>();
    const sent = leaves(object, "", new Map());
    for (const [path, field] of [...fields]) {
      if (sent.has(path)) continue;
      // A field this manager no longer sends; or a leaf replaced by a deeper or shallower one.
      const displaced = [...sent.keys()].some((p) => p.startsWith(`${path}/`) || path.startsWith(`${p}/`));
      if (displaced) fields.delete(path);
      else if (field.managers.delete(manager) && field.managers.size === 0) fields.delete(path);
    }
    for (const [path, value] of sent) {
      const field = fields.get(path);
      if (field && JSON.stringify(field.value) === JSON.stringify(value)) field.managers.add(manager);
      else fields.set(path, { value, managers: new Set([manager]) });
    }
    this.objects.set(id, fields);
  }

  delete(id: string): boolean {
    return this.objects.delete(id);
  }

  has(id: string): boolean {
    return this.objects.has(id);
  }

  ids(): string[] {
    return [...this.objects.keys()].sort();
  }

  /** Leaf path -> { value, managers } of an object. */
  fields(id: string): Record<string, { value: unknown; managers: string[] }> {
    const fields = this.objects.get(id);
    if (!fields) throw new Error(`no object ${id}`);
    return Object.fromEntries([...fields].map(([p, f]) => [p, { value: f.value, managers: [...f.managers].sort() }]));
  }

  /** The value of one leaf (`/spec/suspend`), or undefined. */
  value(id: string, path: string): unknown {
    return this.objects.get(id)?.get(path)?.value;
  }
}

/**
 * The fields of an object that differ from what `manager` wants: missing or different
 * values, leaves the manager does not own, and leaves it did not send (left over by
 * another manager). Empty when the object is exactly `desired`, owned by `manager`.
 */
export function drift(server: FakeApiServer, desired: Any, manager: string): string[] {
  const want = leaves(desired, "", new Map());
  const have = server.fields(objectId(desired));
  const out: string[] = [];
  for (const [path, value] of want) {
    const field = have[path];
    if (!field) out.push(`${path}: missing`);
    else if (JSON.stringify(field.value) !== JSON.stringify(value)) out.push(`${path}: ${JSON.stringify(field.value)} (owned by ${field.managers.join(",")}), want ${JSON.stringify(value)}`);
    else if (!field.managers.includes(manager)) out.push(`${path}: not owned by ${manager}`);
  }
  for (const [path, field] of Object.entries(have)) if (!want.has(path)) out.push(`${path}: left over, owned by ${field.managers.join(",")}`);
  return out;
}
