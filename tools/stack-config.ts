/**
 * Reads a stack file the way the Pulumi CLI hands config to a program, for the offline
 * synth: project defaults from Pulumi.yaml, values from Pulumi.<stack>.yaml, and every
 * secret replaced by an obviously fake value (nothing here can decrypt the real ones).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_KEYS, NAMESPACE } from "../config/keys";

/** Config ready for the mock runtime, and which secrets were faked. */
export interface OfflineConfig {
  readonly project: string;
  readonly config: Record<string, unknown>;
  readonly secretKeys: string[];
  /** Full keys whose values are fakes, with why. */
  readonly fakes: { key: string; reason: "encrypted in the stack file" | "not set" }[];
}

/** The fake value used for a secret key; recognisable in any output by its prefix. */
export function fakeSecret(fullKey: string): string {
  return `FAKE-OFFLINE-${fullKey.replace(/[^A-Za-z0-9]/g, "-")}-NOT-A-REAL-SECRET`;
}

interface ProjectFile {
  name: string;
  config?: Record<string, { default?: unknown; secret?: boolean }>;
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in value;
}

/** Loads the config of `stack` from the project directory `root`. */
export function loadOfflineConfig(root: string, stack: string): OfflineConfig {
  const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    const known = fs
      .readdirSync(root)
      .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
      .map((f) => f.slice(7, -5));
    throw new Error(`no stack file Pulumi.${stack}.yaml; stacks: ${known.join(", ")}`);
  }
  const stackConfig =
    (parse(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};

  const config: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const fakes: OfflineConfig["fakes"] = [];
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (decl.default !== undefined) config[fullKey] = decl.default;
  }
  for (const [fullKey, value] of Object.entries(stackConfig)) {
    if (isSecure(value)) {
      config[fullKey] = fakeSecret(fullKey);
      secretKeys.push(fullKey);
      fakes.push({ key: fullKey, reason: "encrypted in the stack file" });
    } else {
      config[fullKey] = value;
    }
  }

  // Fill the secrets this stack's shape needs, as the user would with `config set --secret`.
  const shape = config[`${NAMESPACE}:shape`];
  const clusters = config[`${NAMESPACE}:clusters`];
  const kinds = new Set<string>();
  const engines = new Set<string>();
  if (clusters && typeof clusters === "object") {
    for (const c of Object.values(clusters as Record<string, { kind?: string; engine?: string }>)) {
      if (c?.kind) kinds.add(c.kind);
      if (c?.engine) engines.add(c.engine);
    }
  }
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const fullKey = `${NAMESPACE}:${key}`;
    if (!spec.secret || fullKey in config) continue;
    const requiredFor: readonly string[] = "requiredFor" in spec ? spec.requiredFor : [];
    const wanted =
      requiredFor.includes(String(shape)) ||
      (key === "proxmoxApiToken" && kinds.has("k3d-proxmox")) ||
      key === "gitToken" ||
      (key === "sopsAgeKey" && engines.has("flux"));
    if (!wanted) continue;
    config[fullKey] = fakeSecret(fullKey);
    secretKeys.push(fullKey);
    fakes.push({ key: fullKey, reason: "not set" });
  }
  return { project: project.name, config, secretKeys, fakes };
}
