/**
 * The typed shape of a stack's configuration, after validation and defaulting.
 *
 * Only `config/load.ts` reads `pulumi.Config`; everything else receives these types
 * (ARCHITECTURE.md decision 1). Plain values drive logic; secrets are `pulumi.Output`s
 * read with `requireSecret`/`getSecret` and never leave that wrapper.
 */
import type { ConfiguredUnit } from "./units";
import type * as pulumi from "@pulumi/pulumi";

/**
 * How a cluster's Services of type LoadBalancer get addresses (components/cluster/contract.ts
 * uses the same union in ClusterCapabilities).
 */
export type LoadBalancerKind = "metallb" | "cilium-lb-ipam" | "k3d";

/** How a cluster routes HTTP from outside (as components/cluster/contract.ts). */
export type IngressKind = "traefik" | "gateway-api";

/** Which composition a stack runs: Talos on Hetzner Cloud, or the K3s/k3d homelab. */
export type StackShape = "cloud" | "homelab";

/** How a cluster's platform objects reach it (ARCHITECTURE.md decision 4). */
export type DeliveryMode = "deploy" | "emit";

/** The GitOps engine installed on a cluster. */
export type EngineKind = "flux" | "argocd";

/** The cluster implementations the program knows. */
export type ClusterKind = "talos-hcloud" | "k3s" | "k3d-proxmox" | "existing";

/** CPU architecture of a cluster's nodes. */
export type Architecture = "amd64" | "arm64";

/** Where the GitOps engine pulls its desired state from. */
export interface GitSourceConfig {
  /** Repository URL (https:// or ssh://). */
  readonly url: string;
  /** Branch the engine tracks (stage tracks `stage`, prod tracks `prod`; homelab `main`). */
  readonly branch: string;
  /** Directory inside the repository the engine syncs (the emit target for this cluster). */
  readonly path: string;
  /**
   * Flux only: verify the PGP signature of what is synced before applying it (the
   * GitRepository's `spec.verify`); `publicKeys` are the ASCII-armored public keys of the
   * people and bots allowed to sign (public, so plain stack config).
   * @default no verification (any commit on the branch is applied)
   * @see https://fluxcd.io/flux/components/source/gitrepositories/#verification
   */
  readonly verify?: { readonly mode: "HEAD" | "Tag" | "TagAndHEAD"; readonly publicKeys: string };
}

/** Settings every cluster has, whatever its kind. */
export interface ClusterCommonConfig {
  /** Cluster name: a DNS label, unique in the stack; used in resource names and outputs. */
  readonly name: string;
  readonly kind: ClusterKind;
  readonly engine: EngineKind;
  readonly delivery: DeliveryMode;
  /** Base DNS domain for the cluster's public hostnames. */
  readonly domain: string;
  readonly git: GitSourceConfig;
  /** Platform services (names of their definitions, components/platform/registry.ts) enabled on this cluster. */
  readonly services: readonly string[];
  /** Application stacks (catalog names) enabled on this cluster. */
  readonly apps: readonly string[];
  /**
   * Step 1 of an engine or delivery switch: release what the current engine applied (README
   * "Switching engine or delivery"); `release` must name the cluster's current engine and
   * delivery, `next` the ones step 2 sets (at least one of them different).
   * @default none (no switch under way)
   */
  readonly handover?: {
    readonly release: { readonly engine: EngineKind; readonly delivery: DeliveryMode };
    readonly next: { readonly engine: EngineKind; readonly delivery: DeliveryMode };
  };
  /**
   * Each enabled service's settings as its definition configured them (config/units.ts), by
   * name; the definition keeps the typed settings.
   * @default none: absent when the cluster's settings failed
   */
  readonly serviceSettings?: Readonly<Record<string, ConfiguredUnit>>;
  /** Each enabled app's settings as its definition configured them, by name; as `serviceSettings`. @default none */
  readonly appSettings?: Readonly<Record<string, ConfiguredUnit>>;
  /**
   * Air-gapped engine install: a local path to Flux's install manifest (engine flux) or to the
   * argo-cd chart directory or `.tgz` (engine argocd); checked to exist when config loads.
   * @default none: Flux's release manifest from GitHub, the chart from the Argo Helm repository
   */
  readonly engineInstallFrom?: string;
}

/** A Kubernetes node taint in `key=value:Effect` form, parsed. */
export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** A Hetzner Cloud node pool of a Talos cluster. */
export interface HcloudNodePoolConfig {
  /** Pool name (DNS label); servers are named `<cluster>-<pool>-<n>`. */
  readonly name: string;
  readonly role: "controlplane" | "worker";
  /** Hetzner server type, e.g. `cx22`. */
  readonly serverType: string;
  /** Fixed node count; for an autoscaled pool this is the minimum. */
  readonly count: number;
  /** Present for a pool the cluster autoscaler scales between `count` and `max`. @default none (fixed size) */
  readonly autoscaler?: { readonly max: number };
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** The Talos image the servers boot. */
export type TalosImageConfig = { readonly snapshotId: number } | { readonly selector: string };

/** Settings of a Talos Linux cluster on Hetzner Cloud (source document 002). */
export interface TalosHcloudClusterConfig extends ClusterCommonConfig {
  readonly kind: "talos-hcloud";
  readonly architecture: Architecture;
  /** Hetzner location, e.g. `nbg1`. */
  readonly location: string;
  /** Hetzner network zone, e.g. `eu-central`. */
  readonly networkZone: string;
  /** Private network CIDR, e.g. `10.0.0.0/16`. */
  readonly networkCidr: string;
  /** Subnet for the nodes inside `networkCidr`. */
  readonly nodeSubnetCidr: string;
  /** Pod CIDR inside `networkCidr` (Cilium native routing), disjoint from the node subnet. */
  readonly podCidr: string;
  /** Service CIDR inside `networkCidr`, disjoint from the node subnet and pods. */
  readonly serviceCidr: string;
  /** Sources allowed to reach the Kubernetes API (6443) and Talos API (50000). */
  readonly apiAllowedCidrs: readonly string[];
  readonly image: TalosImageConfig;
  readonly nodePools: readonly HcloudNodePoolConfig[];
  /** Cluster autoscaler behaviour (source document 002). */
  readonly autoscaler: {
    readonly scaleDownDelayAfterAdd: string;
    readonly scaleDownDelayAfterDelete: string;
    readonly scaleDownUnneededTime: string;
    readonly expander: string;
  };
  /** Hourly etcd backups to S3-compatible storage. */
  readonly etcdBackup: {
    readonly schedule: string;
    readonly s3Endpoint: string;
    readonly s3Region: string;
    readonly s3Bucket: string;
    /** age recipient the snapshots are encrypted to. @default none: unencrypted, and said so */
    readonly ageRecipient?: string;
  };
}

/** One K3s host reached over SSH. */
export interface K3sHostConfig {
  /** Hostname the host is given (DNS label). */
  readonly name: string;
  /** IPv4 address the program reaches it on over SSH. */
  readonly address: string;
  readonly role: "server" | "agent";
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /**
   * The host's SSH public host key (`ssh-keyscan -t ed25519 <address>` without the address
   * column); every SSH connection to the host verifies it.
   */
  readonly hostKey: string;
  /**
   * The host is dead or being re-flashed: nothing connects to it, its Node (and etcd member)
   * is removed through another server, and its own resources are kept out of reach until it
   * is removed from config or comes back (see the operating guide, "Replace a failed Pi").
   */
  readonly gone: boolean;
}

/** Off-host etcd snapshots of a K3s cluster to S3-compatible storage. */
export interface K3sEtcdSnapshotConfig {
  /** Cron schedule of K3s's own snapshots (`--etcd-snapshot-schedule-cron`). */
  readonly schedule: string;
  /** Snapshots to keep (`--etcd-snapshot-retention`). */
  readonly retention: number;
  /** S3 endpoint host, without scheme (`--etcd-s3-endpoint`). */
  readonly s3Endpoint: string;
  readonly s3Region: string;
  readonly s3Bucket: string;
  /** Folder in the bucket (`--etcd-s3-folder`). */
  readonly s3Folder: string;
}

/** Settings of an HA K3s cluster on SSH-reachable hosts (source document 004, production). */
export interface K3sClusterConfig extends ClusterCommonConfig {
  readonly kind: "k3s";
  readonly architecture: Architecture;
  /**
   * Ingress VIP: the address MetalLB gives Traefik's LoadBalancer Service (DNS points here,
   * source document 004). Inside `loadBalancerPool`; needs the `metallb` service.
   */
  readonly vip: string;
  /** MetalLB L2 address pool, as `first-last` or CIDR. */
  readonly loadBalancerPool: string;
  /**
   * Kubernetes API VIP, announced by kube-vip (ARP, control-plane mode) from the servers. The
   * exported kubeconfig and every joining node use it. Outside `loadBalancerPool`, so kube-vip
   * and MetalLB never announce the same address.
   */
  readonly apiVip: string;
  /** Host network interface kube-vip announces `apiVip` on; the same name on every server. */
  readonly apiVipInterface: string;
  /**
   * Earlier names of this cluster. Renaming a cluster renames every child resource; the
   * earlier names become Pulumi aliases, so a rename moves state instead of uninstalling K3s.
   */
  readonly formerNames: readonly string[];
  readonly sshUser: string;
  readonly sshPort: number;
  readonly hosts: readonly K3sHostConfig[];
  /** Extra `k3s server` flags, appended after the program's own. */
  readonly extraServerArgs: readonly string[];
  /** Extra `k3s agent` flags. */
  readonly extraAgentArgs: readonly string[];
  /** Whether host preparation edits the Raspberry Pi `cmdline.txt` for memory cgroups. */
  readonly raspberryPi: boolean;
  /**
   * sha256 of K3s's `install.sh` per K3s release (`v1.33.5+k3s1` -> hex). When any is set,
   * `versions.k3s` must have one and the hosts refuse any other script.
   */
  readonly installerSha256: Readonly<Record<string, string>>;
  /** Whether servers encrypt Secrets at rest (`--secrets-encryption`). */
  readonly secretsEncryption: boolean;
  /** Off-host etcd snapshots. @default none: K3s's local snapshots only */
  readonly etcdSnapshots?: K3sEtcdSnapshotConfig;
}

/** Settings of a k3d cluster inside a Proxmox VM (source document 004, staging). */
export interface K3dProxmoxClusterConfig extends ClusterCommonConfig {
  readonly kind: "k3d-proxmox";
  readonly architecture: Architecture;
  readonly proxmox: {
    /** Proxmox API endpoint, e.g. `https://10.0.40.50:8006/`. */
    readonly endpoint: string;
    /**
     * Whether to skip TLS verification of the Proxmox API, which receives the API token.
     * Off by default: give Proxmox a certificate the deploying machine trusts instead.
     */
    readonly insecure: boolean;
    /** Proxmox node that hosts the VM. */
    readonly node: string;
    /** VMID of the cloud-init template to clone. */
    readonly templateVmId: number;
    /** VMID of the cluster VM. */
    readonly vmId: number;
    readonly datastore: string;
    readonly bridge: string;
  };
  readonly vm: {
    readonly name: string;
    readonly cores: number;
    readonly memoryMiB: number;
    readonly diskGiB: number;
    /** Static address in CIDR form, e.g. `10.0.40.52/24`. */
    readonly address: string;
    readonly gateway: string;
    readonly dnsServers: readonly string[];
    readonly sshUser: string;
    /** Public SSH keys put into the VM by cloud-init. */
    readonly sshPublicKeys: readonly string[];
    /** The VM's SSH host key, once known. @default none: unset on the first `up` of a new VM */
    readonly hostKey?: string;
  };
  readonly k3d: {
    readonly servers: number;
    readonly agents: number;
    /**
     * Registry mirrors for the k3d nodes' containerd (K3s `registries.yaml` `mirrors`):
     * registry host -> endpoints, e.g. `docker.io: [https://mirror.example:5000]`.
     */
    readonly registryMirrors: Readonly<Record<string, readonly string[]>>;
  };
}

/**
 * A cluster made elsewhere (any distribution, any cloud): the program delivers the engine,
 * services and apps onto it through its kubeconfig (the secret `platform:kubeconfigs`, keyed
 * by cluster name) and builds nothing else. What it offers is stated here, not derived.
 */
export interface ExistingClusterConfig extends ClusterCommonConfig {
  readonly kind: "existing";
  readonly architecture: Architecture;
  /** What serves north-south HTTP: K3s-style Traefik in kube-system, or a Gateway API gateway. */
  readonly ingress: "traefik" | "gateway-api";
  /** How Services of type LoadBalancer get an address there. */
  readonly loadBalancer: "metallb" | "cilium-lb-ipam" | "k3d";
  /** StorageClasses the cluster already has (services may add more). */
  readonly storageClasses: readonly string[];
  /** The StorageClass apps use when they name none; one of `storageClasses`. */
  readonly defaultStorageClass: string;
  /** Address the ingress answers on, exported as `loadBalancerAddress`; empty when unknown. */
  readonly loadBalancerAddress: string;
}

/** Any cluster a stack may hold. */
export type ClusterConfig =
  TalosHcloudClusterConfig | K3sClusterConfig | K3dProxmoxClusterConfig | ExistingClusterConfig;

/** Every pinned version the program installs; defaults live in config/defaults.ts. */
export interface Versions {
  readonly talos: string;
  readonly kubernetes: string;
  readonly k3s: string;
  /** kube-vip image tag (ghcr.io/kube-vip/kube-vip) serving the K3s API VIP. */
  readonly kubeVip: string;
  readonly k3d: string;
  /** The k3s image tag k3d runs (`rancher/k3s:<tag>`). */
  readonly k3dK3sImage: string;
  readonly docker: string;
  readonly flux: string;
  /** Argo CD Helm chart version (argo/argo-cd). */
  readonly argocdChart: string;
  readonly gatewayApi: string;
  readonly cilium: string;
  readonly hcloudCcm: string;
  readonly hcloudCsi: string;
  readonly talosBackup: string;
  /** alex1989hu/kubelet-serving-cert-approver release (Talos clusters). */
  readonly kubeletServingCertApprover: string;
}

/**
 * Secret config, read only with `requireSecret`/`getSecret`. Optional ones are
 * `undefined` when the stack does not set them.
 */
export interface SecretsConfig {
  /** Hetzner Cloud API token (cloud shape). @default unset */
  readonly hcloudToken?: pulumi.Output<string>;
  /** Proxmox API token `user@realm!id=uuid` (homelab shape with a k3d-proxmox cluster). @default unset */
  readonly proxmoxApiToken?: pulumi.Output<string>;
  /** SSH private key for the homelab hosts and the Proxmox VM (homelab shape). @default unset */
  readonly sshPrivateKey?: pulumi.Output<string>;
  /** Token the GitOps engine uses to read the repository. @default unset (a public repository) */
  readonly gitToken?: pulumi.Output<string>;
  /** age private key for SOPS decryption by Flux. @default unset (no SOPS files) */
  readonly sopsAgeKey?: pulumi.Output<string>;
  /** S3 access key id for etcd backups (cloud shape). @default unset */
  readonly etcdBackupS3AccessKeyId?: pulumi.Output<string>;
  /** S3 secret access key for etcd backups (cloud shape). @default unset */
  readonly etcdBackupS3SecretAccessKey?: pulumi.Output<string>;
  /** S3 access key id for K3s etcd snapshots (homelab, with `etcdSnapshots`). @default unset */
  readonly k3sEtcdS3AccessKeyId?: pulumi.Output<string>;
  /** S3 secret access key for K3s etcd snapshots (homelab, with `etcdSnapshots`). @default unset */
  readonly k3sEtcdS3SecretAccessKey?: pulumi.Output<string>;
  /** Kubeconfigs of the `existing` clusters: a JSON object keyed by cluster name. @default unset */
  readonly kubeconfigs?: pulumi.Output<string>;
}

/** The whole validated configuration of one stack. */
export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly shape: StackShape;
  readonly clusters: readonly ClusterConfig[];
  readonly versions: Versions;
  readonly secrets: SecretsConfig;
}
