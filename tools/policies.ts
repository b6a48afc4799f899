/**
 * Policy checks over synth output: the product's own quality gates that a schema cannot
 * express. Each finding names the resource and the rule.
 */
import type { RecordedResource } from "../lib/mock-runtime";
import type { PlannedObject } from "./plan";

/** One policy violation. */
export interface PolicyFinding {
  readonly policy: string;
  readonly subject: string;
  readonly message: string;
}

/** Types whose loss loses data or access: they must be protected or retained (decision 8). */
export const STATEFUL_TYPES: readonly string[] = [
  "hcloud:index/server:Server",
  "hcloud:index/volume:Volume",
  "proxmoxve:index/vmLegacy:VmLegacy",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
  "kubernetes:postgresql.cnpg.io/v1:Cluster",
];

function containers(object: Record<string, unknown>): { name: string; image: unknown }[] {
  const found: { name: string; image: unknown }[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== "object") return;
    const record = value as Record<string, unknown>;
    for (const key of ["containers", "initContainers"]) {
      if (Array.isArray(record[key])) {
        for (const c of record[key] as Record<string, unknown>[])
          found.push({ name: String(c["name"]), image: c["image"] });
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(object["spec"]);
  return found;
}

/** Runs every policy over the plan; `secretValues` are the fakes that must appear nowhere. */
export function checkPolicies(
  resources: readonly RecordedResource[],
  objects: readonly PlannedObject[],
  artifacts: ReadonlyMap<string, string>,
  secretValues: readonly string[],
): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  for (const [file, content] of artifacts) {
    for (const secret of secretValues) {
      if (content.includes(secret)) {
        findings.push({
          policy: "no-plaintext-secret",
          subject: file,
          message: "holds a secret config value in plaintext",
        });
      }
    }
  }
  for (const r of resources) {
    if (STATEFUL_TYPES.includes(r.type) && !r.protect && !r.retainOnDelete) {
      findings.push({
        policy: "stateful-protected",
        subject: r.urn,
        message: "stateful resource without protect or retainOnDelete",
      });
    }
  }
  for (const p of objects) {
    const subject = `${p.cluster}/${String(p.object["kind"])}/${String((p.object["metadata"] as { name?: string })?.name)}`;
    if (p.object["kind"] === "Secret" && p.rendered) {
      findings.push({
        policy: "no-rendered-secret",
        subject,
        message: "a Secret goes to a render (emit) provider; apply it live",
      });
    }
    for (const c of containers(p.object)) {
      const image = typeof c.image === "string" ? c.image : "";
      const tagged = /@sha256:[a-f0-9]{64}$/.test(image) || /:[^/:@]+$/.test(image);
      if (!tagged || /:latest$/.test(image)) {
        findings.push({
          policy: "pinned-images",
          subject,
          message: `container ${c.name} image ${JSON.stringify(c.image)} is not pinned to a tag or digest`,
        });
      }
    }
  }
  return findings;
}
