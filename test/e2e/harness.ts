/**
 * The e2e loop's harness: the real tools tools/real built (tools.json), the simulated
 * cluster (platform-sim), a small client for its API, and a Pulumi stack run by the real CLI
 * through the Automation API with the program inline, on a local file backend with a
 * throwaway passphrase.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import { program } from "../../stacks/program";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CACHE =
  process.env["PLATFORM_REAL_CACHE"] ??
  path.join(process.env["XDG_CACHE_HOME"] ?? path.join(os.homedir(), ".cache"), "platform-real");

/** What tools/real/build-all.sh left: each tool's path, or why it could not be built. */
export type Tools = Record<
  string,
  {
    path?: string;
    error?: string;
    /** Not built because the build time budget ran out (PLATFORM_REAL_BUILD_DEADLINE). */
    budget?: boolean;
    /** Not served by the Go module proxy (tools/real/versions.json "unavailable"). */
    unavailable?: boolean;
  }
>;

export function readTools(): Tools {
  const file = path.join(CACHE, "tools.json");
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, "utf8")) as Tools;
}

/** The tools among `names` that are missing, each with its reason, one per line. */
export function missingTools(tools: Tools, names: readonly string[]): string[] {
  return names
    .filter((n) => !tools[n]?.path)
    .map(
      (n) =>
        `${n}: ${tools[n]?.error?.trim().split("\n").slice(-3).join(" | ") ?? "not built (run tools/real/build-all.sh)"}`,
    );
}

/** A fresh folder for one scenario's state, under the system's temporary folder. */
export function scratch(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `platform-e2e-${label}-`));
}

/** An object as the API returns it, read loosely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeItem = Record<string, any>;

/** One line of platform-sim's report.jsonl. */
export interface SimReport {
  readonly type: "pod-security" | "failed-create" | "unschedulable";
  readonly object: string;
  readonly message: string;
  readonly time: string;
}

/** A running simulated cluster. */
export class SimCluster {
  private constructor(
    readonly dir: string,
    readonly kubeconfig: string,
    private readonly child: ChildProcess,
    private readonly client: { server: string; ca: string; cert: string; key: string },
  ) {}

  /** Starts platform-sim with `nodes` and the YAML files of `manifests`; resolves once ready. */
  static async start(tools: Tools, dir: string, nodes: unknown, manifests: string): Promise<SimCluster> {
    const nodesFile = path.join(dir, "nodes.json");
    fs.writeFileSync(nodesFile, JSON.stringify(nodes, null, 2));
    const state = path.join(dir, "sim");
    fs.mkdirSync(state, { recursive: true });
    const log = fs.openSync(path.join(dir, "sim.log"), "a");
    const child = spawn(
      tools["sim"].path!,
      [
        `--etcd=${tools["etcd"].path!}`,
        `--kube=${tools["kubernetes"].path!}`,
        `--state=${state}`,
        `--nodes=${nodesFile}`,
        `--manifests=${manifests}`,
      ],
      { stdio: ["ignore", log, log] },
    );
    const kubeconfigFile = path.join(state, "kubeconfig");
    const started = Date.now();
    while (!fs.existsSync(kubeconfigFile)) {
      if (child.exitCode !== null) {
        throw new Error(
          `platform-sim exited (${child.exitCode}); ${fs.readFileSync(path.join(dir, "sim.log"), "utf8").slice(-3000)}`,
        );
      }
      if (Date.now() - started > 240_000) {
        child.kill("SIGTERM");
        throw new Error(`platform-sim not ready in 240s; see ${path.join(dir, "sim.log")}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const kubeconfig = fs.readFileSync(kubeconfigFile, "utf8");
    const doc = parse(kubeconfig) as {
      clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
      users: { user: { "client-certificate-data": string; "client-key-data": string } }[];
    };
    const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
    return new SimCluster(dir, kubeconfig, child, {
      server: doc.clusters[0].cluster.server,
      ca: b64(doc.clusters[0].cluster["certificate-authority-data"]),
      cert: b64(doc.users[0].user["client-certificate-data"]),
      key: b64(doc.users[0].user["client-key-data"]),
    });
  }

  /** GET an API path; undefined on 404. */
  get<T = Record<string, unknown>>(apiPath: string): Promise<T | undefined> {
    return this.request<T>("GET", apiPath);
  }

  /**
   * One API request as the cluster's admin (a JSON merge patch for PATCH); undefined on 404,
   * an error naming the method, path and status on any other failure.
   */
  request<T = Record<string, unknown>>(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<T | undefined> {
    const url = new URL(apiPath, this.client.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = payload
      ? { "Content-Type": method === "PATCH" ? "application/merge-patch+json" : "application/json" }
      : {};
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          headers,
          ca: this.client.ca,
          cert: this.client.cert,
          key: this.client.key,
          timeout: 30_000,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            if (res.statusCode === 404) return resolve(undefined);
            if (!res.statusCode || res.statusCode >= 300)
              return reject(new Error(`${method} ${apiPath}: ${res.statusCode} ${text.slice(0, 500)}`));
            resolve(JSON.parse(text) as T);
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** The items of a list path (e.g. /api/v1/pods). */
  async list(apiPath: string): Promise<KubeItem[]> {
    const list = await this.get<{ items: KubeItem[] }>(apiPath);
    return list?.items ?? [];
  }

  /** What platform-sim reported so far (rejections, unschedulable pods). */
  report(): SimReport[] {
    const file = path.join(this.dir, "sim", "report.jsonl");
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as SimReport);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** A Pulumi stack of the program, inline, run by the real CLI on a local file backend. */
export async function pulumiStack(
  tools: Tools,
  dir: string,
  stackName: string,
  config: Record<string, unknown>,
  secretKeys: readonly string[],
): Promise<Stack> {
  const cliRoot = path.join(dir, "cli");
  fs.mkdirSync(path.join(cliRoot, "bin"), { recursive: true });
  const cli = path.join(cliRoot, "bin", "pulumi");
  if (!fs.existsSync(cli)) fs.symlinkSync(tools["pulumi"].path!, cli);
  const home = path.join(dir, "pulumi-home");
  const backend = path.join(dir, "backend");
  fs.mkdirSync(backend, { recursive: true });
  fs.mkdirSync(path.join(dir, "work"), { recursive: true });
  const env: Record<string, string> = {
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-throwaway-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
  // The providers the program needs, registered at the versions its SDKs ask for.
  const plugins: [string, string, string][] = [
    [
      "kubernetes",
      readJson(path.join(ROOT, "node_modules/@pulumi/kubernetes/package.json")).version,
      "pulumi-kubernetes",
    ],
    [
      "random",
      readJson(path.join(ROOT, "node_modules/@pulumi/random/package.json")).version,
      "random-standin",
    ],
  ];
  for (const [name, version, tool] of plugins) {
    const run = spawnSync(
      cli,
      ["plugin", "install", "resource", name, version, "--file", tools[tool].path!],
      {
        env: { ...process.env, ...env },
        encoding: "utf8",
      },
    );
    if (run.status !== 0) throw new Error(`pulumi plugin install ${name} ${version}: ${run.stderr}`);
  }
  const pulumiCommand = await PulumiCommand.get({ root: cliRoot, skipVersionCheck: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: "platform", program: () => Promise.resolve(program()) },
    {
      pulumiCommand,
      workDir: path.join(dir, "work"),
      envVars: env,
      projectSettings: { name: "platform", runtime: "nodejs", backend: { url: `file://${backend}` } },
    },
  );
  await setConfig(stack, config, secretKeys);
  return stack;
}

/** Replaces the stack's config with `config` (full keys; objects as JSON text). */
export async function setConfig(
  stack: Stack,
  config: Record<string, unknown>,
  secretKeys: readonly string[],
): Promise<void> {
  const all: Record<string, { value: string; secret: boolean }> = {};
  for (const [key, value] of Object.entries(config)) {
    all[key] = {
      value: typeof value === "string" ? value : JSON.stringify(value),
      secret: secretKeys.includes(key),
    };
  }
  const current = await stack.getAllConfig();
  const stale = Object.keys(current).filter((k) => !(k in all));
  if (stale.length > 0) await stack.removeAllConfig(stale);
  await stack.setAllConfig(all);
}

function readJson(file: string): { version: string } {
  return JSON.parse(fs.readFileSync(file, "utf8")) as { version: string };
}
