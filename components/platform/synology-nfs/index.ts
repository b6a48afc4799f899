/** The synology-nfs platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { SYNOLOGY_NFS_DEFAULTS as NFS, type SynologyNfsSettings, parseSynologyNfsSettings } from "./settings";
import type { Addon, Bundle } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";

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
  charts: { driver: NFS.chart },
  parse: parseSynologyNfsSettings,
  build(ctx) {
    const driver: Addon = {
      kind: "addon",
      name: "csi-driver-nfs",
      layer: "infrastructure-controllers",
      namespace: NFS.namespace,
      ...addonChart(NFS.chart),
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
