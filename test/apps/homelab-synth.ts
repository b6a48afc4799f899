/** The offline synth of the shipped homelab stack, shared by the homelab app tests. */
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";

export type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The objects of one kind in one namespace of one homelab cluster. */
export const objectsIn = (r: SynthResult, cluster: string, namespace: string, kind: string): Any[] =>
  r.objects
    .filter((o) => o.cluster === cluster)
    .map((o) => o.object as Any)
    .filter((o) => o.kind === kind && o.metadata.namespace === namespace);

export const named = (list: Any[], name: string): Any => {
  const o = list.find((x) => x.metadata.name === name);
  if (!o) throw new Error(`no ${name} among ${list.map((x) => x.metadata.name).join(", ")}`);
  return o;
};

/** The env of a Deployment's first container, by name. */
export const envOf = (deployment: Any): Record<string, Any> =>
  Object.fromEntries(
    (deployment.spec.template.spec.containers[0].env as Any[]).map((e) => [e.name, e.value ?? e.valueFrom]),
  );

export const synthHomelab = (): Promise<SynthResult> => shippedSynth("homelab");
