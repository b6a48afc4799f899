/** K3s on SSH-reachable hosts: the component and its pure rendering functions. */
export { K3sCluster, k3sChildAliases, k3sClusterIdentifier, type K3sClusterArgs } from "./k3s-cluster";
export {
  DRAINED_ANNOTATION,
  K3S_SERVER_TOKEN_FILE,
  TEARDOWN_CONFIGMAP,
  k3sMinor,
  removalRunner,
  renderEvictScript,
  renderReadJoinTokenScript,
  renderRemoveNodeScript,
  renderTeardownClearScript,
  renderTeardownMarkScript,
  renderUncordonScript,
  renderUpgradeDrainScript,
} from "./lifecycle";
export { kubeVipImage, renderKubeVipManifest } from "./kube-vip";
export { apiServerUrl, rewriteKubeconfig } from "./kubeconfig";
export {
  HOST_PACKAGES,
  K3S_CLUSTER_STAMP,
  K3S_ETCD_S3_CREDENTIALS,
  K3S_INSTALL_STAMP,
  K3S_KUBECONFIG_PATH,
  K3S_MANIFESTS_DIR,
  KUBE_VIP_MANIFEST,
  K3S_TOKEN_FILE,
  PI_CGROUP_FLAGS,
  etcdSnapshotArgs,
  firstServer,
  k3sArgs,
  k3sInstallerUrl,
  k3sJoinUrl,
  planK3sNodes,
  renderIdentityGuard,
  renderInstallScript,
  renderPrepareScript,
  renderReadKubeconfigScript,
  renderUninstallScript,
  type K3sNodePlan,
} from "./scripts";
export { shellQuote } from "./shell";
export { K3S_ARCHITECTURES, K3S_MANAGED_FLAGS, k3sArgProblems, validateK3sArgs } from "./validate";
