/** Talos Linux on Hetzner Cloud: the component and its pure renderers. */
export {
  TalosHcloudCluster,
  type TalosHcloudClusterArgs,
  type TalosHcloudClusterSecrets,
} from "./talosHcloudCluster";
export { autoscalerSettings, type AutoscalerNodeGroup, type AutoscalerSettings } from "./autoscaler";
export {
  firewallRules,
  type FirewallRuleSpec,
  KUBE_API_PORT,
  TALOS_API_PORT,
  CLOUDFLARE_TUNNEL_UDP_PORT,
  EPHEMERAL_UDP_RANGE,
} from "./firewall";
export {
  machinePatch,
  certSans,
  installerImage,
  type MachinePatch,
  type PoolPatchInput,
} from "./machineConfig";
export {
  essentialInlineManifests,
  extraManifestUrls,
  ccmManifest,
  secretsManifest,
  ciliumInstallArgs,
  encryptedStorageClass,
} from "./essentials";
export { planNodes, type NodePlan } from "./plan";
export { validateTalosHcloudArgs, KNOWN_SERVER_TYPES, KNOWN_EXPANDERS } from "./validate";
