/** k3d in a Proxmox VM: the component and its pure rendering functions. */
export { ProxmoxK3dCluster, k3dClusterIdentifier, type ProxmoxK3dClusterArgs } from "./proxmox-k3d-cluster";
export {
  DOCKER_PACKAGES,
  K3D_API_PORT,
  K3D_LOADBALANCER_PORTS,
  k3dBinaryUrl,
  k3dCreateArgs,
  k3dRegistriesPath,
  renderDockerInstallScript,
  renderK3dCreateScript,
  renderK3dDeleteScript,
  renderK3dInstallScript,
  renderK3dKubeconfigScript,
  renderRegistriesYaml,
  renderVmArgs,
} from "./scripts";
export { K3D_K3S_MINORS, kubernetesMinor, validateK3dArgs, vmHostAddress } from "./validate";
