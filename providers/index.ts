/** Construction of every provider the program uses. */
export { hcloudProvider } from "./hcloud";
export { liveProvider, renderProvider } from "./kubernetes";
export { proxmoxProvider } from "./proxmox";
export { sshConnection, type SshTarget } from "./ssh";
