/**
 * The program: load and validate config, run the composition for the stack's shape,
 * return the outputs contract. `index.ts` hands the outputs to the Pulumi CLI; the offline
 * synth and the tests run it on the mock runtime and also read the emitted files.
 */
import { loadConfig } from "../config/load";
import { cloudStack } from "./cloud";
import { homelabStack } from "./homelab";
import { preflightProblems } from "./preflight";
import { BUILT_IN_UNITS, withAppModules, type PlatformUnits } from "./units";
import type { AppOutputs, ClusterOutputs, DatabaseOutputs, StackOutputs } from "./outputs";

/** What a composition builds. */
export interface Composition {
  readonly clusters: Record<string, ClusterOutputs>;
  /** Keyed `<cluster>/<app>`. */
  readonly apps: Record<string, AppOutputs>;
  /** Keyed `<cluster>/<database consumer>`. */
  readonly databases: Record<string, DatabaseOutputs>;
  /** Per cluster: repository-relative path -> content of the files emit mode writes. */
  readonly emitted: Record<string, Readonly<Record<string, string>>>;
}

/** A stack run: its outputs and its emitted files. */
export interface StackRun {
  readonly outputs: StackOutputs;
  readonly emitted: Composition["emitted"];
}

/**
 * Runs the stack. Throws a ConfigError before registering anything when config is wrong or
 * a cluster's workloads do not fit its nodes (the preflight runs inside loadConfig, so its
 * problems and the config's come in one report).
 */
export function runStack(): StackRun {
  // The built-in apps and services, and the custom apps the stack lists in platform:appModules.
  let units: PlatformUnits = BUILT_IN_UNITS;
  const config = loadConfig(
    (modules) => (units = withAppModules(modules)),
    (loaded) => preflightProblems(loaded, units),
  );
  const built = config.shape === "cloud" ? cloudStack(config, units) : homelabStack(config, units);
  return {
    outputs: {
      stack: config.stack,
      shape: config.shape,
      clusters: built.clusters,
      apps: built.apps,
      databases: built.databases,
    },
    emitted: built.emitted,
  };
}

/** The stack outputs alone: what `pulumi up` exports. */
export function program(): StackOutputs {
  return runStack().outputs;
}
