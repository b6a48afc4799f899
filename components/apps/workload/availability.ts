/**
 * Availability: HPA (autoscaling/v2, separate scale-up and scale-down behaviour), a
 * PodDisruptionBudget and spreading defaults for workloads with more than one replica.
 * Topology spread: maxSkew 1, whenUnsatisfiable ScheduleAnyway (a soft constraint);
 * preferred pod anti-affinity, weight 100, by hostname
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/).
 */
import type { JsonValue, KubeObject } from "../../gitops/delivery";
import { selectorLabels } from "./pod";
import type { Autoscaling } from "./types";

type Json = { [key: string]: JsonValue };

/** Spread and anti-affinity for a multi-replica workload (empty for one replica). */
export function spreading(app: string, controller: string, replicas: number): Json {
  if (replicas <= 1) return {};
  const labelSelector = { matchLabels: selectorLabels(app, controller) };
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector,
      },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector } },
        ],
      },
    },
  };
}

/** A PDB keeping one pod up when more than one replica runs. */
export function disruptionBudget(
  app: string,
  controller: string,
  name: string,
  replicas: number,
): KubeObject[] {
  if (replicas <= 1) return [];
  return [
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name },
      spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(app, controller) } },
    },
  ];
}

/** An autoscaling/v2 HPA (https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/). */
export function autoscaler(name: string, target: { kind: string; name: string }, a: Autoscaling): KubeObject {
  if (a.min < 1 || a.max < a.min)
    throw new Error(`HPA ${name}: min ${a.min} and max ${a.max} must satisfy 1 <= min <= max`);
  const metrics: Json[] = [];
  if (a.cpu !== undefined)
    metrics.push({
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.cpu } },
    });
  if (a.memory !== undefined)
    metrics.push({
      type: "Resource",
      resource: { name: "memory", target: { type: "Utilization", averageUtilization: a.memory } },
    });
  for (const m of a.custom ?? []) {
    const target = { type: "AverageValue", averageValue: m.averageValue };
    metrics.push(
      m.type === "Pods"
        ? { type: "Pods", pods: { metric: { name: m.metric }, target } }
        : { type: "External", external: { metric: { name: m.metric }, target } },
    );
  }
  if (metrics.length === 0) throw new Error(`HPA ${name}: set at least one of cpu, memory or custom metrics`);
  const up = a.scaleUp ?? { stabilizationSeconds: 0, podsPerMinute: 4 };
  const down = a.scaleDown ?? { stabilizationSeconds: 300, percentPerMinute: 50 };
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: target.kind, name: target.name },
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics,
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: up.stabilizationSeconds,
          policies: [{ type: "Pods", value: up.podsPerMinute, periodSeconds: 60 }],
        },
        scaleDown: {
          stabilizationWindowSeconds: down.stabilizationSeconds,
          policies: [{ type: "Percent", value: down.percentPerMinute, periodSeconds: 60 }],
        },
      },
    },
  };
}
