/**
 * The e2e scenarios: each cluster of each stack as shipped, its kind swapped to `existing` on
 * a simulated cluster (real etcd, kube-apiserver, controller manager and scheduler; simulated
 * kubelets and engines), driven by the real Pulumi CLI and kubernetes provider.
 *
 * Per cluster: `pulumi up` succeeds, every object accepted by the API server, every pod
 * admitted under its namespace's Pod Security level and scheduled onto the declared nodes; a
 * second `pulumi up` changes nothing; `pulumi destroy` leaves what is retained (namespaces,
 * PersistentVolumeClaims, CRDs).
 */
import { readTools, missingTools } from "./harness";
import { ClusterScenario } from "./scenarios";

const tools = readTools();
const NEEDED = ["etcd", "kubernetes", "pulumi", "pulumi-kubernetes", "random-standin", "sim"];
const missing = missingTools(tools, NEEDED);
if (missing.length > 0) {
  // A tool that could not be built is named with its reason; the scenarios needing it are skipped.
  process.stderr.write(`e2e: scenarios skipped, tools missing:\n  ${missing.join("\n  ")}\n`);
}
const describeIf = missing.length > 0 ? describe.skip : describe;

/** The clusters the loop covers: every cluster of every stack file (E2E_ONLY=stack/cluster narrows it). */
const CASES: [string, string][] = [
  ["homelab", "production"],
  ["homelab", "staging"],
  ["stage", "stage"],
  ["prod", "prod"],
].filter(
  ([s, c]) => !process.env["E2E_ONLY"] || process.env["E2E_ONLY"].split(",").includes(`${s}/${c}`),
) as [string, string][];

describeIf.each(CASES)("%s/%s on the simulated cluster", (stackName, clusterName) => {
  const scenario = new ClusterScenario(stackName, clusterName, tools);

  beforeAll(async () => {
    await scenario.start();
  });
  afterAll(async () => {
    await scenario.stop();
  });

  it("pulumi up succeeds; every pod is admitted, scheduled and running", async () => {
    const result = await scenario.up("up-1");
    expect(result.summary.result).toBe("succeeded");
    expect(await scenario.refusals()).toEqual([]);
    const pods = await scenario.pods();
    const nodes = new Set(scenario.cluster!.nodes.map((n) => n.name));
    const notRunning = pods.filter(
      (p) => !["Running", "Succeeded"].includes(p.phase) || !nodes.has(p.node ?? ""),
    );
    expect(notRunning).toEqual([]);
  });

  it("a second pulumi up changes nothing", async () => {
    const result = await scenario.up("up-2");
    expect(result.summary.result).toBe("succeeded");
    const changes = Object.fromEntries(
      Object.entries(result.summary.resourceChanges ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0),
    );
    expect(changes).toEqual({});
  });

  it("pulumi destroy leaves the retained namespaces, volumes and CRDs", async () => {
    const before = {
      namespaces: (await scenario.sim!.list("/api/v1/namespaces")).map((n) => n["metadata"].name as string),
      claims: (await scenario.sim!.list("/api/v1/persistentvolumeclaims")).map(
        (c) => `${c["metadata"].namespace}/${c["metadata"].name}`,
      ),
    };
    await scenario.destroy();
    const after = {
      namespaces: (await scenario.sim!.list("/api/v1/namespaces")).map((n) => n["metadata"].name as string),
      claims: (await scenario.sim!.list("/api/v1/persistentvolumeclaims")).map(
        (c) => `${c["metadata"].namespace}/${c["metadata"].name}`,
      ),
    };
    expect(after.claims.sort()).toEqual(before.claims.sort());
    expect(after.namespaces.sort()).toEqual(before.namespaces.sort());
  });
});
