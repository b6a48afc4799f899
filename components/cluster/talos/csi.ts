/**
 * The Hetzner Cloud CSI driver as a Talos inline manifest, rendered from the upstream
 * `deploy/kubernetes/hcloud-csi.yml` of the pinned release (hetznercloud/csi-driver v2.19.0,
 * commit 00045f95e0dc) with one change: the upstream file also creates a StorageClass
 * `hcloud-volumes` annotated as the default class. Talos applies extra manifests whole, so
 * fetching that file by URL gave every cluster two default classes (an unencrypted one beside
 * `hcloud-volumes-encrypted`), and the API server then picks the newest default for claims
 * without a class. Rendering it here leaves exactly one default, encrypted
 * (essentials.ts `encryptedStorageClass`), as the hcloud-k8s module does through the chart's
 * `storageClasses` value.
 *
 * The sidecars are the ones that release ships; a driver version without an entry in
 * {@link CSI_RELEASES} is refused at validation, with the file to update.
 */

/** Images of one csi-driver release, as its `hcloud-csi.yml` pins them. */
interface CsiRelease {
  readonly attacher: string;
  readonly resizer: string;
  readonly provisioner: string;
  readonly registrar: string;
  readonly livenessProbe: string;
}

/** Driver version -> its sidecar images (upstream deploy/kubernetes/hcloud-csi.yml at the tag). */
export const CSI_RELEASES: Readonly<Record<string, CsiRelease>> = {
  "2.19.0": {
    attacher: "registry.k8s.io/sig-storage/csi-attacher:v4.10.0",
    resizer: "registry.k8s.io/sig-storage/csi-resizer:v2.0.0",
    provisioner: "registry.k8s.io/sig-storage/csi-provisioner:v6.1.0",
    registrar: "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.15.0",
    livenessProbe: "registry.k8s.io/sig-storage/livenessprobe:v2.17.0",
  },
};

/** The sidecars of a driver version, or a message saying what to do. */
export function csiRelease(version: string): CsiRelease {
  const v = version.replace(/^v/, "");
  const release = CSI_RELEASES[v];
  if (!release) {
    throw new Error(
      `versions.hcloudCsi: "${version}" has no rendered manifest (known: ${Object.keys(CSI_RELEASES).join(", ")}); ` +
        `add its sidecar images from hetznercloud/csi-driver deploy/kubernetes/hcloud-csi.yml at v${v} to components/cluster/talos/csi.ts, or pin a known version`,
    );
  }
  return release;
}

const LABELS = { "app.kubernetes.io/name": "hcloud-csi", "app.kubernetes.io/instance": "hcloud-csi" };
const NS = "kube-system";

/** Every object of the driver except the upstream StorageClass. */
export function csiObjects(version: string, hcloudSecretName: string): Record<string, unknown>[] {
  const v = version.replace(/^v/, "");
  const images = csiRelease(v);
  const driver = `docker.io/hetznercloud/hcloud-csi-driver:v${v}`;
  const controllerLabels = { ...LABELS, "app.kubernetes.io/component": "controller" };
  const nodeLabels = { ...LABELS, "app.kubernetes.io/component": "node" };
  const socket = { name: "socket-dir", mountPath: "/run/csi" };
  const metricsEnv = [
    { name: "CSI_ENDPOINT", value: "unix:///run/csi/socket" },
    { name: "METRICS_ENDPOINT", value: "0.0.0.0:9189" },
    { name: "ENABLE_METRICS", value: "true" },
  ];
  const driverPorts = [
    { name: "metrics", containerPort: 9189 },
    { name: "healthz", protocol: "TCP", containerPort: 9808 },
  ];
  const liveness = {
    failureThreshold: 5,
    initialDelaySeconds: 10,
    periodSeconds: 2,
    successThreshold: 1,
    timeoutSeconds: 3,
    httpGet: { path: "/healthz", port: "healthz" },
  };
  const rule = (apiGroups: string[], resources: string[], verbs: string[]) => ({
    apiGroups,
    resources,
    verbs,
  });
  const metricsService = (name: string, labels: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS, labels },
    spec: { ports: [{ name: "metrics", port: 9189 }], selector: labels },
  });
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "hcloud-csi-controller", namespace: NS, labels: controllerLabels },
      automountServiceAccountToken: true,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "hcloud-csi-controller", labels: controllerLabels },
      rules: [
        // attacher
        rule([""], ["persistentvolumes"], ["get", "list", "watch", "update", "patch"]),
        rule([""], ["nodes"], ["get", "list", "watch"]),
        rule(["csi.storage.k8s.io"], ["csinodeinfos"], ["get", "list", "watch"]),
        rule(["storage.k8s.io"], ["csinodes"], ["get", "list", "watch"]),
        rule(["storage.k8s.io"], ["volumeattachments"], ["get", "list", "watch", "update", "patch"]),
        rule(["storage.k8s.io"], ["volumeattachments/status"], ["patch"]),
        // provisioner
        rule([""], ["secrets"], ["get", "list"]),
        rule([""], ["persistentvolumes"], ["get", "list", "watch", "create", "delete", "patch"]),
        rule(
          [""],
          ["persistentvolumeclaims", "persistentvolumeclaims/status"],
          ["get", "list", "watch", "update", "patch"],
        ),
        rule(["storage.k8s.io"], ["storageclasses"], ["get", "list", "watch"]),
        rule([""], ["events"], ["list", "watch", "create", "update", "patch"]),
        rule(["snapshot.storage.k8s.io"], ["volumesnapshots"], ["get", "list"]),
        rule(["snapshot.storage.k8s.io"], ["volumesnapshotcontents"], ["get", "list"]),
        // resizer
        rule([""], ["pods"], ["get", "list", "watch"]),
        rule(["storage.k8s.io"], ["volumeattributesclasses"], ["get", "list", "watch"]),
        // node
        rule([""], ["events"], ["get", "list", "watch", "create", "update", "patch"]),
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "hcloud-csi-controller", labels: controllerLabels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "hcloud-csi-controller" },
      subjects: [{ kind: "ServiceAccount", name: "hcloud-csi-controller", namespace: NS }],
    },
    metricsService("hcloud-csi-controller-metrics", controllerLabels),
    metricsService("hcloud-csi-node-metrics", nodeLabels),
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "hcloud-csi-node", namespace: NS, labels: { ...nodeLabels, app: "hcloud-csi" } },
      spec: {
        updateStrategy: { type: "RollingUpdate" },
        selector: { matchLabels: { app: "hcloud-csi" } },
        template: {
          metadata: { labels: { ...nodeLabels, app: "hcloud-csi" } },
          spec: {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: "instance.hetzner.cloud/is-root-server", operator: "NotIn", values: ["true"] },
                        { key: "instance.hetzner.cloud/provided-by", operator: "NotIn", values: ["robot"] },
                      ],
                    },
                  ],
                },
              },
            },
            tolerations: [
              { effect: "NoExecute", operator: "Exists" },
              { effect: "NoSchedule", operator: "Exists" },
              { key: "CriticalAddonsOnly", operator: "Exists" },
            ],
            securityContext: { fsGroup: 1001 },
            containers: [
              {
                name: "csi-node-driver-registrar",
                image: images.registrar,
                imagePullPolicy: "IfNotPresent",
                args: ["--kubelet-registration-path=/var/lib/kubelet/plugins/csi.hetzner.cloud/socket"],
                volumeMounts: [
                  { name: "plugin-dir", mountPath: "/run/csi" },
                  { name: "registration-dir", mountPath: "/registration" },
                ],
              },
              {
                name: "liveness-probe",
                image: images.livenessProbe,
                imagePullPolicy: "IfNotPresent",
                volumeMounts: [{ name: "plugin-dir", mountPath: "/run/csi" }],
              },
              {
                name: "hcloud-csi-driver",
                image: driver,
                imagePullPolicy: "IfNotPresent",
                args: ["-node"],
                volumeMounts: [
                  { name: "kubelet-dir", mountPath: "/var/lib/kubelet", mountPropagation: "Bidirectional" },
                  { name: "plugin-dir", mountPath: "/run/csi" },
                  { name: "device-dir", mountPath: "/dev" },
                ],
                securityContext: { privileged: true },
                env: metricsEnv,
                ports: driverPorts,
                livenessProbe: liveness,
              },
            ],
            volumes: [
              { name: "kubelet-dir", hostPath: { path: "/var/lib/kubelet", type: "Directory" } },
              {
                name: "plugin-dir",
                hostPath: { path: "/var/lib/kubelet/plugins/csi.hetzner.cloud/", type: "DirectoryOrCreate" },
              },
              {
                name: "registration-dir",
                hostPath: { path: "/var/lib/kubelet/plugins_registry/", type: "Directory" },
              },
              { name: "device-dir", hostPath: { path: "/dev", type: "Directory" } },
            ],
          },
        },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "hcloud-csi-controller",
        namespace: NS,
        labels: { ...controllerLabels, app: "hcloud-csi-controller" },
      },
      spec: {
        replicas: 1,
        strategy: { type: "RollingUpdate" },
        selector: { matchLabels: { app: "hcloud-csi-controller" } },
        template: {
          metadata: { labels: { ...controllerLabels, app: "hcloud-csi-controller" } },
          spec: {
            serviceAccountName: "hcloud-csi-controller",
            affinity: {
              nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    preference: {
                      matchExpressions: [
                        { key: "instance.hetzner.cloud/provided-by", operator: "In", values: ["cloud"] },
                      ],
                    },
                    weight: 1,
                  },
                ],
              },
            },
            securityContext: { fsGroup: 1001 },
            containers: [
              {
                name: "csi-attacher",
                image: images.attacher,
                imagePullPolicy: "IfNotPresent",
                args: ["--default-fstype=ext4"],
                volumeMounts: [socket],
              },
              {
                name: "csi-resizer",
                image: images.resizer,
                imagePullPolicy: "IfNotPresent",
                volumeMounts: [socket],
              },
              {
                name: "csi-provisioner",
                image: images.provisioner,
                imagePullPolicy: "IfNotPresent",
                args: ["--feature-gates=Topology=true", "--default-fstype=ext4", "--extra-create-metadata"],
                volumeMounts: [socket],
              },
              {
                name: "liveness-probe",
                image: images.livenessProbe,
                imagePullPolicy: "IfNotPresent",
                volumeMounts: [socket],
              },
              {
                name: "hcloud-csi-driver",
                image: driver,
                imagePullPolicy: "IfNotPresent",
                args: ["-controller"],
                env: [
                  ...metricsEnv,
                  {
                    name: "KUBE_NODE_NAME",
                    valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } },
                  },
                  // The `hcloud` Secret is applied through the Kubernetes API (essentials.ts `ESSENTIAL_SECRETS`).
                  {
                    name: "HCLOUD_TOKEN",
                    valueFrom: { secretKeyRef: { name: hcloudSecretName, key: "token" } },
                  },
                ],
                ports: driverPorts,
                livenessProbe: liveness,
                volumeMounts: [socket],
              },
            ],
            volumes: [{ name: "socket-dir", emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: { name: "csi.hetzner.cloud" },
      spec: {
        attachRequired: true,
        fsGroupPolicy: "File",
        podInfoOnMount: true,
        seLinuxMount: true,
        volumeLifecycleModes: ["Persistent"],
      },
    },
  ];
}
