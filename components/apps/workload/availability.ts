/**
 * Availability: HPA (autoscaling/v2, separate scale-up and scale-down behaviour), a
 * PodDisruptionBudget and spreading defaults for workloads with more than one replica.
 * Topology spread: maxSkew 1, whenUnsatisfiable ScheduleAnyway (a soft constraint);
 * preferred pod anti-affinity, weight 100, by hostname
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/).
 */
import type { JsonValue, KubeObject } from "../../gitops/delivery";
import { selectorLabels } from "./pod";
import type { Autoscaling, ScalingRules } from "./types";

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
    // autoscaling/v2: Pods metrics take only AverageValue targets; External take Value too.
    if ("value" in m && m.type === "Pods")
      throw new Error(`HPA ${name}: Pods metric ${m.metric} needs an averageValue target, not value`);
    const target: Json =
      "value" in m
        ? { type: "Value", value: m.value }
        : { type: "AverageValue", averageValue: m.averageValue };
    const metric: Json = {
      name: m.metric,
      ...(m.selector ? { selector: { matchLabels: { ...m.selector } } } : {}),
    };
    metrics.push(
      m.type === "Pods"
        ? { type: "Pods", pods: { metric, target } }
        : { type: "External", external: { metric, target } },
    );
  }
  if (metrics.length === 0) throw new Error(`HPA ${name}: set at least one of cpu, memory or custom metrics`);
  const up: ScalingRules = a.scaleUp ?? {
    stabilizationSeconds: 0,
    policies: [{ type: "Pods", value: 4, periodSeconds: 60 }],
  };
  const down: ScalingRules = a.scaleDown ?? {
    stabilizationSeconds: 300,
    policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
  };
  for (const [which, rules] of [
    ["scaleUp", up],
    ["scaleDown", down],
  ] as const) {
    // autoscaling/v2 HPAScalingRules: window 0-3600 s, each policy's period 1-1800 s, value > 0.
    if (rules.stabilizationSeconds < 0 || rules.stabilizationSeconds > 3600)
      throw new Error(`HPA ${name} ${which}: stabilizationSeconds must be 0 to 3600`);
    if (rules.policies.length === 0) throw new Error(`HPA ${name} ${which}: set at least one policy`);
    for (const p of rules.policies)
      if (p.value <= 0 || p.periodSeconds < 1 || p.periodSeconds > 1800)
        throw new Error(`HPA ${name} ${which}: a policy needs value > 0 and periodSeconds 1 to 1800`);
  }
  const rules = (r: ScalingRules): Json => ({
    stabilizationWindowSeconds: r.stabilizationSeconds,
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  });
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
        scaleUp: rules(up),
        scaleDown: rules(down),
      },
    },
  };
}
