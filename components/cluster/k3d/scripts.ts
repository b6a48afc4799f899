/**
 * The VM definition and the shell scripts ProxmoxK3dCluster runs in the VM over SSH,
 * rendered from config alone and tested directly.
 *
 * @see https://k3d.io/stable/usage/commands/k3d_cluster_create/
 * @see https://docs.docker.com/engine/install/ubuntu/#install-using-the-convenience-script
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as proxmox from "@muhlba91/pulumi-proxmoxve";
import type { Architecture, K3dProxmoxClusterConfig, Versions } from "../../../config/types";
import { assertArchitecture, script, shellQuote } from "../k3s/shell";
import { vmHostAddress } from "./validate";

/** The Kubernetes API port k3d publishes on the VM. */
export const K3D_API_PORT = 6443;
/** Host ports the k3d load balancer publishes (Traefik's HTTP and HTTPS). */
export const K3D_LOADBALANCER_PORTS: readonly number[] = [80, 443];

/**
 * The Proxmox VM: a full clone of the cloud-init template with the configured size, static
 * address and SSH keys. No guest agent is required of the template.
 */
export function renderVmArgs(
  config: K3dProxmoxClusterConfig,
  derivedKeys: pulumi.Input<string[]> = [],
): proxmox.VmLegacyArgs {
  const { proxmox: px, vm } = config;
  return {
    nodeName: px.node,
    vmId: px.vmId,
    name: vm.name,
    description: `k3d cluster ${config.name} (${config.k3d.servers} server + ${config.k3d.agents} agents), managed by Pulumi`,
    tags: ["k3d", "pulumi", config.name],
    clone: { vmId: px.templateVmId, nodeName: px.node, datastoreId: px.datastore, full: true },
    cpu: { cores: vm.cores, type: "host" },
    memory: { dedicated: vm.memoryMiB },
    disks: [
      {
        interface: "scsi0",
        datastoreId: px.datastore,
        size: vm.diskGiB,
        discard: "on",
        ssd: true,
        iothread: true,
      },
    ],
    scsiHardware: "virtio-scsi-single",
    networkDevices: [{ bridge: px.bridge, model: "virtio" }],
    operatingSystem: { type: "l26" },
    agent: { enabled: false },
    initialization: {
      datastoreId: px.datastore,
      ipConfigs: [{ ipv4: { address: vm.address, gateway: vm.gateway } }],
      dns: { servers: [...vm.dnsServers] },
      // The configured keys, or else the public half of platform:sshPrivateKey: the VM always
      // accepts the key Pulumi connects with.
      userAccount: {
        username: vm.sshUser,
        keys: vm.sshPublicKeys.length > 0 ? vm.sshPublicKeys.map((k) => k.trim()) : derivedKeys,
      },
    },
    onBoot: true,
    started: true,
  };
}

/**
 * Waits for cloud-init, then installs Docker Engine at the pinned version and holds the
 * packages so unattended upgrades cannot move them. A fresh VM uses Docker's convenience
 * script (which also adds Docker's apt repository); a version change unholds the packages
 * and installs the exact package version from that repository, as Docker's install guide
 * does ("apt-cache madison docker-ce", then "apt-get install docker-ce=$VERSION_STRING
 * docker-ce-cli=$VERSION_STRING"): the convenience script is not meant for upgrades and
 * apt refuses to change held packages.
 * @see https://docs.docker.com/engine/install/ubuntu/#install-using-the-repository
 */
export function renderDockerInstallScript(version: string, architecture: Architecture): string {
  return script(
    assertArchitecture(architecture),
    "if command -v cloud-init >/dev/null 2>&1; then $SUDO cloud-init status --wait >/dev/null || true; fi",
    `CURRENT="$($SUDO docker version --format '{{.Server.Version}}' 2>/dev/null || true)"`,
    `if [ "$CURRENT" = ${shellQuote(version)} ]; then`,
    `  echo "Docker ${version} already installed"`,
    'elif [ -z "$CURRENT" ]; then',
    '  INSTALLER="$(mktemp)"',
    '  curl -fsSL https://get.docker.com -o "$INSTALLER"',
    `  $SUDO sh "$INSTALLER" --version ${shellQuote(version)}`,
    '  rm -f "$INSTALLER"',
    "else",
    `  echo "upgrading Docker $CURRENT to ${version}"`,
    "  $SUDO apt-mark unhold docker-ce docker-ce-cli containerd.io >/dev/null",
    "  $SUDO apt-get update -q",
    `  PKG_VERSION="$(apt-cache madison docker-ce | awk '{ print $3 }' | grep -m1 ${shellQuote(`^5:${version}-`)} || true)"`,
    `  if [ -z "$PKG_VERSION" ]; then echo "Docker ${version} is not in Docker's apt repository for this release" >&2; exit 1; fi`,
    '  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades "docker-ce=$PKG_VERSION" "docker-ce-cli=$PKG_VERSION" containerd.io',
    "fi",
    "$SUDO apt-mark hold docker-ce docker-ce-cli containerd.io >/dev/null",
    "$SUDO systemctl enable --now docker",
  );
}

/** The k3d release binary for the architecture, from GitHub releases. */
export function k3dBinaryUrl(version: string, architecture: Architecture): string {
  return `https://github.com/k3d-io/k3d/releases/download/${version}/k3d-linux-${architecture}`;
}

/** Installs the pinned k3d binary to /usr/local/bin; a rerun at the same version does nothing. */
export function renderK3dInstallScript(version: string, architecture: Architecture): string {
  return script(
    assertArchitecture(architecture),
    `if [ "$(/usr/local/bin/k3d version 2>/dev/null | head -n 1)" = ${shellQuote(`k3d version ${version}`)} ]; then`,
    `  echo "k3d ${version} already installed"`,
    "else",
    '  BINARY="$(mktemp)"',
    `  curl -fsSL ${k3dBinaryUrl(version, architecture)} -o "$BINARY"`,
    '  $SUDO install -m 0755 "$BINARY" /usr/local/bin/k3d',
    '  rm -f "$BINARY"',
    "fi",
  );
}

/**
 * `k3d cluster create` arguments: the topology, the pinned K3s image, the API on the VM's
 * address, 80/443 on the k3d load balancer (Traefik behind it), and the VM address as a TLS
 * SAN. K3s keeps its local-path provisioner, the staging StorageClass (004).
 */
export function k3dCreateArgs(config: K3dProxmoxClusterConfig, versions: Versions): string[] {
  const address = vmHostAddress(config);
  return [
    "cluster",
    "create",
    config.name,
    `--servers=${config.k3d.servers}`,
    `--agents=${config.k3d.agents}`,
    `--image=rancher/k3s:${versions.k3dK3sImage}`,
    `--api-port=${address}:${K3D_API_PORT}`,
    ...K3D_LOADBALANCER_PORTS.map((port) => `--port=${port}:${port}@loadbalancer`),
    `--k3s-arg=--tls-san=${address}@server:*`,
    "--wait",
    "--timeout=600s",
    "--kubeconfig-update-default=false",
    "--kubeconfig-switch-context=false",
  ];
}

/** Creates the k3d cluster unless it exists (a rerun changes nothing). */
export function renderK3dCreateScript(config: K3dProxmoxClusterConfig, versions: Versions): string {
  const name = shellQuote(config.name);
  return script(
    `if $SUDO k3d cluster get ${name} >/dev/null 2>&1; then`,
    `  echo "k3d cluster ${config.name} already exists"`,
    "else",
    `  $SUDO k3d ${k3dCreateArgs(config, versions).map(shellQuote).join(" ")}`,
    "fi",
  );
}

/** Deletes the k3d cluster (run when the image or topology changes, before the new one). */
export function renderK3dDeleteScript(clusterName: string): string {
  const name = shellQuote(clusterName);
  return script(
    `if $SUDO k3d cluster get ${name} >/dev/null 2>&1; then $SUDO k3d cluster delete ${name}; fi`,
  );
}

/** Prints the cluster's admin kubeconfig (the command's stdout is marked secret). */
export function renderK3dKubeconfigScript(clusterName: string): string {
  return script(`$SUDO k3d kubeconfig get ${shellQuote(clusterName)}`);
}
