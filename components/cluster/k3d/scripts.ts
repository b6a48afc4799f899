/**
 * The VM definition and the shell scripts ProxmoxK3dCluster runs in the VM over SSH,
 * rendered from config alone and tested directly.
 *
 * @see https://k3d.io/stable/usage/commands/k3d_cluster_create/
 * @see https://docs.docker.com/engine/install/ubuntu/#install-using-the-repository
 */
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type * as proxmox from "@muhlba91/pulumi-proxmoxve";
import type { Architecture, K3dProxmoxClusterConfig, Versions } from "../../../config/types";
import { assertArchitecture, script, shellQuote } from "../k3s/shell";
import { vmHostAddress } from "./validate";

/** The Kubernetes API port k3d publishes on the VM. */
export const K3D_API_PORT = 6443;
/** Docker's apt repository for Ubuntu. */
const DOCKER_APT_URL = "https://download.docker.com/linux/ubuntu";
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

/** Docker's apt packages this script pins and holds (docs.docker.com/engine/install/ubuntu/). */
export const DOCKER_PACKAGES: readonly string[] = ["docker-ce", "docker-ce-cli", "containerd.io"];

/**
 * Waits for cloud-init, then installs Docker Engine at the pinned version from Docker's apt
 * repository, the way docs.docker.com/engine/install/ubuntu/ ("Install using the apt
 * repository", "Specific version") does: add the key and the deb822 source, then
 * `apt-get install docker-ce=<VERSION_STRING> docker-ce-cli=<VERSION_STRING> containerd.io
 * docker-buildx-plugin docker-compose-plugin`, where VERSION_STRING is
 * `5:<version>-1~ubuntu.<VERSION_ID>~<codename>` (the docs' `5:28.x.y-1~ubuntu.24.04~noble`).
 * The packages are held so unattended upgrades cannot move them; an upgrade (a new
 * `versions.docker`) unholds them, installs the new version and holds them again, which the
 * docs call "Upgrade Docker Engine: follow step 2, choosing the new version". Upgrading
 * restarts dockerd and so the k3d node containers.
 */
export function renderDockerInstallScript(version: string, architecture: Architecture): string {
  const held = DOCKER_PACKAGES.join(" ");
  return script(
    assertArchitecture(architecture),
    "if command -v cloud-init >/dev/null 2>&1; then $SUDO cloud-init status --wait >/dev/null || true; fi",
    // The repository and version strings below are Ubuntu's; other distributions differ.
    // shellcheck cannot follow a file of the VM; the directive says so (SC1091).
    "# shellcheck source=/dev/null",
    ". /etc/os-release",
    'if [ "${ID:-}" != ubuntu ]; then echo "the k3d VM must run Ubuntu (found ${ID:-unknown}); Docker\'s apt repository paths here are Ubuntu\'s" >&2; exit 1; fi',
    'CODENAME="${UBUNTU_CODENAME:-$VERSION_CODENAME}"',
    `VERSION_STRING="5:${version}-1~ubuntu.\${VERSION_ID}~\${CODENAME}"`,
    `CURRENT="$($SUDO docker version --format '{{.Server.Version}}' 2>/dev/null || true)"`,
    `if [ "$CURRENT" = ${shellQuote(version)} ]; then`,
    `  echo "Docker ${version} already installed"`,
    "else",
    "  $SUDO apt-get update -q",
    "  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q ca-certificates curl",
    "  $SUDO install -m 0755 -d /etc/apt/keyrings",
    `  $SUDO curl -fsSL ${DOCKER_APT_URL}/gpg -o /etc/apt/keyrings/docker.asc`,
    "  $SUDO chmod a+r /etc/apt/keyrings/docker.asc",
    "  printf 'Types: deb\\nURIs: %s\\nSuites: %s\\nComponents: stable\\nArchitectures: %s\\nSigned-By: /etc/apt/keyrings/docker.asc\\n' \\",
    `    ${DOCKER_APT_URL} "$CODENAME" "$(dpkg --print-architecture)" | $SUDO tee /etc/apt/sources.list.d/docker.sources >/dev/null`,
    "  $SUDO apt-get update -q",
    `  $SUDO apt-mark unhold ${held} >/dev/null`,
    "  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades \\",
    '    "docker-ce=$VERSION_STRING" "docker-ce-cli=$VERSION_STRING" containerd.io docker-buildx-plugin docker-compose-plugin',
    "fi",
    `$SUDO apt-mark hold ${held} >/dev/null`,
    "$SUDO systemctl enable --now docker",
    `CURRENT="$($SUDO docker version --format '{{.Server.Version}}')"`,
    `if [ "$CURRENT" != ${shellQuote(version)} ]; then echo "Docker is $CURRENT after the install, expected ${version}" >&2; exit 1; fi`,
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

/** Where the VM keeps the cluster's K3s `registries.yaml` (k3d mounts it into every node). */
export function k3dRegistriesPath(clusterName: string): string {
  return `/etc/k3d/${clusterName}-registries.yaml`;
}

/**
 * The K3s `registries.yaml` of the configured mirrors, or undefined without any
 * ("Registries configuration file": k3d.io/stable/usage/registries/; the format is K3s's,
 * docs.k3s.io/installation/private-registry: `mirrors.<registry>.endpoint`).
 */
export function renderRegistriesYaml(config: K3dProxmoxClusterConfig): string | undefined {
  const registries = Object.keys(config.k3d.registryMirrors).sort();
  if (registries.length === 0) return undefined;
  const mirrors = Object.fromEntries(
    registries.map((r) => [r, { endpoint: [...config.k3d.registryMirrors[r]] }]),
  );
  return stringify({ mirrors });
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
    ...(renderRegistriesYaml(config) === undefined
      ? []
      : [`--registry-config=${k3dRegistriesPath(config.name)}`]),
  ];
}

/**
 * Creates the k3d cluster unless it exists (a rerun changes nothing), after writing the
 * registry mirrors file it reads at creation.
 */
export function renderK3dCreateScript(config: K3dProxmoxClusterConfig, versions: Versions): string {
  const name = shellQuote(config.name);
  const registries = renderRegistriesYaml(config);
  return script(
    registries !== undefined &&
      [
        "$SUDO mkdir -p /etc/k3d",
        `printf '%s' ${shellQuote(registries)} | $SUDO tee ${k3dRegistriesPath(config.name)} >/dev/null`,
      ].join("\n"),
    `if $SUDO k3d cluster get ${name} >/dev/null 2>&1; then`,
    `  echo "k3d cluster ${config.name} already exists"`,
    "else",
    `  $SUDO k3d ${k3dCreateArgs(config, versions).map(shellQuote).join(" ")}`,
    "fi",
  );
}

/**
 * Deletes the k3d cluster: on `destroy`, and before the new cluster when the k3d version, the
 * K3s image or the topology changes (k3d cannot upgrade a cluster in place). It says so, as
 * everything in the cluster, local-path volumes included, goes with it.
 */
export function renderK3dDeleteScript(clusterName: string): string {
  const name = shellQuote(clusterName);
  return script(
    `if $SUDO k3d cluster get ${name} >/dev/null 2>&1; then`,
    `  echo "deleting k3d cluster ${clusterName} with its workloads and local-path volumes (k3d cannot upgrade in place; a new k3d version, K3s image or topology recreates it and Flux re-syncs it from git)" >&2`,
    `  $SUDO k3d cluster delete ${name}`,
    "fi",
  );
}

/** Prints the cluster's admin kubeconfig (the command's stdout is marked secret). */
export function renderK3dKubeconfigScript(clusterName: string): string {
  return script(`$SUDO k3d kubeconfig get ${shellQuote(clusterName)}`);
}
