/**
 * Controllers: Deployment, StatefulSet (with volume claim templates), CronJob and the
 * migration Job. Phases come from `phaseOf` (components/gitops/delivery.ts): the Job is a
 * migration (Argo CD sync-wave 1, Flux migrations stage), the Deployment a workload (wave 2);
 * a database-like StatefulSet is pinned to `base` with PHASE_ANNOTATION.
 */
import { createHash } from "node:crypto";
import { PHASE_ANNOTATION, type JsonValue, type KubeObject } from "../../gitops/delivery";
import { autoscaler, disruptionBudget, spreading } from "./availability";
import { renderPod, selectorLabels, type NameResolvers } from "./pod";
import type { AppSpec, Controller, EnvValue } from "./types";

type Json = { [key: string]: JsonValue };

/** The object name of a controller: the app's name for its own-named controller, else `<app>-<controller>`. */
export function controllerObjectName(app: string, controller: string): string {
  return controller === app ? app : `${app}-${controller}`;
}

function metadata(
  name: string,
  app: string,
  controller: string,
  annotations: Record<string, string>,
): KubeObject["metadata"] {
  return {
    name,
    labels: { ...selectorLabels(app, controller), "app.kubernetes.io/part-of": app },
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
}

export interface ControllerContext extends NameResolvers {
  readonly env: Readonly<Record<string, EnvValue>>;
  /** Annotations of every pod template (the config checksum). */
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly podVolumes: Json[];
  readonly defaultStorageClass: string;
  readonly storageClasses: readonly string[];
  /** Persistence entries the controller mounts that are ReadWriteOnce volumes. */
  readonly readWriteOnceMounts: readonly string[];
}

/**
 * A Deployment's `strategy`: Recreate by default when it mounts a ReadWriteOnce volume (a surge
 * pod on another node cannot attach it, so a RollingUpdate would hang on Multi-Attach);
 * RollingUpdate with such a volume only with `maxSurge: 0`.
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
 */
export function deploymentStrategy(
  app: string,
  key: string,
  c: Extract<Controller, { type: "deployment" }>,
  readWriteOnceMounts: readonly string[],
): Json | undefined {
  const s = c.strategy;
  if (s === undefined) return readWriteOnceMounts.length ? { type: "Recreate" } : undefined;
  if (s.type === "Recreate") return { type: "Recreate" };
  if (readWriteOnceMounts.length && s.maxSurge !== 0)
    throw new Error(
      `app "${app}" controllers.${key}.strategy: RollingUpdate with a surge cannot roll out while it mounts the ReadWriteOnce volume(s) ${readWriteOnceMounts.join(", ")} (the new pod cannot attach them on another node); use { type: "Recreate" }, maxSurge 0, or a ReadWriteMany volume`,
    );
  const rollingUpdate: Json = {
    ...(s.maxSurge !== undefined ? { maxSurge: s.maxSurge } : {}),
    ...(s.maxUnavailable !== undefined ? { maxUnavailable: s.maxUnavailable } : {}),
  };
  return { type: "RollingUpdate", ...(Object.keys(rollingUpdate).length ? { rollingUpdate } : {}) };
}

/** One controller's pod, rendered once, and what each controller kind builds around it. */
interface ControllerPod {
  /** The controller object's name. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations of the controller object (the opt-outs). */
  readonly annotations: Readonly<Record<string, string>>;
  /** The pod template, with `extra` pod-spec fields (spreading) merged in. */
  readonly template: (extra: Json) => Json;
}

/** Renders the pod of one controller into a template builder. */
function controllerPod(app: AppSpec, key: string, c: Controller, ctx: ControllerContext): ControllerPod {
  const labels = selectorLabels(app.name, key);
  const restart = c.type === "migration" || c.type === "cronjob" ? "OnFailure" : undefined;
  const pod = renderPod(app, c, ctx.env, ctx, ctx.podVolumes, restart);
  const podAnnotations = { ...pod.annotations, ...ctx.podAnnotations };
  const template = (extra: Json): Json => {
    // Node affinity (placement) and pod anti-affinity (spreading) share `affinity`.
    const affinity = {
      ...((pod.spec.affinity as Json | undefined) ?? {}),
      ...((extra.affinity as Json | undefined) ?? {}),
    };
    return {
      metadata: { labels, ...(Object.keys(podAnnotations).length ? { annotations: podAnnotations } : {}) },
      spec: { ...pod.spec, ...extra, ...(Object.keys(affinity).length ? { affinity } : {}) },
    };
  };
  return { name: controllerObjectName(app.name, key), labels, annotations: pod.annotations, template };
}

/** The objects of one controller: the controller, and its HPA and PDB when it has them. */
export function renderController(
  app: AppSpec,
  key: string,
  c: Controller,
  ctx: ControllerContext,
): KubeObject[] {
  const pod = controllerPod(app, key, c, ctx);
  switch (c.type) {
    case "deployment":
      return deploymentObjects(app, key, c, ctx, pod);
    case "statefulset":
      return statefulSetObjects(app, key, c, ctx, pod);
    case "cronjob":
      return cronJobObjects(app, key, c, pod);
    case "migration":
      return jobObjects(app, key, c, pod);
  }
}

type Of<T extends Controller["type"]> = Extract<Controller, { type: T }>;

/** A Deployment, its HPA when autoscaled, and a PDB when it can run more than one pod. */
function deploymentObjects(
  app: AppSpec,
  key: string,
  c: Of<"deployment">,
  ctx: ControllerContext,
  { name, labels, annotations, template }: ControllerPod,
): KubeObject[] {
  const replicas = c.replicas ?? 1;
  const maxReplicas = c.autoscaling ? c.autoscaling.max : replicas;
  const strategy = deploymentStrategy(app.name, key, c, ctx.readWriteOnceMounts);
  const objects: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(name, app.name, key, annotations),
      spec: {
        ...(c.autoscaling ? {} : { replicas }),
        revisionHistoryLimit: 3,
        ...(strategy ? { strategy } : {}),
        selector: { matchLabels: labels },
        template: template(spreading(app.name, key, Math.max(replicas, maxReplicas))),
      },
    },
  ];
  if (c.autoscaling) objects.push(autoscaler(name, { kind: "Deployment", name }, c.autoscaling));
  // A PDB whenever the controller can run more than one pod: an HPA at its minimum of one
  // may be drained (maxUnavailable 1), and once scaled up, drains take one pod at a time.
  objects.push(...disruptionBudget(app.name, key, name, maxReplicas));
  return objects;
}

/** A StatefulSet with its volume claim templates, and a PDB when it runs more than one pod. */
function statefulSetObjects(
  app: AppSpec,
  key: string,
  c: Of<"statefulset">,
  ctx: ControllerContext,
  { name, labels, annotations: podAnnotations, template }: ControllerPod,
): KubeObject[] {
  const replicas = c.replicas ?? 1;
  const annotations = {
    ...podAnnotations,
    ...(c.phase === "base" ? { [PHASE_ANNOTATION]: "base" } : {}),
  };
  const claims = Object.entries(c.volumeClaimTemplates).map(([claim, t]) => {
    const storageClassName = t.storageClass ?? ctx.defaultStorageClass;
    if (!ctx.storageClasses.includes(storageClassName)) {
      throw new Error(
        `app "${app.name}" volumeClaimTemplates.${claim}: storageClass "${storageClassName}" is not on this cluster (available: ${ctx.storageClasses.join(", ")})`,
      );
    }
    return {
      metadata: { name: claim },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName,
        resources: { requests: { storage: t.size } },
      },
    };
  });
  const objects: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: metadata(name, app.name, key, annotations),
      spec: {
        replicas,
        serviceName: name,
        selector: { matchLabels: labels },
        template: template(spreading(app.name, key, replicas)),
        volumeClaimTemplates: claims,
        // Claims outlive a scale-down or a delete: data is never removed by the engine.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      },
    },
  ];
  objects.push(...disruptionBudget(app.name, key, name, replicas));
  return objects;
}

/** A CronJob. */
function cronJobObjects(app: AppSpec, key: string, c: Of<"cronjob">, pod: ControllerPod): KubeObject[] {
  const { name, annotations, template } = pod;
  return [
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: metadata(name, app.name, key, annotations),
      spec: {
        schedule: c.schedule,
        ...(c.timeZone ? { timeZone: c.timeZone } : {}),
        concurrencyPolicy: c.concurrencyPolicy ?? "Forbid",
        jobTemplate: { spec: { backoffLimit: 2, template: template({}) } },
      },
    },
  ];
}

/** A migration Job named after a hash of its template. */
function jobObjects(app: AppSpec, key: string, c: Of<"migration">, pod: ControllerPod): KubeObject[] {
  const { name, annotations, template } = pod;
  // A Job's pod template is immutable, so an image bump could not be applied to the same
  // Job. The name carries a hash of the template: a bump creates a new Job (which runs the
  // migration again) and the engine prunes the old one. No ttlSecondsAfterFinished: a Job
  // deleted by TTL would be re-created by Argo CD's self-heal and run again.
  const tpl = template({});
  const hash = createHash("sha256").update(JSON.stringify(tpl)).digest("hex").slice(0, 8);
  return [
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: metadata(`${name}-${hash}`, app.name, key, annotations),
      spec: { backoffLimit: c.backoffLimit ?? 3, template: tpl },
    },
  ];
}
