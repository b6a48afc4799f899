/**
 * What each Hetzner server of the stage and prod clusters receives as user data, measured on
 * the offline synth, against Hetzner's limit and its exposure: the Create Server API refuses
 * `user_data` over 32 KiB, and the metadata service (169.254.169.254) serves it to every
 * process on the node, pods included, so no stack secret may be in it.
 *
 * The servers the program creates get none. The cluster autoscaler's servers get the worker
 * machine config: the autoscaler decodes `HCLOUD_CLUSTER_CONFIG` (base64 JSON) and passes
 * `nodeConfigs[<group>].cloudInit` verbatim as `UserData` of `ServerCreateOpts`
 * (kubernetes/autoscaler cluster-autoscaler/cloudprovider/hetzner hetzner_manager.go
 * `newManager`, hetzner_node_group.go `createServer`), and the cluster-autoscaler service puts
 * the worker config there as it is (components/platform/cluster-autoscaler/index.ts). Its size is
 * measured with Talos's own machinery: tools/real/talos-validate renders the config as
 * `talosctl gen config --with-docs=false --with-examples=false` does at the pinned Talos
 * version, from the very inputs the synth gives `<stack>-autoscaler-config`, 100 times (each
 * with a fresh secrets bundle: certificate encodings vary by a few bytes), and
 * fixtures/talos-worker-user-data.json keeps the largest. Re-record it after a Talos or
 * Kubernetes bump, or a change of the cluster name or endpoint (the test says so):
 *
 *   RECORD_TALOS_SIZES=$(bash tools/real/build-talos-validate.sh) npx jest test/cluster/talos-user-data.test.ts
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { SynthResult } from "../../tools/synth";
import { shippedSynth } from "../helpers/shipped-synth";
import { fakeSecret } from "../../tools/stack-config";
import { SECRET_PLACEHOLDER } from "../../lib/mock-runtime";

/** Hetzner Cloud API `POST /servers`: "user_data ... Cloud-Init user data to use during Server creation. This field is limited to 32KiB." */
const HETZNER_USER_DATA_LIMIT = 32 * 1024;
/**
 * Headroom kept below the limit: 1 KiB. The measured size is Talos's own rendering at the
 * pinned version; what it cannot know is the `talosctl` the operator runs (genConfigScript
 * uses theirs, of the same minor), whose patch release may change a generated default.
 */
const MARGIN = 1024;
/** Longest IPv4 address: the synth's control-plane addresses are stand-ins for real ones. */
const MAX_IPV4_LENGTH = "255.255.255.255".length;
const FIXTURE = join(__dirname, "fixtures", "talos-worker-user-data.json");
const RECORD_RUNS = 100;
const RERECORD =
  "re-record: RECORD_TALOS_SIZES=$(bash tools/real/build-talos-validate.sh) npx jest test/cluster/talos-user-data.test.ts";

/** What the fixture keeps per config: the inputs it was measured for and the sizes. */
interface Recorded {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
  readonly patchSha256: string;
  /** Size of the patched config as talosctl writes it (the user data), min and max. */
  readonly bytes: { readonly min: number; readonly max: number };
  /** Size of the generated config before the patch, min and max. */
  readonly baseBytes: { readonly min: number; readonly max: number };
}
interface Fixture {
  readonly $comment: string;
  readonly runs: number;
  readonly configs: Readonly<Record<string, Recorded>>;
}

/** The environment of a `<pool>-config` command: exactly what `talosctl gen config` is given. */
interface GenInputs {
  readonly CLUSTER_NAME: string;
  readonly CLUSTER_ENDPOINT: string;
  readonly TALOS_VERSION: string;
  readonly KUBERNETES_VERSION: string;
  readonly TALOS_PATCH: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * An upper bound of the patched config's size when the patch differs from the recorded one:
 * the generated config (measured) plus the patch in Talos's YAML layout (4-space indent). A
 * strategic merge replaces a value or appends to a list, never adds what neither holds; the
 * test below checks the bound against the measured size of the recorded patch.
 */
function boundFor(recorded: Recorded, patch: string): number {
  return (
    recorded.baseBytes.max + Buffer.byteLength(stringify(JSON.parse(patch), { indent: 4, lineWidth: 0 }))
  );
}

/** Bytes the real control-plane addresses may add over the synth's stand-ins in certSANs. */
function addressAllowance(patch: string): number {
  const sans = (JSON.parse(patch) as { machine?: { certSANs?: string[] } }).machine?.certSANs ?? [];
  return sans
    .filter((s) => /^\d+\.\d+\.\d+\.\d+$/.test(s))
    .reduce((sum, ip) => sum + (MAX_IPV4_LENGTH - ip.length), 0);
}

interface PlanResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const results = new Map<string, SynthResult>();
beforeAll(async () => {
  for (const stack of ["stage", "prod"]) results.set(stack, await shippedSynth(stack));
}, 120_000);

function planOf(stack: string): PlanResource[] {
  return (JSON.parse(results.get(stack)!.files.get("plan.json")!) as { resources: PlanResource[] }).resources;
}

/** What the synth gives `talosctl gen config` for the cluster autoscaler's worker config. */
function genInputs(stack: string): GenInputs {
  const commands = planOf(stack).filter(
    (r) => r.type === "command:local:Command" && r.name === `${stack}-autoscaler-config`,
  );
  expect(commands).toHaveLength(1);
  return commands[0].inputs["environment"] as GenInputs;
}

/** The fixture's sizes for a stack, after checking they were measured for these inputs. */
function recordedFor(stack: string, inputs: GenInputs): Recorded {
  const recorded = (JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture).configs[
    `${stack}-autoscaler-config`
  ];
  if (!recorded) throw new Error(`${FIXTURE} has no ${stack}-autoscaler-config; ${RERECORD}`);
  const now = {
    clusterName: inputs.CLUSTER_NAME,
    endpoint: inputs.CLUSTER_ENDPOINT,
    talosVersion: inputs.TALOS_VERSION,
    kubernetesVersion: inputs.KUBERNETES_VERSION,
  };
  const then = {
    clusterName: recorded.clusterName,
    endpoint: recorded.endpoint,
    talosVersion: recorded.talosVersion,
    kubernetesVersion: recorded.kubernetesVersion,
  };
  if (JSON.stringify(now) !== JSON.stringify(then))
    throw new Error(
      `${stack}-autoscaler-config: its size was measured for ${JSON.stringify(then)}, the synth now gives ${JSON.stringify(now)}; ${RERECORD}`,
    );
  return recorded;
}

/**
 * RECORD_TALOS_SIZES=<talos-validate binary>: measures each autoscaler worker config
 * RECORD_RUNS times with Talos's machinery and writes the fixture.
 */
function record(binary: string): void {
  const stacks = ["stage", "prod"];
  const requests = stacks.map((stack) => {
    const inputs = genInputs(stack);
    return {
      name: `${stack}-autoscaler-config`,
      role: "worker",
      clusterName: inputs.CLUSTER_NAME,
      endpoint: inputs.CLUSTER_ENDPOINT,
      talosVersion: inputs.TALOS_VERSION,
      kubernetesVersion: inputs.KUBERNETES_VERSION,
      patch: JSON.parse(inputs.TALOS_PATCH) as unknown,
    };
  });
  const run = spawnSync(binary, [], {
    input: JSON.stringify(Array.from({ length: RECORD_RUNS }, () => requests).flat()),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${binary} failed (${run.status}): ${run.stderr}${run.stdout}`);
  const results = JSON.parse(run.stdout) as {
    name: string;
    bytes: number;
    baseBytes: number;
    error?: string;
  }[];
  const configs: Record<string, Recorded> = {};
  for (const [i, request] of requests.entries()) {
    const mine = results.filter((r) => r.name === request.name);
    const inputs = genInputs(stacks[i]);
    const range = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });
    configs[request.name] = {
      clusterName: request.clusterName,
      endpoint: request.endpoint,
      talosVersion: request.talosVersion,
      kubernetesVersion: request.kubernetesVersion,
      patchSha256: sha256(inputs.TALOS_PATCH),
      bytes: range(mine.map((r) => r.bytes)),
      baseBytes: range(mine.map((r) => r.baseBytes)),
    };
  }
  const fixture: Fixture = {
    $comment:
      "Sizes of the cluster autoscaler's worker machine config (its servers' user data) as talosctl gen config --with-docs=false --with-examples=false writes it, measured by tools/real/talos-validate (Talos's machinery at the pinned version) over fresh secrets bundles; written by test/cluster/talos-user-data.test.ts (RECORD_TALOS_SIZES), which says how to re-record.",
    runs: RECORD_RUNS,
    configs,
  };
  writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
}

const recordWith = process.env["RECORD_TALOS_SIZES"];
if (recordWith) {
  it("records the measured sizes", () => record(recordWith));
}

it("the README states the measured sizes", () => {
  const configs = (JSON.parse(readFileSync(FIXTURE, "utf8")) as Fixture).configs;
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8").replace(/\s+/g, " ");
  const size = (stack: string) => configs[`${stack}-autoscaler-config`].bytes.max.toLocaleString("en-US");
  expect(readme).toContain(`${size("stage")} bytes for stage and ${size("prod")} for prod`);
});

describe.each(["stage", "prod"])("user data of the %s servers", (stack) => {
  it("is nothing for every server the program creates: they take their config through the Talos API", () => {
    const servers = planOf(stack).filter((r) => r.type === "hcloud:index/server:Server");
    expect(servers.length).toBeGreaterThan(1);
    // A secret user data would be the placeholder string here, plain data its text.
    const userData = (s: PlanResource) => {
      const value = s.inputs["userData"];
      return typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
    };
    const bytes = servers.map((s) => [s.name, Buffer.byteLength(userData(s), "utf8")]);
    expect(bytes).toEqual(servers.map((s) => [s.name, 0]));
  });

  it("stays under 32 KiB with a 1 KiB margin for the autoscaler's servers, measured by Talos", () => {
    const inputs = genInputs(stack);
    // The patch is plain data in the plan: what the test measures is what `gen config` merges.
    expect(inputs.TALOS_PATCH).not.toBe(SECRET_PLACEHOLDER);
    const recorded = recordedFor(stack, inputs);
    // The recorded patch: Talos's measured size; another patch: the bound over the measured
    // generated config. Either way plus what real control-plane addresses may add.
    const measured =
      sha256(inputs.TALOS_PATCH) === recorded.patchSha256
        ? recorded.bytes.max
        : boundFor(recorded, inputs.TALOS_PATCH);
    expect(measured + addressAllowance(inputs.TALOS_PATCH)).toBeLessThanOrEqual(
      HETZNER_USER_DATA_LIMIT - MARGIN,
    );
  });

  it("bounds a changed patch from above: the bound holds for the recorded patch's measured size", () => {
    const inputs = genInputs(stack);
    const recorded = recordedFor(stack, inputs);
    if (sha256(inputs.TALOS_PATCH) !== recorded.patchSha256)
      throw new Error(
        `${stack}-autoscaler-config: the worker patch changed since its size was recorded; ${RERECORD}`,
      );
    expect(boundFor(recorded, inputs.TALOS_PATCH)).toBeGreaterThanOrEqual(recorded.bytes.max);
    // The patch adds to the generated config, which is most of the user data.
    expect(recorded.bytes.min).toBeGreaterThan(recorded.baseBytes.max);
  });

  it("carries no stack secret: no server input and no machine-config patch holds one", () => {
    const result = results.get(stack)!;
    const fakes = result.fakes.map((f) => fakeSecret(f.key));
    expect(fakes.length).toBeGreaterThan(2);
    const plan = planOf(stack);
    const patches = plan
      .filter((r) => r.type === "command:local:Command" && r.name.endsWith("-config"))
      .map((r) => (r.inputs["environment"] as Record<string, string>)["TALOS_PATCH"]);
    expect(patches.length).toBeGreaterThanOrEqual(3);
    // Plain, so the search below sees every byte (a secret patch would hide what it holds).
    expect(patches.filter((p) => p === SECRET_PLACEHOLDER)).toEqual([]);
    const servers = plan
      .filter((r) => r.type === "hcloud:index/server:Server")
      .map((r) => JSON.stringify(r.inputs));
    for (const text of [...patches, ...servers]) {
      for (const fake of fakes) expect(text).not.toContain(fake);
      expect(text).not.toMatch(/kind: Secret|"kind":"Secret"/);
    }
  });

  it("blocks pods from the metadata service with a cluster-wide Cilium policy", () => {
    const policy = results
      .get(stack)!
      .objects.map((o) => o.object)
      .find((o) => o["kind"] === "CiliumClusterwideNetworkPolicy");
    expect(policy?.["spec"]).toMatchObject({
      enableDefaultDeny: { egress: false, ingress: false },
      egressDeny: [{ toCIDR: ["169.254.169.254/32"] }],
    });
  });
});
