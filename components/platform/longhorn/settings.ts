/**
 * Settings of the longhorn platform service (`serviceSettings.longhorn` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";

/** Longhorn on the homelab production K3s (004: "Longhorn (production) with 3-replica HA"). */
export const LONGHORN_DEFAULTS = {
  // longhorn/longhorn tag v1.10.1 (deploy/longhorn-images.txt); charts.longhorn.io publishes the chart at the same version.
  chart: {
    repository: "https://charts.longhorn.io",
    name: "longhorn",
    // renovate: datasource=helm depName=longhorn registryUrl=https://charts.longhorn.io
    version: "1.10.1",
  },
  namespace: "longhorn-system",
  replicas: 3,
  /** Volumes outlive their claims: database data must not go with a deleted PVC. */
  reclaimPolicy: "Retain",
} as const;

/** Off-cluster volume backups: a backup target and one recurring backup job for every volume. */
export interface LonghornBackupSettings {
  /**
   * The S3 backup target, `s3://<bucket>@<region>/<path>/` (Longhorn docs "Setting a Backup
   * Target": the region is part of the URL, the trailing slash is required).
   */
  readonly target: string;
  /** The S3-compatible endpoint (`AWS_ENDPOINTS`), e.g. Backblaze B2's `https://s3.<region>.backblazeb2.com`. */
  readonly endpoint: string;
  /** Five-field cron of the recurring backup job. @default "0 2 * * *" (daily at 02:00) */
  readonly schedule: string;
  /** Backups kept per volume. @default 14 */
  readonly retain: number;
}

export interface LonghornSettings {
  readonly replicas: number;
  readonly reclaimPolicy: "Retain" | "Delete";
  /** Volume backups; needs `platform:longhornBackupS3AccessKeyId` and `...SecretAccessKey`. @default none */
  readonly backup?: LonghornBackupSettings;
}

export function parseLonghornSettings(r: Reader): LonghornSettings {
  r.only(["replicas", "reclaimPolicy", "backup"]);
  const backup = r.has("backup")
    ? r.object("backup").only(["target", "endpoint", "schedule", "retain"])
    : undefined;
  return {
    replicas: r.integer("replicas", { min: 1, max: 3 }, LONGHORN_DEFAULTS.replicas),
    reclaimPolicy: r.string(
      "reclaimPolicy",
      { oneOf: ["Retain", "Delete"] as const },
      LONGHORN_DEFAULTS.reclaimPolicy,
    ),
    ...(backup
      ? {
          backup: {
            target: backup.string("target", {
              pattern: /^s3:\/\/[a-z0-9][a-z0-9.-]+@[a-z0-9-]+\/(\S*\/)?$/,
              expected: "s3://<bucket>@<region>/<path>/ (with the trailing slash)",
            }),
            endpoint: backup.string("endpoint", { pattern: /^https:\/\/\S+$/, expected: "an https:// URL" }),
            schedule: backup.string(
              "schedule",
              { pattern: /^\S+( \S+){4}$/, expected: "a five-field cron expression such as 0 2 * * *" },
              "0 2 * * *",
            ),
            retain: backup.integer("retain", { min: 1, max: 100 }, 14),
          },
        }
      : {}),
  };
}
