/**
 * Builds the application stacks a cluster enables: each app's builder gives its specs, the
 * workload component turns them into delivery items and live Secrets, and the database
 * claims become one CloudNativePG `PostgresCluster` per named database cluster in the app's
 * namespace (with the backup settings of `serviceSettings.cloudnative-pg`). How routes reach
 * the apps and how metrics are scraped follow the cluster's services.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppBuild } from "../components/apps/types";
import {
  buildWorkloads,
  type AppSpec,
  type DatabaseClaim,
  type ExposureTarget,
  type Monitoring,
  type Placement,
} from "../components/apps/workload";
import { capabilitiesOf } from "../components/cluster/capabilities";
import type { ClusterHandle } from "../components/cluster/contract";
import type { Bundle, DeliveryItem, LiveSecret } from "../components/gitops/delivery";
import { MONITORING_NAMESPACE, VM_NAMESPACE } from "../components/platform/monitoring";
import { apiServerCidrs } from "../components/platform/namespace-policies";
import {
  CNPG_BACKUP_KEY_ID,
  CNPG_BACKUP_SECRET_KEY,
  cloudnativePgService,
  postgresCluster,
} from "../components/platform/postgres";
import {
  CILIUM_GATEWAY_DEFAULTS as GW,
  CLOUDNATIVE_PG_DEFAULTS,
  ISTIO_DEFAULTS,
} from "../config/services/networking-data";
import { ConfigError, ConfigErrors } from "../config/reader";
import type { ClusterConfig, StackConfig, Taint } from "../config/types";
import { GATEWAY_ROUTES_LABEL, namespaceObject, secretStoreLabel } from "../lib/namespaces";
import { OPT_OUT_ANNOTATION_PREFIX } from "../policy/exceptions";
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
  if (capabilitiesOf(cluster).ingress === "gateway-api") {
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

/** Runs every enabled, built app of one cluster. */
export function buildApps(
  config: StackConfig,
  units: PlatformUnits,
  cluster: ClusterConfig,
  handle: ClusterHandle,
): AppsDelivery {
  const out: AppsDelivery = { items: [], liveSecrets: [], apps: {}, databases: {}, waitingForImages: [] };
  const built = cluster.apps.flatMap((name) => {
    const definition = units.apps.find((d) => d.name === name);
    const unit = cluster.appSettings?.[name];
    return definition && unit ? [{ name, definition, unit }] : [];
  });
  if (built.length === 0) return out;
  const parent = new Apps(`${cluster.name}-apps`);
  const allSecrets = config.secrets as Readonly<Record<string, pulumi.Output<string> | undefined>>;
  const { monitoring, item: monitoringItem } = monitoringOf(cluster);
  const elasticTaints = autoscaledTaints(cluster);
  const owners = new Map<string, string>();
  const claimsByNamespace = new Map<string, DatabaseClaim[]>();
  const namespaces = new Map<string, { labels: Record<string, string>; baseline: string[] }>();
  // Every app is built first, so apps sharing a namespace can reference each other's
  // secrets (`<app>/<secret>`) when their workloads are rendered.
  const builds = built.map(({ name, definition, unit }) => {
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
        capabilities: handle.capabilities,
      },
      secrets,
    });
    return { name, app, secrets };
  });
  for (const { name, app, secrets } of builds) {
    const peers = builds.filter((b) => b.name !== name && b.app.namespace === app.namespace);
    const workloads = buildWorkloads(
      app.specs.map((s) =>
        tolerating(
          withDependencies(s, app.namespace, monitoringItem),
          app.runsOnAutoscaledNodes ? elasticTaints : [],
        ),
      ),
      {
        cluster: cluster.name,
        domain: cluster.domain,
        namespace: app.namespace,
        exposure: exposureOf(cluster, app.exposure ?? "cluster"),
        monitoring,
        defaultStorageClass: handle.capabilities.defaultStorageClass,
        storageClasses: handle.capabilities.storageClasses,
        secrets,
        parent,
        peers: peers.flatMap((b) => b.app.specs),
      },
    );
    for (const item of workloads.items) {
      const owner = owners.get(item.name);
      if (owner)
        throw new Error(
          `cluster ${cluster.name}: apps ${owner} and ${name} both deliver an item named ${item.name}; run them on different clusters`,
        );
      owners.set(item.name, name);
    }
    out.items.push(...workloads.items);
    if (app.objects?.length)
      out.items.push({
        kind: "bundle",
        name: `${name}-shared`,
        layer: "infrastructure-configs",
        namespace: app.namespace,
        dependsOn: [namespaceItemName(app.namespace)],
        objects: [...app.objects],
      });
    out.liveSecrets.push(...workloads.liveSecrets, ...(app.liveSecrets ?? []));
    // An app that delivers nothing yet (every workload waits for an image) creates nothing.
    if (app.specs.length || app.objects?.length || app.liveSecrets?.length) {
      const seen = namespaces.get(app.namespace) ?? { labels: {}, baseline: [] };
      namespaces.set(app.namespace, {
        labels: {
          ...seen.labels,
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
        baseline: app.podSecurity ? [...seen.baseline, `${name}: ${app.podSecurity.reason}`] : seen.baseline,
      });
    }
    claimsByNamespace.set(app.namespace, [
      ...(claimsByNamespace.get(app.namespace) ?? []),
      ...workloads.databaseClaims,
    ]);
    out.waitingForImages.push(...app.waitingForImages.map((image) => `${name}/${image}`));
    if (app.mainHost) {
      const host = app.mainHost.includes(".") ? app.mainHost : `${app.mainHost}.${cluster.domain}`;
      out.apps[`${cluster.name}/${name}`] = { cluster: cluster.name, url: `https://${host}` };
    }
  }
  for (const [namespace, { labels, baseline }] of namespaces) {
    const object = namespaceObject(namespace);
    out.items.push({
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
    } satisfies Bundle);
  }
  // Who reaches each database cluster's pods: the apps of its namespace that use it, and the
  // admin UIs (pgAdmin) that list it.
  const dbKey = (namespace: string, dbCluster: string) => `${namespace}/${dbCluster}`;
  const dbClients = new Map<string, string[]>();
  const dbAdmins = new Map<string, { namespace: string; app: string }[]>();
  for (const { app } of builds) {
    for (const spec of app.specs) {
      if (spec.database) {
        const key = dbKey(app.namespace, spec.database.cluster);
        dbClients.set(key, [...(dbClients.get(key) ?? []), spec.name]);
      }
      for (const db of spec.databaseAdmin ?? []) {
        const key = dbKey(db.namespace, db.cluster);
        dbAdmins.set(key, [...(dbAdmins.get(key) ?? []), { namespace: app.namespace, app: spec.name }]);
      }
    }
  }
  const cnpg = cloudnativePgService.settingsOn(cluster);
  const created = [...claimsByNamespace].flatMap(([namespace, claims]) =>
    claims.map((c) => dbKey(namespace, c.cluster)),
  );
  const unknownAdmins = [...dbAdmins].filter(([key]) => !created.includes(key));
  if (unknownAdmins.length)
    throw new ConfigErrors(
      unknownAdmins.map(
        ([key, admins]) =>
          new ConfigError(
            `platform:clusters.${cluster.name}.appSettings.${admins[0].app}.databases`,
            key,
            `${admins.map((a) => a.app).join(", ")} administers database cluster ${key}, which no app on this cluster creates (there are: ${[...new Set(created)].sort().join(", ") || "none"}); remove it from the list`,
          ),
      ),
    );
  for (const [namespace, claims] of claimsByNamespace) {
    const byCluster = new Map<string, DatabaseClaim[]>();
    for (const c of claims) byCluster.set(c.cluster, [...(byCluster.get(c.cluster) ?? []), c]);
    for (const [dbCluster, consumers] of byCluster) {
      if (!cnpg)
        throw new Error(`cluster ${cluster.name}: a database claim needs the cloudnative-pg service`);
      const operand = operandOf(cluster.name, dbCluster, consumers, cnpg.imageName);
      const keyId = allSecrets[CNPG_BACKUP_KEY_ID];
      const secretKey = allSecrets[CNPG_BACKUP_SECRET_KEY];
      const db = postgresCluster({
        clusterName: cluster.name,
        name: dbCluster,
        namespace,
        instances: cnpg.instances,
        storageClass: handle.capabilities.defaultStorageClass,
        size: cnpg.storageSize ?? CLOUDNATIVE_PG_DEFAULTS.storageSize,
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
          clients: [...new Set(dbClients.get(dbKey(namespace, dbCluster)) ?? [])],
          admins: dbAdmins.get(dbKey(namespace, dbCluster)) ?? [],
          // Talos clusters run Cilium (components/cluster/talos); K3s and k3d do not.
          cni: cluster.kind === "talos-hcloud" ? "cilium" : "other",
          apiServerCidrs: apiServerCidrs(cluster),
          operatorNamespace: CLOUDNATIVE_PG_DEFAULTS.namespace,
        },
        parent,
        dependsOn: [namespaceItemName(namespace)],
      });
      if (owners.has(db.bundle.name))
        throw new Error(
          `cluster ${cluster.name}: the database cluster ${dbCluster} of ${namespace} clashes with an item of app ${owners.get(db.bundle.name)}; name one database cluster per cluster`,
        );
      owners.set(db.bundle.name, namespace);
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
