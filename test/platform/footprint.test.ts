import {
  CLUSTER_BASE_FOOTPRINT,
  GITOPS_FOOTPRINT,
  NODE_RESERVED,
  SERVICE_FOOTPRINT,
  baseFootprint,
  type FootprintPod,
  type ServiceFootprint,
} from "../../components/platform/footprint";
import { BUILT_IN_SERVICES } from "../../components/platform/registry";
import { cpuMilli, memoryBytes } from "../../lib/capacity";

const all: [string, ServiceFootprint][] = [
  ...Object.entries(SERVICE_FOOTPRINT).map(([k, v]): [string, ServiceFootprint] => [`service ${k}`, v]),
  ...Object.entries(CLUSTER_BASE_FOOTPRINT).map(([k, v]): [string, ServiceFootprint] => [`base ${k}`, v]),
  ...Object.entries(GITOPS_FOOTPRINT).map(([k, v]): [string, ServiceFootprint] => [`gitops ${k}`, v]),
];

describe("platform footprint", () => {
  it("has an entry for every built-in service, and nothing else", () => {
    expect(Object.keys(SERVICE_FOOTPRINT).sort()).toEqual(BUILT_IN_SERVICES.map((d) => d.name).sort());
  });

  it.each(all)("%s: every pod has parseable requests, a sane replica count and a source", (_, footprint) => {
    expect(footprint.source.length).toBeGreaterThan(40);
    const names = new Set<string>();
    for (const pod of footprint.pods) {
      expect(names.has(pod.name)).toBe(false);
      names.add(pod.name);
      expect(Number.isFinite(cpuMilli(pod.cpu))).toBe(true);
      expect(Number.isFinite(memoryBytes(pod.memory))).toBe(true);
      if (pod.replicas !== "per-node") {
        expect(Number.isInteger(pod.replicas) && pod.replicas >= 1).toBe(true);
      }
      if (pod.cpuPercentOfNode !== undefined) {
        // A percentage request replaces the fixed one.
        expect(pod.cpu).toBe("0");
        expect(pod.cpuPercentOfNode).toBeGreaterThan(0);
        expect(pod.cpuPercentOfNode).toBeLessThanOrEqual(40);
      }
    }
  });

  it("reserves parseable quantities on every cluster kind", () => {
    for (const r of Object.values(NODE_RESERVED)) {
      expect(Number.isFinite(cpuMilli(r.cpu))).toBe(true);
      expect(Number.isFinite(memoryBytes(r.memory))).toBe(true);
      if (r.controlPlane)
        expect(memoryBytes(r.controlPlane.memory)).toBeGreaterThanOrEqual(memoryBytes(r.memory));
    }
    // Talos: systemReserved 384Mi (workers) / 512Mi (control planes) + the default 100Mi hard eviction.
    expect(memoryBytes(NODE_RESERVED["talos-hcloud"].memory)).toBe(
      memoryBytes("384Mi") + memoryBytes("100Mi"),
    );
  });

  it("keeps the program's own requests in step with the values it sets", () => {
    const pod = (service: string, name: string): FootprintPod | undefined =>
      SERVICE_FOOTPRINT[service].pods.find((p) => p.name === name);
    expect(pod("cluster-autoscaler", "cluster-autoscaler")).toMatchObject({ cpu: "50m", memory: "128Mi" });
    expect(pod("victoria-metrics", "vmsingle")).toMatchObject({ cpu: "250m", memory: "768Mi" });
    expect(pod("renovate", "renovate")).toMatchObject({ cpu: "100m", memory: "512Mi" });
  });

  it("adds the engine's controllers to a kind's base", () => {
    const flux = baseFootprint("k3s", "flux");
    expect(flux.length).toBe(CLUSTER_BASE_FOOTPRINT.k3s.pods.length + GITOPS_FOOTPRINT.flux.pods.length);
    expect(flux.map((p) => p.name)).toContain("source-controller");
  });
});
