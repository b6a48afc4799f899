/**
 * What the platform itself takes from a cluster before any app is placed: the pods every
 * cluster kind runs regardless of services, the GitOps engine's controllers, the pods of each
 * platform service as this program installs it, and what the kubelet keeps away from pods on
 * each node. The capacity preflight (lib/capacity.ts) places these before the apps' pods.
 *
 * Every number is a resource *request* (what the scheduler accounts), never a limit or a
 * measurement. Where the program sets `resources.requests` in its own values (the file and
 * line are named in `source`), that value is used; otherwise the chart's or manifest's own
 * default is used, read from the upstream file named in `source`. `"0"` means the chart or
 * manifest sets no request (`resources: {}`): such a pod takes nothing from the scheduler's
 * accounting, whatever it uses at run time. A `source` says when the stored upstream copy is
 * not the pinned version, and which numbers were not re-read at all.
 *
 * Not counted anywhere here, on purpose: one-off Jobs that finish during install (Helm hooks
 * such as cert-manager's startupapicheck, K3s's helm-install jobs, the Cilium install Job),
 * and the pods an app brings with it (CloudNativePG database instances, Istio sidecars, ...).
 */

/** One kind of pod a platform service runs, with its CPU/memory requests as the program installs it. */
export interface FootprintPod {
  readonly name: string;
  /** Pods of a Deployment/StatefulSet; `"per-node"` for a DaemonSet (or one static pod per node). */
  readonly replicas: number | "per-node";
  /** Kubernetes quantity of the pod's CPU request (all its containers summed); "0" when the chart sets none. */
  readonly cpu: string;
  /** Kubernetes quantity of the pod's memory request (all its containers summed); "0" when none. */
  readonly memory: string;
  /**
   * Pods that run only on control-plane nodes (tolerate the control-plane taint and select those
   * nodes). With `replicas: "per-node"` it means one per control-plane node.
   * @default false
   */
  readonly controlPlane?: boolean;
  /**
   * Pods that tolerate every taint (DaemonSets that run on every node incl. tainted ones).
   * @default false for Deployments, true for per-node
   */
  readonly toleratesAll?: boolean;
  /**
   * The CPU request is this percent of the node's allocatable CPU, not a fixed quantity (Longhorn's
   * instance-manager, `guaranteedInstanceManagerCPU`); `cpu` is then "0".
   * @default none: `cpu` is the request
   */
  readonly cpuPercentOfNode?: number;
  /**
   * The pod exists only some of the time or only with some settings (a CronJob's run, an
   * optional component); says when. A preflight that wants the worst case counts it.
   * @default none: the pod always runs
   */
  readonly onlyWhen?: string;
}

/** The pods of one platform service (or base component set) and where each number comes from. */
export interface ServiceFootprint {
  readonly pods: readonly FootprintPod[];
  /** Where each number comes from: chart, version, file, and the program's own values file/line. */
  readonly source: string;
}

/** Per-node reservation the kubelet keeps away from pods (system-reserved + kube-reserved + hard eviction threshold). */
export interface NodeReservation {
  /** Reserved on every node (workers; control planes too unless `controlPlane` says otherwise). */
  readonly cpu: string;
  readonly memory: string;
  /** What control-plane nodes reserve when it differs from workers. @default the workers' `cpu` and `memory` */
  readonly controlPlane?: { readonly cpu: string; readonly memory: string };
  readonly source: string;
}

/** The cluster kinds the program builds (config/types.ts `ClusterKind`). */
export type FootprintClusterKind = "talos-hcloud" | "k3s" | "k3d-proxmox";

// --------------------------------------------------------------------------- cluster base

/** K3s's packaged add-ons that run on both K3s kinds (homelab hosts and the k3d VM). */
const K3S_PACKAGED: readonly FootprintPod[] = [
  // One replica: the Deployment leaves `replicas` unset (Kubernetes default 1).
  { name: "coredns", replicas: 1, cpu: "100m", memory: "70Mi" },
  { name: "local-path-provisioner", replicas: 1, cpu: "0", memory: "0" },
  { name: "metrics-server", replicas: 1, cpu: "0", memory: "0" },
  { name: "traefik", replicas: 1, cpu: "0", memory: "0" },
];

const K3S_PACKAGED_SOURCE =
  "K3s packaged manifests (k3s-io/k3s manifests/, newest stored copies, not the v1.33.5+k3s1 tag): " +
  "coredns.yaml (commit 66c487bd, CoreDNS 1.11.3): Deployment without `replicas`, requests cpu 100m / memory 70Mi; " +
  "local-storage.yaml (commit d804db30): local-path-provisioner, 1 replica, no resources; " +
  "metrics-server/metrics-server-deployment.yaml (commit 63f2211b, an old v0.3.6 copy): no resources. " +
  "UNVERIFIED: newer K3s metrics-server manifests may set requests; the v1.33 file was not in the index, so 0 is what was read, not what v1.33 necessarily ships. " +
  "traefik.yaml (commit 68de3872): the HelmChart's valuesContent sets no resources (priorityClass, tolerations for " +
  "CriticalAddonsOnly and control-plane NoSchedule); the bundled Traefik chart's own `resources` default was not read (0 assumed: Traefik chart values leave it empty). " +
  "Flannel, kube-proxy, the API server, scheduler and controller manager run inside the k3s process, not as pods.";

/**
 * What every cluster of a kind runs regardless of its services: CNI, CoreDNS, cloud controller,
 * CSI, control-plane static pods (Talos), kube-vip (K3s), K3s's packaged metrics-server,
 * local-path-provisioner and Traefik. The GitOps engine's controllers are not in here: add
 * {@link GITOPS_FOOTPRINT} for the cluster's `engine` (or use {@link baseFootprint}).
 */
export const CLUSTER_BASE_FOOTPRINT: Readonly<Record<FootprintClusterKind, ServiceFootprint>> = {
  "talos-hcloud": {
    pods: [
      // Static pods: the kubelet admits them against allocatable, so they count.
      { name: "kube-apiserver", replicas: "per-node", cpu: "200m", memory: "512Mi", controlPlane: true },
      {
        name: "kube-controller-manager",
        replicas: "per-node",
        cpu: "50m",
        memory: "256Mi",
        controlPlane: true,
      },
      { name: "kube-scheduler", replicas: "per-node", cpu: "10m", memory: "64Mi", controlPlane: true },
      { name: "coredns", replicas: 2, cpu: "100m", memory: "70Mi" },
      { name: "cilium-agent", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: true },
      { name: "cilium-envoy", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: true },
      { name: "cilium-operator", replicas: 2, cpu: "0", memory: "0" },
      { name: "hcloud-cloud-controller-manager", replicas: 1, cpu: "100m", memory: "50Mi" },
      { name: "hcloud-csi-controller", replicas: 1, cpu: "0", memory: "0" },
      { name: "hcloud-csi-node", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: true },
      { name: "kubelet-serving-cert-approver", replicas: 1, cpu: "10m", memory: "16Mi" },
      {
        name: "talos-backup",
        replicas: 1,
        cpu: "50m",
        memory: "128Mi",
        onlyWhen: "while the etcd-backup CronJob runs (hourly by default, concurrencyPolicy Forbid)",
      },
    ],
    source:
      "Program: components/cluster/talos/essentials.ts:160 (hcloud CCM Deployment, replicas 1 at :120, requests 100m/50Mi), " +
      ":406 (talos-backup CronJob 50m/128Mi); csi.ts (hcloud-csi v2.19.0 rendered: controller replicas 1 at :223, node DaemonSet " +
      "tolerating every NoSchedule/NoExecute taint; no container sets resources). The cilium-install Job (essentials.ts:307, 50m/64Mi) " +
      "runs once at bootstrap and is not counted. " +
      "Talos (siderolabs/talos internal/app/machined/pkg/controllers/k8s/control_plane_static_pod.go, stored copy of the pointer.To-era " +
      "controller, v1.11 line; the program sets no apiServer/controllerManager/scheduler resources): defaults passed to `resources(cfg.Resources, cpu, memory)` " +
      "are kube-apiserver 200m/512Mi, kube-controller-manager 50m/256Mi, kube-scheduler 10m/64Mi (the newer k8stemplates/*.go keep the same defaults); " +
      "CoreDNS Deployment replicas 2, requests 100m/70Mi, tolerates control-plane NoSchedule (k8stemplates/testdata/coredns-deployment.yaml, newer copy). " +
      "etcd, kubelet and containerd are Talos services outside the pod accounting; kube-proxy is disabled (machine-config.ts `proxy.disabled`). " +
      "Cilium 1.18.2 chart defaults (installed by `cilium install` with the flags in essentials.ts ciliumInstallArgs, none of which set resources or replicas): " +
      "cilium-operator replicas 2 (rendered chart template, cilium-operator/deployment.yaml); agent, envoy and operator `resources: {}` " +
      "(chart values; NOT re-read at 1.18.2 in this pass, the values file was not searchable). Hubble relay/UI are off by default and not counted. " +
      "kubelet-serving-cert-approver: alex1989hu/kubelet-serving-cert-approver deploy/base/deployments.yaml (stored copy pins image 0.9.1; program pins v0.9.2): " +
      "replicas 1, requests 10m/16Mi, tolerates control-plane NoSchedule.",
  },
  k3s: {
    pods: [
      ...K3S_PACKAGED,
      {
        name: "kube-vip",
        replicas: "per-node",
        cpu: "0",
        memory: "0",
        controlPlane: true,
        toleratesAll: true,
      },
    ],
    source:
      K3S_PACKAGED_SOURCE +
      " Program: components/cluster/k3s/scripts.ts:107 disables K3s's ServiceLB (`--disable=servicelb`), so no svclb pods; " +
      "components/cluster/k3s/kube-vip.ts:107 kube-vip DaemonSet on control-plane nodes with `resources: {}`, tolerating every NoSchedule/NoExecute taint.",
  },
  "k3d-proxmox": {
    pods: [
      ...K3S_PACKAGED,
      // k3d keeps K3s's ServiceLB: one svclb pod per node for Traefik's LoadBalancer Service.
      { name: "svclb-traefik", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: true },
    ],
    source:
      K3S_PACKAGED_SOURCE +
      " Program: components/cluster/k3d/scripts.ts k3dCreateArgs passes no --disable flag, so K3s's ServiceLB runs an svclb DaemonSet " +
      "for Traefik's LoadBalancer Service; its pods' requests were not read (0 assumed; klipper-lb pods are iptables shims). " +
      "All k3d nodes are containers on one Proxmox VM (config/defaults.ts DEFAULT_K3D_VM: 4 cores, 16384 MiB) and each reports the VM's " +
      "full capacity: a preflight must count the VM's capacity once, not once per k3d node.",
  },
};

// --------------------------------------------------------------------------- GitOps engines

/** The GitOps engine's own controllers, as components/gitops installs them. */
export const GITOPS_FOOTPRINT: Readonly<Record<"flux" | "argocd", ServiceFootprint>> = {
  flux: {
    pods: [
      { name: "source-controller", replicas: 1, cpu: "50m", memory: "64Mi" },
      { name: "kustomize-controller", replicas: 1, cpu: "100m", memory: "64Mi" },
      { name: "helm-controller", replicas: 1, cpu: "100m", memory: "64Mi" },
      { name: "notification-controller", replicas: 1, cpu: "100m", memory: "64Mi" },
    ],
    source:
      "Program: components/gitops/flux-objects.ts fluxInstallUrl applies flux2's release install.yaml of the pinned Flux (config/defaults.ts flux v2.7.5) unchanged. " +
      "fluxcd/flux2 manifests/install/kustomization.yaml: the default install is source, kustomize, notification and helm controllers (no image-* controllers). " +
      "Each controller's config/manager/deployment.yaml (fluxcd/<controller>, newest stored copies, not the tags bundled in v2.7.5): replicas 1; " +
      "source-controller requests 50m/64Mi; kustomize-, helm- and notification-controller 100m/64Mi (limits 1000m/1Gi).",
  },
  argocd: {
    pods: [
      { name: "argocd-application-controller", replicas: 1, cpu: "0", memory: "0" },
      { name: "argocd-repo-server", replicas: 1, cpu: "0", memory: "0" },
      { name: "argocd-server", replicas: 1, cpu: "0", memory: "0" },
      { name: "argocd-applicationset-controller", replicas: 1, cpu: "0", memory: "0" },
      { name: "argocd-notifications-controller", replicas: 1, cpu: "0", memory: "0" },
      { name: "argocd-dex-server", replicas: 1, cpu: "0", memory: "0" },
      { name: "argocd-redis", replicas: 1, cpu: "0", memory: "0" },
    ],
    source:
      "Program: components/gitops/argocd.ts installs chart argo/argo-cd at config/defaults.ts argocdChart 8.5.7 with argocd-objects.ts argoChartValues " +
      "(CRDs and a health check only; no resources, no replicas). argoproj/argo-helm charts/argo-cd README.md value table (stored copies; 8.5.7 not confirmed): " +
      "controller.resources, repoServer.resources (repoServer.replicas 1), dex.resources and redis.resources are `{}`. " +
      "server, applicationSet and notifications resources were not re-read (0 assumed, same `{}` pattern); redis-ha is off by default. " +
      "The redis secret-init Helm hook Job is transient and not counted.",
  },
};

// --------------------------------------------------------------------------- services

/** The pods of every platform service as the program installs it, keyed by service name. */
export const SERVICE_FOOTPRINT: Readonly<Record<string, ServiceFootprint>> = {
  "cert-manager": {
    pods: [
      { name: "cert-manager-controller", replicas: 1, cpu: "0", memory: "0" },
      { name: "cert-manager-webhook", replicas: 1, cpu: "0", memory: "0" },
      { name: "cert-manager-cainjector", replicas: 1, cpu: "0", memory: "0" },
    ],
    source:
      "Program: components/platform/cert-manager/index.ts certManagerService sets only `crds` values (chart v1.19.1, components/platform/cert-manager/settings.ts CERT_MANAGER_DEFAULTS). " +
      "cert-manager/cert-manager deploy/charts/cert-manager/values.yaml (stored copy, commit 001eb00d, crds.enabled/keep era; v1.19.1 not confirmed): " +
      "replicaCount, webhook.replicaCount, cainjector.replicaCount 1; resources, webhook.resources, cainjector.resources `{}`. " +
      "The startupapicheck post-install Job is transient and not counted.",
  },
  "cloudnative-pg": {
    pods: [
      { name: "cnpg-controller-manager", replicas: 1, cpu: "0", memory: "0" },
      { name: "plugin-barman-cloud", replicas: 1, cpu: "0", memory: "0" },
    ],
    source:
      "Program: components/platform/cloudnative-pg/index.ts sets only `crds.create` on both charts (cloudnative-pg 0.26.1, plugin-barman-cloud 0.2.0). " +
      "cloudnative-pg/charts charts/cloudnative-pg/values.yaml (stored, commit 0029be9b) and charts/plugin-barman-cloud/values.yaml (stored, commit 04130b4d): " +
      "replicaCount 1, `resources: {}`. Database clusters are app workloads: each instance requests 100m/256Mi (postgres.ts:188) and carries the " +
      "plugin's sidecar; they are not part of this service's footprint.",
  },
  longhorn: {
    pods: [
      { name: "longhorn-manager", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: false },
      {
        name: "instance-manager",
        replicas: "per-node",
        cpu: "0",
        memory: "0",
        cpuPercentOfNode: 12,
        toleratesAll: false,
      },
      { name: "engine-image", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: false },
      { name: "longhorn-csi-plugin", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: false },
      { name: "longhorn-driver-deployer", replicas: 1, cpu: "0", memory: "0" },
      { name: "longhorn-ui", replicas: 2, cpu: "0", memory: "0" },
      { name: "csi-attacher", replicas: 3, cpu: "0", memory: "0" },
      { name: "csi-provisioner", replicas: 3, cpu: "0", memory: "0" },
      { name: "csi-resizer", replicas: 3, cpu: "0", memory: "0" },
      { name: "csi-snapshotter", replicas: 3, cpu: "0", memory: "0" },
    ],
    source:
      "Program: components/platform/longhorn/index.ts longhornService sets only `persistence` values (chart 1.10.1). " +
      "longhorn/longhorn chart/values.yaml (stored copy is v1.3.3-rc2, far older than 1.10.1): longhornManager/longhornDriver/longhornUI set no resources, " +
      "longhornUI.replicas 2, manager tolerations [] (so no pods on tainted nodes), csi.*ReplicaCount left empty. " +
      "longhorn-manager csi defaults (stored csi/deployment code): DefaultCSIAttacher/Provisioner/Resizer/SnapshotterReplicaCount = 3. " +
      'longhorn-manager types/setting.go (newest stored copy): SettingDefinitionGuaranteedInstanceManagerCPU default {"v1":"12","v2":"12"}, ' +
      "a percentage of each node's allocatable CPU requested by that node's instance-manager pod (hence cpuPercentOfNode 12).",
  },
  metallb: {
    pods: [
      { name: "metallb-controller", replicas: 1, cpu: "0", memory: "0" },
      // tolerateMaster: the control-plane NoSchedule taint only, not every taint.
      { name: "metallb-speaker", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: false },
    ],
    source:
      "Program: components/platform/metallb/index.ts metallbService installs chart 0.15.2 without values. " +
      "metallb/metallb charts/metallb/values.yaml (stored copy newer than 0.15.2, where frr-k8s is the default BGP backend): " +
      "controller.resources, speaker.resources and every speaker sidecar (frr, reloader, frrMetrics, init containers) `{}`; " +
      "speaker.tolerateMaster true. Any frr-k8s DaemonSet a newer chart adds sets no requests either in that copy; not counted.",
  },
  "synology-nfs": {
    pods: [
      { name: "csi-nfs-controller", replicas: 1, cpu: "50m", memory: "100Mi" },
      { name: "csi-nfs-node", replicas: "per-node", cpu: "30m", memory: "60Mi", toleratesAll: true },
    ],
    source:
      "Program: components/platform/synology-nfs/index.ts synologyNfsService installs csi-driver-nfs 4.12.1 without values. " +
      "kubernetes-csi/csi-driver-nfs charts/v4.12.1/csi-driver-nfs/values.yaml (the pinned version): controller.replicas 1 with five containers " +
      "(csiProvisioner, csiResizer, csiSnapshotter [enableSnapshotter true], livenessProbe, nfs) each requesting 10m/20Mi = 50m/100Mi; " +
      "node DaemonSet with livenessProbe, nodeDriverRegistrar, nfs each 10m/20Mi = 30m/60Mi, tolerations `- operator: Exists`. " +
      "externalSnapshotter.enabled false (no snapshot-controller).",
  },
  traefik: {
    pods: [],
    source:
      "Program: components/platform/traefik/index.ts traefikService only adds a HelmChartConfig to K3s's bundled Traefik; " +
      "the Traefik pod itself is K3s's and is counted in CLUSTER_BASE_FOOTPRINT (k3s, k3d-proxmox).",
  },
  "cilium-gateway": {
    pods: [],
    source:
      "Program: components/platform/cilium-gateway/index.ts ciliumGatewayService creates a Gateway, a Certificate, an HTTPRoute and optionally a " +
      "CiliumLoadBalancerIPPool: no pods. Cilium serves Gateways from its cilium-envoy DaemonSet, counted in CLUSTER_BASE_FOOTPRINT (talos-hcloud); " +
      "the address comes from a Hetzner Load Balancer or LB IPAM, outside the cluster.",
  },
  "kube-prometheus-stack": {
    pods: [
      // 200m/2Gi from the program plus the operator-injected config-reloader sidecar (10m/50Mi).
      { name: "prometheus", replicas: 1, cpu: "210m", memory: "2098Mi" },
      // 25m/128Mi from the program plus config-reloader (10m/50Mi).
      { name: "alertmanager", replicas: 1, cpu: "35m", memory: "178Mi" },
      { name: "grafana", replicas: 1, cpu: "50m", memory: "512Mi" },
      { name: "prometheus-operator", replicas: 1, cpu: "0", memory: "0" },
      { name: "kube-state-metrics", replicas: 1, cpu: "0", memory: "0" },
      { name: "prometheus-node-exporter", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: true },
    ],
    source:
      "Program: components/platform/kube-prometheus-stack/index.ts prometheusSpec requests 200m/2Gi, alertmanagerSpec 25m/128Mi, grafana 50m/512Mi " +
      '(chart 88.6.5). prometheus-operator cmd/operator/main.go (stored): defaultReloaderCPU "10m", defaultReloaderMemory "50Mi" for the ' +
      "config-reloader sidecar it adds to Prometheus and Alertmanager pods (assumes kps leaves prometheusConfigReloader.resources empty; not re-read at 88.6.5). " +
      "prometheus-community/helm-charts charts/prometheus-node-exporter/values.yaml (stored): `resources: {}`, tolerations `effect: NoSchedule, operator: Exists`. " +
      "prometheus-operator, kube-state-metrics and Grafana's sidecars: `resources: {}` in the chart defaults (NOT re-read at 88.6.5 in this pass). " +
      "The admission-webhook patch Jobs are Helm hooks and not counted.",
  },
  "victoria-metrics": {
    pods: [
      { name: "vmsingle", replicas: 1, cpu: "250m", memory: "768Mi" },
      // 125m/500Mi from the program plus the operator's config-reloader (10m/25Mi).
      { name: "vmagent", replicas: 1, cpu: "135m", memory: "525Mi" },
      // 25m/100Mi from the program plus config-reloader (10m/25Mi).
      { name: "vmalert", replicas: 1, cpu: "35m", memory: "125Mi" },
      // Operator defaults 30m/56Mi plus config-reloader (10m/25Mi).
      { name: "vmalertmanager", replicas: 1, cpu: "40m", memory: "81Mi" },
      { name: "victoria-metrics-operator", replicas: 1, cpu: "0", memory: "0" },
      { name: "grafana", replicas: 1, cpu: "0", memory: "0" },
      { name: "kube-state-metrics", replicas: 1, cpu: "0", memory: "0" },
      { name: "prometheus-node-exporter", replicas: "per-node", cpu: "0", memory: "0", toleratesAll: true },
      { name: "prometheus-adapter", replicas: 1, cpu: "100m", memory: "128Mi" },
    ],
    source:
      "Program: components/platform/victoria-metrics/index.ts vmsingle 250m/768Mi, vmagent 125m/500Mi (replicaCount 1), " +
      ":252 vmalert 25m/100Mi (replicaCount 1 at :251), :277 prometheus-adapter 100m/128Mi (victoria-metrics-k8s-stack 0.85.9, prometheus-adapter 5.2.0). " +
      "VictoriaMetrics/operator internal/config (stored): VM_CONFIG_RELOADER_REQUEST_CPU default 10m, VM_CONFIG_RELOADER_REQUEST_MEMORY 25Mi for every " +
      "config-reloader sidecar (vmagent, vmalert, vmalertmanager); docs/env.md: VM_VMALERTMANAGER_RESOURCE_REQUEST_CPU 30m / _MEM 56Mi used when the " +
      "VMAlertmanager spec sets none (the program sets none). vmalertmanager enabled and Grafana's resources empty are the k8s-stack chart defaults " +
      "(NOT re-read at 0.85.9); operator, Grafana and kube-state-metrics `resources: {}` likewise not re-read. Node exporter as in kube-prometheus-stack " +
      "(prometheus-node-exporter values: `resources: {}`, tolerates NoSchedule).",
  },
  "victoria-logs": {
    pods: [
      { name: "victoria-logs-server", replicas: 1, cpu: "45m", memory: "1664Mi" },
      {
        name: "vector",
        replicas: "per-node",
        cpu: "85m",
        memory: "233Mi",
        toleratesAll: false,
        onlyWhen: "serviceSettings.victoria-logs.collector (default true)",
      },
    ],
    source:
      "Program: components/platform/victoria-logs/index.ts server 45m/1664Mi, vector 85m/233Mi with `vector.enabled` from settings (chart victoria-logs-single 0.11.20). " +
      "The Vector DaemonSet's tolerations were not read; toleratesAll false assumes the vector subchart's default `tolerations: []`, so no collector on tainted nodes.",
  },
  "external-secrets": {
    pods: [
      { name: "external-secrets", replicas: 1, cpu: "0", memory: "0" },
      { name: "external-secrets-webhook", replicas: 1, cpu: "0", memory: "0" },
      { name: "external-secrets-cert-controller", replicas: 1, cpu: "0", memory: "0" },
      {
        name: "bitwarden-sdk-server",
        replicas: 1,
        cpu: "50m",
        memory: "128Mi",
        onlyWhen: "serviceSettings.external-secrets.bitwarden is set",
      },
    ],
    source:
      "Program: components/platform/external-secrets/index.ts externalSecretsService (chart 1.2.1) sets installCRDs and disables the bundled SDK server; " +
      ":178 its own bitwarden-sdk-server addon requests 50m/128Mi. external-secrets/external-secrets deploy/charts/external-secrets/values.yaml " +
      "(stored copy, commit 00c5cec5; 1.2.1 not confirmed): replicaCount 1, webhook.create/certController.create true with replicaCount 1, " +
      "resources `{}` for all three.",
  },
  "onepassword-operator": {
    pods: [
      { name: "onepassword-connect", replicas: 1, cpu: "0", memory: "0" },
      { name: "onepassword-connect-operator", replicas: 1, cpu: "0", memory: "0" },
    ],
    source:
      "Program: components/platform/onepassword-operator/index.ts onePasswordOperatorService (connect chart 2.0.5) sets connect/operator values without resources. " +
      "1Password/connect-helm-charts charts/connect/values.yaml (stored copy, older: operator 1.6.0): connect.api.resources and connect.sync.resources " +
      "(two containers in one pod) and operator.resources `{}`; one Deployment each.",
  },
  "sealed-secrets": {
    pods: [{ name: "sealed-secrets-controller", replicas: 1, cpu: "0", memory: "0" }],
    source:
      "Program: components/platform/sealed-secrets/index.ts sealedSecretsService (chart 2.17.9) sets only fullnameOverride. " +
      "bitnami-labs/sealed-secrets helm/sealed-secrets/values.yaml (stored copy, older: image v0.17.1): resources.requests `{}`; one controller.",
  },
  "cluster-autoscaler": {
    pods: [{ name: "cluster-autoscaler", replicas: 1, cpu: "50m", memory: "128Mi", controlPlane: true }],
    source:
      "Program: components/platform/cluster-autoscaler/index.ts requests 50m/128Mi, with a control-plane nodeSelector and toleration (chart 9.50.1). " +
      "kubernetes/autoscaler charts/cluster-autoscaler/values.yaml (stored): replicaCount 1.",
  },
  vpa: {
    pods: [{ name: "vpa-recommender", replicas: 1, cpu: "50m", memory: "500Mi" }],
    source:
      "Program: components/platform/vpa/index.ts vpaService (chart 4.10.1) enables only the recommender (updater, admissionController and the " +
      "metrics-server subchart off). FairwindsOps/charts stable/vpa/values.yaml (stored copy, older chart): recommender.replicaCount 1, " +
      "recommender.resources.requests 50m/500Mi.",
  },
  descheduler: {
    pods: [{ name: "descheduler", replicas: 1, cpu: "500m", memory: "256Mi" }],
    source:
      "Program: components/platform/descheduler/index.ts kind Deployment, replicas 1 (chart 0.34.0). kubernetes-sigs/descheduler " +
      "charts/descheduler/values.yaml (stored copy, an older chart): resources.requests cpu 500m / memory 256Mi.",
  },
  "metrics-server": {
    pods: [{ name: "metrics-server", replicas: 1, cpu: "100m", memory: "200Mi" }],
    source:
      "Program: components/platform/metrics-server/index.ts metricsServerService (chart 3.13.1) sets only args. kubernetes-sigs/metrics-server " +
      "charts/metrics-server/values.yaml (stored copy; 3.13.1 not confirmed): replicas 1, resources.requests 100m/200Mi, addonResizer disabled.",
  },
  istio: {
    pods: [
      { name: "istiod", replicas: 1, cpu: "500m", memory: "2048Mi" },
      { name: "istio-cni-node", replicas: "per-node", cpu: "100m", memory: "100Mi", toleratesAll: true },
      {
        name: "istio-ingressgateway",
        replicas: 1,
        cpu: "100m",
        memory: "128Mi",
        onlyWhen: "serviceSettings.istio.ingressGateway (default true)",
      },
    ],
    source:
      "Program: components/platform/istio/index.ts istioService installs base, cni, istiod and gateway 1.27.1 with only pilot.cni.enabled set. " +
      "istio/istio manifests/charts (stored copies; 1.27.1 not confirmed): istio-control/istio-discovery/values.yaml replicaCount 1 " +
      "(autoscaleMin 1), resources.requests 500m/2048Mi; istio-cni/values.yaml cni.resources.requests 100m/100Mi (DaemonSet; its tolerations " +
      "were not read, toleratesAll assumed); gateway/values.yaml replicaCount 1 (autoscaling minReplicas 1), requests 100m/128Mi. " +
      "Meshed app pods also get a sidecar requesting 100m/128Mi (global.proxy.resources); that is app footprint, not counted here.",
  },
  renovate: {
    pods: [
      {
        name: "renovate",
        replicas: 1,
        cpu: "100m",
        memory: "512Mi",
        onlyWhen: "while the hourly CronJob runs (concurrencyPolicy Forbid)",
      },
    ],
    source:
      "Program: components/platform/renovate/index.ts the CronJob's container requests 100m/512Mi (004's values).",
  },
};

// --------------------------------------------------------------------------- kubelet reservations

/**
 * Per-node reservation that kubelet keeps away from pods (system-reserved/kube-reserved/eviction
 * threshold) on each cluster kind: allocatable = capacity - these.
 */
export const NODE_RESERVED: Readonly<Record<FootprintClusterKind, NodeReservation>> = {
  "talos-hcloud": {
    cpu: "50m",
    memory: "484Mi",
    controlPlane: { cpu: "50m", memory: "612Mi" },
    source:
      "siderolabs/talos pkg/machinery/constants/constants.go (stored copy with DefaultKubernetesVersion 1.33.1, the v1.10/v1.11 line): " +
      'KubeletSystemReservedCPU "50m", KubeletSystemReservedMemoryWorker "384Mi", KubeletSystemReservedMemoryControlPlane "512Mi"; ' +
      "internal/app/machined/pkg/controllers/k8s/kubelet_spec.go NewKubeletConfiguration sets systemReserved only when the config gives none " +
      "(the program's machine-config.ts sets none) and sets no kubeReserved and no evictionHard, so the kubelet default " +
      "evictionHard memory.available<100Mi applies: 384Mi+100Mi workers, 512Mi+100Mi control planes.",
  },
  k3s: {
    cpu: "0",
    memory: "0",
    source:
      'k3s-io/k3s pkg/daemons/agent (stored copies): the kubelet args K3s sets include eviction-hard "imagefs.available<5%,nodefs.available<5%" and ' +
      "no system-reserved or kube-reserved; the program (components/cluster/k3s/scripts.ts k3sArgs) adds no kubelet args. Because eviction-hard is " +
      "given without memory.available, the kubelet's default memory.available<100Mi is not kept (kubernetes.io/docs/concepts/scheduling-eviction/" +
      "node-pressure-eviction: the defaults apply only when no eviction-hard parameter is changed; mergeDefaultEvictionSettings only exists from 1.34), " +
      "so memory allocatable equals capacity. A preflight may still want its own margin.",
  },
  "k3d-proxmox": {
    cpu: "0",
    memory: "0",
    source:
      "The k3d nodes run K3s (rancher/k3s image), so the K3s kubelet defaults apply (see k3s); components/cluster/k3d/scripts.ts k3dCreateArgs " +
      "passes no --kubelet-arg (k3d's own defaults were not re-read). Every k3d node shares the one Proxmox VM and reports its full capacity.",
  },
};

/**
 * The pods a cluster runs before any service: its kind's base plus its GitOps engine's controllers.
 */
export function baseFootprint(
  kind: FootprintClusterKind,
  engine: "flux" | "argocd",
): readonly FootprintPod[] {
  return [...CLUSTER_BASE_FOOTPRINT[kind].pods, ...GITOPS_FOOTPRINT[engine].pods];
}
