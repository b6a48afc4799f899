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
 * Secrets never enter these manifests: they only reference Secrets by name, and the
 * component creates those Secrets through the live provider (ARCHITECTURE decision 5).
 */
import { stringify } from "yaml";
import type { TalosHcloudClusterConfig, Versions } from "../../../config/types";
import { HCLOUD_ENCRYPTED_STORAGE_CLASS } from "../capabilities";
import { csiObjects } from "./csi";

/** Secret the hcloud CCM and CSI read (`token`, `network`); the names are upstream defaults. */
export const HCLOUD_SECRET = { name: "hcloud", namespace: "kube-system" } as const;
/** Secret holding the CSI LUKS passphrase (key `encryption-passphrase`). */
export const CSI_LUKS_SECRET = { name: "hcloud-csi-luks", namespace: "kube-system" } as const;
/** Secret holding the etcd backup S3 credentials. */
export const ETCD_BACKUP_S3_SECRET = { name: "talos-backup-s3", namespace: "kube-system" } as const;
/** KubePrism: Talos' node-local API load balancer, which Cilium talks to. */
export const KUBEPRISM_PORT = 7445;
/**
 * The Cilium charts each cilium-cli release embeds (cilium/cilium-cli
 * `vendor/github.com/cilium/charts` per tag; ../shared/schemas/cluster-facts.json). A CLI
 * installs an embedded chart without network access; for any other version it downloads
 * into `$HOME/.cache`, so the Job pins the oldest CLI that embeds the pinned Cilium.
 */
export const CILIUM_CLI_EMBEDDED_CHARTS: Readonly<Record<string, readonly string[]>> = {
  "v0.18.7": ["1.18.0", "1.18.1"],
  "v0.18.8": ["1.18.0", "1.18.1", "1.18.2"],
  "v0.18.9": ["1.18.0", "1.18.1", "1.18.2", "1.18.3"],
};

/** The cilium-cli tag whose image embeds the chart of `cilium`, or undefined. */
export function ciliumCliFor(cilium: string): string | undefined {
  const bare = cilium.replace(/^v/, "");
  return Object.keys(CILIUM_CLI_EMBEDDED_CHARTS).find((tag) =>
    CILIUM_CLI_EMBEDDED_CHARTS[tag].includes(bare),
  );
}

/** The cilium-cli image of the install Job for a Cilium version. */
export function ciliumCliImage(cilium: string): string {
  const tag = ciliumCliFor(cilium);
  if (!tag) {
    throw new Error(
      `versions.cilium: "${cilium}" is not embedded by any known cilium-cli release (${Object.entries(
        CILIUM_CLI_EMBEDDED_CHARTS,
      )
        .map(([t, charts]) => `${t}: ${charts.join(", ")}`)
        .join("; ")}); pin one of those`,
    );
  }
  return `quay.io/cilium/cilium-cli:${tag}`;
}

/** A `cluster.inlineManifests` entry. */
export interface InlineManifest {
  readonly name: string;
  readonly contents: string;
}

/** Remote manifests Talos fetches at bootstrap (`cluster.extraManifests`). */
export function extraManifestUrls(versions: Versions): string[] {
  const gw = `v${versions.gatewayApi.replace(/^v/, "")}`;
  return [
    // Approves the kubelets' serving certificates (`rotate-server-certificates`), without
    // which `kubectl logs/exec` and metrics-server fail: Talos "Deploying Metrics Server".
    `https://raw.githubusercontent.com/alex1989hu/kubelet-serving-cert-approver/${versions.kubeletServingCertApprover}/deploy/standalone-install.yaml`,
    `https://github.com/kubernetes-sigs/gateway-api/releases/download/${gw}/standard-install.yaml`,
    // Cilium's Gateway API support also watches TLSRoute, which is experimental-channel only.
    `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/${gw}/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml`,
    // The CSI driver is not fetched from its upstream file, which also creates a second
    // default StorageClass; it is an inline manifest (csi.ts).
  ];
}

/**
 * The hcloud CCM with private-network routing, as the upstream `deploy/ccm-networks.yaml`
 * (rendered from the project's chart) ships it, but with `--cluster-cidr` set to the
 * cluster's pod CIDR: the upstream file hard-codes 10.244.0.0/16, and the routes the CCM
 * creates for node pod CIDRs must cover the pods Cilium routes natively.
 * @see https://github.com/hetznercloud/hcloud-cloud-controller-manager/blob/main/deploy/ccm-networks.yaml
 */
export function ccmManifest(config: TalosHcloudClusterConfig, versions: Versions): InlineManifest {
  const sa = { name: "hcloud-cloud-controller-manager", namespace: "kube-system" };
  const fromSecret = (name: string, key: string, optional = false) => ({
    name,
    valueFrom: { secretKeyRef: { name: HCLOUD_SECRET.name, key, ...(optional ? { optional: true } : {}) } },
  });
  return {
    name: "hcloud-cloud-controller-manager",
    contents: yamlDocs([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: sa },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "system:hcloud-cloud-controller-manager" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "ServiceAccount", ...sa }],
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: sa,
        spec: {
          replicas: 1,
          revisionHistoryLimit: 2,
          selector: { matchLabels: { app: sa.name } },
          template: {
            metadata: { labels: { app: sa.name } },
            spec: {
              serviceAccountName: sa.name,
              dnsPolicy: "Default",
              tolerations: [
                {
                  key: "node.cloudprovider.kubernetes.io/uninitialized",
                  value: "true",
                  effect: "NoSchedule",
                },
                { key: "CriticalAddonsOnly", operator: "Exists" },
                { key: "node-role.kubernetes.io/master", effect: "NoSchedule", operator: "Exists" },
                { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule", operator: "Exists" },
                { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
              ],
              hostNetwork: true,
              containers: [
                {
                  name: sa.name,
                  args: [
                    "--allow-untagged-cloud",
                    "--cloud-provider=hcloud",
                    "--route-reconciliation-period=30s",
                    "--webhook-secure-port=0",
                    "--allocate-node-cidrs=true",
                    `--cluster-cidr=${config.podCidr}`,
                    "--leader-elect=false",
                  ],
                  env: [
                    fromSecret("HCLOUD_TOKEN", "token"),
                    fromSecret("ROBOT_PASSWORD", "robot-password", true),
                    fromSecret("ROBOT_USER", "robot-user", true),
                    fromSecret("HCLOUD_NETWORK", "network"),
                  ],
                  image: `docker.io/hetznercloud/hcloud-cloud-controller-manager:v${versions.hcloudCcm.replace(/^v/, "")}`,
                  ports: [{ name: "metrics", containerPort: 8233 }],
                  resources: { requests: { cpu: "100m", memory: "50Mi" } },
                },
              ],
              priorityClassName: "system-cluster-critical",
            },
          },
        },
      },
    ]),
  };
}

/** The secret values the cluster's own Secrets hold; only ever inside a secret Output. */
export interface EssentialSecrets {
  readonly hcloudToken: string;
  readonly networkId: string;
  readonly luksPassphrase: string;
  readonly backupAccessKeyId: string;
  readonly backupSecretAccessKey: string;
}

/** One Secret the component applies through the Kubernetes API. */
export interface EssentialSecret {
  readonly name: string;
  readonly namespace: string;
  /** Key -> which {@link EssentialSecrets} value it holds. */
  readonly keys: Readonly<Record<string, keyof EssentialSecrets>>;
}

/**
 * The Secrets the CCM, the CSI driver and the etcd backups read. They are applied through
 * the Kubernetes API once it answers (talos-hcloud-cluster.ts), never through the machine
 * config: a machine config may reach a server as user data, which any process on the node
 * (pods included) can read from the Hetzner metadata service, and a Talos machine config is
 * readable through the Talos API. The workloads reference them by name only.
 * @see https://docs.hetzner.cloud/reference/cloud#server-metadata
 */
export const ESSENTIAL_SECRETS: readonly EssentialSecret[] = [
  { ...HCLOUD_SECRET, keys: { token: "hcloudToken", network: "networkId" } },
  { ...CSI_LUKS_SECRET, keys: { "encryption-passphrase": "luksPassphrase" } },
  {
    ...ETCD_BACKUP_S3_SECRET,
    keys: { AWS_ACCESS_KEY_ID: "backupAccessKeyId", AWS_SECRET_ACCESS_KEY: "backupSecretAccessKey" },
  },
];

/**
 * Workloads that read a Secret through environment variables, which a container reads only
 * when it starts: a rotated value reaches them only through a new rollout (the component
 * patches a restart annotation onto their pod templates). The etcd backup CronJob starts a
 * new pod per run and needs none.
 */
export const SECRET_READERS: readonly {
  readonly kind: "Deployment" | "DaemonSet";
  readonly name: string;
  readonly secret: string;
}[] = [
  { kind: "Deployment", name: "hcloud-cloud-controller-manager", secret: HCLOUD_SECRET.name },
  { kind: "Deployment", name: "hcloud-csi-controller", secret: HCLOUD_SECRET.name },
];

/** A Helm values tree as plain data. */
type HelmValues = { [key: string]: string | number | boolean | string[] | HelmValues };

/**
 * Cilium's Helm values: WireGuard, no kube-proxy, Gateway API, LB IPAM, Talos cgroup and
 * capabilities (Talos "Deploying Cilium CNI"). One source for both owners of Cilium: the
 * bootstrap Job's `cilium install --set` flags and the GitOps engine's Helm release that
 * upgrades it afterwards, so the engine's first sync changes nothing.
 */
export function ciliumValues(config: TalosHcloudClusterConfig): HelmValues {
  return {
    ipam: { mode: "kubernetes" },
    kubeProxyReplacement: true,
    k8sServiceHost: "localhost",
    k8sServicePort: KUBEPRISM_PORT,
    routingMode: "native",
    ipv4NativeRoutingCIDR: config.podCidr,
    encryption: { enabled: true, type: "wireguard" },
    gatewayAPI: { enabled: true },
    l2announcements: { enabled: true },
    cgroup: { autoMount: { enabled: false }, hostRoot: "/sys/fs/cgroup" },
    securityContext: {
      capabilities: {
        // Talos forbids loading kernel modules from workloads: drop SYS_MODULE (Talos docs).
        ciliumAgent: [
          "CHOWN",
          "KILL",
          "NET_ADMIN",
          "NET_RAW",
          "IPC_LOCK",
          "SYS_ADMIN",
          "SYS_RESOURCE",
          "DAC_OVERRIDE",
          "FOWNER",
          "SETGID",
          "SETUID",
        ],
        cleanCiliumState: ["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"],
      },
    },
    // With Istio (cortex-api, 003): let the istio-cni plugin chain after Cilium's, and keep
    // socket load balancing out of pod namespaces so traffic reaches the sidecars (Cilium
    // "Integration with Istio": cni.exclusive=false, socketLB.hostNamespaceOnly=true).
    ...(config.services.includes("istio")
      ? { cni: { exclusive: false }, socketLB: { hostNamespaceOnly: true } }
      : {}),
  };
}

/** `--set=a.b=v` flags of a values tree; lists as Helm's `{x,y}` (helm pkg/strvals). */
function setFlags(values: HelmValues, prefix = ""): string[] {
  return Object.entries(values).flatMap(([key, value]) =>
    Array.isArray(value)
      ? [`--set=${prefix}${key}={${value.join(",")}}`]
      : typeof value === "object"
        ? setFlags(value, `${prefix}${key}.`)
        : [`--set=${prefix}${key}=${String(value)}`],
  );
}

/** `cilium install` arguments of the bootstrap Job for Cilium `version`. */
export function ciliumInstallArgs(config: TalosHcloudClusterConfig, version: string): string[] {
  return ["install", `--version=${version.replace(/^v/, "")}`, ...setFlags(ciliumValues(config))];
}

function yamlDocs(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

const CONTROL_PLANE_TOLERATIONS = [
  { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
];

/**
 * The bootstrap install of Cilium. A Job's pod template is immutable and `cilium install`
 * does not upgrade an existing release, so this Job only ever installs the Cilium version
 * the cluster was created with (`bootstrapCilium`, kept by the component): its manifest
 * never changes when `versions.cilium` does, and `talosctl upgrade-k8s` re-applies it
 * unchanged. Upgrades belong to the GitOps engine's `cilium` Helm release
 * ({@link ciliumAddon}), which adopts the release this Job installed.
 */
function ciliumManifest(config: TalosHcloudClusterConfig, bootstrapCilium: string): InlineManifest {
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
                  image: ciliumCliImage(bootstrapCilium),
                  // Newer cilium-cli images have an empty ENTRYPOINT (cluster-facts.json
                  // `entrypointEmpty`); the binary is /usr/local/bin/cilium (cilium-cli Dockerfile).
                  command: ["/usr/local/bin/cilium"],
                  args: ciliumInstallArgs(config, bootstrapCilium),
                  env: [
                    { name: "KUBERNETES_SERVICE_HOST", value: "localhost" },
                    { name: "KUBERNETES_SERVICE_PORT", value: String(KUBEPRISM_PORT) },
                    // The CLI keeps its state under $HOME; the root filesystem is read-only.
                    { name: "HOME", value: "/tmp" },
                  ],
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    runAsUser: 65532,
                  },
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
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

/**
 * The LUKS-encrypted XFS StorageClass (Retain), passphrase by Secret reference. Its volumes
 * carry the label `cluster=<clusterName>` (the driver's `labels` parameter, `k=v[,k=v]`:
 * csi-driver internal/driver/controller.go, utils.ConvertLabelsToMap), so a destroy can
 * name the volumes the cluster leaves behind.
 */
export function encryptedStorageClass(clusterName: string): Record<string, unknown> {
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
      // Source document 002: XFS with large extent counters.
      // The driver reads `fsFormatOptions` (csi-driver internal/driver/controller.go;
      // cluster-facts.json `csiStorageClassParameters`); any other key is ignored.
      fsFormatOptions: "-i nrext64=1",
      labels: `cluster=${clusterName}`,
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
                        // Encrypted to the configured age recipient; without one talos-backup
                        // must be told to upload plain snapshots (README says so).
                        ...(b.ageRecipient
                          ? [{ name: "AGE_X25519_PUBLIC_KEY", value: b.ageRecipient }]
                          : [{ name: "DISABLE_ENCRYPTION", value: "true" }]),
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

/**
 * Every inline manifest of the control-plane config, in apply order; none holds a secret.
 */
export function essentialInlineManifests(
  config: TalosHcloudClusterConfig,
  versions: Versions,
  bootstrapCilium: string = versions.cilium,
): InlineManifest[] {
  return [
    ccmManifest(config, versions),
    ciliumManifest(config, bootstrapCilium),
    // The driver without its upstream default class (csi.ts), then the one default class.
    { name: "hcloud-csi", contents: yamlDocs(csiObjects(versions.hcloudCsi, HCLOUD_SECRET.name)) },
    { name: "hcloud-volumes-encrypted", contents: yamlDocs([encryptedStorageClass(config.name)]) },
    etcdBackupManifest(config, versions),
  ];
}
