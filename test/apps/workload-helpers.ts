/** Helpers of the workload component's tests (test/apps/workload-*.test.ts). */
import { buildWorkloads, type AppSpec } from "../../components/apps/workload";
import type { Bundle, KubeObject } from "../../components/gitops";
import { pureContext } from "./fixtures";

export type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Builds the specs on a context with no Pulumi resources (no generated secrets). */
export const build = (apps: AppSpec[], ctx = pureContext()) => buildWorkloads(apps, ctx);

/** Every object the specs render, across their bundles. */
export const objectsOf = (apps: AppSpec[], ctx = pureContext()): KubeObject[] =>
  (build(apps, ctx).items as Bundle[]).flatMap((b) => [...b.objects]);

/** The first object of a kind (and name); throws naming what is missing. */
export const find = (objects: KubeObject[], kind: string, name?: string): Any => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}/${name ?? "*"}`);
  return o;
};

/** The pod spec of a Deployment, StatefulSet, Job or CronJob. */
export const podOf = (o: Any): Any =>
  (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec) as Any;
