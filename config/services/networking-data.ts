/**
 * Settings, defaults and parsers of the `networking-data` platform services: cert-manager,
 * CloudNativePG, Longhorn, Synology NFS, MetalLB, K3s Traefik, the Cilium gateway and Istio.
 *
 * Each parser reads one `platform:clusters.<cluster>.serviceSettings.<service>` block (the
 * lead hands it over as a {@link Reader}); an absent block means all defaults. Every default
 * lives in one exported constant per service, next to the source it comes from.
 */
import { ConfigError, type Reader } from "../reader";
import type { ClusterConfig, ClusterKind } from "../types";

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const K8S_QUANTITY = /^\d+(Mi|Gi|Ti)$/;
/** CNPG `ScheduledBackup.spec.schedule`: six fields, seconds first (Go robfig/cron). */
const SIX_FIELD_CRON = /^\S+ \S+ \S+ \S+ \S+ \S+$/;
/** Barman retention policy: `<n>d`, `<n>w` or `<n>m` (plugin-barman-cloud docs, "Retention Policies"). */
const RETENTION = /^[1-9]\d*[dwm]$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/* ----------------------------------------------------------------- cert-manager */

/** cert-manager (sources 002 "cert-manager with Cloudflare DNS-01", 004 "Let's Encrypt DNS-01 via Cloudflare"). */
export const CERT_MANAGER_DEFAULTS = {
  // jetstack chart v1.19.1 (cert-manager release v1.19.1, Oct 2025); `crds.enabled` replaced
  // `installCRDs` (cert-manager v1.15 release notes), `crds.keep` keeps CRDs (and so every
  // Certificate) on uninstall.
  chart: {
    repository: "https://charts.jetstack.io",
    chart: "cert-manager",
    // renovate: datasource=helm depName=cert-manager registryUrl=https://charts.jetstack.io
    version: "v1.19.1",
  },
  namespace: "cert-manager",
  // Let's Encrypt ACME directories (letsencrypt.org/docs/staging-environment, /getting-started).
  acme: {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
  },
  /** Live Secret holding the Cloudflare API token, in the cert-manager namespace (ClusterIssuer secrets live there). */
  cloudflareSecret: { name: "cloudflare-api-token", key: "api-token" },
} as const;

export type IssuerName = "letsencrypt-staging" | "letsencrypt-production";
export const ISSUERS: readonly IssuerName[] = ["letsencrypt-staging", "letsencrypt-production"];

export interface CertManagerSettings {
  /**
   * ACME account email. Optional in cert-manager's ACMEIssuer ("optional, but strongly
   * recommended"); the documents name none, so it is left out unless set.
   * @see https://cert-manager.io/docs/reference/api-docs/#acme.cert-manager.io/v1.ACMEIssuer
   */
  readonly acmeEmail?: string;
  /** DNS zones the Cloudflare DNS-01 solver answers for (default: the cluster domain). */
  readonly dnsZones: readonly string[];
}

export function parseCertManagerSettings(r: Reader, cluster: ClusterConfig): CertManagerSettings {
  r.only(["acmeEmail", "dnsZones"]);
  return {
    acmeEmail: r.optionalString("acmeEmail", {
      pattern: EMAIL,
      expected: "the ACME account email, e.g. admin@example.org",
    }),
    dnsZones: r.stringList("dnsZones", { pattern: DNS_NAME, expected: "a DNS zone such as example.org" }, [
      cluster.domain,
    ]),
  };
}

/* --------------------------------------------------------------- CloudNativePG */

/** CloudNativePG (sources 000, 002, 004) and its Barman Cloud plugin. */
export const CLOUDNATIVE_PG_DEFAULTS = {
  // cloudnative-pg/charts release cloudnative-pg-v0.26.1 (operator 1.27.x, Oct 2025).
  operatorChart: {
    repository: "https://cloudnative-pg.github.io/charts",
    chart: "cloudnative-pg",
    // renovate: datasource=helm depName=cloudnative-pg registryUrl=https://cloudnative-pg.github.io/charts
    version: "0.26.1",
  },
  // cloudnative-pg/charts charts/plugin-barman-cloud/Chart.yaml: version 0.2.0, appVersion v0.7.0.
  // The in-tree barmanObjectStore is deprecated since CNPG 1.26 in favour of this plugin
  // (cloudnative-pg docs/src/backup.md); it needs cert-manager for its TLS (plugin docs, "Requirements").
  pluginChart: {
    repository: "https://cloudnative-pg.github.io/charts",
    chart: "plugin-barman-cloud",
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
  /** Point in time (RFC 3339) to recover to; the latest WAL when unset. */
  readonly targetTime?: string;
}

export interface CloudnativePgSettings {
  readonly instances: number;
  readonly storageSize: string;
  readonly imageName: string;
  /** Present when backups to an object store are configured. */
  readonly backup?: PostgresBackupSettings;
  /** Present when new database clusters bootstrap from the backup archive (disaster recovery, 004). */
  readonly recovery?: PostgresRecoverySettings;
}

const SUFFIX = { pattern: /^(-[a-z0-9]+)?$/, expected: 'empty or a suffix such as "-r1"' };

export function parseCloudnativePgSettings(r: Reader, cluster: ClusterConfig): CloudnativePgSettings {
  const d = CLOUDNATIVE_PG_DEFAULTS;
  r.only(["instances", "storageSize", "imageName", "backup", "recovery"]);
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
  return {
    instances: r.integer("instances", { min: 1, max: 9 }, d.instances[cluster.kind]),
    storageSize: r.string(
      "storageSize",
      { pattern: K8S_QUANTITY, expected: "a size such as 10Gi" },
      d.storageSize,
    ),
    imageName,
    ...(backup ? { backup } : {}),
    ...(recovery ? { recovery } : {}),
  };
}

/* -------------------------------------------------------------------- Storage */

/** Longhorn on the homelab production K3s (004: "Longhorn (production) with 3-replica HA"). */
export const LONGHORN_DEFAULTS = {
  // longhorn/longhorn tag v1.10.1 (deploy/longhorn-images.txt); charts.longhorn.io publishes the chart at the same version.
  chart: {
    repository: "https://charts.longhorn.io",
    chart: "longhorn",
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

/** Synology NFS share (001: all_squash to UID 1024 / GID 100; `synology-nfs` Retain, `synology-nfs-ephemeral` Delete). */
export const SYNOLOGY_NFS_DEFAULTS = {
  // kubernetes-csi/csi-driver-nfs charts/index.yaml: csi-driver-nfs 4.12.1.
  chart: {
    repository: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts",
    chart: "csi-driver-nfs",
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

/* ------------------------------------------------------- Load balancing, ingress */

/** MetalLB in L2 mode serving the homelab VIP (004: "DNS points to 10.0.40.100 (MetalLB VIP)"). */
export const METALLB_DEFAULTS = {
  // metallb/metallb chart 0.15.2 (release notes "version 0.15.2").
  chart: {
    repository: "https://metallb.github.io/metallb",
    chart: "metallb",
    // renovate: datasource=helm depName=metallb registryUrl=https://metallb.github.io/metallb
    version: "0.15.2",
  },
  namespace: "metallb-system",
  poolName: "default",
} as const;

export interface MetallbSettings {
  /** Pool addresses as CIDR or `first-last` (default: the cluster's `loadBalancerPool`). */
  readonly addresses: readonly string[];
}

export function parseMetallbSettings(r: Reader, cluster: ClusterConfig): MetallbSettings {
  r.only(["addresses"]);
  const fallback = cluster.kind === "k3s" ? [cluster.loadBalancerPool] : [];
  return { addresses: r.stringList("addresses", {}, fallback) };
}

/** Traefik as K3s ships it (004: "Ingress: Traefik (K3s built-in)"), customised by a HelmChartConfig. */
export const TRAEFIK_DEFAULTS = {
  /** Name and namespace of K3s's packaged chart (docs.k3s.io "Networking", "Traefik Ingress Controller"). */
  helmChart: { name: "traefik", namespace: "kube-system" },
  redirectToHttps: true,
} as const;

export interface TraefikSettings {
  readonly redirectToHttps: boolean;
  /** Address MetalLB gives Traefik's Service (the VIP) on k3s; unset elsewhere. */
  readonly loadBalancerIP?: string;
}

export function parseTraefikSettings(r: Reader, cluster: ClusterConfig): TraefikSettings {
  r.only(["redirectToHttps"]);
  const vip = cluster.kind === "k3s" && cluster.services.includes("metallb") ? cluster.vip : undefined;
  return {
    redirectToHttps: r.boolean("redirectToHttps", TRAEFIK_DEFAULTS.redirectToHttps),
    ...(vip ? { loadBalancerIP: vip } : {}),
  };
}

/** The shared external Gateway on Talos (002 "HTTP Routing (Gateway API)"). */
export const CILIUM_GATEWAY_DEFAULTS = {
  namespace: "gateway",
  gatewayName: "external",
  gatewayClassName: "cilium",
  certificateSecret: "wildcard-tls",
  issuer: "letsencrypt-production" as IssuerName,
} as const;

/**
 * How the Gateway's LoadBalancer Service gets its address:
 * - `lb-ipam`: a fixed address from Cilium LB IPAM (002's `io.cilium/lb-ipam-ips`), for an
 *   address that already routes to the nodes;
 * - `hcloud`: a Hetzner Cloud Load Balancer the hcloud CCM creates for the Service from its
 *   `load-balancer.hetzner.cloud/*` annotations (hcloud-cloud-controller-manager
 *   internal/annotation/load_balancer.go), reaching the nodes over the private network.
 */
export type GatewayAddress =
  | { readonly mode: "lb-ipam"; readonly address: string }
  | { readonly mode: "hcloud"; readonly location: string; readonly type: string };

export interface CiliumGatewaySettings {
  readonly address: GatewayAddress;
  readonly issuer: IssuerName;
}

/** Hetzner Load Balancer types (docs.hetzner.com/cloud/load-balancers/overview). */
const HCLOUD_LB_TYPES = ["lb11", "lb21", "lb31"] as const;

export function parseCiliumGatewaySettings(r: Reader, cluster: ClusterConfig): CiliumGatewaySettings {
  r.only(["address", "loadBalancer", "issuer"]);
  const issuer = r.string("issuer", { oneOf: ISSUERS }, CILIUM_GATEWAY_DEFAULTS.issuer);
  if (r.has("address")) {
    if (r.has("loadBalancer"))
      throw new ConfigError(
        r.key("loadBalancer"),
        r.value["loadBalancer"],
        "set either address (Cilium LB IPAM) or loadBalancer (a Hetzner Load Balancer), not both",
      );
    const address = r.string("address", { pattern: IPV4, expected: "the gateway's IPv4 address" });
    return { address: { mode: "lb-ipam", address }, issuer };
  }
  // Without an address, a Hetzner Load Balancer in the cluster's location fronts the Gateway.
  const lb = r.optionalObject("loadBalancer").only(["location", "type"]);
  const defaultLocation = cluster.kind === "talos-hcloud" ? cluster.location : undefined;
  return {
    address: {
      mode: "hcloud",
      location: lb.string(
        "location",
        { pattern: /^[a-z]{3}\d$/, expected: "a Hetzner location such as fsn1" },
        defaultLocation,
      ),
      type: lb.string("type", { oneOf: HCLOUD_LB_TYPES }, "lb11"),
    },
    issuer,
  };
}

/** Istio for the mesh of cortex-api (003: mTLS, JWT, Istio gateway). */
export const ISTIO_DEFAULTS = {
  // istio-release charts base/istiod/gateway 1.27.1 (Istio 1.27.1, Sep 2025).
  repository: "https://istio-release.storage.googleapis.com/charts",
  // renovate: datasource=helm depName=istiod registryUrl=https://istio-release.storage.googleapis.com/charts
  version: "1.27.1",
  namespace: "istio-system",
  ingressNamespace: "istio-ingress",
  ingressGateway: true,
} as const;

export interface IstioSettings {
  readonly ingressGateway: boolean;
  /**
   * The Hetzner Load Balancer the hcloud CCM creates for the ingress gateway's LoadBalancer
   * Service on Talos (its location and type); none elsewhere.
   */
  readonly loadBalancer?: { readonly location: string; readonly type: string };
}

export function parseIstioSettings(r: Reader, cluster: ClusterConfig): IstioSettings {
  r.only(["ingressGateway", "loadBalancer"]);
  const ingressGateway = r.boolean("ingressGateway", ISTIO_DEFAULTS.ingressGateway);
  if (cluster.kind !== "talos-hcloud") return { ingressGateway };
  // Like the shared Gateway's: the cluster's location unless set, the smallest type.
  const lb = r.optionalObject("loadBalancer").only(["location", "type"]);
  return {
    ingressGateway,
    loadBalancer: {
      location: lb.string(
        "location",
        { pattern: /^[a-z]{3}\d$/, expected: "a Hetzner location such as fsn1" },
        cluster.location,
      ),
      type: lb.string("type", { oneOf: HCLOUD_LB_TYPES }, "lb11"),
    },
  };
}
