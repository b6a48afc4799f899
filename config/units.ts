/**
 * What `config/` knows of an app or a platform service: the parse-facing half of its
 * definition. The definitions themselves (`defineApp` in components/apps/define.ts,
 * `defineService` in components/platform/define.ts) add the builder; the composition
 * (stacks/units.ts) hands the list to the loader, so `config/` stays the bottom layer and
 * imports nothing from `components/`.
 *
 * `configure` reads a unit's settings block once and returns a {@link ConfiguredUnit}: what
 * config validation needs to know about the parsed settings. The typed settings themselves
 * stay with the definition that parsed them, which hands them to its own builder.
 */
import type { AppEntry, ServiceEntry } from "./catalog";
import type { ImageDefault } from "./apps/images";
import type { ConfigError, Reader } from "./reader";
import type { ClusterConfig, IngressKind, Versions } from "./types";

/** A secret config key a unit reads (the key without the `platform:` namespace). */
export interface UnitSecretSpec {
  readonly description: string;
  /** Whether the unit cannot run without it (otherwise it degrades and says so). */
  readonly required: boolean;
}

/** The kinds of External Secrets store an app may read from (catalog `needsSecretStores`). */
export type SecretStoreKind = "bitwarden" | "vault" | "onepassword";

/** A unit's settings on one cluster, as config validation sees them. */
export interface ConfiguredUnit {
  /** The catalog name of the unit that parsed these settings. */
  readonly name: string;
  /** The namespace an app runs in (apps sharing needs must share it). @default none (services) */
  readonly namespace?: string;
  /** Images that have no reference yet on this cluster (an app waiting for its CI). @default none */
  readonly imagesWaiting?: readonly string[];
  /** External Secrets stores these settings configure (the external-secrets service). @default none */
  readonly secretStores?: readonly SecretStoreKind[];
  /** The secret config keys these settings need; required before anything is registered. */
  neededSecrets(): readonly string[];
  /**
   * The secret config keys these settings read at all, needed or optional (what the secrets
   * plan lists as optional for the stack).
   * @default every key the definition declares
   */
  readSecrets?(): readonly string[];
}

/** The parse-facing half of an app's or a service's definition. */
export interface UnitDefinition {
  /** Catalog name: a DNS label, unique among apps (or services). */
  readonly name: string;
  /** Secret config keys it reads, by key. @default none */
  readonly secrets?: Readonly<Record<string, UnitSecretSpec>>;
  /**
   * Reads `appSettings.<name>` (or `serviceSettings.<name>`) of one cluster, an empty block
   * when the stack sets none; throws a ConfigError naming the key.
   */
  configure(reader: Reader, cluster: ClusterConfig, versions: Versions): ConfiguredUnit;
}

/** An app as config sees it. */
export interface AppUnit extends UnitDefinition {
  /** What it needs from a cluster (services, apps, ingress, storage, secret stores). */
  readonly catalog: AppEntry;
  /** Its images, by image name (a DNS label), with their default references. */
  readonly images: Readonly<Record<string, ImageDefault>>;
  /**
   * Where it is defined: `built-in`, or the module path of a custom app (`platform:appModules`),
   * for error messages.
   * @default built-in
   */
  readonly origin?: string;
}

/** A platform service as config sees it. */
export interface ServiceUnit extends UnitDefinition {
  readonly catalog: ServiceEntry;
}

/**
 * The rules of the cluster kinds the program builds, owned by their components
 * (components/cluster) and handed to the loader, which runs them before any resource exists.
 */
export interface ClusterRules {
  /** The StorageClasses and ingress a cluster offers once it and its enabled services are up. */
  capabilities(cluster: ClusterConfig): {
    readonly storageClasses: readonly string[];
    readonly ingress: IngressKind;
  };
  /**
   * The cluster component's own argument problems (odd etcd member counts, unique hosts, CIDR
   * layout, server types, flags it owns), each a message naming `config.<field>`; none when fine.
   */
  componentProblems(cluster: ClusterConfig, versions: Versions): string[];
  /** Problems of the pinned Kubernetes version with what a Talos cluster installs; none when fine. */
  kubernetesCompatibility(versions: Versions): string[];
  /**
   * Problems between the settings of a cluster's enabled services, which no one service's
   * parser sees (an External Secrets store naming a server another service's mode does not
   * run), each naming its key; none when fine.
   */
  servicesProblems(cluster: ClusterConfig): readonly ConfigError[];
}

/** Every unit a stack may enable and the cluster rules: what the composition hands the loader. */
export interface Units {
  readonly apps: readonly AppUnit[];
  readonly services: readonly ServiceUnit[];
  readonly clusterRules: ClusterRules;
}

/** The secret keys a unit needs by default: those it declares required. */
export function requiredSecretsOf(unit: Pick<UnitDefinition, "secrets">): string[] {
  return Object.entries(unit.secrets ?? {})
    .filter(([, spec]) => spec.required)
    .map(([key]) => key);
}
