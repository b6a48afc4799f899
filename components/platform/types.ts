/**
 * The contract of a platform service builder (ARCHITECTURE.md, `components/platform/`):
 * a pure function from typed settings and the cluster's capabilities to delivery items
 * and live Secrets. Builders never read config or environment; `config/` resolves their
 * settings once and the stack composition hands them over.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterKind } from "../../config/types";
import type { ClusterCapabilities } from "../cluster/contract";
import type { DeliveryItem, LiveSecret } from "../gitops/delivery";

/** The cluster facts a builder may use (plain data: builders run before the cluster exists). */
export interface ServiceCluster {
  readonly name: string;
  readonly kind: ClusterKind;
  /** Base DNS domain of the cluster's public hostnames. */
  readonly domain: string;
  readonly capabilities: ClusterCapabilities;
}

/** Everything one builder gets. */
export interface ServiceContext<S> {
  readonly cluster: ServiceCluster;
  /** The service's settings, parsed and defaulted in `config/`. */
  readonly settings: S;
  /**
   * Secret config values the service uses, only those the stack sets (read with
   * `requireSecret` in `config/load.ts`); they may only reach a {@link LiveSecret}.
   */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
  /** Parent for the few resources a builder must create itself (generated passwords). */
  readonly parent: pulumi.Resource;
}

/** What a builder returns: the engine-neutral items and the Secrets they reference. */
export interface ServiceBuild {
  readonly items: readonly DeliveryItem[];
  readonly liveSecrets: readonly LiveSecret[];
}

/** A service builder. */
export type ServiceBuilder<S> = (context: ServiceContext<S>) => ServiceBuild;

/** A secret config key a service reads (the key without the `platform:` namespace). */
export interface ServiceSecretSpec {
  readonly description: string;
  /** Whether the service cannot run without it (otherwise it degrades and says so). */
  readonly required: boolean;
}

/** One catalog service: its builder and the secret config it reads. */
export interface ServiceDefinition<S> {
  /** Catalog name (config/catalog.ts). */
  readonly name: string;
  /**
   * Secret config keys it reads, by key. `config/` declares them in Pulumi.yaml and hands the
   * ones that are set to the builder in {@link ServiceContext.secrets}.
   * @default none
   */
  readonly secrets?: Readonly<Record<string, ServiceSecretSpec>>;
  /**
   * The secret keys these settings need; config validation requires them before anything
   * is registered.
   * @default the keys of {@link secrets} marked `required`
   */
  readonly neededSecrets?: (settings: S) => readonly string[];
  readonly build: ServiceBuilder<S>;
}

/** The secret keys a service needs with the given settings. */
export function neededSecretsOf<S>(definition: ServiceDefinition<S>, settings: S): readonly string[] {
  if (definition.neededSecrets) return definition.neededSecrets(settings);
  return Object.entries(definition.secrets ?? {})
    .filter(([, spec]) => spec.required)
    .map(([key]) => key);
}
