/**
 * The one place that reads `pulumi.Config` (ARCHITECTURE.md decision 1). It returns the
 * stack's typed, validated config or throws one ConfigError before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseClusters } from "./clusters";
import { DEFAULT_VERSIONS } from "./defaults";
import { CONFIG_KEYS, NAMESPACE, requiredSecretKeys, type ConfigKey } from "./keys";
import { ConfigError, didYouMean, ErrorCollector, Reader } from "./reader";
import { checkClusters, VERSION_PATTERNS } from "./rules";
import { withSettings } from "./services";
import type { ClusterConfig, StackConfig, StackShape, Versions } from "./types";
import type { Units } from "./units";

// `isConfigSecret` is internal to the SDK's typings; it tells a `--secret` value from a
// plaintext one without reading the value.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
  isConfigSecret: (key: string) => boolean;
};

/** Parses a structured value the CLI hands over as JSON text; plain text stays a string. */
function structured(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseVersions(raw: unknown): Versions {
  const r = raw === undefined ? new Reader("platform:versions", {}) : Reader.object("platform:versions", raw);
  r.only(Object.keys(DEFAULT_VERSIONS));
  const out: Record<string, string> = {};
  for (const name of Object.keys(DEFAULT_VERSIONS) as (keyof Versions)[]) {
    const { pattern, example } = VERSION_PATTERNS[name];
    out[name] = r.string(
      name,
      { pattern, expected: `a pinned version such as ${example} (never latest or a range)` },
      DEFAULT_VERSIONS[name],
    );
  }
  return out as unknown as Versions;
}

/** `platform:appModules`: custom app name -> module path relative to the repository. */
export type AppModules = Readonly<Record<string, string>>;

/** A module path: repository-relative folders and a name, `/`-separated, no `..`, no extension. */
const MODULE_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_][\w.-]*(\/[\w.-]+)*$/;

/** Parses the raw `platform:appModules` value (absent: no custom apps). */
export function parseAppModules(raw: unknown): AppModules {
  if (raw === undefined) return {};
  const r = Reader.object(`${NAMESPACE}:appModules`, raw);
  const out: Record<string, string> = {};
  for (const name of Object.keys(r.value)) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
      throw new ConfigError(r.key(name), name, "expected the app's name, a DNS label such as my-app");
    const modulePath = r.string(name, {
      pattern: MODULE_PATH,
      expected:
        "a module path relative to the repository, without .ts, such as examples/custom-app (no .., no leading /)",
    });
    if (/\.(ts|js)$/.test(modulePath))
      throw new ConfigError(
        r.key(name),
        modulePath,
        `drop the extension: ${modulePath.replace(/\.(ts|js)$/, "")}`,
      );
    out[name] = modulePath;
  }
  return out;
}

/** The secret keys the enabled services and apps need with their settings, per cluster. */
export function serviceSecretNeeds(
  clusters: readonly ClusterConfig[],
): { cluster: string; service: string; key: string }[] {
  const needs: { cluster: string; service: string; key: string }[] = [];
  for (const cluster of clusters) {
    for (const app of cluster.apps) {
      for (const key of cluster.appSettings?.[app]?.neededSecrets() ?? []) {
        needs.push({ cluster: cluster.name, service: app, key });
      }
    }
    for (const service of cluster.services) {
      for (const key of cluster.serviceSettings?.[service]?.neededSecrets() ?? []) {
        needs.push({ cluster: cluster.name, service, key });
      }
    }
  }
  return needs;
}

/** The raw values of the keys that decide which secrets a stack needs. */
export interface RawStackConfig {
  readonly shape: unknown;
  readonly clusters: unknown;
  readonly versions: unknown;
}

/**
 * A raw stack config parsed with the same parsers as {@link loadConfig}, ignoring problems
 * (loadConfig reports them): what the secret rules read.
 */
export function parseLeniently(
  raw: RawStackConfig,
  units: Units,
): {
  shape: "cloud" | "homelab" | undefined;
  clusters: ClusterConfig[];
} {
  const ignore = new ErrorCollector();
  const shape = raw.shape === "cloud" || raw.shape === "homelab" ? raw.shape : undefined;
  const parsed = parseClusters(raw.clusters, "offline", ignore);
  const versions = ignore.attempt(() => parseVersions(raw.versions));
  const clusters = versions ? withSettings(raw.clusters, parsed, versions, units, ignore) : parsed;
  return { shape, clusters };
}

/**
 * The secret keys a raw stack config needs (shape, cluster kinds, services and their
 * settings), computed with the same parsers as {@link loadConfig}; problems are ignored
 * here, loadConfig reports them. The offline synth fakes exactly these.
 */
export function secretsNeededBy(raw: RawStackConfig, units: Units): string[] {
  const { shape, clusters } = parseLeniently(raw, units);
  const keys = new Set<string>(
    shape
      ? requiredSecretKeys(
          shape,
          clusters.map((c) => c.kind),
          clusters.some((c) => c.kind === "k3s" && c.etcdSnapshots !== undefined),
        )
      : [],
  );
  for (const need of serviceSecretNeeds(clusters)) keys.add(need.key);
  return [...keys];
}

/**
 * Each existing cluster has its entry in `platform:kubeconfigs`, a kubeconfig naming a server.
 * Reads the decrypted value without printing it: every message names only the cluster.
 */
function checkKubeconfigs(clusters: readonly ClusterConfig[], errors: ErrorCollector): void {
  const existing = clusters.filter((c) => c.kind === "existing");
  const text = pulumi.runtime.allConfig()[`${NAMESPACE}:kubeconfigs`];
  if (existing.length === 0 || text === undefined) return;
  const entries = structured(text);
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
    errors.add(
      new ConfigError(
        `${NAMESPACE}:kubeconfigs`,
        "(secret)",
        `expected an object keyed by cluster name; set each with: pulumi config set --secret --path '${NAMESPACE}:kubeconfigs.<cluster>' "$(cat kubeconfig)"`,
      ),
    );
    return;
  }
  for (const c of existing) {
    const key = `${NAMESPACE}:kubeconfigs.${c.name}`;
    const entry = (entries as Record<string, unknown>)[c.name];
    if (typeof entry !== "string") {
      errors.add(
        new ConfigError(
          key,
          undefined,
          `existing cluster ${c.name} needs its kubeconfig; set it with: pulumi config set --secret --path '${key}' "$(cat kubeconfig)"`,
        ),
      );
    } else if (!/^\s*server:\s*https:\/\/\S+/m.test(entry)) {
      errors.add(
        new ConfigError(
          key,
          "(secret)",
          "not a kubeconfig: it names no https:// server (clusters[].cluster.server)",
        ),
      );
    }
  }
}

/**
 * Reports unknown keys and keys set with the wrong secrecy; returns the plain keys set with
 * `--secret`, which are not read further (so no error message prints their value).
 */
function checkKeys(present: readonly string[], errors: ErrorCollector): Set<string> {
  const mistakenlySecret = new Set<string>();
  for (const fullKey of present) {
    const key = fullKey.slice(NAMESPACE.length + 1);
    if (!(key in CONFIG_KEYS)) {
      errors.add(
        new ConfigError(
          fullKey,
          "(set)",
          `unknown key;${didYouMean(key, Object.keys(CONFIG_KEYS))} the program reads: ${Object.keys(CONFIG_KEYS).join(", ")}`,
        ),
      );
      continue;
    }
    const spec = CONFIG_KEYS[key as ConfigKey];
    if (spec.secret && !runtimeConfig.isConfigSecret(fullKey)) {
      errors.add(
        new ConfigError(
          fullKey,
          "(plaintext)",
          `this is a secret; set it with: pulumi config set --secret ${fullKey} <value>`,
        ),
      );
    }
    if (!spec.secret && runtimeConfig.isConfigSecret(fullKey)) {
      errors.add(new ConfigError(fullKey, "(secret)", `this key is not secret; set it without --secret`));
      mistakenlySecret.add(key);
    }
  }
  return mistakenlySecret;
}

/** Reports the secret keys the shape, the clusters and their services need but the stack lacks. */
function checkSecretsSet(
  shape: StackShape | undefined,
  clusters: readonly ClusterConfig[],
  present: readonly string[],
  errors: ErrorCollector,
): void {
  if (shape) {
    // Clusters of another shape were already reported; their secrets would only add noise.
    const ofShape = clusters.filter(
      (c) => c.kind === "existing" || (shape === "cloud") === (c.kind === "talos-hcloud"),
    );
    for (const key of requiredSecretKeys(
      shape,
      ofShape.map((c) => c.kind),
      ofShape.some((c) => c.kind === "k3s" && c.etcdSnapshots !== undefined),
    )) {
      if (!present.includes(`${NAMESPACE}:${key}`)) {
        errors.add(
          new ConfigError(
            `${NAMESPACE}:${key}`,
            undefined,
            `required for this stack; set it with: pulumi config set --secret ${NAMESPACE}:${key} <value>`,
          ),
        );
      }
    }
  }
  for (const { cluster, service, key } of serviceSecretNeeds(clusters)) {
    if (!present.includes(`${NAMESPACE}:${key}`)) {
      errors.add(
        new ConfigError(
          `${NAMESPACE}:${key}`,
          undefined,
          `${service} on cluster ${cluster} needs it; set it with: pulumi config set --secret ${NAMESPACE}:${key} <value>`,
        ),
      );
    }
  }
  if (present.includes(`${NAMESPACE}:sopsAgeKey`) && !clusters.some((c) => c.engine === "flux")) {
    errors.add(
      new ConfigError(
        `${NAMESPACE}:sopsAgeKey`,
        "(secret)",
        "only Flux decrypts SOPS files and no cluster runs Flux; remove it",
      ),
    );
  }
}

/**
 * Checks the composition runs on a config that parsed (the capacity preflight and the
 * builders' own checks, on delivery items built without registering anything): the
 * problems they find, reported with the config's own.
 */
export type LateChecks = (config: StackConfig) => readonly ConfigError[];

/** Whether `key` is `prefix` or a key under it (`prefix.x`, `prefix[0]`). */
function under(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`);
}

/**
 * Runs `lateChecks` on the clusters without a config error of their own, when every error
 * found so far belongs to a cluster (a bad version pin, secret or shape leaves nothing the
 * checks could build on), and records what they find.
 */
function runLateChecks(lateChecks: LateChecks, config: StackConfig, errors: ErrorCollector): void {
  const clustersKey = `${NAMESPACE}:clusters`;
  const keys = errors.keys;
  if (!keys.every((k) => under(k, clustersKey) && k !== clustersKey)) return;
  const clean = config.clusters.filter((c) => !keys.some((k) => under(k, `${clustersKey}.${c.name}`)));
  if (clean.length === 0) return;
  for (const error of lateChecks({ ...config, clusters: clean })) errors.add(error);
}

/**
 * Reads and validates the stack's config against the apps and services the composition
 * defines: `units`, or what `withAppModules` makes of the stack's `platform:appModules` (the
 * composition loads the custom apps). `lateChecks` run on the clusters that parsed (see
 * {@link LateChecks}). Throws before any resource is registered: one ConfigError, or a
 * ConfigErrors listing every problem (printed without a stack trace by the CLI).
 */
export function loadConfig(
  units: Units | ((appModules: AppModules) => Units),
  lateChecks?: LateChecks,
): StackConfig {
  const errors = new ErrorCollector();
  const config = new pulumi.Config(NAMESPACE);
  const present = Object.keys(pulumi.runtime.allConfig()).filter((k) => k.startsWith(`${NAMESPACE}:`));
  const mistakenlySecret = checkKeys(present, errors);
  // A plain key set with --secret is reported above and not read further, so no later error
  // message prints its (decrypted) value.
  const plain = (key: ConfigKey): string | undefined =>
    mistakenlySecret.has(key) ? undefined : config.get(key);

  // Custom apps first: every later check knows them as it knows the built-in ones.
  const appModules = mistakenlySecret.has("appModules")
    ? {}
    : (errors.attempt(() => parseAppModules(structured(plain("appModules")))) ?? {});
  const defs = typeof units === "function" ? errors.attempt(() => units(appModules)) : units;
  // A custom app that does not load leaves nothing to check the clusters' apps against.
  if (defs === undefined) {
    errors.throwIfAny();
    throw new Error("unreachable: a failed app module is recorded as a config error");
  }

  const rawShape = plain("shape");
  const shape = rawShape === "cloud" || rawShape === "homelab" ? rawShape : undefined;
  if (!shape && !mistakenlySecret.has("shape")) {
    errors.add(
      new ConfigError(
        `${NAMESPACE}:shape`,
        rawShape,
        "expected cloud (Talos on Hetzner Cloud) or homelab (K3s and k3d)",
      ),
    );
  }
  const stack = pulumi.getStack();
  const rawClusters = structured(plain("clusters"));
  const parsed = mistakenlySecret.has("clusters") ? [] : parseClusters(rawClusters, stack, errors);
  const versions = mistakenlySecret.has("versions")
    ? undefined
    : errors.attempt(() => parseVersions(structured(plain("versions"))));
  // Service and app settings depend on the pinned versions (e.g. an image's minor).
  const clusters = versions ? withSettings(rawClusters, parsed, versions, defs, errors) : parsed;
  if (shape && versions) checkClusters(shape, clusters, stack, versions, defs, errors);

  checkSecretsSet(shape, clusters, present, errors);
  checkKubeconfigs(clusters, errors);

  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    if (!spec.secret || !present.includes(`${NAMESPACE}:${key}`)) continue;
    secrets[key] = config.requireSecret(key);
  }
  const loaded = (all: ClusterConfig[]): StackConfig => ({
    project: pulumi.getProject(),
    stack,
    shape: shape!,
    clusters: all,
    versions: versions!,
    secrets: secrets,
  });
  if (lateChecks && shape && versions) runLateChecks(lateChecks, loaded(clusters), errors);
  errors.throwIfAny();
  return loaded(clusters);
}
