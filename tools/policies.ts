/**
 * Policy checks over synth output: the rules of the CrossGuard pack (policy/rules.ts), run
 * here over every recorded resource and every emitted object, plus what only the synth can
 * see (a fake secret value in any artifact, a Secret on its way to git). Each finding names
 * the resource and the rule.
 */
import { EXPOSED_SERVICES } from "../policy/exceptions";
import { evaluate, evaluateStack, type PolicyResource, type Violation } from "../policy/rules";
import type { RecordedResource } from "../lib/mock-runtime";
import type { PlannedObject } from "./plan";

/** One policy violation. */
export interface PolicyFinding {
  readonly policy: string;
  readonly subject: string;
  readonly message: string;
}

/** What the policies found: mandatory findings fail the synth, advisories are listed. */
export interface PolicyReport {
  readonly findings: PolicyFinding[];
  readonly advisories: PolicyFinding[];
}

function kubeType(object: Record<string, unknown>): string {
  const apiVersion = String(object["apiVersion"]);
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${String(object["kind"])}`;
}

/** The policy view of the plan: resources as registered, emitted objects as the engine will apply them. */
export function policyResources(
  resources: readonly RecordedResource[],
  objects: readonly PlannedObject[],
): PolicyResource[] {
  const clusterOfUrn = new Map(objects.map((o) => [o.urn, o.cluster]));
  const registered = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    additionalSecretOutputs: r.additionalSecretOutputs,
    cluster: clusterOfUrn.get(r.urn) ?? r.provider,
  }));
  const emitted = objects
    .filter((o) => o.emitted)
    .map((o) => ({
      type: kubeType(o.object),
      name: String((o.object["metadata"] as { name?: unknown } | undefined)?.name),
      urn: o.urn,
      props: o.object,
      // Emitted objects are the engine's to apply and prune; Pulumi does not own them.
      protect: true,
      cluster: o.cluster,
    }));
  return [...registered, ...emitted];
}

/** Runs every policy over the plan; `secretValues` are the fakes that must appear nowhere. */
export function checkPolicies(
  resources: readonly RecordedResource[],
  objects: readonly PlannedObject[],
  artifacts: ReadonlyMap<string, string>,
  secretValues: readonly string[],
  exposedServices: readonly string[] = EXPOSED_SERVICES,
): PolicyReport {
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
  for (const p of objects) {
    if (p.object["kind"] === "Secret" && (p.rendered || p.emitted)) {
      const name = String((p.object["metadata"] as { name?: unknown } | undefined)?.name);
      findings.push({
        policy: "no-rendered-secret",
        subject: `${p.cluster}/Secret/${name}`,
        message: "a Secret goes to a render (emit) provider or to git; apply it live",
      });
    }
  }
  const all = policyResources(resources, objects);
  const violations: Violation[] = [...evaluate(all, { exposedServices }), ...evaluateStack(all)];
  const toFinding = (v: Violation): PolicyFinding => ({
    policy: v.policy,
    subject: v.urn,
    message: v.message,
  });
  return {
    findings: [...findings, ...violations.filter((v) => v.enforcementLevel === "mandatory").map(toFinding)],
    advisories: violations.filter((v) => v.enforcementLevel === "advisory").map(toFinding),
  };
}
