/**
 * Settings of the cloudnative-pg platform service (`serviceSettings.cloudnative-pg` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { DNS_LABEL } from "../../../config/clusters";
import { ConfigError, type Reader } from "../../../config/reader";
import type { ClusterConfig, ClusterKind } from "../../../config/types";
import { K8S_QUANTITY, SIX_FIELD_CRON, RETENTION, RFC3339 } from "../settings-patterns";

/** CloudNativePG (sources 000, 002, 004) and its Barman Cloud plugin. */
export const CLOUDNATIVE_PG_DEFAULTS = {
  // cloudnative-pg/charts release cloudnative-pg-v0.26.1 (operator 1.27.x, Oct 2025).
  operatorChart: {
    repository: "https://cloudnative-pg.github.io/charts",
    name: "cloudnative-pg",
    // renovate: datasource=helm depName=cloudnative-pg registryUrl=https://cloudnative-pg.github.io/charts
    version: "0.26.1",
  },
  // cloudnative-pg/charts charts/plugin-barman-cloud/Chart.yaml: version 0.2.0, appVersion v0.7.0.
  // The in-tree barmanObjectStore is deprecated since CNPG 1.26 in favour of this plugin
  // (cloudnative-pg docs/src/backup.md); it needs cert-manager for its TLS (plugin docs, "Requirements").
  pluginChart: {
    repository: "https://cloudnative-pg.github.io/charts",
    name: "plugin-barman-cloud",
    // renovate: datasource=helm depName=plugin-barman-cloud registryUrl=https://cloudnative-pg.github.io/charts
    version: "0.2.0",
  },
  /** The plugin must run in the operator's namespace (plugin docs, "Installation"). */
  namespace: "cnpg-system",
  /** Instances per cluster: homelab production 3 (004), Steady prod 1 (000), k3d staging 1. */
  instances: { k3s: 3, "talos-hcloud": 1, "k3d-proxmox": 1, existing: 1 } satisfies Record<
    ClusterKind,
    number
  >,
  storageSize: "10Gi",
  // PostgreSQL 17 (002: "Spilo 17"); CNPG's own operand image, tag format from
  // cloudnative-pg/postgres-containers README.
  // renovate: image
  imageName: "ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie",
  // Daily at 03:00 (002 "daily at 3am"); CNPG schedules have six fields, seconds first
  // (cloudnative-pg docs/src/backup.md "Cron Schedule").
  backupSchedule: "0 0 3 * * *",
  /** 30-day retention on Backblaze B2 (004). */
  backupRetention: "30d",
} as const;

export interface PostgresBackupSettings {
  /** `s3://bucket/path` of the archive; each database cluster archives into `<path>/<cluster><archiveSuffix>`. */
  readonly destinationPath: string;
  /** S3 endpoint, e.g. `https://s3.eu-central-003.backblazeb2.com` for B2. */
  readonly endpointURL: string;
  readonly retention: string;
  readonly schedule: string;
  /** Appended to each database cluster's archive folder (Barman `serverName`); "" by default. */
  readonly archiveSuffix: string;
}

export interface PostgresRecoverySettings {
  /** Suffix of the archive folders to restore from ("" = the folders written without a suffix). */
  readonly fromArchiveSuffix: string;
  /** Point in time (RFC 3339) to recover to. @default the latest WAL */
  readonly targetTime?: string;
}

/**
 * One database cluster the listed apps share, in a namespace of its own, instead of one
 * cluster per app: document 004 runs one 3-instance cluster (namespace `database`) in which
 * "each application has its own database". Each app gets its own database and login role in
 * it (CNPG `Database`, `managed.roles`).
 */
export interface SharedPostgresSettings {
  /** The CNPG `Cluster` name (its read-write Service is `<name>-rw`). @default "shared" */
  readonly name: string;
  /** Namespace of the cluster (004: `database`). @default "database" */
  readonly namespace: string;
  /** The apps whose databases live in it (apps of this cluster that claim a database). */
  readonly apps: readonly string[];
  /** @default the service's `instances` */
  readonly instances: number;
  /** @default the service's `storageSize` */
  readonly storageSize: string;
}

export interface CloudnativePgSettings {
  readonly instances: number;
  readonly storageSize: string;
  readonly imageName: string;
  /** Present when backups to an object store are configured. @default none (no backups) */
  readonly backup?: PostgresBackupSettings;
  /**
   * Present when new database clusters bootstrap from the backup archive (disaster recovery, 004).
   * @default none (new clusters start empty)
   */
  readonly recovery?: PostgresRecoverySettings;
  /**
   * Present when some apps share one database cluster (`sharedCluster`).
   * @default none (one database cluster per app, as the apps' own claims name them)
   */
  readonly sharedCluster?: SharedPostgresSettings;
}

/**
 * `sharedCluster`: which apps share one cluster. Listing an app gives it a new, empty
 * database there: nothing moves its data out of the cluster it had (which engines and Pulumi
 * keep, never delete), so `acknowledgeEmptyDatabases: true` must confirm that.
 */
function parseSharedCluster(
  r: Reader,
  cluster: ClusterConfig,
  instances: number,
  storageSize: string,
): SharedPostgresSettings {
  const s = r
    .object("sharedCluster")
    .only(["name", "namespace", "apps", "instances", "storageSize", "acknowledgeEmptyDatabases"]);
  const label = { pattern: DNS_LABEL, expected: "a DNS label such as shared" };
  const apps = s.stringList("apps", label);
  if (apps.length === 0)
    throw new ConfigError(s.key("apps"), apps, "list the apps whose databases the shared cluster holds");
  const unknown = apps.filter((a) => !cluster.apps.includes(a));
  if (unknown.length)
    throw new ConfigError(
      s.key("apps"),
      apps,
      `${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not in this cluster's apps (${cluster.apps.join(", ") || "none"}); list only apps it runs`,
    );
  if (!s.boolean("acknowledgeEmptyDatabases", false))
    throw new ConfigError(
      s.key("acknowledgeEmptyDatabases"),
      s.has("acknowledgeEmptyDatabases") ? false : undefined,
      `each listed app (${apps.join(", ")}) gets a new, empty database in the shared cluster; an app's own cluster is kept with its data (never deleted), but nothing copies the data over. Set it to true for apps with no data yet, or after copying the data yourself (README "A shared database cluster")`,
    );
  return {
    name: s.string("name", label, "shared"),
    namespace: s.string("namespace", label, "database"),
    apps,
    instances: s.integer("instances", { min: 1, max: 9 }, instances),
    storageSize: s.string(
      "storageSize",
      { pattern: K8S_QUANTITY, expected: "a size such as 10Gi" },
      storageSize,
    ),
  };
}

const SUFFIX = { pattern: /^(-[a-z0-9]+)?$/, expected: 'empty or a suffix such as "-r1"' };

export function parseCloudnativePgSettings(r: Reader, cluster: ClusterConfig): CloudnativePgSettings {
  const d = CLOUDNATIVE_PG_DEFAULTS;
  r.only(["instances", "storageSize", "imageName", "backup", "recovery", "sharedCluster"]);
  const imageName = r.string("imageName", {}, d.imageName);
  if (/:latest$/.test(imageName) || !/:[^/]+$/.test(imageName)) {
    throw new ConfigError(
      r.key("imageName"),
      imageName,
      "expected a pinned image with a version tag, never latest",
    );
  }
  let backup: PostgresBackupSettings | undefined;
  if (r.has("backup")) {
    const b = r
      .object("backup")
      .only(["destinationPath", "endpointURL", "retention", "schedule", "archiveSuffix"]);
    backup = {
      destinationPath: b.string("destinationPath", {
        pattern: /^s3:\/\/[a-z0-9.-]+(\/\S*)?$/,
        expected: "s3://bucket/path",
      }),
      endpointURL: b.string("endpointURL", {
        pattern: /^https:\/\/\S+$/,
        expected: "an https:// S3 endpoint URL",
      }),
      retention: b.string(
        "retention",
        { pattern: RETENTION, expected: "a retention such as 30d" },
        d.backupRetention,
      ),
      schedule: b.string(
        "schedule",
        {
          pattern: SIX_FIELD_CRON,
          expected: 'a six-field cron expression with seconds first, e.g. "0 0 3 * * *"',
        },
        d.backupSchedule,
      ),
      archiveSuffix: b.string("archiveSuffix", SUFFIX, ""),
    };
  }
  let recovery: PostgresRecoverySettings | undefined;
  if (r.has("recovery")) {
    const rr = r.object("recovery").only(["enabled", "fromArchiveSuffix", "targetTime"]);
    if (rr.boolean("enabled", true)) {
      if (!backup) {
        throw new ConfigError(
          r.key("recovery"),
          rr.value,
          "recovery restores from the backup object store; set backup (destinationPath, endpointURL) too",
        );
      }
      const targetTime = rr.optionalString("targetTime", {
        pattern: RFC3339,
        expected: "an RFC 3339 time such as 2025-10-01T03:00:00Z",
      });
      recovery = {
        fromArchiveSuffix: rr.string("fromArchiveSuffix", SUFFIX, ""),
        ...(targetTime ? { targetTime } : {}),
      };
      // Barman refuses to archive into a folder that already holds WALs of another timeline,
      // so a restored cluster must write to a new folder (plugin docs, "Restoring a Cluster").
      if (backup.archiveSuffix === recovery.fromArchiveSuffix) {
        throw new ConfigError(
          r.key("backup.archiveSuffix"),
          backup.archiveSuffix,
          `a restored cluster must archive into a new folder; set backup.archiveSuffix (e.g. "-r1") different from recovery.fromArchiveSuffix ("${recovery.fromArchiveSuffix}")`,
        );
      }
    }
  }
  const instances = r.integer("instances", { min: 1, max: 9 }, d.instances[cluster.kind]);
  const storageSize = r.string(
    "storageSize",
    { pattern: K8S_QUANTITY, expected: "a size such as 10Gi" },
    d.storageSize,
  );
  const sharedCluster = r.has("sharedCluster")
    ? parseSharedCluster(r, cluster, instances, storageSize)
    : undefined;
  return {
    instances,
    storageSize,
    imageName,
    ...(backup ? { backup } : {}),
    ...(recovery ? { recovery } : {}),
    ...(sharedCluster ? { sharedCluster } : {}),
  };
}
