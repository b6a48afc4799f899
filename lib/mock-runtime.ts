/**
 * Runs a Pulumi program on the SDK's mock runtime and records every resource with the
 * options the program really set. The offline synth and every test use this one harness.
 *
 * The SDK's MockMonitor hands `newResource` only type, name and inputs; the options
 * (protect, dependsOn, ignoreChanges, ...) travel in the RegisterResourceRequest, so a
 * subclass reads them there before delegating.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  MockMonitor,
  type MockCallArgs,
  type Mocks,
  type MockResourceArgs,
} from "@pulumi/pulumi/runtime/mocks";
import * as settings from "@pulumi/pulumi/runtime/settings";

// `getStore` is marked @internal in the SDK's typings; the mock runtime needs it to turn
// on the monitor features that `setMocks` would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeState = require("@pulumi/pulumi/runtime/state") as { getStore: () => Record<string, unknown> };
import { specialSigKey, specialSecretSig, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** The string every secret value is replaced with in recorded inputs. */
export const SECRET_PLACEHOLDER = "[secret]";
/** The string every unknown (computed at deploy time) value is replaced with. */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/** One registered resource, as the engine would have seen it. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** URN of the parent. @default none (the stack) */
  readonly parent?: string;
  /** Reference of an explicit provider. @default none (the default provider) */
  readonly provider?: string;
  readonly dependsOn: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: string[];
  readonly deleteBeforeReplace: boolean;
  readonly replaceOnChanges: string[];
  readonly additionalSecretOutputs: string[];
  /** Aliases given as URNs (alias specs without a URN are not recorded). @default none */
  readonly aliases?: string[];
  /** Inputs with secrets as {@link SECRET_PLACEHOLDER} and unknowns as {@link UNKNOWN_PLACEHOLDER}. */
  readonly inputs: Record<string, unknown>;
}

/** Options of one run. */
export interface RunOptions {
  /** @default "platform" */
  readonly project?: string;
  /** @default "test" */
  readonly stack?: string;
  /** Full config keys (`platform:shape`) to values; objects are JSON-encoded as the CLI does. @default none */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Keys of `config` that are secret. @default none */
  readonly secretKeys?: readonly string[];
  /** Run as a preview (`pulumi preview`) rather than an update. @default false */
  readonly preview?: boolean;
  /**
   * Extra output state for a mocked resource, merged over its inputs and the built-in
   * fakes (for example a fake kubeconfig on a command's stdout).
   * @default none
   */
  readonly outputsFor?: (args: MockResourceArgs) => Record<string, unknown> | undefined;
  /**
   * The answer of a provider function (an invoke) the offline runtime answers, in place of
   * its default (for example the servers `hcloud:index/getServers:getServers` lists).
   * @default the built-in answers
   */
  readonly callsFor?: (args: MockCallArgs) => Record<string, unknown> | undefined;
}

/**
 * A message the program logged with `pulumi.log` (info, warn, error). Against the engine
 * these travel as diagnostics that the CLI prints; offline they are recorded here instead
 * of going to the console, so the synth can report them and tests can assert them.
 */
export interface LoggedMessage {
  readonly severity: "info" | "warning" | "error";
  readonly message: string;
}

/** The result of one run. */
export interface RunResult<T> {
  readonly resources: RecordedResource[];
  readonly outputs: T;
  /** What the program logged, in order. */
  readonly logs: LoggedMessage[];
}

type LogFunction = (message: string) => Promise<void>;
type LogModule = Record<"info" | "warn" | "error", LogFunction>;

/**
 * Sends `pulumi.log` to `logs` while a run lasts. Without an engine the SDK writes each
 * message to the console (`warning: [runtime] ...`, @pulumi/pulumi log/index.js); the
 * functions are looked up on the module at each call, so replacing them for the run's
 * duration catches the program's messages and the SDK's own alike.
 */
function recordLogs(logs: LoggedMessage[]): () => void {
  const log = pulumi.log as unknown as LogModule;
  const saved = { info: log.info, warn: log.warn, error: log.error };
  const recorder =
    (severity: LoggedMessage["severity"]): LogFunction =>
    (message) => {
      logs.push({ severity, message });
      return Promise.resolve();
    };
  log.info = recorder("info");
  log.warn = recorder("warning");
  log.error = recorder("error");
  return () => Object.assign(log, saved);
}

const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** Replaces secret and unknown markers of a serialized property tree, recursively. */
export function redact(value: unknown): unknown {
  if (value === unknownValue) return UNKNOWN_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[specialSigKey] === specialSecretSig) return SECRET_PLACEHOLDER;
    if (record[specialSigKey] === RESOURCE_SIG) return record["urn"];
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) out[key] = redact(record[key]);
    return out;
  }
  return value;
}

/** An obviously fake admin kubeconfig, as `k3s`/`k3d`/`talosctl` would print one. */
export function fakeKubeconfig(name: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: default",
    "  cluster:",
    "    server: https://127.0.0.1:6443",
    `    certificate-authority-data: ${Buffer.from(`fake-ca-${name}`).toString("base64")}`,
    "contexts:",
    "- name: default",
    "  context:",
    "    cluster: default",
    "    user: default",
    "current-context: default",
    "users:",
    "- name: default",
    "  user:",
    `    token: fake-token-${name}`,
    "",
  ].join("\n");
}

/** The fake value a generated secret (RandomPassword, RandomString) has offline. */
export function fakeRandomValue(name: string): string {
  return `fake-random-${name}`;
}

/** Resource types whose output is a generated secret, and the output's name. */
export const GENERATED_SECRET_TYPES: Readonly<Record<string, string>> = {
  "random:index/randomPassword:RandomPassword": "result",
  "random:index/randomString:RandomString": "result",
};

/** A stable small number from a resource name (FNV-1a), so fake ids and addresses are deterministic. */
function stableHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** A fake public IPv4 in TEST-NET-1 (192.0.2.0/24, RFC 5737: documentation only, never routed). */
export function fakePublicIpv4(name: string): string {
  return `192.0.2.${(stableHash(name) % 250) + 2}`;
}

/** The id a mocked resource gets: numeric for Hetzner resources (their ids are integers). */
export function fakeId(type: string, name: string): string {
  return type.startsWith("hcloud:") ? String(100000 + (stableHash(name) % 900000)) : `${name}-id`;
}

/**
 * Outputs real providers compute that programs read back; obviously fake and derived
 * from the resource name only, so runs are deterministic.
 */
export function builtInOutputs(args: MockResourceArgs): Record<string, unknown> {
  switch (args.type) {
    case "random:index/randomPassword:RandomPassword":
      // bcryptHash carries the same marker, so the leak checks catch a hash in a file too.
      return { result: fakeRandomValue(args.name), bcryptHash: fakeRandomValue(`bcrypt-${args.name}`) };
    case "random:index/randomString:RandomString":
      return { result: fakeRandomValue(args.name) };
    case "random:index/randomId:RandomId": {
      // A stable fake of the requested length (byteLength), as hex and base64.
      const bytes = Buffer.alloc(
        Number((args.inputs as { byteLength?: number }).byteLength ?? 8),
        stableHash(args.name) % 256,
      );
      return {
        hex: bytes.toString("hex"),
        b64Std: bytes.toString("base64"),
        b64Url: bytes.toString("base64url"),
      };
    }
    case "random:index/randomBytes:RandomBytes":
      return { base64: Buffer.from(`fake-random-${args.name}`).toString("base64") };
    case "hcloud:index/primaryIp:PrimaryIp":
      return { ipAddress: fakePublicIpv4(args.name) };
    case "hcloud:index/loadBalancer:LoadBalancer":
      return { ipv4: fakePublicIpv4(args.name) };
    case "hcloud:index/server:Server":
      return { ipv4Address: fakePublicIpv4(args.name), status: "running" };
    case "command:local:Command":
    case "command:remote:Command":
      // By convention the commands that read a kubeconfig back are named `*-kubeconfig`.
      return { stdout: args.name.endsWith("-kubeconfig") ? fakeKubeconfig(args.name) : "", stderr: "" };
    default:
      return {};
  }
}

/** State a mocked resource reports back: its inputs, the built-in fakes and the run's extras. */
function defaultMocks(outputsFor: RunOptions["outputsFor"], callsFor?: RunOptions["callsFor"]): Mocks {
  return {
    newResource(args: MockResourceArgs) {
      const state = {
        ...(args.inputs as Record<string, unknown>),
        ...builtInOutputs(args),
        ...(outputsFor?.(args) ?? {}),
      };
      return { id: fakeId(args.type, args.name), state };
    },
    call(args) {
      const answer = callsFor?.(args);
      if (answer) return answer;
      // An empty Hetzner project: no control-plane server deployed yet (the Talos component
      // compares their count with the planned one, validate.ts `controlPlaneShrinkProblem`).
      if (args.token === "hcloud:index/getServers:getServers") {
        return { ...(args.inputs as Record<string, unknown>), id: "fake-servers", servers: [] };
      }
      // Finding the Talos snapshot by label.
      // A preview answers it from the Hetzner API (no cluster needed); offline, a fake id.
      // `current` in apiAllowedCidrs: the operator's public IPv4 (RFC 5737 address: obviously fake).
      if (args.token === "command:local:run") {
        return { ...(args.inputs as Record<string, unknown>), stdout: "203.0.113.77\n", stderr: "" };
      }
      if (args.token === "hcloud:index/getImage:getImage") {
        return { ...(args.inputs as Record<string, unknown>), id: 424242, name: "fake-talos-snapshot" };
      }
      const message = `unmocked call to ${args.token}: the offline runtime does not answer provider functions`;
      // The SDK rethrows a monitor error as `new Error(err.details)`.
      throw Object.assign(new Error(message), { details: message });
    },
  };
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): { getUrn(): string }[];
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[] = [];

  constructor(
    mocks: Mocks,
    private readonly project: string,
    private readonly stack: string,
  ) {
    super(mocks);
  }

  override async registerResource(req: RegisterRequest, callback: (err: unknown, response: unknown) => void) {
    const type = req.getType();
    const name = req.getName();
    const parent = req.getParent() || undefined;
    this.recorded.push({
      urn: this.urnOf(parent, type, name),
      type,
      name,
      custom: req.getCustom(),
      parent,
      provider: req.getProvider() ? req.getProvider().split("::").slice(0, -1).join("::") : undefined,
      dependsOn: [...req.getDependenciesList()].sort(),
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      ignoreChanges: [...req.getIgnorechangesList()],
      deleteBeforeReplace: req.getDeletebeforereplace(),
      replaceOnChanges: [...req.getReplaceonchangesList()],
      additionalSecretOutputs: [...req.getAdditionalsecretoutputsList()],
      aliases: req
        .getAliasesList()
        .map((a) => a.getUrn())
        .filter((urn) => urn !== ""),
      inputs: redact(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    });
    return super.registerResource(req, callback);
  }

  /** Mirrors MockMonitor's URN scheme (parent's last type segment + "$" + type). */
  private urnOf(parent: string | undefined, type: string, name: string): string {
    let qualified = type;
    if (parent) qualified = `${parent.split("::")[2].split("$").pop()}$${type}`;
    return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
  }
}

let running = false;

/**
 * Runs `program` inside a Pulumi stack on the mock runtime and returns every resource it
 * registered (the stack resource included) and the program's return value.
 */
export async function runProgram<T>(
  program: () => T | Promise<T>,
  options: RunOptions = {},
): Promise<RunResult<T>> {
  if (running) throw new Error("runProgram: one run at a time; await the previous run first");
  running = true;
  try {
    const project = options.project ?? "platform";
    const stack = options.stack ?? "test";
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.config ?? {})) {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(config, [...(options.secretKeys ?? [])]);
    const mocks = defaultMocks(options.outputsFor, options.callsFor);
    const monitor = new RecordingMonitor(mocks, project, stack);
    settings.setMockOptions(monitor, project, stack, options.preview ?? false);
    // The same monitor features `setMocks` turns on, so secrets and references serialize
    // as they do against the engine.
    Object.assign(runtimeState.getStore(), {
      supportsSecrets: true,
      supportsResourceReferences: true,
      supportsOutputValues: false,
      supportsDeletedWith: true,
      supportsAliasSpecs: true,
      supportsTransforms: true,
      supportsInvokeTransforms: true,
      supportsInvokeDependsOn: false,
    });

    // Errors raised inside applies and async constructors surface as unhandled
    // rejections; collect them so the run fails with the first one instead of crashing.
    const asyncErrors: unknown[] = [];
    const onRejection = (reason: unknown) => asyncErrors.push(reason);
    process.on("unhandledRejection", onRejection);
    const logs: LoggedMessage[] = [];
    const restoreLogs = recordLogs(logs);
    try {
      const outputs = await program();
      await settings.disconnect();
      if (asyncErrors.length > 0) throw asyncErrors[0];
      return { resources: monitor.recorded, outputs, logs };
    } finally {
      restoreLogs();
      process.off("unhandledRejection", onRejection);
    }
  } finally {
    running = false;
  }
}

/** Resolves an Output's value under the mock runtime (tests only). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Whether an Output is marked secret (tests only). */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output);
}
