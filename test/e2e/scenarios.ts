/**
 * One cluster of one stack on its own simulated cluster: the stack's config with that cluster
 * alone, swapped to `existing`, the engine from a local stand-in, the nodes its kind declares,
 * and the real CLI. Each scenario step is a method the e2e tests call in order.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalWorkspace, Stack, UpResult } from "@pulumi/pulumi/automation";
import { DEFAULT_VERSIONS } from "../../config/defaults";
import { fakeKubeconfig } from "../../lib/mock-runtime";
import { pulumiStack, ROOT, scratch, setConfig, SimCluster, type SimReport, type Tools } from "./harness";
import { argoChart, fluxInstall, simManifests, type PlannedRef } from "./manifests";
import { swapStack, type SwappedCluster } from "./swap";

type Raw = Record<string, unknown>;

/** Runs the program on the mock runtime in a child process; what it would apply live. */
function plannedRefs(stack: string, config: Raw, secretKeys: readonly string[]): PlannedRef[] {
  const run = spawnSync(
    process.execPath,
    [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(__dirname, "plan-objects.ts")],
    {
      cwd: ROOT,
      input: JSON.stringify({ stack, config, secretKeys }),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`plan-objects failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { objects: PlannedRef[] }).objects;
}

/** A pod the way the assertions read it. */
export interface PodState {
  readonly name: string;
  readonly phase: string;
  readonly node?: string;
}

export class ClusterScenario {
  readonly dir: string;
  sim?: SimCluster;
  stack?: Stack;
  cluster?: SwappedCluster;
  private config: Raw = {};
  private secretKeys: string[] = [];
  private engineDir: string;
  private readonly edits: ((cluster: Raw) => void)[] = [];

  constructor(
    readonly stackName: string,
    readonly clusterName: string,
    private readonly tools: Tools,
  ) {
    this.dir = scratch(`${stackName}-${clusterName}`);
    this.engineDir = path.join(this.dir, "engine");
  }

  private engineInstall = (_cluster: string, engine: "flux" | "argocd"): string =>
    engine === "flux" ? fluxInstall(this.engineDir) : argoChart(this.engineDir, DEFAULT_VERSIONS.argocdChart);

  /** The swapped config of this cluster alone, after `edit` changed the stack file's clusters. */
  private swapped(edit: (c: Raw) => void = () => {}) {
    const swapped = swapStack(ROOT, this.stackName, this.engineInstall, (clusters) => {
      for (const name of Object.keys(clusters)) if (name !== this.clusterName) delete clusters[name];
      edit(clusters[this.clusterName]);
    });
    return swapped;
  }

  /** Starts the simulated cluster and creates the stack; nothing is applied yet. */
  async start(): Promise<void> {
    const swapped = this.swapped();
    this.cluster = swapped.clusters[0]!;
    const planned = plannedRefs(
      this.stackName,
      {
        ...swapped.config,
        "platform:kubeconfigs": JSON.stringify({ [this.clusterName]: fakeKubeconfig(this.clusterName) }),
      },
      [...swapped.secretKeys, "platform:kubeconfigs"],
    );
    const manifests = simManifests(
      this.dir,
      planned,
      this.cluster.storageClasses,
      this.cluster.defaultStorageClass,
    );
    this.sim = await SimCluster.start(this.tools, this.dir, this.cluster.nodes, manifests);
    this.config = {
      ...swapped.config,
      "platform:kubeconfigs": JSON.stringify({ [this.clusterName]: this.sim.kubeconfig }),
    };
    this.secretKeys = [...swapped.secretKeys, "platform:kubeconfigs"];
    this.stack = await pulumiStack(this.tools, this.dir, this.stackName, this.config, this.secretKeys);
  }

  /** Changes the cluster's settings (as a stack-file edit would, on top of the earlier ones). */
  async edit(change: (cluster: Raw) => void): Promise<void> {
    this.edits.push(change);
    const swapped = this.swapped((c) => this.edits.forEach((e) => e(c)));
    this.config = { ...swapped.config, "platform:kubeconfigs": this.config["platform:kubeconfigs"] };
    await setConfig(this.stack!, this.config, this.secretKeys);
  }

  /** PULUMI_K8S_UPSERT_EXISTING_OBJECTS for the next runs (step 2 of a switch, README). */
  upsertExisting(on: boolean): void {
    const env = (this.stack!.workspace as LocalWorkspace).envVars;
    if (on) env["PULUMI_K8S_UPSERT_EXISTING_OBJECTS"] = "true";
    else delete env["PULUMI_K8S_UPSERT_EXISTING_OBJECTS"];
  }

  /** `pulumi up`, with the CLI's output kept in the scenario folder. */
  async up(label: string): Promise<UpResult> {
    const log = fs.createWriteStream(path.join(this.dir, `${label}.log`));
    try {
      return await this.stack!.up({ onOutput: (s) => log.write(s), color: "never" });
    } finally {
      log.end();
    }
  }

  /**
   * What the API server's field validation said of the run's objects. The provider applies
   * with fieldValidation=Warn (pulumi-kubernetes provider/pkg/await/await.go), so what Strict
   * would refuse (an unknown or duplicate field) arrives as a warning in the run's output.
   */
  fieldWarnings(label: string): string[] {
    const text = fs.readFileSync(path.join(this.dir, `${label}.log`), "utf8");
    return text.split("\n").filter((l) => /unknown field|duplicate field/i.test(l));
  }

  /**
   * `pulumi destroy`. A destroy still running after `limit` ms is cancelled and fails naming
   * the resources whose deletion never finished (a finalizer nothing will remove hangs a real
   * destroy until the provider's ten-minute timeout).
   */
  async destroy(limit = 240_000): Promise<void> {
    const file = path.join(this.dir, "destroy.log");
    const log = fs.createWriteStream(file);
    const abort = new AbortController();
    let stuck = false;
    const timer = setTimeout(() => {
      stuck = true;
      abort.abort();
    }, limit);
    try {
      await this.stack!.destroy({ onOutput: (s) => log.write(s), color: "never", signal: abort.signal });
    } catch (error) {
      if (!stuck) throw error;
    } finally {
      clearTimeout(timer);
      log.end();
    }
    if (stuck) {
      const text = fs.readFileSync(file, "utf8");
      const started = new Set([...text.matchAll(/^\s*- +(\S+ \S+) deleting/gm)].map((m) => m[1]));
      const done = new Set([...text.matchAll(/^\s*- +(\S+ \S+) deleted/gm)].map((m) => m[1]));
      const pending = [...started].filter((r) => !done.has(r));
      throw new Error(`pulumi destroy still deleting after ${limit / 1000}s: ${pending.join(", ")}`);
    }
  }

  /** Every pod of the cluster. */
  async pods(): Promise<PodState[]> {
    return (await this.sim!.list("/api/v1/pods")).map((p) => ({
      name: `${p["metadata"].namespace}/${p["metadata"].name}`,
      phase: p["status"]?.phase as string,
      node: p["spec"]?.nodeName as string | undefined,
    }));
  }

  /**
   * What the simulated cluster refused or could not place: every Pod Security rejection, any
   * other refused pod creation except the transient one of a ServiceAccount applied after its
   * Deployment (the controller retries), and pods the scheduler could not place that are
   * still pending now.
   */
  async refusals(): Promise<SimReport[]> {
    const report = this.sim!.report();
    const pending = new Set((await this.pods()).filter((p) => p.phase === "Pending").map((p) => p.name));
    const unique = new Map<string, SimReport>();
    for (const r of report) {
      if (r.type === "unschedulable" && !pending.has(r.object.replace(/^Pod\//, ""))) continue;
      if (r.type === "failed-create" && /serviceaccount "[^"]+" not found/.test(r.message)) continue;
      unique.set(`${r.type} ${r.object}`, r);
    }
    return [...unique.values()];
  }

  /** Stops the cluster; keeps the logs and state, drops the plugin copies (hundreds of MB). */
  async stop(): Promise<void> {
    await this.sim?.stop();
    fs.rmSync(path.join(this.dir, "pulumi-home", "plugins"), { recursive: true, force: true });
  }
}
