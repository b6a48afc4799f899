/**
 * Settings of the synology-nfs platform service (`serviceSettings.synology-nfs` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { ConfigError, type Reader } from "../../../config/reader";
import { DNS_NAME, IPV4 } from "../settings-patterns";

/** Synology NFS share (001: all_squash to UID 1024 / GID 100; `synology-nfs` Retain, `synology-nfs-ephemeral` Delete). */
export const SYNOLOGY_NFS_DEFAULTS = {
  // kubernetes-csi/csi-driver-nfs charts/index.yaml: csi-driver-nfs 4.12.1.
  chart: {
    repository: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts",
    name: "csi-driver-nfs",
    // renovate: datasource=helm depName=csi-driver-nfs registryUrl=https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts
    version: "4.12.1",
  },
  // The upstream install guide installs into kube-system (charts/README.md).
  namespace: "kube-system",
  /** Provisioner name (csi-driver-nfs README: "CSI plugin name: nfs.csi.k8s.io"). */
  provisioner: "nfs.csi.k8s.io",
  // deploy/example/storageclass-nfs.yaml uses nfsvers=4.1.
  mountOptions: ["nfsvers=4.1"],
  /** Every UID/GID on disk is squashed to these (001); containers that check ownership run as them. */
  uid: 1024,
  gid: 100,
} as const;

export interface SynologyNfsSettings {
  readonly server: string;
  readonly share: string;
  readonly mountOptions: readonly string[];
}

export function parseSynologyNfsSettings(r: Reader): SynologyNfsSettings {
  r.only(["nfs", "mountOptions"]);
  if (!r.has("nfs")) {
    throw new ConfigError(
      r.key("nfs"),
      undefined,
      "required; set nfs.server and nfs.share of the Synology NFS export",
    );
  }
  const nfs = r.object("nfs").only(["server", "share"]);
  const server = nfs.string("server", { expected: "the NAS address, e.g. 10.0.40.10 or nas.home.arpa" });
  if (!IPV4.test(server) && !DNS_NAME.test(server)) {
    throw new ConfigError(nfs.key("server"), server, "expected an IPv4 address or a DNS name of the NAS");
  }
  return {
    server,
    share: nfs.string("share", {
      pattern: /^\/\S*$/,
      expected: "the exported path, e.g. /volume1/kubernetes",
    }),
    mountOptions: r.stringList("mountOptions", {}, SYNOLOGY_NFS_DEFAULTS.mountOptions),
  };
}
