/** The longhorn platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { LONGHORN_DEFAULTS as LH, type LonghornSettings, parseLonghornSettings } from "./settings";
import * as pulumi from "@pulumi/pulumi";
import type { Addon, Bundle } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";

/** Secret config of the Longhorn backup target. */
export const LONGHORN_BACKUP_KEY_ID = "longhornBackupS3AccessKeyId";

export const LONGHORN_BACKUP_SECRET_KEY = "longhornBackupS3SecretAccessKey";

/** The Secret in longhorn-system the backup target reads. */
export const LONGHORN_BACKUP_SECRET = "longhorn-backup-s3";

/**
 * Longhorn with its `longhorn` StorageClass as the cluster default (capabilities.ts makes
 * `longhorn` the default wherever it is enabled), 3 replicas, volumes retained, and with
 * `backup` set, every volume backed up off the cluster: replicas survive a node, not the
 * cluster or a deleted volume.
 */
export const longhornService = defineService<LonghornSettings>({
  name: "longhorn",
  catalog: {
    description: "Replicated block storage (3 replicas) on the hosts' NVMe",
    source: "004",
    kinds: ["k3s"],
    providesStorageClasses: ["longhorn"],
  },
  charts: { longhorn: LH.chart },
  parse: parseLonghornSettings,
  secrets: {
    [LONGHORN_BACKUP_KEY_ID]: { description: "S3 key id of the Longhorn backup target", required: false },
    [LONGHORN_BACKUP_SECRET_KEY]: {
      description: "S3 secret key of the Longhorn backup target",
      required: false,
    },
  },
  neededSecrets: (s) => (s.backup ? [LONGHORN_BACKUP_KEY_ID, LONGHORN_BACKUP_SECRET_KEY] : []),
  build(ctx) {
    const backup = ctx.settings.backup;
    const keyId = ctx.secrets[LONGHORN_BACKUP_KEY_ID];
    const secretKey = ctx.secrets[LONGHORN_BACKUP_SECRET_KEY];
    if (backup && (!keyId || !secretKey)) {
      throw new Error(
        `longhorn on cluster "${ctx.cluster.name}": serviceSettings.longhorn.backup is set, so secret config platform:${LONGHORN_BACKUP_KEY_ID} and platform:${LONGHORN_BACKUP_SECRET_KEY} are required; set them with pulumi config set --secret`,
      );
    }
    const chart: Addon = {
      kind: "addon",
      name: "longhorn",
      layer: "infrastructure-controllers",
      namespace: LH.namespace,
      ...addonChart(LH.chart),
      includeCrds: true,
      // `persistence.*` render the chart's `longhorn` StorageClass (chart values.yaml).
      values: {
        persistence: {
          defaultClass: ctx.cluster.capabilities.defaultStorageClass === "longhorn",
          defaultClassReplicaCount: ctx.settings.replicas,
          reclaimPolicy: ctx.settings.reclaimPolicy,
        },
        // The default BackupTarget (Longhorn >= 1.8): chart templates/default-resource.yaml
        // writes defaultBackupStore.backupTarget and .backupTargetCredentialSecret into the
        // longhorn-default-resource ConfigMap the manager reads.
        ...(backup
          ? {
              defaultBackupStore: {
                backupTarget: backup.target,
                backupTargetCredentialSecret: LONGHORN_BACKUP_SECRET,
              },
            }
          : {}),
      },
      // Engines and instance managers roll node by node.
      timeout: "15m",
    };
    if (!backup || !keyId || !secretKey) return { items: [chart], liveSecrets: [] };
    const jobs: Bundle = {
      kind: "bundle",
      name: "longhorn-backup",
      layer: "infrastructure-configs",
      namespace: LH.namespace,
      dependsOn: ["longhorn"],
      objects: [
        {
          // A RecurringJob in the `default` group applies to every volume that names no
          // recurring job of its own (Longhorn docs "Recurring Snapshots and Backups":
          // task backup, cron, retain, concurrency, groups).
          apiVersion: "longhorn.io/v1beta2",
          kind: "RecurringJob",
          metadata: { name: "backup-daily", namespace: LH.namespace },
          spec: {
            task: "backup",
            cron: backup.schedule,
            retain: backup.retain,
            concurrency: 2,
            groups: ["default"],
          },
        },
      ],
    };
    return {
      items: [chart, jobs],
      liveSecrets: [
        {
          // Longhorn's S3 backupstore credential keys (Longhorn docs "Set up AWS S3 /
          // S3-compatible backupstore": AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS,
          // in longhorn-system).
          name: LONGHORN_BACKUP_SECRET,
          namespace: LH.namespace,
          stringData: {
            AWS_ACCESS_KEY_ID: keyId,
            AWS_SECRET_ACCESS_KEY: secretKey,
            AWS_ENDPOINTS: pulumi.output(backup.endpoint),
          },
        },
      ],
    };
  },
});
