/** Construction of every provider the program uses. */
export { hcloudProvider } from "./hcloud";
export { clusterProvider, liveProvider, renderProvider, type ClusterProviderArgs } from "./kubernetes";
export { proxmoxProvider } from "./proxmox";
export { sshConnection, type SshTarget } from "./ssh";
