/**
 * Reads a stack file the way the Pulumi CLI hands config to a program, for the offline
 * synth: project defaults from Pulumi.yaml merged under Pulumi.<stack>.yaml with the CLI's
 * own rules (a declared key with no default must be set; typed keys must have their type),
 * and every secret the stack file holds replaced by an obviously fake value (nothing here
 * can decrypt the real ones).
 *
 * @see https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/config.go (`mergeConfig`)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { fakeOpenSshPrivateKey } from "../lib/ssh";
import { CONFIG_KEYS, NAMESPACE, type ConfigKey } from "../config/keys";
import { secretsNeededBy } from "../config/load";
import { secretPlan } from "../config/secrets";
import { unitsOfRawConfig } from "../stacks/units";

/** Why a secret has a fake value offline. */
export type FakeReason = "encrypted in the stack file" | "required, not in the stack file";

/** Config ready for the mock runtime, and what happened to each secret. */
export interface OfflineConfig {
  readonly project: string;
  readonly config: Record<string, unknown>;
  readonly secretKeys: string[];
  /** Full keys whose values are fakes, with why. */
  readonly fakes: { key: string; reason: FakeReason }[];
  /** Optional secrets the stack does not set, with what the program leaves out for each. */
  readonly unset: { key: string; effect: string }[];
}

/**
 * A stack or project file the CLI would refuse: malformed YAML, an unknown stack, a missing
 * or mistyped declared key. The message is one line naming the file, and the line and column
 * where there is one.
 */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

/**
 * The fake value used for a secret key; recognisable in any output by its prefix. The SSH
 * key is a structurally valid fake key, so the program can derive its public half offline.
 */
export function fakeSecret(fullKey: string): string {
  const text = `FAKE-OFFLINE-${fullKey.replace(/[^A-Za-z0-9]/g, "-")}-NOT-A-REAL-SECRET`;
  return fullKey === "platform:sshPrivateKey" ? fakeOpenSshPrivateKey(text) : text;
}

interface ProjectFile {
  name: string;
  config?: Record<string, { type?: string; default?: unknown; value?: unknown; secret?: boolean }>;
}

/** What to do about each YAML mistake the `yaml` parser reports, by its error code. */
const YAML_FIXES: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: "a tab indents this line; YAML indents with spaces only: replace the tab with spaces",
  BAD_INDENT:
    "this line is not aligned with the keys above it; indent it by the same number of spaces as its siblings",
  BLOCK_AS_IMPLICIT_KEY:
    "the line after this one is indented deeper than its siblings, so YAML reads it as part of this value; align it with the keys above it",
  MULTILINE_IMPLICIT_KEY:
    "the line after this one is indented deeper than its siblings, so YAML reads it as part of this value; align it with the keys above it",
  DUPLICATE_KEY: "this key appears twice in the same mapping; keep one (YAML would silently use the last)",
  MISSING_CHAR: "a quote or bracket is never closed; close it",
  UNEXPECTED_TOKEN: "unexpected character here; check the quoting and indentation of this line",
};

/** Parses a YAML file, or throws one {@link StackFileError} line for its first mistake. */
export function parseYamlFile(file: string, label: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `${label}:${pos.line}:${pos.col}` : label;
    const line = pos ? (text.split("\n")[pos.line - 1] ?? "").trim() : "";
    const fix = YAML_FIXES[error.code] ?? error.message.split("\n")[0];
    throw new StackFileError(`${where}: invalid YAML${line ? ` in "${line}"` : ""}: ${fix}`);
  }
  return doc.toJS() as unknown;
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in value;
}

/** The stacks a project directory has a file for. */
export function knownStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();
}

/** The CLI's type check of a declared key (`ValidateConfigValue`, string and object only here). */
function hasType(type: string, value: unknown): boolean {
  if (type === "string") return typeof value === "string";
  if (type === "object") return value !== null && typeof value === "object" && !Array.isArray(value);
  return true;
}

/**
 * Applies the project's declared keys to a stack's config the way the CLI does before the
 * program runs: missing required keys are one error listing them all (the CLI's wording),
 * defaults fill unset keys, and typed keys must have their type.
 */
function mergeProjectConfig(
  project: ProjectFile,
  stack: string,
  stackConfig: Record<string, unknown>,
): Record<string, unknown> {
  const config = { ...stackConfig };
  const missing: string[] = [];
  for (const key of Object.keys(project.config ?? {}).sort()) {
    const decl = project.config![key];
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (fullKey in config) continue;
    const fallback = decl.default ?? decl.value;
    if (fallback === undefined) {
      if (fullKey.startsWith(`${project.name}:`)) missing.push(key);
      continue;
    }
    config[fullKey] = fallback;
  }
  if (missing.length > 0) {
    const list =
      missing.length === 1
        ? `'${missing[0]}'`
        : `${missing
            .slice(0, -1)
            .map((k) => `'${k}'`)
            .join(", ")} and '${missing.at(-1)}'`;
    throw new StackFileError(
      `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${list}; set ${missing.length > 1 ? "them" : "it"} in Pulumi.${stack}.yaml`,
    );
  }
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (
      decl.type &&
      fullKey in config &&
      !isSecure(config[fullKey]) &&
      !hasType(decl.type, config[fullKey])
    ) {
      throw new StackFileError(
        `Stack '${stack}' with configuration key '${key}' must be of type '${decl.type}' (Pulumi.${stack}.yaml)`,
      );
    }
  }
  return config;
}

/**
 * Every key of a stack file must carry its namespace (`platform:clusters`): the CLI refuses a
 * bare `clusters` ("could not parse clusters as a configuration key (configuration keys should
 * be of the form `<namespace>:<name>`)", pulumi/pulumi sdk/go/common/resource/config/key.go
 * `ParseKey`). Said as such, before the missing `platform:clusters` it would otherwise cause.
 */
function checkNamespaces(project: ProjectFile, stack: string, stackConfig: Record<string, unknown>): void {
  const bare = Object.keys(stackConfig).filter((key) => !key.includes(":"));
  if (bare.length === 0) return;
  const fixes = bare.map((key) => `${key} -> ${project.name}:${key}`).join(", ");
  throw new StackFileError(
    `Pulumi.${stack}.yaml: config key${bare.length > 1 ? "s" : ""} without the "${project.name}:" namespace, which the Pulumi CLI refuses ("configuration keys should be of the form <namespace>:<name>"); rename ${fixes}`,
  );
}

/** Loads the config of `stack` from the project directory `root`. */
export function loadOfflineConfig(root: string, stack: string): OfflineConfig {
  const project = parseYamlFile(path.join(root, "Pulumi.yaml"), "Pulumi.yaml") as ProjectFile;
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(stackFile)) {
    throw new StackFileError(
      `unknown stack "${stack}": there is no Pulumi.${stack}.yaml; stacks: ${knownStacks(root).join(", ")}`,
    );
  }
  const parsed = parseYamlFile(stackFile, `Pulumi.${stack}.yaml`) as {
    config?: Record<string, unknown>;
  } | null;
  checkNamespaces(project, stack, parsed?.config ?? {});
  const config = mergeProjectConfig(project, stack, parsed?.config ?? {});

  const secretKeys: string[] = [];
  const fakes: OfflineConfig["fakes"] = [];
  for (const [fullKey, value] of Object.entries(config)) {
    if (!isSecure(value)) continue;
    config[fullKey] = fakeSecret(fullKey);
    secretKeys.push(fullKey);
    fakes.push({ key: fullKey, reason: "encrypted in the stack file" });
  }

  // The secrets the program requires for this stack are set by the operator with
  // `pulumi config set --secret`; offline they get a fake, and the summary says so. Optional
  // secrets stay unset, exactly as in a real run that does not set them.
  const raw = {
    shape: config[`${NAMESPACE}:shape`],
    clusters: config[`${NAMESPACE}:clusters`],
    versions: config[`${NAMESPACE}:versions`],
  };
  const units = unitsOfRawConfig(config);
  const required = new Set<string>(secretsNeededBy(raw, units));
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const fullKey = `${NAMESPACE}:${key}`;
    if (!CONFIG_KEYS[key].secret || fullKey in config || !required.has(key)) continue;
    config[fullKey] = fakeSecret(fullKey);
    secretKeys.push(fullKey);
    fakes.push({ key: fullKey, reason: "required, not in the stack file" });
  }
  // Only the optional secrets something in this stack reads (config/secrets.ts).
  const unset: OfflineConfig["unset"] = secretPlan(raw, units)
    .optional.filter((s) => !(`${NAMESPACE}:${s.key}` in config))
    .map((s) => ({ key: `${NAMESPACE}:${s.key}`, effect: s.whenUnset }));
  return { project: project.name, config, secretKeys, fakes, unset };
}
