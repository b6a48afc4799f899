/**
 * The shell scripts K3sCluster runs on its hosts over SSH, rendered from config alone.
 * Pure functions, so the exact commands are unit-tested and shown in the offline plan.
 *
 * @see https://docs.k3s.io/installation/configuration
 * @see https://docs.k3s.io/datastore/ha-embedded
 * @see https://docs.k3s.io/upgrades/manual
 */
import type { Architecture, K3sClusterConfig, K3sHostConfig } from "../../../config/types";
import { apiServerUrl } from "./kubeconfig";
import { assertArchitecture, script, shellQuote } from "./shell";

/** Where the join token lives on every host (root-only; never on a command line). */
export const K3S_TOKEN_FILE = "/etc/rancher/k3s/cluster-token";
/** Records the version and flags of the last install, so a rerun with nothing changed is a no-op. */
export const K3S_INSTALL_STAMP = "/etc/rancher/k3s/platform-install";
/** The admin kubeconfig K3s writes on servers. */
export const K3S_KUBECONFIG_PATH = "/etc/rancher/k3s/k3s.yaml";
/** The kubelet's own kubeconfig; the Node authorizer lets it read its Node object. */
const KUBELET_KUBECONFIG = "/var/lib/rancher/k3s/agent/kubelet.kubeconfig";
/** Packages Longhorn (iSCSI) and NFS volumes need, plus what the installer uses. */
export const HOST_PACKAGES: readonly string[] = ["ca-certificates", "curl", "open-iscsi", "nfs-common"];
/** Kernel command-line flags K3s needs on Raspberry Pi OS to get the memory cgroup. */
export const PI_CGROUP_FLAGS: readonly string[] = ["cgroup_memory=1", "cgroup_enable=memory"];
/** How long a node may take to report Ready at the new version: 60 x 10 s. */
const READY_ATTEMPTS = 60;

/** One host's place in the install and upgrade order. */
export interface K3sNodePlan {
  readonly host: K3sHostConfig;
  /** The server that runs `--cluster-init`; every other node joins it. */
  readonly first: boolean;
  /** Position in the one-at-a-time order: servers (config order), then agents. */
  readonly order: number;
}

/** Servers in config order, then agents: the order nodes are installed and upgraded in. */
export function planK3sNodes(hosts: readonly K3sHostConfig[]): K3sNodePlan[] {
  const servers = hosts.filter((h) => h.role === "server");
  const agents = hosts.filter((h) => h.role === "agent");
  return [...servers, ...agents].map((host, order) => ({ host, first: order === 0, order }));
}

/** The first server: the one that initializes embedded etcd. */
export function firstServer(hosts: readonly K3sHostConfig[]): K3sHostConfig {
  const server = hosts.find((h) => h.role === "server");
  if (server === undefined) throw new Error("firstServer: no host has role server");
  return server;
}

/**
 * The `k3s server`/`k3s agent` arguments of one node. TLS SANs cover the VIP and every
 * server (name and address), not agents: they do not serve the API, and adding an agent
 * must not restart the servers.
 */
export function k3sArgs(config: K3sClusterConfig, node: K3sNodePlan): string[] {
  const { host } = node;
  const join = `--server=${apiServerUrl(firstServer(config.hosts).address)}`;
  const identity = [
    `--token-file=${K3S_TOKEN_FILE}`,
    `--node-name=${host.name}`,
    `--node-ip=${host.address}`,
  ];
  const labels = Object.keys(host.labels)
    .sort()
    .map((key) => `--node-label=${key}=${host.labels[key]}`);
  const taints = host.taints.map((t) => `--node-taint=${t.key}=${t.value}:${t.effect}`);
  if (host.role === "agent")
    return ["agent", join, ...identity, ...labels, ...taints, ...config.extraAgentArgs];
  const servers = config.hosts.filter((h) => h.role === "server");
  const sans = [config.vip, ...servers.flatMap((s) => [s.address, s.name])].map((san) => `--tls-san=${san}`);
  return [
    "server",
    node.first ? "--cluster-init" : join,
    ...identity,
    // MetalLB announces the VIP; K3s's own ServiceLB would fight it for LoadBalancer Services.
    "--disable=servicelb",
    ...sans,
    "--write-kubeconfig-mode=0600",
    ...labels,
    ...taints,
    ...config.extraServerArgs,
  ];
}

/** The installer of exactly this release (get.k3s.io always serves the newest script). */
export function k3sInstallerUrl(version: string): string {
  return `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh`;
}

/**
 * Host preparation, safe to rerun: hostname, Longhorn/NFS packages, time sync and, on a
 * Raspberry Pi, the memory-cgroup kernel flags. A kernel-flag change needs a reboot, which an
 * SSH command cannot wait through: the script reboots the host and fails with a message, and
 * the next `pulumi up` finds the flags active and goes on.
 */
export function renderPrepareScript(
  host: K3sHostConfig,
  architecture: Architecture,
  raspberryPi: boolean,
): string {
  const name = shellQuote(host.name);
  const installed = (pkg: string) =>
    `dpkg-query -W -f='\${Status}' ${pkg} 2>/dev/null | grep -q 'install ok installed'`;
  return script(
    assertArchitecture(architecture),
    `if [ "$(hostname)" != ${name} ]; then $SUDO hostnamectl set-hostname ${name}; fi`,
    `if ! grep -q "^127.0.1.1[[:space:]]${host.name}\\$" /etc/hosts; then`,
    `  $SUDO sed -i '/^127\\.0\\.1\\.1[[:space:]]/d' /etc/hosts`,
    `  echo "127.0.1.1 ${host.name}" | $SUDO tee -a /etc/hosts >/dev/null`,
    "fi",
    // systemd-timesyncd conflicts with chrony; keep chrony when the image ships it.
    `TIMESYNC=systemd-timesyncd; if ${installed("chrony")}; then TIMESYNC=""; fi`,
    'MISSING=""',
    `for pkg in ${HOST_PACKAGES.join(" ")} $TIMESYNC; do`,
    `  if ! ${installed('"$pkg"')}; then MISSING="$MISSING $pkg"; fi`,
    "done",
    'if [ -n "$MISSING" ]; then',
    "  $SUDO apt-get update -q",
    "  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $MISSING",
    "fi",
    "$SUDO systemctl enable --now iscsid",
    'if [ -n "$TIMESYNC" ]; then $SUDO systemctl enable --now systemd-timesyncd; fi',
    "$SUDO timedatectl set-ntp true",
    raspberryPi && renderPiCgroupLines(host.name),
  );
}

function renderPiCgroupLines(hostName: string): string {
  return [
    "CMDLINE=/boot/firmware/cmdline.txt; [ -f $CMDLINE ] || CMDLINE=/boot/cmdline.txt",
    `for flag in ${PI_CGROUP_FLAGS.join(" ")}; do`,
    '  case " $(cat $CMDLINE) " in *" $flag "*) ;; *) $SUDO sed -i "1 s/\\$/ $flag/" $CMDLINE ;; esac',
    "done",
    "if [ -f /sys/fs/cgroup/cgroup.controllers ] && ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then",
    `  echo "memory cgroup flags are in $CMDLINE but not active: rebooting ${hostName}; run pulumi up again once it is back" >&2`,
    "  $SUDO systemd-run --on-active=5 /bin/systemctl reboot",
    "  exit 1",
    "fi",
  ].join("\n");
}

/**
 * Installs or upgrades K3s on one node, then waits until the node is Ready at the version.
 * The join token arrives on stdin and goes to a root-only file. Rerunning with the same
 * version and flags changes nothing; a new version reruns the pinned installer, the
 * documented manual upgrade.
 */
export function renderInstallScript(config: K3sClusterConfig, node: K3sNodePlan, version: string): string {
  const args = k3sArgs(config, node).map(shellQuote).join(" ");
  const stamp = shellQuote(`${version} ${args}`);
  return script(
    assertArchitecture(config.architecture),
    "umask 077",
    "$SUDO mkdir -p /etc/rancher/k3s",
    'TOKEN="$(cat)"',
    'if [ -z "$TOKEN" ]; then echo "no join token on stdin" >&2; exit 1; fi',
    `printf '%s' "$TOKEN" | $SUDO tee ${K3S_TOKEN_FILE} >/dev/null`,
    "unset TOKEN",
    `if [ -x /usr/local/bin/k3s ] && [ "$($SUDO cat ${K3S_INSTALL_STAMP} 2>/dev/null || true)" = ${stamp} ]; then`,
    `  echo "K3s ${version} already installed with these flags"`,
    "else",
    '  INSTALLER="$(mktemp)"',
    `  curl -sfL ${k3sInstallerUrl(version)} -o "$INSTALLER"`,
    `  $SUDO env INSTALL_K3S_VERSION=${shellQuote(version)} sh "$INSTALLER" ${args}`,
    '  rm -f "$INSTALLER"',
    `  printf '%s' ${stamp} | $SUDO tee ${K3S_INSTALL_STAMP} >/dev/null`,
    "fi",
    renderWaitReady(node.host.name, version),
  );
}

function renderWaitReady(nodeName: string, version: string): string {
  const jsonpath = shellQuote(
    'jsonpath={.status.nodeInfo.kubeletVersion} {.status.conditions[?(@.type=="Ready")].status}',
  );
  const want = shellQuote(`${version} True`);
  return [
    'i=0; STATUS=""',
    `while [ $i -lt ${READY_ATTEMPTS} ]; do`,
    `  STATUS="$($SUDO /usr/local/bin/k3s kubectl --kubeconfig ${KUBELET_KUBECONFIG} get node ${shellQuote(nodeName)} -o ${jsonpath} 2>/dev/null || true)"`,
    `  if [ "$STATUS" = ${want} ]; then echo "node ${nodeName} Ready at ${version}"; exit 0; fi`,
    "  i=$((i + 1)); sleep 10",
    "done",
    `echo "node ${nodeName} not Ready at ${version} after ${READY_ATTEMPTS * 10}s (last: $STATUS)" >&2`,
    "exit 1",
  ].join("\n");
}

/** Runs on the first server when a host leaves config: drain it, then remove its Node (and etcd member). */
export function renderDrainScript(nodeName: string): string {
  const node = shellQuote(nodeName);
  return script(
    `if $SUDO k3s kubectl get node ${node} >/dev/null 2>&1; then`,
    `  $SUDO k3s kubectl drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=600s`,
    `  $SUDO k3s kubectl delete node ${node} --wait=true`,
    "else",
    `  echo "node ${nodeName} is not in the cluster; nothing to drain"`,
    "fi",
  );
}

/** Runs on a host that leaves config, after its drain: K3s's own uninstaller. */
export function renderUninstallScript(): string {
  return script(
    "for u in /usr/local/bin/k3s-uninstall.sh /usr/local/bin/k3s-agent-uninstall.sh; do",
    '  if [ -x "$u" ]; then $SUDO "$u"; fi',
    "done",
    `$SUDO rm -f ${K3S_TOKEN_FILE} ${K3S_INSTALL_STAMP}`,
  );
}

/** Prints the admin kubeconfig of a server (the command's stdout is marked secret). */
export function renderReadKubeconfigScript(): string {
  return script(`$SUDO cat ${K3S_KUBECONFIG_PATH}`);
}
