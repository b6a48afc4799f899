/**
 * Builds the application stacks a cluster enables: each app's builder gives its specs, the
 * workload component turns them into delivery items and live Secrets, and the database
 * claims become one CloudNativePG `PostgresCluster` per named database cluster in the app's
 * namespace (with the backup settings of `serviceSettings.cloudnative-pg`). How routes reach
 * the apps and how metrics are scraped follow the cluster's services.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppBuild, DatabaseConsumerPatch } from "../components/apps/types";
import {
  buildWorkloads,
  type AppSpec,
  type DatabaseClaim,
  type ExposureTarget,
  type Monitoring,
  type Placement,
} from "../components/apps/workload";
import { ingressOf } from "../components/cluster/capabilities";
import type { ClusterCapabilities } from "../components/cluster/contract";
import type { Bundle, DeliveryItem, LiveSecret } from "../components/gitops/delivery";
import { MONITORING_NAMESPACE } from "../components/platform/kube-prometheus-stack";
import { VM_NAMESPACE } from "../components/platform/victoria-metrics";
import { apiServerCidrs } from "../components/platform/namespace-policies";
import {
  CNPG_BACKUP_KEY_ID,
  CNPG_BACKUP_SECRET_KEY,
  cloudnativePgService,
} from "../components/platform/cloudnative-pg";
import { postgresCluster } from "../components/platform/cloudnative-pg/cluster";
import { CILIUM_GATEWAY_DEFAULTS as GW } from "../components/platform/cilium-gateway/settings";
import { CLOUDNATIVE_PG_DEFAULTS } from "../components/platform/cloudnative-pg/settings";
import { ISTIO_DEFAULTS, tracingNamespace } from "../components/platform/istio/settings";
import { istioService } from "../components/platform/istio";
import { ConfigError, ConfigErrors } from "../config/reader";
import type { ClusterConfig, StackConfig, Taint } from "../config/types";
import { GATEWAY_ROUTES_LABEL, namespaceObject, secretStoreLabel } from "../lib/namespaces";
import { OPT_OUT_ANNOTATION_PREFIX } from "../policy/exceptions";
import { DRY_RUN, type PasswordParent } from "../lib/generated-password";
import type { AppOutputs, DatabaseOutputs } from "./outputs";
import { namespaceItemName } from "./services";
import type { PlatformUnits } from "./units";

/** What the apps of one cluster deliver, and what the stack exports about them. */
export interface AppsDelivery {
  readonly items: DeliveryItem[];
  readonly liveSecrets: LiveSecret[];
  readonly apps: Record<string, AppOutputs>;
  readonly databases: Record<string, DatabaseOutputs>;
  /** `<app>/<image>` of images whose workloads wait for a reference. */
  readonly waitingForImages: string[];
}

/**
 * The parent of the passwords the apps of one cluster generate. Named after its type token
 * `platform:apps:Apps`, which is part of every child's URN.
 */
export class Apps extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("platform:apps:Apps", name, {}, opts);
    this.registerOutputs({});
  }
}

/** The ClusterIssuer app certificates come from (cert-manager's issuers, networking.ts). */
const DEFAULT_ISSUER = "letsencrypt-production";

/** The item of a database cluster (postgres.ts names its bundle `postgres-<name>`). */
export function databaseItemName(cluster: string): string {
  return `postgres-${cluster}`;
}

/**
 * How routes reach an app on this cluster. Config validation (config/rules.ts) has already
 * required the service each kind needs, so a missing one here is a program error.
 */
export function exposureOf(cluster: ClusterConfig, kind: AppBuild["exposure"]): ExposureTarget {
  const fail = (what: string): never => {
    throw new Error(`cluster ${cluster.name}: ${what} (config validation should have caught this)`);
  };
  if (kind === "istio") {
    if (!cluster.services.includes("istio")) fail("an app exposed through Istio needs the istio service");
    return {
      kind: "istio",
      namespace: ISTIO_DEFAULTS.ingressNamespace,
      // The gateway chart's selector labels: istio: <release name without "istio-">
      // (istio manifests/charts/gateway/templates/_helpers.tpl); the release is istio-ingressgateway.
      selector: { istio: "ingressgateway" },
      clusterIssuer: DEFAULT_ISSUER,
    };
  }
  if (ingressOf(cluster) === "gateway-api") {
    if (!cluster.services.includes("cilium-gateway")) fail("routes need the shared Gateway (cilium-gateway)");
    return { kind: "gateway-api", gateway: { name: GW.gatewayName, namespace: GW.namespace } };
  }
  // K3s and k3d keep their bundled Traefik in kube-system (docs.k3s.io "Networking").
  return {
    kind: "traefik",
    clusterIssuer: DEFAULT_ISSUER,
    ingressClassName: "traefik",
    namespace: "kube-system",
  };
}

/** The scrape object kind of the cluster's monitoring stack. */
export function monitoringOf(cluster: ClusterConfig): { monitoring: Monitoring; item?: string } {
  if (cluster.services.includes("victoria-metrics"))
    return { monitoring: { kind: "victoria-metrics", namespace: VM_NAMESPACE }, item: "victoria-metrics" };
  if (cluster.services.includes("kube-prometheus-stack"))
    return {
      monitoring: { kind: "prometheus-operator", namespace: MONITORING_NAMESPACE },
      item: "kube-prometheus-stack",
    };
  return { monitoring: { kind: "none" } };
}

/** The taints of the cluster's autoscaled node pools (none on clusters without such pools). */
export function autoscaledTaints(cluster: ClusterConfig): Taint[] {
  if (cluster.kind !== "talos-hcloud") return [];
  const seen = new Map<string, Taint>();
  for (const pool of cluster.nodePools)
    if (pool.autoscaler) for (const t of pool.taints) seen.set(`${t.key}=${t.value}:${t.effect}`, t);
  return [...seen.values()];
}

/** Adds tolerations of `taints` to the spec's placement and to every controller's own placement. */
export function tolerating(spec: AppSpec, taints: readonly Taint[]): AppSpec {
  if (taints.length === 0) return spec;
  const add = (p: Placement | undefined): Placement => {
    const have = p?.tolerations ?? [];
    const missing = taints.filter((t) => !have.some((h) => h.key === t.key && h.effect === t.effect));
    return {
      ...p,
      tolerations: [...have, ...missing.map((t) => ({ key: t.key, value: t.value, effect: t.effect }))],
    };
  };
  const controllers = Object.fromEntries(
    Object.entries(spec.controllers).map(([k, c]) => [
      k,
      c.placement ? { ...c, placement: add(c.placement) } : c,
    ]),
  );
  return { ...spec, placement: add(spec.placement), controllers };
}

/** Adds the items an app's bundle waits for: its namespace, its database, the scrape CRDs. */
function withDependencies(spec: AppSpec, namespace: string, monitoringItem: string | undefined): AppSpec {
  const extra = [
    namespaceItemName(namespace),
    ...(spec.database ? [databaseItemName(spec.database.cluster)] : []),
    ...(spec.metrics && monitoringItem ? [monitoringItem] : []),
  ];
  return { ...spec, dependsOn: [...new Set([...(spec.dependsOn ?? []), ...extra])] };
}

/**
 * The operand image and preloaded libraries of one database cluster: what its claims ask
 * for (they must agree on the image), else the cluster's default image.
 */
export function operandOf(
  clusterName: string,
  dbCluster: string,
  claims: readonly DatabaseClaim[],
  defaultImage: string,
): { imageName: string; sharedPreloadLibraries: string[]; priorityClassName?: string } {
  const images = [...new Set(claims.flatMap((c) => (c.imageName ? [c.imageName] : [])))];
  if (images.length > 1)
    throw new Error(
      `cluster ${clusterName}: the claims on database cluster ${dbCluster} ask for different images (${images.join(", ")}); give them separate database clusters`,
    );
  const priorities = [...new Set(claims.flatMap((c) => (c.priorityClassName ? [c.priorityClassName] : [])))];
  if (priorities.length > 1)
    throw new Error(
      `cluster ${clusterName}: the claims on database cluster ${dbCluster} ask for different priority classes (${priorities.join(", ")}); give them separate database clusters`,
    );
  return {
    ...(priorities.length ? { priorityClassName: priorities[0] } : {}),
    imageName: images[0] ?? defaultImage,
    sharedPreloadLibraries: [...new Set(claims.flatMap((c) => c.sharedPreloadLibraries ?? []))],
  };
}

/** One enabled app of a cluster, built: its definition's name, its build and the secrets it read. */
interface BuiltApp {
  readonly name: string;
  readonly app: AppBuild;
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
}

/** What the apps of one namespace add to its Namespace object. */
interface NamespaceNeeds {
  readonly labels: Record<string, string>;
  /** `<app>: <reason>` of each app that needs Pod Security `baseline`. */
  readonly baseline: string[];
}

/** A database claim with the consumer fields its app's build added. */
export type ConsumerClaim = DatabaseClaim & DatabaseConsumerPatch;

/** What the steps of {@link buildApps} share: the cluster, its facts and the apps' parent. */
interface AppsStep {
  readonly config: StackConfig;
  readonly cluster: ClusterConfig;
  readonly capabilities: ClusterCapabilities;
  /** `DRY_RUN` in the preflight's dry pass. */
  readonly parent: PasswordParent;
  /** Item name -> the app (or database namespace) that delivers it, to refuse a clash. */
  readonly owners: Map<string, string>;
}

/** The key of the shared database cluster's app list, for its errors. */
function sharedAppsKey(cluster: ClusterConfig): string {
  return `platform:clusters.${cluster.name}.serviceSettings.cloudnative-pg.sharedCluster.apps`;
}

/**
 * Points the database of every spec of the apps listed in `sharedCluster` at the shared
 * cluster (its name and namespace). An app that claims no database, or whose connection
 * verifies the server against the cluster's CA (CloudNativePG keeps that Secret in the
 * cluster's namespace, out of the app's reach), is refused.
 */
function withSharedDatabases(cluster: ClusterConfig, builds: readonly BuiltApp[]): BuiltApp[] {
  const shared = cloudnativePgService.settingsOn(cluster)?.sharedCluster;
  if (!shared) return [...builds];
  const errors: ConfigError[] = [];
  const out = builds.map((built): BuiltApp => {
    if (!shared.apps.includes(built.name)) return built;
    const claiming = built.app.specs.filter((spec) => spec.database);
    // An app still waiting for its images renders no spec yet; nothing to point anywhere.
    if (claiming.length === 0 && built.app.waitingForImages.length === 0)
      errors.push(
        new ConfigError(
          sharedAppsKey(cluster),
          shared.apps,
          `${built.name} claims no database; remove it from the list`,
        ),
      );
    const verifying = claiming.filter((spec) => spec.database!.verifyCa).map((spec) => spec.name);
    if (verifying.length)
      errors.push(
        new ConfigError(
          sharedAppsKey(cluster),
          shared.apps,
          `${built.name} (${verifying.join(", ")}) verifies the database server against its cluster's CA, a Secret CloudNativePG keeps in the cluster's namespace (${shared.namespace}), out of the app's reach; leave ${built.name} on a cluster of its own`,
        ),
      );
    const specs = built.app.specs.map((spec) =>
      spec.database
        ? { ...spec, database: { ...spec.database, cluster: shared.name, namespace: shared.namespace } }
        : spec,
    );
    return { ...built, app: { ...built.app, specs } };
  });
  if (errors.length) throw new ConfigErrors(errors);
  return out;
}

/**
 * Builds every enabled app with its settings and the secret config it reads. Every app is
 * built before any is rendered, so apps sharing a namespace can reference each other's
 * secrets (`<app>/<secret>`).
 */
function buildEnabledApps(step: AppsStep, units: PlatformUnits): BuiltApp[] {
  const { cluster, capabilities } = step;
  const allSecrets = step.config.secrets as Readonly<Record<string, pulumi.Output<string> | undefined>>;
  return cluster.apps.flatMap((name) => {
    const definition = units.apps.find((d) => d.name === name);
    const unit = cluster.appSettings?.[name];
    if (!definition || !unit) return [];
    const secrets: Record<string, pulumi.Output<string>> = {};
    for (const key of Object.keys(definition.secrets ?? {})) {
      const value = allSecrets[key];
      if (value) secrets[key] = value;
    }
    const app = definition.build(unit, {
      cluster: {
        name: cluster.name,
        kind: cluster.kind,
        domain: cluster.domain,
        capabilities,
      },
      secrets,
    });
    return [{ name, app, secrets }];
  });
}

/** The claims of one app's workloads, with the consumer fields its build adds (`databaseConsumers`). */
export function consumerClaims(
  clusterName: string,
  built: Pick<BuiltApp, "name" | "app">,
  claims: readonly DatabaseClaim[],
): ConsumerClaim[] {
  const patches = built.app.databaseConsumers ?? {};
  for (const spec of Object.keys(patches))
    if (!claims.some((c) => c.app === spec))
      throw new Error(
        `cluster ${clusterName}: app ${built.name} sets databaseConsumers.${spec}, but it has no spec named ${spec} that claims a database (claims: ${claims.map((c) => c.app).join(", ") || "none"}); name a spec with its own database`,
      );
  return claims.map((c) => ({ ...c, ...patches[c.app] }));
}

/**
 * Renders one built app through the workload component: its delivery items (and a
 * `<app>-shared` bundle for its extra objects), live Secrets and database claims.
 */
function renderApp(
  step: AppsStep,
  built: BuiltApp,
  peers: readonly AppSpec[],
  monitoring: ReturnType<typeof monitoringOf>,
): { items: DeliveryItem[]; liveSecrets: LiveSecret[]; claims: ConsumerClaim[] } {
  const { cluster, capabilities } = step;
  const { name, app, secrets } = built;
  const tracing = istioService.settingsOn(cluster)?.tracing;
  const workloads = buildWorkloads(
    app.specs.map((s) =>
      tolerating(
        withDependencies(s, app.namespace, monitoring.item),
        app.runsOnAutoscaledNodes ? autoscaledTaints(cluster) : [],
      ),
    ),
    {
      cluster: cluster.name,
      domain: cluster.domain,
      namespace: app.namespace,
      exposure: exposureOf(cluster, app.exposure ?? "cluster"),
      monitoring: monitoring.monitoring,
      defaultStorageClass: capabilities.defaultStorageClass,
      storageClasses: capabilities.storageClasses,
      secrets,
      parent: step.parent,
      peers,
      ...(tracing ? { meshTracing: { namespace: tracingNamespace(tracing), port: tracing.port } } : {}),
    },
  );
  for (const item of workloads.items) {
    const owner = step.owners.get(item.name);
    if (owner)
      throw new Error(
        `cluster ${cluster.name}: apps ${owner} and ${name} both deliver an item named ${item.name}; run them on different clusters`,
      );
    step.owners.set(item.name, name);
  }
  const items: DeliveryItem[] = [...workloads.items];
  if (app.objects?.length)
    items.push({
      kind: "bundle",
      name: `${name}-shared`,
      layer: "infrastructure-configs",
      namespace: app.namespace,
      dependsOn: [namespaceItemName(app.namespace)],
      objects: [...app.objects],
    });
  return {
    items,
    liveSecrets: [...workloads.liveSecrets, ...(app.liveSecrets ?? [])],
    claims: consumerClaims(cluster.name, built, workloads.databaseClaims),
  };
}

/** What one app adds to its namespace's labels and Pod Security level. */
function namespaceNeedsOf(built: BuiltApp, seen: NamespaceNeeds | undefined): NamespaceNeeds {
  const { name, app } = built;
  const before = seen ?? { labels: {}, baseline: [] };
  return {
    labels: {
      ...before.labels,
      ...(app.namespaceLabels ?? {}),
      // The shared Gateway admits routes only from labelled namespaces (networking.ts).
      ...(app.specs.some((s) => s.route) ? { [GATEWAY_ROUTES_LABEL]: "true" } : {}),
      // Each ClusterSecretStore serves only namespaces labelled for it (secretOperators.ts).
      ...Object.fromEntries(
        app.specs
          .flatMap((s) => Object.values(s.secrets ?? {}))
          .flatMap((source) =>
            source.type === "external" ? [[secretStoreLabel(source.store), "true"]] : [],
          ),
      ),
    },
    baseline: app.podSecurity ? [...before.baseline, `${name}: ${app.podSecurity.reason}`] : before.baseline,
  };
}

/** The bundle of one app namespace: the Namespace with its labels, and a default deny. */
function namespaceBundle(namespace: string, { labels, baseline }: NamespaceNeeds): Bundle {
  const object = namespaceObject(namespace);
  return {
    kind: "bundle",
    name: namespaceItemName(namespace),
    layer: "infrastructure-configs",
    namespace,
    objects: [
      {
        ...object,
        metadata: {
          ...object.metadata,
          labels: {
            ...object.metadata.labels,
            ...labels,
            ...(baseline.length ? { "pod-security.kubernetes.io/enforce": "baseline" } : {}),
          },
          ...(baseline.length
            ? {
                annotations: {
                  [`${OPT_OUT_ANNOTATION_PREFIX}pod-security-admission`]: baseline.join("; "),
                },
              }
            : {}),
        },
      },
      // Namespace-wide default deny: a pod no other policy selects (one the program did not
      // expect, or an operator created) gets no traffic in or out. NetworkPolicies are
      // additive, so each workload's own policy still allows what it declares.
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "default-deny-all", namespace },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
    ],
  };
}

/** `<namespace>/<database cluster>`: one CloudNativePG cluster on the cluster. */
const dbKey = (namespace: string, dbCluster: string) => `${namespace}/${dbCluster}`;

/** A spec that reaches a database cluster it does not claim, and the app setting that listed it. */
interface DatabaseClient {
  readonly namespace: string;
  readonly app: string;
  readonly definition: string;
  readonly setting: string;
}

/**
 * Who reaches each database cluster's pods: the specs of its namespace that claim or share
 * it, and the specs of any namespace that an app's build lists as its clients (an admin UI).
 * A listed cluster that no claim creates is a config error on the setting that listed it.
 */
function databaseAccess(
  cluster: ClusterConfig,
  builds: readonly BuiltApp[],
  claimsByNamespace: ReadonlyMap<string, readonly ConsumerClaim[]>,
): { users: Map<string, { namespace: string; app: string }[]>; clients: Map<string, DatabaseClient[]> } {
  const users = new Map<string, { namespace: string; app: string }[]>();
  const clients = new Map<string, DatabaseClient[]>();
  for (const { name, app } of builds) {
    for (const spec of app.specs) {
      if (!spec.database) continue;
      const key = dbKey(spec.database.namespace ?? app.namespace, spec.database.cluster);
      users.set(key, [...(users.get(key) ?? []), { namespace: app.namespace, app: spec.name }]);
    }
    for (const [spec, databases] of Object.entries(app.databaseClients?.specs ?? {}))
      for (const db of databases) {
        const key = dbKey(db.namespace, db.cluster);
        const client = {
          namespace: app.namespace,
          app: spec,
          definition: name,
          setting: app.databaseClients!.setting,
        };
        clients.set(key, [...(clients.get(key) ?? []), client]);
      }
  }
  const created = [...claimsByNamespace].flatMap(([namespace, claims]) =>
    claims.map((c) => dbKey(namespace, c.cluster)),
  );
  const unknown = [...clients].filter(([key]) => !created.includes(key));
  if (unknown.length)
    throw new ConfigErrors(
      unknown.map(
        ([key, listed]) =>
          new ConfigError(
            `platform:clusters.${cluster.name}.appSettings.${listed[0].definition}.${listed[0].setting}`,
            key,
            `${listed.map((a) => a.app).join(", ")} administers database cluster ${key}, which no app on this cluster creates (there are: ${[...new Set(created)].sort().join(", ") || "none"}); remove it from the list`,
          ),
      ),
    );
  return { users, clients };
}

/** The CloudNativePG cluster `dbCluster` of `namespace`, for its consumers. */
function databaseCluster(
  step: AppsStep,
  namespace: string,
  dbCluster: string,
  consumers: readonly ConsumerClaim[],
  access: ReturnType<typeof databaseAccess>,
  cnpg: NonNullable<ReturnType<typeof cloudnativePgService.settingsOn>>,
): ReturnType<typeof postgresCluster> {
  const { cluster, capabilities } = step;
  const allSecrets = step.config.secrets as Readonly<Record<string, pulumi.Output<string> | undefined>>;
  const shared =
    cnpg.sharedCluster?.name === dbCluster && cnpg.sharedCluster.namespace === namespace
      ? cnpg.sharedCluster
      : undefined;
  let operand: ReturnType<typeof operandOf>;
  try {
    operand = operandOf(cluster.name, dbCluster, consumers, cnpg.imageName);
  } catch (error) {
    // On a shared cluster the apps' needs meet because the stack listed them together.
    if (!shared || !(error instanceof Error)) throw error;
    throw new ConfigError(sharedAppsKey(cluster), shared.apps, error.message.replace(/^cluster [^:]+: /, ""));
  }
  const roles = consumers.map((c) => c.app);
  const twice = roles.filter((r, i) => roles.indexOf(r) !== i);
  if (shared && twice.length)
    throw new ConfigError(
      sharedAppsKey(cluster),
      shared.apps,
      `apps of different namespaces claim databases as ${[...new Set(twice)].join(", ")}, but a role name is unique in one cluster; leave one of them on a cluster of its own`,
    );
  const users = access.users.get(dbKey(namespace, dbCluster)) ?? [];
  const { monitoring, item: monitoringItem } = monitoringOf(cluster);
  const keyId = allSecrets[CNPG_BACKUP_KEY_ID];
  const secretKey = allSecrets[CNPG_BACKUP_SECRET_KEY];
  return postgresCluster({
    clusterName: cluster.name,
    name: dbCluster,
    namespace,
    instances: shared?.instances ?? cnpg.instances,
    storageClass: capabilities.defaultStorageClass,
    size: shared?.storageSize ?? cnpg.storageSize ?? CLOUDNATIVE_PG_DEFAULTS.storageSize,
    imageName: operand.imageName,
    ...(operand.priorityClassName ? { priorityClassName: operand.priorityClassName } : {}),
    ...(operand.sharedPreloadLibraries.length
      ? { sharedPreloadLibraries: operand.sharedPreloadLibraries }
      : {}),
    consumers: consumers.map((c) => ({
      app: c.app,
      database: c.database,
      ...(c.documentdb ? { documentdb: true } : {}),
      ...(c.verifyCa ? { verifyCa: true } : {}),
      ...(c.extensions?.length ? { extensions: c.extensions } : {}),
      ...(c.namespace !== namespace ? { namespace: c.namespace } : {}),
    })),
    ...(cnpg.backup
      ? {
          backup: {
            ...cnpg.backup,
            credentialsSecret: `${dbCluster}-backup-s3`,
            ...(keyId && secretKey
              ? { credentials: { accessKeyId: keyId, secretAccessKey: secretKey } }
              : {}),
          },
        }
      : {}),
    ...(cnpg.recovery ? { recovery: cnpg.recovery } : {}),
    network: {
      clients: [...new Set(users.filter((u) => u.namespace === namespace).map((u) => u.app))],
      // The apps of other namespaces that use a shared cluster, and the admin UIs given it.
      admins: [
        ...users.filter((u) => u.namespace !== namespace),
        ...(access.clients.get(dbKey(namespace, dbCluster)) ?? []).map((c) => ({
          namespace: c.namespace,
          app: c.app,
        })),
      ],
      // Talos clusters run Cilium (components/cluster/talos); K3s and k3d do not.
      cni: cluster.kind === "talos-hcloud" ? "cilium" : "other",
      apiServerCidrs: apiServerCidrs(cluster),
      operatorNamespace: CLOUDNATIVE_PG_DEFAULTS.namespace,
      ...(monitoring.kind !== "none" ? { scraperNamespace: monitoring.namespace } : {}),
    },
    ...(monitoring.kind !== "none" ? { scrape: monitoring.kind } : {}),
    parent: step.parent,
    // The scrape object's CRD arrives with the monitoring stack.
    dependsOn: [namespaceItemName(namespace), ...(monitoringItem ? [monitoringItem] : [])],
  });
}

/**
 * One CloudNativePG `PostgresCluster` per database cluster the claims of a namespace name,
 * with the backup settings of `serviceSettings.cloudnative-pg` and a NetworkPolicy admitting
 * exactly its users and clients.
 */
function databaseClusters(
  step: AppsStep,
  claimsByNamespace: ReadonlyMap<string, readonly ConsumerClaim[]>,
  access: ReturnType<typeof databaseAccess>,
): Pick<AppsDelivery, "items" | "liveSecrets" | "databases"> {
  const { cluster } = step;
  const out: Pick<AppsDelivery, "items" | "liveSecrets" | "databases"> = {
    items: [],
    liveSecrets: [],
    databases: {},
  };
  const cnpg = cloudnativePgService.settingsOn(cluster);
  for (const [namespace, claims] of claimsByNamespace) {
    const byCluster = new Map<string, ConsumerClaim[]>();
    for (const c of claims) byCluster.set(c.cluster, [...(byCluster.get(c.cluster) ?? []), c]);
    for (const [dbCluster, consumers] of byCluster) {
      if (!cnpg)
        throw new Error(`cluster ${cluster.name}: a database claim needs the cloudnative-pg service`);
      const db = databaseCluster(step, namespace, dbCluster, consumers, access, cnpg);
      if (step.owners.has(db.bundle.name))
        throw new Error(
          `cluster ${cluster.name}: the database cluster ${dbCluster} of ${namespace} clashes with an item of app ${step.owners.get(db.bundle.name)}; name one database cluster per cluster`,
        );
      step.owners.set(db.bundle.name, namespace);
      out.items.push(...db.items);
      out.liveSecrets.push(...db.liveSecrets);
      for (const c of consumers) {
        out.databases[`${cluster.name}/${c.app}`] = {
          cluster: cluster.name,
          host: db.host,
          port: "5432",
          database: c.database,
          namespace,
          credentialsSecret: db.userSecret(c.app),
        };
      }
    }
  }
  return out;
}

/**
 * Runs every enabled, built app of one cluster: build them all, render each through the
 * workload component, then the namespaces they run in and the database clusters they claim.
 * With `dryRun`, nothing is registered (no parent, no password), for the preflight.
 */
export function buildApps(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ClusterConfig,
  capabilities: ClusterCapabilities,
  dryRun = false,
): AppsDelivery {
  const out: AppsDelivery = { items: [], liveSecrets: [], apps: {}, databases: {}, waitingForImages: [] };
  if (!cluster.apps.some((name) => units.apps.some((d) => d.name === name) && cluster.appSettings?.[name]))
    return out;
  const step: AppsStep = {
    config,
    cluster,
    capabilities,
    parent: dryRun ? DRY_RUN : new Apps(`${cluster.name}-apps`),
    owners: new Map(),
  };
  const builds = withSharedDatabases(cluster, buildEnabledApps(step, units));
  const monitoring = monitoringOf(cluster);
  const claimsByNamespace = new Map<string, ConsumerClaim[]>();
  const namespaces = new Map<string, NamespaceNeeds>();
  for (const built of builds) {
    const { name, app } = built;
    const peers = builds.filter((b) => b.name !== name && b.app.namespace === app.namespace);
    const rendered = renderApp(
      step,
      built,
      peers.flatMap((b) => b.app.specs),
      monitoring,
    );
    out.items.push(...rendered.items);
    out.liveSecrets.push(...rendered.liveSecrets);
    // An app that delivers nothing yet (every workload waits for an image) creates nothing.
    if (app.specs.length || app.objects?.length || app.liveSecrets?.length)
      namespaces.set(app.namespace, namespaceNeedsOf(built, namespaces.get(app.namespace)));
    // Claims by the namespace of the database cluster they name (a shared one lives apart).
    for (const claim of rendered.claims) {
      const where = claim.clusterNamespace ?? app.namespace;
      claimsByNamespace.set(where, [...(claimsByNamespace.get(where) ?? []), claim]);
    }
    out.waitingForImages.push(...app.waitingForImages.map((image) => `${name}/${image}`));
    if (app.mainHost) {
      const host = app.mainHost.includes(".") ? app.mainHost : `${app.mainHost}.${cluster.domain}`;
      out.apps[`${cluster.name}/${name}`] = { cluster: cluster.name, url: `https://${host}` };
    }
  }
  // The shared database cluster's namespace: the Namespace and its default deny.
  const shared = cloudnativePgService.settingsOn(cluster)?.sharedCluster;
  if (shared && claimsByNamespace.has(shared.namespace) && !namespaces.has(shared.namespace))
    namespaces.set(shared.namespace, { labels: {}, baseline: [] });
  for (const [namespace, needs] of namespaces) out.items.push(namespaceBundle(namespace, needs));
  const databases = databaseClusters(
    step,
    claimsByNamespace,
    databaseAccess(cluster, builds, claimsByNamespace),
  );
  out.items.push(...databases.items);
  out.liveSecrets.push(...databases.liveSecrets);
  Object.assign(out.databases, databases.databases);
  return out;
}
