/**
 * `pulumi preview` of the three stacks as shipped (stage, prod, homelab), on a brand-new
 * stack: the stack file's config as is, in a temporary local file backend with a throwaway
 * passphrase, every secret the stack requires set to an obvious fake (tools/stack-config.ts,
 * as `npm run synth` does), with the real policy pack (`--policy-pack`, policy/).
 *
 * What runs for real: the Pulumi CLI and engine (built from pulumi/pulumi pkg/v3), the Node
 * SDK running the program (Automation API, inline), the policy pack (policy/index.ts, started
 * by the engine as an analyzer plugin), the kubernetes provider (built from
 * pulumi-kubernetes; it checks its config, see below for the objects), and the `command:local:run` of `apiAllowedCidrs: [current]` (its shell
 * command runs; `curl` is a fake on PATH answering 203.0.113.77, as there is no internet here).
 *
 * What does not: the module proxy serves none of the hcloud, command, proxmoxve and random
 * provider modules (tools/real/versions.json "unavailable"), so those names are answered by
 * stand-ins of ours: tools/real/preview-standin (hcloud, command, proxmoxve: inputs back,
 * every computed output unknown, the data sources of a brand-new project, and it refuses
 * anything but a preview) and tools/real/random-standin. Nothing about Hetzner's, the hosts'
 * or Proxmox's real answers (validation of server types, images, quotas, tokens; what a
 * command prints) is covered. And since every cluster's kubeconfig comes from a command
 * output, unknown in a preview, the engine does not call the kubernetes provider for the
 * Kubernetes objects: with a provider config not fully known, the engine answers Check and
 * Create itself (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go,
 * `!pcfg.known`); the scenarios on the simulated cluster (stacks.e2e.ts) cover those objects.
 *
 * CI sets `CI`; the shipped stage and prod list `apiAllowedCidrs: [current]` alone, which the
 * program refuses in CI by design (components/cluster/talos/firewall.ts CURRENT_ONLY_IN_CI).
 * So every preview here runs with `CI` unset, as on an operator's own machine. (A preview
 * with `CI=true` does stop with that refusal, from the command's stderr; but with the program
 * inline, the failed invoke also rejects every output waiting on it inside this test process,
 * which jest reports as failures: test/cluster/talos-lockout.test.ts covers the refusal.)
 *
 * Asserted: the preview succeeds; it plans to create exactly the resources (URNs, so counts by
 * type) that the offline synth plans for the same config, plus the default providers the
 * engine adds; the pack reports no mandatory violation, and an advisory only where the
 * offline synth reports the same one; no fake secret appears in plain text in the preview's
 * output or engine events.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent, LocalWorkspace } from "@pulumi/pulumi/automation";
import { missingTools, pulumiStack, readTools, ROOT, scratch, type Tools } from "./harness";

const tools = readTools();
const missing = missingTools(tools, ["pulumi", "pulumi-kubernetes", "random-standin", "preview-standin"]);

/** The providers the stand-in plays, each with the SDK package that asks the engine for it. */
const STANDIN_PROVIDERS: Record<string, string> = {
  hcloud: "@pulumi/hcloud",
  command: "@pulumi/command",
  proxmoxve: "@muhlba91/pulumi-proxmoxve",
};

interface Planned {
  config: Record<string, unknown>;
  secretKeys: string[];
  resources: { urn: string; type: string }[];
  /** The offline synth's mandatory findings, and its advisory ones. */
  policy: { policy: string; subject: string; message: string }[];
  advisories: { policy: string; subject: string; message: string }[];
}

/** The offline synth's config and resources for `stack` (plan-urns.ts, in a child process). */
function offlinePlan(stack: string): Planned {
  const run = spawnSync(
    process.execPath,
    [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(__dirname, "plan-urns.ts"), stack],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`plan-urns ${stack} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Planned;
}

function packageVersion(name: string): string {
  return (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
}

/**
 * Registers the preview stand-in under each provider name, in the stack's PULUMI_HOME (the
 * one harness.ts pulumiStack uses), at the version each SDK asks for; refuses when
 * versions.json registers the stand-in at another version (it would report that one).
 */
function installStandins(tools: Tools, dir: string): void {
  const pins = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "tools/real/versions.json"), "utf8")) as {
      previewStandin: { registerAs: Record<string, string> };
    }
  ).previewStandin.registerAs;
  for (const [name, pkg] of Object.entries(STANDIN_PROVIDERS)) {
    const version = packageVersion(pkg);
    if (pins[name] !== version)
      throw new Error(
        `tools/real/versions.json previewStandin.registerAs.${name} is ${pins[name]}, but ${pkg} asks the engine for ${version}; set it to ${version} and rebuild (tools/real/build-preview-standin.sh)`,
      );
    const run = spawnSync(
      tools["pulumi"].path!,
      ["plugin", "install", "resource", name, version, "--file", tools["preview-standin"].path!],
      {
        env: { ...process.env, PULUMI_HOME: path.join(dir, "pulumi-home"), PULUMI_SKIP_UPDATE_CHECK: "true" },
        encoding: "utf8",
      },
    );
    if (run.status !== 0) throw new Error(`pulumi plugin install ${name} ${version}: ${run.stderr}`);
  }
}

/**
 * A fake `curl`, first on the CLI's PATH, answering a documentation address (RFC 5737): the
 * command `current` resolves with runs for real, and there is no internet here.
 */
function shims(dir: string): string {
  const bin = path.join(dir, "shims");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "curl"), "#!/bin/sh\necho 203.0.113.77\n", { mode: 0o755 });
  return bin;
}

/**
 * The policy pack as the engine loads it. The CLI runs a Node.js pack folder through the
 * Node.js language host (pulumi-language-nodejs RunPlugin), whose module the proxy does not
 * serve (and the Automation API's inline program needs none); it also runs, as a binary
 * analyzer plugin, an executable file given to --policy-pack, in whose folder it reads
 * PulumiPolicy.yaml, with the engine's address as its one argument (pulumi/pulumi
 * pkg/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer at the CLI's version). So the pack
 * is a folder with policy/PulumiPolicy.yaml and package.json, node_modules linked to the repository's, an
 * index.js loading policy/index.ts, and an executable `run-pack` doing what the language host
 * does: @pulumi/pulumi's cmd/run-policy-pack <engine> . (it registers ts-node for the
 * TypeScript pack).
 */
function policyPack(dir: string): string {
  const pack = path.join(dir, "policy-pack");
  fs.mkdirSync(pack, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), path.join(pack, "PulumiPolicy.yaml"));
  // policy/package.json (PolicyPack reads the pack's version there), with the shim as its main.
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as object;
  fs.writeFileSync(path.join(pack, "package.json"), JSON.stringify({ ...manifest, main: "index.js" }));
  fs.writeFileSync(
    path.join(pack, "index.js"),
    `require(${JSON.stringify(path.join(ROOT, "policy", "index.ts"))});\n`,
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pack, "node_modules"));
  const run = path.join(pack, "run-pack");
  fs.writeFileSync(
    run,
    `#!/bin/sh\ncd "$(dirname "$0")" && exec ${JSON.stringify(process.execPath)} node_modules/@pulumi/pulumi/cmd/run-policy-pack "$1" .\n`,
    { mode: 0o755 },
  );
  return run;
}

/** Every line of a secret value long enough to be recognisable (a fake key spans lines). */
function secretNeedles(values: readonly string[]): string[] {
  return values.flatMap((v) =>
    v
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length >= 16 && !l.startsWith("-----")),
  );
}

describe("pulumi preview of the stacks as shipped", () => {
  if (missing.length > 0) {
    process.stderr.write(
      `e2e: preview of the stacks as shipped skipped; tools missing:\n  ${missing.join("\n  ")}\n`,
    );
    it.skip(`needs ${missing.map((m) => m.split(":")[0]).join(", ")}`, () => {});
    return;
  }
  process.stderr.write(
    'e2e: preview of the stacks as shipped: hcloud, command and proxmoxve answered by tools/real/preview-standin, random by tools/real/random-standin (the module proxy serves none of their provider modules: tools/real/versions.json "unavailable")\n',
  );

  const savedCi = process.env["CI"];
  beforeAll(() => {
    // Unset: the preview as an operator runs it (see the header).
    delete process.env["CI"];
  });
  afterAll(() => {
    if (savedCi !== undefined) process.env["CI"] = savedCi;
  });

  it.each(["stage", "prod", "homelab"])("previews %s as shipped", async (stackName) => {
    const planned = offlinePlan(stackName);
    const dir = scratch(`preview-${stackName}`);
    installStandins(tools, dir);
    const stack = await pulumiStack(tools, dir, stackName, planned.config, planned.secretKeys);
    const workspace = stack.workspace as LocalWorkspace;
    workspace.envVars["PATH"] = `${shims(dir)}:${process.env["PATH"]}`;
    const pack = policyPack(dir);
    const fakes = secretNeedles(planned.secretKeys.map((k) => String(planned.config[k])));
    expect(fakes.length).toBeGreaterThan(0);

    const events: EngineEvent[] = [];
    const result = await stack.preview({ policyPacks: [pack], onEvent: (e) => events.push(e) });

    // No mandatory violation; an advisory only where the offline synth reports the same one.
    expect(planned.policy).toEqual([]);
    const policy = events.filter((e) => e.policyEvent).map((e) => e.policyEvent!);
    // (The SDK's type says "warning", the engine sends "advisory": compare with "mandatory".)
    const unexpected = policy.filter(
      (p) =>
        String(p.enforcementLevel) === "mandatory" ||
        !planned.advisories.some(
          (a) => a.policy === p.policyName && a.subject === p.resourceUrn && p.message.includes(a.message),
        ),
    );
    expect(
      unexpected.map((p) => `${p.policyName} ${p.enforcementLevel}: ${p.resourceUrn ?? ""} ${p.message}`),
    ).toEqual([]);
    // No error diagnostics (the preview would have failed, but a stand-in could log one).
    const errors = events
      .filter((e) => e.diagnosticEvent?.severity === "error")
      .map((e) => e.diagnosticEvent!.message);
    expect(errors).toEqual([]);

    // The same resources the offline synth plans, plus the default providers the engine adds.
    const creates = events
      .filter((e) => e.resourcePreEvent?.metadata.op === "create")
      .map((e) => e.resourcePreEvent!.metadata);
    const previewed = creates
      .filter((m) => !(m.type.startsWith("pulumi:providers:") && /::default(_[0-9_]+)?$/.test(m.urn)))
      .filter((m) => m.type !== "pulumi:pulumi:Stack")
      .map((m) => m.urn)
      .sort();
    const offline = planned.resources
      .map((r) => r.urn)
      .filter((u) => !u.includes("::pulumi:pulumi:Stack::"))
      .sort();
    expect(previewed).toEqual(offline);
    // The CLI's summary counts the stack itself and not the default providers.
    expect(result.changeSummary.create).toBe(previewed.length + 1);
    const byType = (list: { type: string }[]) =>
      list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.type]: (acc[r.type] ?? 0) + 1 }), {});
    expect(byType(creates.filter((m) => previewed.includes(m.urn)))).toEqual(
      byType(planned.resources.filter((r) => offline.includes(r.urn))),
    );

    // No fake secret in plain text anywhere the preview printed or reported.
    const seen = `${result.stdout}\n${result.stderr}\n${JSON.stringify(events)}`;
    expect(fakes.filter((f) => seen.includes(f))).toEqual([]);
  });
});
