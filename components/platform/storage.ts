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
} from "../../config/services/networking-data";
import type { Addon, Bundle } from "../gitops/delivery";
import type { ServiceDefinition } from "./types";

/**
 * Longhorn with its `longhorn` StorageClass as the cluster default (capabilities.ts makes
 * `longhorn` the default wherever it is enabled), 3 replicas, volumes retained.
 */
export const longhornService: ServiceDefinition<LonghornSettings> = {
  name: "longhorn",
  build(ctx) {
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
      },
      // Engines and instance managers roll node by node.
      timeout: "15m",
    };
    return { items: [chart], liveSecrets: [] };
  },
};

/** The two StorageClass names on the NAS (001). */
export const SYNOLOGY_CLASSES = { retain: "synology-nfs", ephemeral: "synology-nfs-ephemeral" } as const;

/**
 * csi-driver-nfs and two StorageClasses on the Synology share: `synology-nfs` keeps the
 * data of a released volume, `synology-nfs-ephemeral` deletes it. The NAS squashes every
 * UID to 1024 and GID to 100 (001); workloads that check ownership run as that user.
 */
export const synologyNfsService: ServiceDefinition<SynologyNfsSettings> = {
  name: "synology-nfs",
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
};
