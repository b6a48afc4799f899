/**
 * The contract of a platform service builder (ARCHITECTURE.md, `components/platform/`):
 * a pure function from typed settings and the cluster's capabilities to delivery items
 * and live Secrets. Builders never read config or environment; `config/` resolves their
 * settings once and the stack composition hands them over.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ServiceEntry } from "../../config/catalog";
import type { Reader } from "../../config/reader";
import type { ClusterConfig, ClusterKind, Versions } from "../../config/types";
import {
  requiredSecretsOf,
  type ConfiguredUnit,
  type SecretStoreKind,
  type ServiceUnit,
  type UnitSecretSpec,
} from "../../config/units";
import type { AutoscalerSettings } from "../cluster/talos/autoscaler";
import type { ClusterCapabilities } from "../cluster/contract";
import type { DeliveryItem, LiveSecret } from "../gitops/delivery";
import type { PasswordParent } from "../../lib/generated-password";

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
  /**
   * Parent for the few resources a builder must create itself (generated passwords, through
   * `generatedPassword`); `DRY_RUN` in the preflight's dry pass, which registers none.
   */
  readonly parent: PasswordParent;
  /** What the cluster component built the cluster with, for the services that need it. @default none */
  readonly fromCluster?: ClusterComponentFacts;
}

/** What a builder returns: the engine-neutral items and the Secrets they reference. */
export interface ServiceBuild {
  readonly items: readonly DeliveryItem[];
  readonly liveSecrets: readonly LiveSecret[];
}

/** A service builder. */
export type ServiceBuilder<S> = (context: ServiceContext<S>) => ServiceBuild;

/** A secret config key a service reads (the key without the `platform:` namespace). */
export type ServiceSecretSpec = UnitSecretSpec;

/**
 * Facts a cluster component hands the services it built the cluster for, beyond config:
 * the Talos component's autoscaler node groups and its (secret) worker machine config.
 */
export interface ClusterComponentFacts {
  /** For cluster-autoscaler: present when the cluster has an autoscaled pool. @default none */
  readonly autoscaler?: {
    readonly settings: AutoscalerSettings;
    /** `HCLOUD_CLOUD_INIT`: base64 of the worker machine config; secret, only in a live Secret. */
    readonly workerConfigBase64: pulumi.Output<string>;
  };
}

/**
 * A Helm chart a service installs: where it comes from, its name and its default version,
 * together. The version carries a `renovate:` annotation where it is written; a setting may
 * override it (`serviceSettings.<service>.version` and the like).
 */
export interface ServiceChart {
  /** Chart repository: `https://...` or `oci://...` (OCI: the repository without the chart name). */
  readonly repository: string;
  /** The chart's name in that repository. */
  readonly name: string;
  /** The exact version installed unless the service's settings say otherwise. */
  readonly version: string;
}

/** The `repository`, `chart` and `version` fields of an addon installing `chart` (at `version`). */
export function addonChart(
  chart: ServiceChart,
  version: string = chart.version,
): { readonly repository: string; readonly chart: string; readonly version: string } {
  return { repository: chart.repository, chart: chart.name, version };
}

/** Everything one service is: how it reads its settings and how it builds. */
export interface ServiceDefinitionSpec<S> {
  /** Catalog name: a DNS label, unique among services (`services` of a cluster lists it). */
  readonly name: string;
  /**
   * What it is and what it needs from and adds to a cluster (kinds, services, StorageClasses,
   * load balancer, conflicts); config validation checks enabled services against it.
   */
  readonly catalog: ServiceEntry;
  /**
   * The Helm charts it installs, by role (for example `stack`, `operatorCrds` and `adapter`
   * of victoria-metrics); its builder installs them from here.
   * @default none: it installs no chart of its own (K3s's Traefik, the shared Gateway, Renovate's CronJob)
   */
  readonly charts?: Readonly<Record<string, ServiceChart>>;
  /**
   * Secret config keys it reads, by key. `config/` declares them in Pulumi.yaml and hands the
   * ones that are set to the builder in {@link ServiceContext.secrets}.
   * @default none
   */
  readonly secrets?: Readonly<Record<string, ServiceSecretSpec>>;
  /**
   * Reads `platform:clusters.<cluster>.serviceSettings.<name>` (an empty block when the stack
   * sets none) into typed, defaulted settings; throws a ConfigError naming the key.
   */
  readonly parse: (reader: Reader, cluster: ClusterConfig, versions: Versions) => S;
  /**
   * The secret keys these settings need; config validation requires them before anything
   * is registered.
   * @default the keys of {@link secrets} marked `required`
   */
  readonly neededSecrets?: (settings: S) => readonly string[];
  /** The External Secrets stores these settings configure (the external-secrets service). @default none */
  readonly secretStores?: (settings: S) => readonly SecretStoreKind[];
  /**
   * The secret keys these settings read at all (a mode that reads none of some declared keys).
   * @default every key of {@link secrets}
   */
  readonly readSecrets?: (settings: S) => readonly string[];
  readonly build: ServiceBuilder<S>;
}

/** What the composition gives a service's build besides its settings. */
export type ServiceBuildContext = Omit<ServiceContext<never>, "settings">;

/** A service definition of any settings type: what the service list holds. */
export interface ServiceDefinition extends ServiceUnit {
  /** The Helm charts it installs, by role. @default none */
  readonly charts?: Readonly<Record<string, ServiceChart>>;
  /** Builds the service with the settings this definition configured on the cluster. */
  build(unit: ConfiguredUnit, context: ServiceBuildContext): ServiceBuild;
}

/** A definition that still knows its settings type (for typed readers of its settings). */
export interface TypedServiceDefinition<S> extends ServiceDefinition {
  readonly spec: ServiceDefinitionSpec<S>;
  /** The settings this definition configured on `cluster`, when the cluster enables it. */
  settingsOn(cluster: ClusterConfig): S | undefined;
}

/**
 * Defines a platform service. The settings `parse` returns stay with the definition (keyed by
 * the configured unit config keeps), so its `build` gets them typed, with no cast.
 */
export function defineService<S>(spec: ServiceDefinitionSpec<S>): TypedServiceDefinition<S> {
  const parsed = new WeakMap<ConfiguredUnit, S>();
  const settingsOf = (unit: ConfiguredUnit): S => {
    const settings = parsed.get(unit);
    if (settings === undefined)
      throw new Error(
        `service ${spec.name}: these settings were configured by service ${unit.name}, not by this definition`,
      );
    return settings;
  };
  return {
    name: spec.name,
    catalog: spec.catalog,
    ...(spec.charts ? { charts: spec.charts } : {}),
    ...(spec.secrets ? { secrets: spec.secrets } : {}),
    spec,
    settingsOn(cluster) {
      const unit = cluster.serviceSettings?.[spec.name];
      return unit === undefined ? undefined : settingsOf(unit);
    },
    configure(reader, cluster, versions) {
      const settings = spec.parse(reader, cluster, versions);
      const unit: ConfiguredUnit = {
        name: spec.name,
        ...(spec.secretStores ? { secretStores: spec.secretStores(settings) } : {}),
        neededSecrets: () => (spec.neededSecrets ? spec.neededSecrets(settings) : requiredSecretsOf(spec)),
        ...(spec.readSecrets ? { readSecrets: () => spec.readSecrets!(settings) } : {}),
      };
      parsed.set(unit, settings);
      return unit;
    },
    build(unit, context) {
      return spec.build({ ...context, settings: settingsOf(unit) });
    },
  };
}
