/** The shared workload component (components/apps/workload): HPAs, PodDisruptionBudgets, topology spread and anti-affinity. */
import { container, webApp } from "./fixtures";
import { objectsOf, find, podOf } from "./workload-helpers";

describe("availability", () => {
  it("adds HPA behaviour, a PDB, topology spread and anti-affinity for multi-replica workloads", () => {
    const app = webApp({
      controllers: {
        web: {
          type: "deployment",
          containers: { web: container() },
          autoscaling: {
            min: 2,
            max: 6,
            cpu: 70,
            custom: [{ type: "External", metric: "queue_depth", averageValue: "30" }],
            scaleDown: {
              stabilizationSeconds: 600,
              policies: [{ type: "Percent", value: 10, periodSeconds: 60 }],
            },
          },
        },
      },
    });
    const objects = objectsOf([app]);
    const hpa = find(objects, "HorizontalPodAutoscaler", "web");
    expect(hpa.spec.metrics).toEqual([
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
      },
      {
        type: "External",
        external: { metric: { name: "queue_depth" }, target: { type: "AverageValue", averageValue: "30" } },
      },
    ]);
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] },
      scaleDown: {
        stabilizationWindowSeconds: 600,
        policies: [{ type: "Percent", value: 10, periodSeconds: 60 }],
      },
    });
    // Pod-count policies with their own period (002: +2 pods / 30 s up, -1 pod / 60 s down).
    const fast = objectsOf([
      webApp({
        controllers: {
          web: {
            type: "deployment",
            containers: { web: container() },
            autoscaling: {
              min: 2,
              max: 4,
              memory: 80,
              scaleUp: {
                stabilizationSeconds: 30,
                policies: [{ type: "Pods", value: 2, periodSeconds: 30 }],
              },
              scaleDown: {
                stabilizationSeconds: 180,
                policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
              },
            },
          },
        },
      }),
    ]);
    expect(find(fast, "HorizontalPodAutoscaler", "web").spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: "Pods", value: 2, periodSeconds: 30 }] },
      scaleDown: {
        stabilizationWindowSeconds: 180,
        policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
      },
    });
    // External metrics with a Value target and a series selector (002's web HPA: p95 queue time).
    const valued = objectsOf([
      webApp({
        controllers: {
          web: {
            type: "deployment",
            containers: { web: container() },
            autoscaling: {
              min: 1,
              max: 3,
              custom: [
                { type: "External", metric: "p95", value: "35m", selector: { job: "web" } },
                { type: "Pods", metric: "rps", averageValue: "100" },
              ],
            },
          },
        },
      }),
    ]);
    expect(find(valued, "HorizontalPodAutoscaler", "web").spec.metrics).toEqual([
      {
        type: "External",
        external: {
          metric: { name: "p95", selector: { matchLabels: { job: "web" } } },
          target: { type: "Value", value: "35m" },
        },
      },
      {
        type: "Pods",
        pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "100" } },
      },
    ]);
    expect(() =>
      objectsOf([
        webApp({
          controllers: {
            web: {
              type: "deployment",
              containers: { web: container() },
              autoscaling: { min: 1, max: 2, custom: [{ type: "Pods", metric: "rps", value: "1" }] },
            },
          },
        }),
      ]),
    ).toThrow("HPA web: Pods metric rps needs an averageValue target, not value");
    const d = find(objects, "Deployment", "web");
    expect(d.spec.replicas).toBeUndefined();
    expect(podOf(d).topologySpreadConstraints[0]).toMatchObject({
      maxSkew: 1,
      whenUnsatisfiable: "ScheduleAnyway",
    });
    expect(podOf(d).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(
      100,
    );
    expect(find(objects, "PodDisruptionBudget", "web").spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/component": "web" } },
    });
  });
  it("adds none of it for a single replica", () => {
    const objects = objectsOf([webApp()]);
    expect(objects.map((o) => o.kind)).toEqual(["Deployment", "Service", "NetworkPolicy"]);
    expect(podOf(find(objects, "Deployment")).topologySpreadConstraints).toBeUndefined();
  });
});
