import {
  cpuMilli,
  ineligible,
  memoryBytes,
  preflight,
  tolerates,
  type NodeGroup,
  type PodDemand,
} from "../../lib/capacity";

const GiB = 2 ** 30;
const group = (extra: Partial<NodeGroup> = {}): NodeGroup => ({
  name: "pool worker (1 x cx32)",
  count: 1,
  cpuMilli: 3900,
  memoryBytes: 7 * GiB,
  architecture: "amd64",
  labels: {},
  taints: [],
  ...extra,
});
const pod = (extra: Partial<PodDemand> = {}): PodDemand => ({
  workload: "Deployment demo/web",
  replicas: 1,
  cpuMilli: 100,
  memoryBytes: GiB,
  tolerations: [],
  nodeSelector: {},
  ...extra,
});
const autoscaled = group({
  name: "pool autoscaler (2 x cx32, autoscaled, at its max)",
  count: 2,
  taints: [{ key: "autoscaler-node", value: "true", effect: "NoSchedule" }],
});

describe("quantities", () => {
  it("parse binary and decimal memory and milli and whole cpu", () => {
    expect(memoryBytes("512Mi")).toBe(512 * 2 ** 20);
    expect(memoryBytes("1.5Gi")).toBe(1.5 * GiB);
    expect(memoryBytes("1G")).toBe(1e9);
    expect(memoryBytes("1000")).toBe(1000);
    expect(cpuMilli("250m")).toBe(250);
    expect(cpuMilli("2")).toBe(2000);
    expect(cpuMilli("0.5")).toBe(500);
    expect(() => memoryBytes("lots")).toThrow('memory quantity "lots" is not a Kubernetes quantity');
  });
});

describe("eligibility", () => {
  it("follows core/v1 toleration matching", () => {
    const taint = { key: "autoscaler-node", value: "true", effect: "NoSchedule" as const };
    expect(
      tolerates({ key: "autoscaler-node", operator: "Equal", value: "true", effect: "NoSchedule" }, taint),
    ).toBe(true);
    expect(tolerates({ key: "autoscaler-node", operator: "Exists" }, taint)).toBe(true);
    expect(tolerates({ operator: "Exists" }, taint)).toBe(true);
    expect(tolerates({ key: "autoscaler-node", value: "false" }, taint)).toBe(false);
    expect(tolerates({ key: "autoscaler-node", operator: "Exists", effect: "NoExecute" }, taint)).toBe(false);
  });

  it("names the taint, the architecture, the label or the size that refuses a pod", () => {
    expect(ineligible(pod(), autoscaled)).toBe("taint autoscaler-node=true:NoSchedule not tolerated");
    expect(ineligible(pod({ architectures: ["arm64"] }), group())).toBe(
      "architecture amd64, pod needs arm64",
    );
    expect(ineligible(pod({ nodeSelector: { disk: "ssd" } }), group())).toBe("no label disk=ssd");
    expect(ineligible(pod({ memoryBytes: 8 * GiB }), group())).toBe(
      "too small: 3900m cpu and 7.0Gi allocatable per node",
    );
    expect(
      ineligible(pod(), group({ taints: [{ key: "x", value: "", effect: "PreferNoSchedule" }] })),
    ).toBeUndefined();
  });
});

describe("preflight", () => {
  it("places replicas onto tolerated autoscaled nodes once the static pool is full", () => {
    const tolerating = [{ key: "autoscaler-node", operator: "Exists" as const }];
    const result = preflight(
      [group(), autoscaled],
      [pod({ replicas: 3, memoryBytes: 4 * GiB, tolerations: tolerating })],
    );
    expect(result.errors).toEqual([]);
    expect(result.requested.memoryBytes).toBe(12 * GiB);
    expect(result.allocatable.memoryBytes).toBe(21 * GiB);
  });

  it("refuses a workload that fits nowhere, with each group's reason and how many replicas were placed", () => {
    const result = preflight(
      [group(), autoscaled],
      [pod({ workload: "Deployment mastodon/web", replicas: 2, memoryBytes: 4 * GiB })],
    );
    expect(result.errors).toEqual([
      "Deployment mastodon/web (2 x 100m cpu, 4.0Gi memory) fits no node; 1 of 2 placed (pool worker (1 x cx32): full; pool autoscaler (2 x cx32, autoscaled, at its max): taint autoscaler-node=true:NoSchedule not tolerated)",
    ]);
  });

  it("takes per-node pods from every node they tolerate before placing the others", () => {
    const daemon = pod({
      workload: "DaemonSet kube-system/cilium",
      perNode: true,
      memoryBytes: GiB,
      tolerations: [{ operator: "Exists" }],
    });
    const big = pod({ memoryBytes: Math.round(6.5 * GiB) });
    expect(preflight([group()], [daemon, big]).errors).toEqual([
      "Deployment demo/web (1 x 100m cpu, 6.5Gi memory) fits no node (pool worker (1 x cx32): full)",
    ]);
    expect(preflight([group(), autoscaled], [daemon]).requested.memoryBytes).toBe(3 * GiB);
  });
});
