/** Talos Linux on Hetzner Cloud: the component and its pure renderers. */
export {
  TalosHcloudCluster,
  gatewayLoadBalancerName,
  type TalosHcloudClusterArgs,
  type TalosHcloudClusterSecrets,
} from "./talos-hcloud-cluster";
export { autoscalerSettings, type AutoscalerNodeGroup, type AutoscalerSettings } from "./autoscaler";
export { ciliumAddon, metadataDenyPolicy, HCLOUD_METADATA_CIDR } from "./cilium";
export { firewallRules, type FirewallRuleSpec, KUBE_API_PORT, TALOS_API_PORT } from "./firewall";
export {
  machinePatch,
  certSans,
  installerImage,
  type MachinePatch,
  type PoolPatchInput,
} from "./machine-config";
export {
  essentialInlineManifests,
  extraManifestUrls,
  ccmManifest,
  ciliumInstallArgs,
  ciliumValues,
  encryptedStorageClass,
  ESSENTIAL_SECRETS,
} from "./essentials";
export { planNodes, type NodePlan } from "./plan";
export { validateTalosHcloudArgs, KNOWN_SERVER_TYPES, KNOWN_EXPANDERS } from "./validate";
