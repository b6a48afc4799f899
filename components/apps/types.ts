/**
 * The contract of an application stack (an entry of config/catalog.ts APPS): a pure function
 * from typed settings and the cluster's facts to app specs for the workload component. The
 * composition (stacks/apps.ts) resolves how the cluster exposes routes and scrapes metrics,
 * runs the workload component, and hands database claims to the CloudNativePG builder.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KubeObject, LiveSecret } from "../gitops/delivery";
import type { ServiceCluster, ServiceSecretSpec } from "../platform/types";
import type { AppSpec } from "./workload";

/** Everything an app builder gets. */
export interface AppContext<S> {
  readonly cluster: ServiceCluster;
  /** The app's settings, parsed and defaulted in `config/`. */
  readonly settings: S;
  /** Secret config values the app reads, only those the stack sets. */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
}

/** What an app builder returns. */
export interface AppBuild {
  /** The namespace every spec of the app runs in. */
  readonly namespace: string;
  readonly specs: readonly AppSpec[];
  /**
   * Images whose reference is not set yet (built by the app's own CI): the workloads that
   * run them are left out until the image_update flow or the operator sets them.
   */
  readonly waitingForImages: readonly string[];
  /** Live Secrets beyond the specs' own (an image pull secret). */
  readonly liveSecrets?: readonly LiveSecret[];
  /** Objects beside the specs, in the app's namespace or cluster-scoped (PriorityClasses). */
  readonly objects?: readonly KubeObject[];
  /** Host (label under the cluster domain, or a full name) of the app's main route. */
  readonly mainHost?: string;
  /** How the app's routes reach it; `cluster` follows the cluster's ingress kind. */
  readonly exposure?: "cluster" | "istio";
  /** Labels of the app's namespace beyond the Pod Security ones (e.g. Istio injection). */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * The app's namespace enforces Pod Security `baseline` instead of `restricted`, with why:
   * for an image that must start as root (Pod Security Admission refuses such a pod in a
   * restricted namespace whatever the program's opt-out annotations say). The namespace
   * still audits and warns at restricted, and carries the reason as an annotation.
   */
  readonly podSecurity?: { readonly level: "baseline"; readonly reason: string };
  /**
   * The app's pods may run on the cluster's autoscaled nodes: every spec tolerates the taints
   * of the cluster's autoscaled pools, so pending pods make the cluster autoscaler add a node
   * (it only scales a group up for pods that would schedule on its template node).
   * @default false
   */
  readonly runsOnAutoscaledNodes?: boolean;
}

/** One catalog app: its builder and the secret config it reads. */
export interface AppDefinition<S> {
  /** Catalog name (config/catalog.ts). */
  readonly name: string;
  /** Secret config keys it reads. @default none */
  readonly secrets?: Readonly<Record<string, ServiceSecretSpec>>;
  /** The secret keys these settings need. @default the keys of `secrets` marked required */
  readonly neededSecrets?: (settings: S) => readonly string[];
  readonly build: (context: AppContext<S>) => AppBuild;
}

/** The secret keys an app needs with the given settings. */
export function appNeededSecrets<S>(definition: AppDefinition<S>, settings: S): readonly string[] {
  if (definition.neededSecrets) return definition.neededSecrets(settings);
  return Object.entries(definition.secrets ?? {})
    .filter(([, spec]) => spec.required)
    .map(([key]) => key);
}
