/**
 * Storage services: Longhorn on the homelab production K3s (004) and the Synology NFS
 * StorageClasses through csi-driver-nfs (001). local-path on k3d is K3s's own provisioner:
 * nothing is installed for it. The Hetzner CSI classes come from the Talos component.
 */
import {
  LONGHORN_DEFAULTS as LH,
  SYNOLOGY_NFS_DEFAULTS as NFS,
  type LonghornSettings,
  type SynologyNfsSettings,
  parseLonghornSettings,
  parseSynologyNfsSettings,
} from "../../config/services/networking-data";
import * as pulumi from "@pulumi/pulumi";
import type { Addon, Bundle } from "../gitops/delivery";
import { defineService } from "./types";

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
      ...LH.chart,
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

/** The two StorageClass names on the NAS (001). */
export const SYNOLOGY_CLASSES = { retain: "synology-nfs", ephemeral: "synology-nfs-ephemeral" } as const;

/**
 * csi-driver-nfs and two StorageClasses on the Synology share: `synology-nfs` keeps the
 * data of a released volume, `synology-nfs-ephemeral` deletes it. The NAS squashes every
 * UID to 1024 and GID to 100 (001); workloads that check ownership run as that user.
 */
export const synologyNfsService = defineService<SynologyNfsSettings>({
  name: "synology-nfs",
  catalog: {
    description: "NFS StorageClasses on the Synology NAS (all_squash to UID 1024)",
    source: "001",
    kinds: ["k3s", "k3d-proxmox"],
    providesStorageClasses: ["synology-nfs", "synology-nfs-ephemeral"],
  },
  parse: parseSynologyNfsSettings,
  build(ctx) {
    const driver: Addon = {
      kind: "addon",
      name: "csi-driver-nfs",
      layer: "infrastructure-controllers",
      namespace: NFS.namespace,
      ...NFS.chart,
      includeCrds: true,
    };
    const storageClass = (name: string, reclaimPolicy: "Retain" | "Delete") => ({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name },
      provisioner: NFS.provisioner,
      // docs/driver-parameters.md: `server` and `share` (the exported path).
      parameters: { server: ctx.settings.server, share: ctx.settings.share },
      reclaimPolicy,
      volumeBindingMode: "Immediate",
      allowVolumeExpansion: true,
      mountOptions: [...ctx.settings.mountOptions],
    });
    const classes: Bundle = {
      kind: "bundle",
      name: "synology-nfs-classes",
      layer: "infrastructure-configs",
      namespace: NFS.namespace,
      dependsOn: ["csi-driver-nfs"],
      objects: [
        storageClass(SYNOLOGY_CLASSES.retain, "Retain"),
        storageClass(SYNOLOGY_CLASSES.ephemeral, "Delete"),
      ],
    };
    return { items: [driver, classes], liveSecrets: [] };
  },
});
