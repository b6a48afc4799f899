/**
 * The apps and platform services a stack may enable: the built-in definitions plus the
 * custom apps a stack lists in `platform:appModules`. The composition hands this list to the
 * loader (config/load.ts), which parses each enabled unit's settings with its definition, and
 * to the builders, which build each unit with the settings its definition parsed.
 */
import { BUILT_IN_APPS } from "../components/apps/registry";
import { isAppDefinition, type AppDefinition } from "../components/apps/types";
import { BUILT_IN_SERVICES } from "../components/platform/registry";
import { onePasswordStoreProblems } from "../components/platform/onepassword-operator";
import type { ServiceDefinition } from "../components/platform/types";
import { capabilitiesOf } from "../components/cluster/capabilities";
import { validateK3dArgs } from "../components/cluster/k3d/validate";
import { k3sArgProblems } from "../components/cluster/k3s/validate";
import { kubernetesCompatibility } from "../components/cluster/talos/compat";
import { talosHcloudProblems } from "../components/cluster/talos/validate";
import * as path from "node:path";
import { CONFIG_KEYS } from "../config/keys";
import { parseAppModules, type AppModules } from "../config/load";
import { ConfigError, ConfigErrors } from "../config/reader";
import type { ClusterRules, Units } from "../config/units";

/** Every unit a stack may enable, with its builder. */
export interface PlatformUnits extends Units {
  readonly apps: readonly AppDefinition[];
  readonly services: readonly ServiceDefinition[];
}

/** The rules of the cluster kinds, as their components state them. */
export const CLUSTER_RULES: ClusterRules = {
  capabilities: (cluster) => capabilitiesOf(cluster, BUILT_IN_SERVICES),
  componentProblems(cluster, versions) {
    if (cluster.kind === "talos-hcloud") return talosHcloudProblems(cluster, versions);
    if (cluster.kind === "k3s") return k3sArgProblems(cluster, versions);
    if (cluster.kind === "k3d-proxmox") {
      // The k3d component checks its args by throwing the first problem.
      try {
        validateK3dArgs(cluster.name, cluster, versions);
      } catch (error) {
        return [error instanceof Error ? error.message : String(error)];
      }
    }
    return [];
  },
  kubernetesCompatibility,
  servicesProblems: (cluster) => onePasswordStoreProblems(cluster),
};

/** The apps and services the program ships. */
export const BUILT_IN_UNITS: PlatformUnits = {
  apps: BUILT_IN_APPS,
  services: BUILT_IN_SERVICES,
  clusterRules: CLUSTER_RULES,
};

/**
 * The folder module paths are relative to: the repository when the TypeScript sources run
 * (the tests), `bin/` when the compiled program runs (`npm run build` compiles the app
 * folders listed in tsconfig.build.json beside the rest).
 */
export const PROGRAM_ROOT = path.resolve(__dirname, "..");

function loadModule(key: string, modulePath: string, root: string): Record<string, unknown> {
  const file = path.join(root, ...modulePath.split("/"));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module path is config
    return require(file) as Record<string, unknown>;
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    const missing = (error as { code?: unknown }).code === "MODULE_NOT_FOUND" && first.includes(file);
    throw new ConfigError(
      key,
      modulePath,
      missing
        ? `no module there; give the path of ${modulePath}.ts (or of ${modulePath}/index.ts) relative to the repository, and list its folder in tsconfig.build.json's include so npm run build compiles it`
        : `the module fails to load: ${first}`,
    );
  }
}

/**
 * The built-in units plus the custom apps of `platform:appModules` (app name -> module path):
 * each module exports the app's `defineApp` definition, which then gets every check a
 * built-in app gets. A name a built-in app has, a module without the named app, or a secret
 * the program does not declare is a ConfigError naming the key.
 */
export function withAppModules(
  modules: AppModules,
  base: PlatformUnits = BUILT_IN_UNITS,
  root: string = PROGRAM_ROOT,
): PlatformUnits {
  const errors: ConfigError[] = [];
  const custom: AppDefinition[] = [];
  for (const [name, modulePath] of Object.entries(modules)) {
    const key = `platform:appModules.${name}`;
    if (base.apps.some((d) => d.name === name)) {
      errors.push(
        new ConfigError(
          key,
          modulePath,
          `${name} is a built-in app; give your app another name (its definition's name and this key)`,
        ),
      );
      continue;
    }
    let exported: Record<string, unknown>;
    try {
      exported = loadModule(key, modulePath, root);
    } catch (error) {
      if (error instanceof ConfigError) {
        errors.push(error);
        continue;
      }
      throw error;
    }
    const definitions = Object.values(exported).filter(isAppDefinition);
    const definition = definitions.find((d) => d.name === name);
    if (!definition) {
      errors.push(
        new ConfigError(
          key,
          modulePath,
          definitions.length
            ? `the module defines ${definitions.map((d) => d.name).join(", ")}, not ${name}; name the key after the app`
            : `the module exports no app defined with defineApp (components/apps/types.ts); export const app = defineApp({ name: "${name}", ... })`,
        ),
      );
      continue;
    }
    const undeclared = Object.keys(definition.secrets ?? {}).filter((k) => !(k in CONFIG_KEYS));
    if (undeclared.length) {
      errors.push(
        new ConfigError(
          key,
          modulePath,
          `${name} reads secret config ${undeclared.join(", ")}, which config/keys.ts does not declare; custom apps can read only declared secret keys`,
        ),
      );
      continue;
    }
    custom.push({ ...definition, origin: modulePath });
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new ConfigErrors(errors);
  return { ...base, apps: [...base.apps, ...custom] };
}

/**
 * The units of a stack file's raw config, for the offline tools: the built-ins plus the
 * custom apps it lists, or the built-ins alone when `platform:appModules` is wrong (the
 * program's own run reports that).
 */
export function unitsOfRawConfig(config: Readonly<Record<string, unknown>>): PlatformUnits {
  try {
    return withAppModules(parseAppModules(config["platform:appModules"]));
  } catch (error) {
    if (error instanceof ConfigError) return BUILT_IN_UNITS;
    throw error;
  }
}
