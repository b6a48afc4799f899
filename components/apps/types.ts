/**
 * The contract of an application stack: one definition ({@link defineApp}) with its catalog
 * needs, images, settings parser and a pure build from typed settings and the cluster's facts
 * to app specs for the workload component. The
 * composition (stacks/apps.ts) resolves how the cluster exposes routes and scrapes metrics,
 * runs the workload component, and hands database claims to the CloudNativePG builder.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KubeObject, LiveSecret } from "../gitops/delivery";
import type { ServiceCluster, ServiceSecretSpec } from "../platform/types";
import type { PostgresConsumer } from "../platform/cloudnative-pg/cluster";
import type { AppSpec, DatabaseRef } from "./workload";
import type { AppImages, ImageDefault } from "../../config/apps/images";
import type { AppEntry } from "../../config/catalog";
import type { Reader } from "../../config/reader";
import type { ClusterConfig, Versions } from "../../config/types";
import { requiredSecretsOf, type AppUnit, type ConfiguredUnit } from "../../config/units";

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
  /** Live Secrets beyond the specs' own (an image pull secret). @default none */
  readonly liveSecrets?: readonly LiveSecret[];
  /** Objects beside the specs, in the app's namespace or cluster-scoped (PriorityClasses). @default none */
  readonly objects?: readonly KubeObject[];
  /** Host (label under the cluster domain, or a full name) of the app's main route. @default none (no URL output) */
  readonly mainHost?: string;
  /** How the app's routes reach it; `cluster` follows the cluster's ingress kind. @default "cluster" */
  readonly exposure?: "cluster" | "istio";
  /** Labels of the app's namespace beyond the Pod Security ones (e.g. Istio injection). @default none */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * The app's namespace enforces Pod Security `baseline` instead of `restricted`, with why:
   * for an image that must start as root (Pod Security Admission refuses such a pod in a
   * restricted namespace whatever the program's opt-out annotations say). The namespace
   * still audits and warns at restricted, and carries the reason as an annotation.
   * @default restricted
   */
  readonly podSecurity?: { readonly level: "baseline"; readonly reason: string };
  /**
   * Database clusters that specs of this app reach without claiming them (an admin UI): spec
   * name -> clusters of any namespace on the cluster. Each cluster's own NetworkPolicy admits
   * the spec's pods (the spec declares its egress, `extraEgress`); a cluster no app creates is
   * an error on `platform:clusters.<cluster>.appSettings.<app>.<setting>`.
   * @default none
   */
  readonly databaseClients?: {
    /** The app setting that lists the clusters, named in the error for one no app creates. */
    readonly setting: string;
    readonly specs: Readonly<Record<string, readonly DatabaseRef[]>>;
  };
  /**
   * What the database claims of this app's specs ask of the CloudNativePG builder beyond the
   * shared spec's `database` (the escape hatch for one app's need, e.g. FerretDB's DocumentDB
   * cluster): spec name -> consumer fields merged into that spec's claim.
   * @default none
   */
  readonly databaseConsumers?: Readonly<Record<string, DatabaseConsumerPatch>>;
  /**
   * The app's pods may run on the cluster's autoscaled nodes: every spec tolerates the taints
   * of the cluster's autoscaled pools, so pending pods make the cluster autoscaler add a node
   * (it only scales a group up for pods that would schedule on its template node).
   * @default false
   */
  readonly runsOnAutoscaledNodes?: boolean;
}

/** Fields of a CloudNativePG consumer an app may set on its claim beyond what the spec wires. */
export type DatabaseConsumerPatch = Partial<Omit<PostgresConsumer, "app" | "database">>;

/** The settings every app has: the namespace it runs in and its images on the cluster. */
export interface AppSettingsBase {
  readonly namespace: string;
  readonly images: AppImages;
}

/**
 * Everything one app is: what it needs from a cluster, its images, the secret config it
 * reads, how it reads its settings and how it builds. A custom app (`platform:appModules`)
 * is exactly such a definition.
 */
export interface AppDefinitionSpec<S extends AppSettingsBase> {
  /** Catalog name: a DNS label, unique among apps. */
  readonly name: string;
  /** What it needs from a cluster: services, apps, ingress, storage, secret stores. */
  readonly catalog: AppEntry;
  /** Its images by image name (a DNS label), each with its default reference and platforms. */
  readonly images: Readonly<Record<string, ImageDefault>>;
  /** Secret config keys it reads. @default none */
  readonly secrets?: Readonly<Record<string, ServiceSecretSpec>>;
  /**
   * Reads `platform:clusters.<cluster>.appSettings.<name>` (an empty block when the stack sets
   * none) into typed, defaulted settings; throws a ConfigError naming the key.
   */
  readonly parse: (reader: Reader, cluster: ClusterConfig, versions: Versions) => S;
  /** The secret keys these settings need. @default the keys of `secrets` marked required */
  readonly neededSecrets?: (settings: S) => readonly string[];
  readonly build: (context: AppContext<S>) => AppBuild;
}

/** What the composition gives an app's build besides its settings. */
export type AppBuildContext = Omit<AppContext<never>, "settings">;

/** An app definition of any settings type: what the app list holds. */
export interface AppDefinition extends AppUnit {
  /** Secret config keys it reads. @default none */
  readonly secrets?: Readonly<Record<string, ServiceSecretSpec>>;
  /** Builds the app with the settings this definition configured on the cluster. */
  build(unit: ConfiguredUnit, context: AppBuildContext): AppBuild;
}

/** A definition that still knows its settings type (for its own tests and typed readers). */
export interface TypedAppDefinition<S extends AppSettingsBase> extends AppDefinition {
  readonly spec: AppDefinitionSpec<S>;
  /** The settings this definition parsed into `unit`; throws for a unit it did not configure. */
  settingsOf(unit: ConfiguredUnit): S;
}

/** Every definition {@link defineApp} made: what tells an app module's exports apart. */
const DEFINED = new WeakSet<object>();

/** Whether a value is an app definition made by {@link defineApp} (a custom app module's export). */
export function isAppDefinition(value: unknown): value is AppDefinition {
  return typeof value === "object" && value !== null && DEFINED.has(value);
}

/**
 * Defines an app. The settings `parse` returns stay with the definition (keyed by the
 * configured unit config keeps), so its `build` gets them typed, with no cast.
 */
export function defineApp<S extends AppSettingsBase>(spec: AppDefinitionSpec<S>): TypedAppDefinition<S> {
  const parsed = new WeakMap<ConfiguredUnit, S>();
  const settingsOf = (unit: ConfiguredUnit): S => {
    const settings = parsed.get(unit);
    if (settings === undefined)
      throw new Error(
        `app ${spec.name}: these settings were configured by app ${unit.name}, not by this definition`,
      );
    return settings;
  };
  const definition: TypedAppDefinition<S> = {
    name: spec.name,
    catalog: spec.catalog,
    images: spec.images,
    ...(spec.secrets ? { secrets: spec.secrets } : {}),
    spec,
    settingsOf,
    configure(reader, cluster, versions) {
      const settings = spec.parse(reader, cluster, versions);
      const unit: ConfiguredUnit = {
        name: spec.name,
        namespace: settings.namespace,
        imagesWaiting: Object.entries(settings.images)
          .filter(([, ref]) => ref === undefined)
          .map(([image]) => image),
        neededSecrets: () => appNeededSecrets(definition, settings),
      };
      parsed.set(unit, settings);
      return unit;
    },
    build(unit, context) {
      return spec.build({ ...context, settings: settingsOf(unit) });
    },
  };
  DEFINED.add(definition);
  return definition;
}

/** The secret keys an app needs with the given settings. */
export function appNeededSecrets<S extends AppSettingsBase>(
  definition: TypedAppDefinition<S>,
  settings: S,
): readonly string[] {
  return definition.spec.neededSecrets
    ? definition.spec.neededSecrets(settings)
    : requiredSecretsOf(definition.spec);
}
