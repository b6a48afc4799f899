/**
 * In-cluster essentials every Talos cluster gets before any GitOps engine: Cilium, the
 * hcloud CCM and CSI driver, Gateway API CRDs, the encrypted StorageClass and hourly etcd
 * backups.
 *
 * Mechanism: everything non-secret travels inside the control-plane machine config
 * (`cluster.extraManifests` URLs and `cluster.inlineManifests`), which Talos applies at
 * bootstrap. The machine config is plain data, so `pulumi preview` on a fresh stack works
 * with an unknown kubeconfig (ARCHITECTURE decision 6). A Helm `Release` through the
 * cluster provider was rejected: its preview contacts the API server
 * (https://github.com/pulumi/pulumi-kubernetes/issues/2236, "Preview fails for Helm Release
 * when trying to get server version"; helm.v4.Chart likewise fails to parse an unknown
 * kubeconfig, https://github.com/pulumi/pulumi-kubernetes/issues/3027). Cilium is installed
 * by a Job running the cilium CLI, Talos' documented "Method 5: Using a job"
 * (https://www.talos.dev/latest/kubernetes-guides/network/deploying-cilium). Its day-2
 * upgrades belong to the GitOps engine (source document 002 runs Cilium as an Argo CD
 * infrastructure app); the CLI installs it as Helm release `cilium` so the engine adopts it.
 *
 * The Secrets the CCM, CSI and backups read (`hcloud`, LUKS passphrase, S3 credentials)
 * are inline manifests too (`secretInlineManifests`), as hcloud-k8s ships them
 * (terraform-hcloud-kubernetes talos_config_control_plane.tf inline manifests): the CCM
 * needs `hcloud` to initialise the first node, before any live provider could apply it.
 * They make the control-plane patch and config secret: the component wraps them in
 * `pulumi.secret` and the config Command registers `stdout` as a secret output.
 */
import { createHash } from "crypto";
import { stringify } from "yaml";
import type { TalosHcloudClusterConfig, Versions } from "../../../config/types";
import { HCLOUD_ENCRYPTED_STORAGE_CLASS } from "../capabilities";

/** Secret the hcloud CCM and CSI read (`token`, `network`); the names are upstream defaults. */
export const HCLOUD_SECRET = { name: "hcloud", namespace: "kube-system" } as const;
/** Secret holding the CSI LUKS passphrase (key `encryption-passphrase`). */
export const CSI_LUKS_SECRET = { name: "hcloud-csi-luks", namespace: "kube-system" } as const;
/** Secret holding the etcd backup S3 credentials. */
export const ETCD_BACKUP_S3_SECRET = { name: "talos-backup-s3", namespace: "kube-system" } as const;
/** KubePrism: Talos' node-local API load balancer, which Cilium talks to. */
export const KUBEPRISM_PORT = 7445;
/**
 * cilium-cli tag -> Cilium chart versions it embeds (vendor/github.com/cilium/charts per
 * tag; /work/shared/schemas/cluster-facts.json `ciliumCli.embeddedCharts`). The Job's root
 * filesystem is read-only, so the CLI must not download a chart: the pinned Cilium must be
 * embedded by the pinned CLI. `ciliumCliTag` picks the oldest tag that embeds it.
 */
export const CILIUM_CLI_EMBEDDED_CHARTS: Readonly<Record<string, readonly string[]>> = {
  "v0.18.7": ["1.18.0", "1.18.1"],
  "v0.18.8": ["1.18.0", "1.18.1", "1.18.2"],
  "v0.18.9": ["1.18.0", "1.18.1", "1.18.2", "1.18.3"],
};

/** The cilium-cli tag embedding Cilium `cilium`, or undefined when no known tag does. */
export function ciliumCliTag(cilium: string): string | undefined {
  const v = cilium.replace(/^v/, "");
  return Object.keys(CILIUM_CLI_EMBEDDED_CHARTS).find((tag) => CILIUM_CLI_EMBEDDED_CHARTS[tag].includes(v));
}

/** cilium-cli image of the install Job. */
export function ciliumCliImage(versions: Versions): string {
  const tag = ciliumCliTag(versions.cilium);
  if (!tag)
    throw new Error(`versions.cilium: "${versions.cilium}" is not embedded by any known cilium-cli tag`);
  return `quay.io/cilium/cilium-cli:${tag}`;
}
/**
 * The image's ENTRYPOINT is empty (cilium-cli Dockerfile, stage `cilium-cli-ci`:
 * `ENTRYPOINT []`, binary at `/usr/local/bin/cilium`), so the Job must name the binary.
 */
export const CILIUM_CLI_COMMAND = ["cilium"] as const;

/** A `cluster.inlineManifests` entry. */
export interface InlineManifest {
  readonly name: string;
  readonly contents: string;
}

/** Remote manifests Talos fetches at bootstrap (`cluster.extraManifests`). */
export function extraManifestUrls(versions: Versions): string[] {
  const gw = `v${versions.gatewayApi.replace(/^v/, "")}`;
  return [
    `https://github.com/kubernetes-sigs/gateway-api/releases/download/${gw}/standard-install.yaml`,
    // Cilium's Gateway API support also watches TLSRoute, which is experimental-channel only.
    `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${gw}/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml`,
    `https://raw.githubusercontent.com/hetznercloud/csi-driver/v${versions.hcloudCsi.replace(/^v/, "")}/deploy/kubernetes/hcloud-csi.yml`,
  ];
}

/** The hcloud CCM manifest with private-network routing (`cluster.externalCloudProvider.manifests`). */
export function ccmManifestUrl(versions: Versions): string {
  const v = `v${versions.hcloudCcm.replace(/^v/, "")}`;
  return `https://github.com/hetznercloud/hcloud-cloud-controller-manager/releases/download/${v}/ccm-networks.yaml`;
}

/** `cilium install` flags: WireGuard, no kube-proxy, Gateway API, LB IPAM, Talos cgroup/caps. */
export function ciliumInstallArgs(config: TalosHcloudClusterConfig, versions: Versions): string[] {
  const set = (k: string, v: string) => `--set=${k}=${v}`;
  return [
    "install",
    `--version=${versions.cilium.replace(/^v/, "")}`,
    set("ipam.mode", "kubernetes"),
    set("kubeProxyReplacement", "true"),
    set("k8sServiceHost", "localhost"),
    set("k8sServicePort", String(KUBEPRISM_PORT)),
    set("routingMode", "native"),
    set("ipv4NativeRoutingCIDR", config.podCidr),
    set("encryption.enabled", "true"),
    set("encryption.type", "wireguard"),
    set("gatewayAPI.enabled", "true"),
    set("l2announcements.enabled", "true"),
    // No `externalIPs.enabled`: the 1.18.2 chart neither declares nor reads it (value paths of
    // the chart, /work/shared/schemas/cilium-1.18.2-value-paths.json); kubeProxyReplacement
    // handles external IPs.
    set("cgroup.autoMount.enabled", "false"),
    set("cgroup.hostRoot", "/sys/fs/cgroup"),
    // Talos forbids loading kernel modules from workloads: drop SYS_MODULE (Talos docs).
    set(
      "securityContext.capabilities.ciliumAgent",
      "{CHOWN,KILL,NET_ADMIN,NET_RAW,IPC_LOCK,SYS_ADMIN,SYS_RESOURCE,DAC_OVERRIDE,FOWNER,SETGID,SETUID}",
    ),
    set("securityContext.capabilities.cleanCiliumState", "{NET_ADMIN,SYS_ADMIN,SYS_RESOURCE}"),
  ];
}

function yamlDocs(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

const CONTROL_PLANE_TOLERATIONS = [
  { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
];

function ciliumManifest(config: TalosHcloudClusterConfig, versions: Versions): InlineManifest {
  const sa = { name: "cilium-install", namespace: "kube-system" };
  return {
    name: "cilium-install",
    contents: yamlDocs([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: sa },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "cilium-install" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "ServiceAccount", ...sa }],
      },
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: sa,
        spec: {
          backoffLimit: 10,
          template: {
            metadata: { labels: { app: "cilium-install" } },
            spec: {
              restartPolicy: "OnFailure",
              serviceAccountName: sa.name,
              // No CNI yet: the Job must use the host network and tolerate not-ready nodes.
              hostNetwork: true,
              tolerations: [
                ...CONTROL_PLANE_TOLERATIONS,
                { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" },
                {
                  key: "node.cloudprovider.kubernetes.io/uninitialized",
                  operator: "Exists",
                  effect: "NoSchedule",
                },
              ],
              nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
              containers: [
                {
                  name: "cilium-install",
                  image: ciliumCliImage(versions),
                  command: [...CILIUM_CLI_COMMAND],
                  args: ciliumInstallArgs(config, versions),
                  env: [
                    // Writable HOME/cache on the read-only root filesystem (helm cache, kubeconfig lookups).
                    { name: "HOME", value: "/tmp" },
                    { name: "XDG_CACHE_HOME", value: "/tmp/.cache" },
                    { name: "KUBERNETES_SERVICE_HOST", value: "localhost" },
                    { name: "KUBERNETES_SERVICE_PORT", value: String(KUBEPRISM_PORT) },
                  ],
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    runAsUser: 65532,
                  },
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: {} }],
            },
          },
        },
      },
    ]),
  };
}

/** The LUKS-encrypted XFS StorageClass (Retain), passphrase by Secret reference. */
export function encryptedStorageClass(): Record<string, unknown> {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: HCLOUD_ENCRYPTED_STORAGE_CLASS,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "csi.hetzner.cloud",
    reclaimPolicy: "Retain",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    parameters: {
      "csi.storage.k8s.io/fstype": "xfs",
      // Source document 002: XFS with large extent counters. The driver reads
      // `fsFormatOptions` (hetznercloud/csi-driver internal/driver/controller.go, CreateVolume).
      fsFormatOptions: "-i nrext64=1",
      "csi.storage.k8s.io/node-publish-secret-name": CSI_LUKS_SECRET.name,
      "csi.storage.k8s.io/node-publish-secret-namespace": CSI_LUKS_SECRET.namespace,
    },
  };
}

function etcdBackupManifest(config: TalosHcloudClusterConfig, versions: Versions): InlineManifest {
  const ns = "kube-system";
  const fromSecret = (name: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: ETCD_BACKUP_S3_SECRET.name, key: name } },
  });
  const b = config.etcdBackup;
  return {
    name: "talos-backup",
    contents: yamlDocs([
      // Talos issues this ServiceAccount a client certificate limited to etcd snapshots
      // (machine.features.kubernetesTalosAPIAccess on the control plane).
      {
        apiVersion: "talos.dev/v1alpha1",
        kind: "ServiceAccount",
        metadata: { name: "talos-backup-secrets", namespace: ns },
        spec: { roles: ["os:etcd:backup"] },
      },
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "talos-backup", namespace: ns },
        spec: {
          schedule: b.schedule,
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 3,
              template: {
                spec: {
                  restartPolicy: "OnFailure",
                  tolerations: CONTROL_PLANE_TOLERATIONS,
                  containers: [
                    {
                      name: "talos-backup",
                      image: `ghcr.io/siderolabs/talos-backup:${versions.talosBackup}`,
                      workingDir: "/tmp",
                      env: [
                        fromSecret("AWS_ACCESS_KEY_ID"),
                        fromSecret("AWS_SECRET_ACCESS_KEY"),
                        { name: "AWS_REGION", value: b.s3Region },
                        { name: "CUSTOM_S3_ENDPOINT", value: b.s3Endpoint },
                        { name: "BUCKET", value: b.s3Bucket },
                        { name: "CLUSTER_NAME", value: config.name },
                        { name: "S3_PREFIX", value: `${config.name}/etcd` },
                        { name: "USE_PATH_STYLE", value: "true" },
                        // Snapshots are protected by the bucket's server-side encryption; see report.
                        { name: "DISABLE_ENCRYPTION", value: "true" },
                      ],
                      securityContext: {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        readOnlyRootFilesystem: true,
                        runAsNonRoot: true,
                        runAsUser: 1000,
                        seccompProfile: { type: "RuntimeDefault" },
                      },
                      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                      volumeMounts: [
                        { name: "tmp", mountPath: "/tmp" },
                        { name: "talos-secrets", mountPath: "/var/run/secrets/talos.dev" },
                      ],
                    },
                  ],
                  volumes: [
                    { name: "tmp", emptyDir: {} },
                    { name: "talos-secrets", secret: { secretName: "talos-backup-secrets" } },
                  ],
                },
              },
            },
          },
        },
      },
    ]),
  };
}

/** Secret values shipped as inline manifests; callers pass them inside an `apply`. */
export interface EssentialSecretValues {
  readonly hcloudToken: string;
  readonly networkId: string;
  readonly luksPassphrase: string;
  readonly s3AccessKeyId: string;
  readonly s3SecretAccessKey: string;
}

/** The Secrets the essentials reference, as inline manifests (pure: values in, YAML out). */
export function secretInlineManifests(v: EssentialSecretValues): InlineManifest[] {
  const secret = (meta: { name: string; namespace: string }, stringData: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: { ...meta },
    stringData,
  });
  return [
    {
      name: "hcloud-secret",
      contents: yamlDocs([secret(HCLOUD_SECRET, { token: v.hcloudToken, network: v.networkId })]),
    },
    {
      name: "hcloud-csi-luks-secret",
      contents: yamlDocs([secret(CSI_LUKS_SECRET, { "encryption-passphrase": v.luksPassphrase })]),
    },
    {
      name: "talos-backup-s3-secret",
      contents: yamlDocs([
        secret(ETCD_BACKUP_S3_SECRET, {
          AWS_ACCESS_KEY_ID: v.s3AccessKeyId,
          AWS_SECRET_ACCESS_KEY: v.s3SecretAccessKey,
        }),
      ]),
    },
  ];
}

/** Every inline manifest of the control-plane config, in apply order. */
export function essentialInlineManifests(
  config: TalosHcloudClusterConfig,
  versions: Versions,
): InlineManifest[] {
  return [
    ciliumManifest(config, versions),
    { name: "hcloud-volumes-encrypted", contents: yamlDocs([encryptedStorageClass()]) },
    etcdBackupManifest(config, versions),
  ];
}

/**
 * Hash of every non-secret bootstrap manifest (inline contents, extraManifests and CCM URLs).
 * Talos applies bootstrap manifests only at bootstrap; `talosctl upgrade-k8s` re-syncs them
 * from the machine config (siderolabs/go-kubernetes `kubernetes/manifests`: "syncing Talos
 * bootstrap manifests", GetBootstrapManifests + Sync), so a change of this hash triggers it.
 * Secret manifests are left out: their values must not reach a plain environment.
 */
export function bootstrapManifestsHash(config: TalosHcloudClusterConfig, versions: Versions): string {
  const content = JSON.stringify({
    inline: essentialInlineManifests(config, versions),
    extra: extraManifestUrls(versions),
    ccm: ccmManifestUrl(versions),
  });
  return createHash("sha256").update(content).digest("hex");
}
