/**
 * The `PostgresCluster` building block app stacks use for their databases: a CloudNativePG
 * `Cluster` with its roles, databases, Barman Cloud backups and NetworkPolicies.
 */

import { postgresNetworkPolicies, type PostgresNetwork } from "../postgres-network";
import * as pulumi from "@pulumi/pulumi";
import { generatedPassword, type PasswordParent } from "../../../lib/generated-password";
import { type PostgresBackupSettings, type PostgresRecoverySettings } from "./settings";
import {
  KEEP_ON_PRUNE,
  type Bundle,
  type JsonValue,
  type KubeObject,
  type LiveSecret,
} from "../../gitops/delivery";
import type { ServiceBuild } from "../types";
import { CNPG_OPERATOR_ITEM, CNPG_PLUGIN_ITEM, BARMAN_PLUGIN } from "./index";

/**
 * PostgreSQL with the DocumentDB extension for FerretDB (004: Nightscout via FerretDB).
 * FerretDB's image is Debian's postgres image, so the postgres user is 999, not CNPG's 26;
 * `documentdb` must be preloaded with `pg_cron` and lives in the `postgres` database, where
 * pg_cron runs (docs.ferretdb.io "DocumentDB / Docker"). Not verified end to end with CNPG.
 */
export const DOCUMENTDB = {
  // docs.ferretdb.io v2.7 "Kubernetes": ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0.
  // renovate: image
  imageName: "ghcr.io/ferretdb/postgres-documentdb:17-0.107.0-ferretdb-2.7.0",
  uid: 999,
  sharedPreloadLibraries: ["pg_cron", "pg_documentdb_core", "pg_documentdb"],
  database: "postgres",
  // The extension's API schemas are owned by this role; FerretDB's login needs it.
  role: "documentdb_admin_role",
  /**
   * Run once when the cluster is created. FerretDB sets `documentdb.enableUserCrud` and
   * `documentdb.maxUserLimit` on every new connection (internal/documentdb/pool_new.go), which
   * a role that is not a superuser may not do: FerretDB's own docs connect as a superuser, and
   * FerretDB/FerretDB#4997 ("permission denied to set parameter documentdb.maxuserlimit") gives
   * the grant that lets the DocumentDB admin role (which the app's login joins) set them.
   * PostgreSQL 15+ grants SET on an extension's parameters by name.
   */
  postInitSQL: [
    "CREATE EXTENSION IF NOT EXISTS documentdb CASCADE;",
    "GRANT SET ON PARAMETER documentdb.enableusercrud, documentdb.maxuserlimit TO documentdb_admin_role;",
  ],
} as const;

/** One app that uses the database cluster. */
export interface PostgresConsumer {
  /** App name: the role name, and `postgres-<app>-user` Secret (000). */
  readonly app: string;
  /** Database name; ignored for DocumentDB consumers (they use `postgres`). @default the app name */
  readonly database?: string;
  /** Whether the app talks to the cluster through FerretDB (needs the DocumentDB extension). @default false */
  readonly documentdb?: boolean;
  /** Extensions the consumer's `Database` creates, in order (CNPG declarative extensions). @default none */
  readonly extensions?: readonly string[];
  /**
   * The consumer's URI verifies the server against the cluster's CA (`sslmode=verify-ca` with
   * `sslrootcert` at {@link DATABASE_CA_PATH}, where the workload mounts it); else
   * `sslmode=require`. @default false
   */
  readonly verifyCa?: boolean;
  /**
   * The consumer's namespace, when it is not the cluster's (a shared cluster): its
   * `postgres-<app>-user` Secret is applied there too, where the app reads it; the copy in
   * the cluster's namespace is the one the managed role reads. @default the cluster's namespace
   */
  readonly namespace?: string;
}

/** Where a verifying client finds its database cluster's CA certificate (`ca.crt`). */
export const DATABASE_CA_PATH = "/etc/postgresql-ca/ca.crt";

/**
 * The Secret CloudNativePG keeps its cluster CA in: `<cluster>-ca`, keys `ca.crt` and `ca.key`
 * (cloudnative-pg docs "Certificates"); a client mounts only `ca.crt`.
 */
export function databaseCaSecretName(cluster: string): string {
  return `${cluster}-ca`;
}

/** Object-store backups of one database cluster. */
export interface PostgresBackup extends PostgresBackupSettings {
  /** Secret in the cluster's namespace with `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`. */
  readonly credentialsSecret: string;
  /** When given, the Secret is applied live from these values. @default none: the Secret exists already */
  readonly credentials?: {
    readonly accessKeyId: pulumi.Output<string>;
    readonly secretAccessKey: pulumi.Output<string>;
  };
}

export interface PostgresClusterArgs {
  /** Kubernetes cluster name: keeps generated-password resource names stable and unique. */
  readonly clusterName: string;
  /** Database cluster name (DNS label); the read-write Service is `<name>-rw`. */
  readonly name: string;
  readonly namespace: string;
  readonly instances: number;
  readonly storageClass: string;
  readonly size: string;
  /** Pinned operand image; DocumentDB consumers switch it to {@link DOCUMENTDB}'s image. */
  readonly imageName: string;
  readonly consumers: readonly PostgresConsumer[];
  /** Libraries to preload (e.g. `vchord.so`); DocumentDB's are added for DocumentDB consumers. @default none */
  readonly sharedPreloadLibraries?: readonly string[];
  /** PriorityClass of every instance pod (CNPG `spec.priorityClassName`). @default none */
  readonly priorityClassName?: string;
  /** Daily plugin backups to an object store, and the WAL archive. @default none: no backups */
  readonly backup?: PostgresBackup;
  /** Bootstrap from the backup archive instead of an empty database (needs `backup`). @default none: an empty database */
  readonly recovery?: PostgresRecoverySettings;
  /** Parent of the generated passwords (`DRY_RUN` in the preflight's dry pass). */
  readonly parent: PasswordParent;
  /** Extra items to wait for (the operator and plugin are always waited for). @default none */
  readonly dependsOn?: readonly string[];
  /** Who reaches the database pods the operator creates (postgresNetwork.ts). */
  readonly network: PostgresNetwork;
  /**
   * The cluster's monitoring operator: a PodMonitor (prometheus-operator) or VMPodScrape
   * (VictoriaMetrics operator) for the instances' exporter, which CloudNativePG's dashboard
   * reads. @default none: no scrape object
   */
  readonly scrape?: "prometheus-operator" | "victoria-metrics";
}

export interface PostgresClusterBuild extends ServiceBuild {
  readonly bundle: Bundle;
  /** `<name>-rw.<namespace>.svc`: the primary. */
  readonly host: string;
  /** Name of the `postgres-<app>-user` Secret of an app. */
  readonly userSecret: (app: string) => string;
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Role and `Secret` names per consumer (000: "postgres-{service}-user"). */
export function postgresUserSecretName(app: string): string {
  return `postgres-${app}-user`;
}

/** What the checked arguments decide for the whole database cluster. */
interface PostgresPlan {
  /** Whether a consumer talks through FerretDB, so the cluster runs the DocumentDB image. */
  readonly documentdb: boolean;
  /** `shared_preload_libraries`, DocumentDB's first when it runs. */
  readonly preload: readonly string[];
  /** `<name>-rw.<namespace>.svc`: the primary. */
  readonly host: string;
  /** Name of the Barman Cloud `ObjectStore` of its backups (and of its recovery source). */
  readonly store: string;
}

/** Checks the arguments (names, consumers, recovery, preload libraries) and plans the cluster. */
function planPostgres(args: PostgresClusterArgs): PostgresPlan {
  const where = `PostgresCluster "${args.name}"`;
  if (!LABEL.test(args.name)) throw new Error(`${where}: name must be a DNS label`);
  if (args.consumers.length === 0) throw new Error(`${where}: needs at least one consumer app`);
  if (args.recovery && !args.backup)
    throw new Error(`${where}: recovery needs backup (the object store to restore from)`);
  const apps = new Set<string>();
  for (const c of args.consumers) {
    if (!LABEL.test(c.app)) throw new Error(`${where}: consumer "${c.app}" must be a DNS label`);
    if (apps.has(c.app)) throw new Error(`${where}: consumer "${c.app}" is listed twice`);
    apps.add(c.app);
  }
  const documentdb = args.consumers.some((c) => c.documentdb);
  if (documentdb && args.sharedPreloadLibraries?.length)
    throw new Error(
      `${where}: DocumentDB consumers run the DocumentDB image, which has none of sharedPreloadLibraries ${args.sharedPreloadLibraries.join(", ")}; give them separate database clusters`,
    );
  const preload = [
    ...new Set([
      ...(documentdb ? DOCUMENTDB.sharedPreloadLibraries : []),
      ...(args.sharedPreloadLibraries ?? []),
    ]),
  ];
  return {
    documentdb,
    preload,
    host: `${args.name}-rw.${args.namespace}.svc`,
    store: `${args.name}-backup`,
  };
}

/** The consumers' managed roles (CNPG `spec.managed.roles`) and their credential Secrets. */
interface ConsumerRoles {
  readonly roles: readonly { [key: string]: JsonValue }[];
  readonly secrets: readonly LiveSecret[];
}

/** One generated password, role and `postgres-<app>-user` Secret per consumer. */
function consumerRoles(args: PostgresClusterArgs, plan: PostgresPlan): ConsumerRoles {
  const secrets: LiveSecret[] = [];
  const roles = args.consumers.map((c) => {
    const password = generatedPassword(
      `${args.clusterName}-postgres-${args.name}-${c.app}`,
      // Alphanumeric only, so the password needs no escaping inside the URI.
      { length: 32, special: false },
      args.parent,
    );
    const database = c.documentdb ? DOCUMENTDB.database : (c.database ?? c.app);
    const namespaces = [...new Set([args.namespace, c.namespace ?? args.namespace])];
    secrets.push(
      ...namespaces.map((namespace): LiveSecret => ({
        name: postgresUserSecretName(c.app),
        namespace,
        // The type CloudNativePG's own app Secrets have (username, password, uri, ...) and its
        // managed roles read (cloudnative-pg docs "PostgreSQL Role management", passwordSecret).
        type: "kubernetes.io/basic-auth",
        stringData: {
          username: c.app,
          password: password.result,
          // CNPG serves TLS with its own CA on every cluster, so clients require it.
          // With verifyCa, libpq also checks the server certificate against the cluster's CA
          // (libpq "SSL Mode Descriptions": verify-ca; sslrootcert names the CA file).
          uri: pulumi.interpolate`postgresql://${c.app}:${password.result}@${plan.host}:5432/${database}?${c.verifyCa ? `sslmode=verify-ca&sslrootcert=${DATABASE_CA_PATH}` : "sslmode=require"}`,
        },
      })),
    );
    return {
      name: c.app,
      ensure: "present",
      login: true,
      passwordSecret: { name: postgresUserSecretName(c.app) },
      ...(c.documentdb ? { inRoles: [DOCUMENTDB.role] } : {}),
    };
  });
  return { roles, secrets };
}

/**
 * How the cluster starts and archives: recovery from the backup archive, DocumentDB's
 * extension on an empty database, and the Barman Cloud plugin as WAL archiver.
 */
function bootstrapAndArchiving(args: PostgresClusterArgs, plan: PostgresPlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Bootstrap runs once, when the Cluster is created; switching recovery on later changes nothing.
  if (args.recovery && args.backup) {
    out.bootstrap = {
      recovery: {
        source: "origin",
        ...(args.recovery.targetTime ? { recoveryTarget: { targetTime: args.recovery.targetTime } } : {}),
      },
    };
    out.externalClusters = [
      {
        name: "origin",
        plugin: {
          name: BARMAN_PLUGIN,
          parameters: {
            barmanObjectName: plan.store,
            serverName: `${args.name}${args.recovery.fromArchiveSuffix}`,
          },
        },
      },
    ];
  } else if (plan.documentdb) {
    out.bootstrap = { initdb: { postInitSQL: [...DOCUMENTDB.postInitSQL] } };
  }
  if (args.backup) {
    out.plugins = [
      {
        name: BARMAN_PLUGIN,
        isWALArchiver: true,
        parameters: { barmanObjectName: plan.store, serverName: `${args.name}${args.backup.archiveSuffix}` },
      },
    ];
  }
  return out;
}

/** The CNPG `Cluster` object itself. */
function clusterObject(args: PostgresClusterArgs, plan: PostgresPlan, roles: ConsumerRoles): KubeObject {
  const spec: Record<string, unknown> = {
    instances: args.instances,
    imageName: plan.documentdb ? DOCUMENTDB.imageName : args.imageName,
    ...(plan.documentdb ? { postgresUID: DOCUMENTDB.uid, postgresGID: DOCUMENTDB.uid } : {}),
    ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
    primaryUpdateStrategy: "unsupervised",
    enableSuperuserAccess: false,
    storage: { storageClass: args.storageClass, size: args.size },
    postgresql: {
      ...(plan.preload.length ? { shared_preload_libraries: plan.preload } : {}),
      ...(plan.documentdb ? { parameters: { "cron.database_name": DOCUMENTDB.database } } : {}),
    },
    managed: { roles: roles.roles },
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    ...bootstrapAndArchiving(args, plan),
  };
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    // Deleting the Cluster deletes its volumes: neither engine prunes it, Pulumi retains it.
    metadata: { name: args.name, namespace: args.namespace, annotations: { ...KEEP_ON_PRUNE } },
    spec: spec as unknown as JsonValue,
  };
}

/** One CNPG `Database` per consumer that is not a DocumentDB one (those use `postgres`). */
function consumerDatabases(args: PostgresClusterArgs): KubeObject[] {
  return args.consumers
    .filter((x) => !x.documentdb)
    .map((c) => ({
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Database",
      metadata: { name: `${args.name}-${c.app}`, namespace: args.namespace },
      // `databaseReclaimPolicy` stays at its default `retain`: deleting the CR keeps the data.
      spec: {
        name: c.database ?? c.app,
        owner: c.app,
        cluster: { name: args.name },
        ensure: "present",
        ...(c.extensions?.length
          ? { extensions: c.extensions.map((name) => ({ name, ensure: "present" })) }
          : {}),
      },
    }));
}

/** The backups' objects (ObjectStore, daily ScheduledBackup) and their credentials Secret. */
interface BackupObjects {
  readonly objects: readonly KubeObject[];
  readonly secrets: readonly LiveSecret[];
}

/** Barman Cloud plugin backups of the cluster to its object store, when `backup` is set. */
function backupObjects(args: PostgresClusterArgs, plan: PostgresPlan): BackupObjects {
  const b = args.backup;
  if (!b) return { objects: [], secrets: [] };
  const objects: KubeObject[] = [
    {
      apiVersion: "barmancloud.cnpg.io/v1",
      kind: "ObjectStore",
      metadata: { name: plan.store, namespace: args.namespace },
      spec: {
        retentionPolicy: b.retention,
        configuration: {
          destinationPath: b.destinationPath,
          endpointURL: b.endpointURL,
          s3Credentials: {
            accessKeyId: { name: b.credentialsSecret, key: "ACCESS_KEY_ID" },
            secretAccessKey: { name: b.credentialsSecret, key: "ACCESS_SECRET_KEY" },
          },
          wal: { compression: "gzip" },
          data: { compression: "gzip" },
        },
      },
    },
    {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: { name: `${args.name}-daily`, namespace: args.namespace },
      spec: {
        schedule: b.schedule,
        backupOwnerReference: "self",
        cluster: { name: args.name },
        method: "plugin",
        pluginConfiguration: { name: BARMAN_PLUGIN },
      },
    },
  ];
  const secrets: LiveSecret[] = b.credentials
    ? [
        {
          name: b.credentialsSecret,
          namespace: args.namespace,
          stringData: {
            ACCESS_KEY_ID: b.credentials.accessKeyId,
            ACCESS_SECRET_KEY: b.credentials.secretAccessKey,
          },
        },
      ]
    : [];
  return { objects, secrets };
}

/**
 * The scrape object of the instances' metrics exporter. CloudNativePG's docs ("Monitoring",
 * "Prometheus Operator example") scrape a cluster with a PodMonitor selecting its pods by
 * `cnpg.io/cluster` on the port named `metrics`; `spec.monitoring.enablePodMonitor` would have
 * the operator create it, but that field is deprecated in favour of a PodMonitor made by hand.
 * The VictoriaMetrics operator's VMPodScrape has the same `selector` and `podMetricsEndpoints`
 * (docs.victoriametrics.com/operator/resources/vmpodscrape). Both operators, as the program
 * installs them, select such objects in every namespace (kube-prometheus-stack/index.ts
 * `podMonitorSelector: {}`; victoria-metrics-k8s-stack's VMAgent `selectAllByDefault`).
 */
function scrapeObjects(args: PostgresClusterArgs): KubeObject[] {
  if (!args.scrape) return [];
  const spec = {
    selector: { matchLabels: { "cnpg.io/cluster": args.name } },
    podMetricsEndpoints: [{ port: "metrics" }],
  };
  const metadata = { name: `${args.name}-postgres`, namespace: args.namespace };
  return [
    args.scrape === "prometheus-operator"
      ? { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata, spec }
      : { apiVersion: "operator.victoriametrics.com/v1beta1", kind: "VMPodScrape", metadata, spec },
  ];
}

/**
 * A CloudNativePG database cluster with one managed role and `Database` per consumer, the
 * consumers' credentials as live Secrets, and optional plugin backups and recovery.
 */
export function postgresCluster(args: PostgresClusterArgs): PostgresClusterBuild {
  const plan = planPostgres(args);
  const roles = consumerRoles(args, plan);
  const backup = backupObjects(args, plan);
  const objects: KubeObject[] = [
    clusterObject(args, plan, roles),
    ...consumerDatabases(args),
    ...backup.objects,
    // The operator's pods are nobody else's: the program's policies select them by label.
    ...postgresNetworkPolicies(args.name, args.namespace, args.network, args.backup !== undefined),
    ...scrapeObjects(args),
  ];
  const bundle: Bundle = {
    kind: "bundle",
    name: `postgres-${args.name}`,
    layer: "infrastructure-configs",
    namespace: args.namespace,
    dependsOn: [CNPG_OPERATOR_ITEM, ...(args.backup ? [CNPG_PLUGIN_ITEM] : []), ...(args.dependsOn ?? [])],
    // A recovery replays the archive before the cluster turns ready.
    timeout: args.recovery ? "60m" : "15m",
    objects,
  };
  return {
    items: [bundle],
    liveSecrets: [...roles.secrets, ...backup.secrets],
    bundle,
    host: plan.host,
    userSecret: postgresUserSecretName,
  };
}
