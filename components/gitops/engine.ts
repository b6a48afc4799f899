/**
 * The engine factory: a cluster's GitOps engine is a config value (ARCHITECTURE.md
 * decision 3), so switching Flux for Argo CD changes nothing else.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EngineKind } from "../../config/types";
import { ArgoCdEngine } from "./argocd";
import type { GitOpsEngine, GitOpsEngineArgs } from "./engine-common";
import { FluxEngine } from "./flux";

/** Either engine component. */
export type Engine = (FluxEngine | ArgoCdEngine) & GitOpsEngine;

/** Creates the engine `kind` names: Flux (`flux`) or Argo CD (`argocd`). */
export function createEngine(
  kind: EngineKind,
  name: string,
  args: GitOpsEngineArgs,
  opts?: pulumi.ComponentResourceOptions,
): Engine {
  switch (kind) {
    case "flux":
      return new FluxEngine(name, args, opts);
    case "argocd":
      return new ArgoCdEngine(name, args, opts);
    default: {
      const never: never = kind;
      throw new Error(`engine: "${String(never)}" must be "flux" or "argocd"`);
    }
  }
}
