/**
 * The shell scripts K3sCluster runs on its hosts over SSH, rendered from config alone.
 * Pure functions, so the exact commands are unit-tested and shown in the offline plan.
 *
 * @see https://docs.k3s.io/installation/configuration
 * @see https://docs.k3s.io/datastore/ha-embedded
 * @see https://docs.k3s.io/upgrades/manual
 */
import type { K3sClusterConfig, K3sHostConfig } from "../../../config/types";
import { renderKubeVipManifest } from "./kube-vip";
import { apiServerUrl } from "./kubeconfig";
import { assertArchitecture, script, shellQuote } from "./shell";

/** Where the join token lives on every host (root-only; never on a command line). */
export const K3S_TOKEN_FILE = "/etc/rancher/k3s/cluster-token";
/** Records the version and flags of the last install, so a rerun with nothing changed is a no-op. */
export const K3S_INSTALL_STAMP = "/etc/rancher/k3s/platform-install";
/** Records which cluster (by name) the host was installed for. */
export const K3S_CLUSTER_STAMP = "/etc/rancher/k3s/platform-cluster";
/** Where embedded etcd keeps its data; present once a server initialized or joined a cluster. */
const K3S_ETCD_DIR = "/var/lib/rancher/k3s/server/db/etcd";
/** K3s applies every file here on servers ("Auto-Deploying Manifests", docs.k3s.io/installation/packaged-components). */
export const K3S_MANIFESTS_DIR = "/var/lib/rancher/k3s/server/manifests";
/** The kube-vip AddOn manifest; the same content on every server, as K3s requires. */
export const KUBE_VIP_MANIFEST = `${K3S_MANIFESTS_DIR}/kube-vip.yaml`;
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
  /**
   * The server that runs `--cluster-init` when no cluster answers at the API VIP yet (a new
   * cluster). Every other node, and this one once a cluster exists, joins through the VIP.
   */
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

/** The first server: the one that initializes embedded etcd of a new cluster. */
export function firstServer(hosts: readonly K3sHostConfig[]): K3sHostConfig {
  const server = hosts.find((h) => h.role === "server");
  if (server === undefined) throw new Error("firstServer: no host has role server");
  return server;
}

/**
 * The fixed registration address every joining node uses: the API VIP kube-vip announces.
 * It survives the removal or replacement of any server, so no node's flags name another
 * node ("High Availability Embedded etcd": "a fixed registration address for agent nodes to
 * register with the cluster"; https://docs.k3s.io/datastore/ha-embedded).
 */
export function k3sJoinUrl(config: K3sClusterConfig): string {
  return apiServerUrl(config.apiVip);
}

/**
 * The `k3s server`/`k3s agent` arguments of one node, except a server's datastore flag
 * (`--cluster-init` or `--server`), which the install script picks on the host (see
 * {@link renderInstallScript}). So these arguments, the install stamp and the triggers never
 * depend on which server is first: removing or replacing the first server reruns no other
 * node's installer.
 */
export function k3sArgs(config: K3sClusterConfig, node: K3sNodePlan): string[] {
  const { host } = node;
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
    return [
      "agent",
      `--server=${k3sJoinUrl(config)}`,
      ...identity,
      ...labels,
      ...taints,
      ...config.extraAgentArgs,
    ];
  // The API VIP and the server's own name and address: no other node, so adding, removing or
  // replacing a server changes no other server's flags.
  const sans = [config.apiVip, host.address, host.name].map((san) => `--tls-san=${san}`);
  return [
    "server",
    ...identity,
    // MetalLB announces the ingress VIP; K3s's own ServiceLB would fight it for LoadBalancer Services.
    "--disable=servicelb",
    ...sans,
    "--write-kubeconfig-mode=0600",
    // Secrets encrypted at rest with a key K3s generates (docs.k3s.io/security/secrets-encryption).
    ...(config.secretsEncryption ? ["--secrets-encryption"] : []),
    ...etcdSnapshotArgs(config),
    ...labels,
    ...taints,
    ...config.extraServerArgs,
  ];
}

/**
 * K3s's scheduled etcd snapshots, copied to S3 (docs.k3s.io/cli/etcd-snapshot, "S3
 * Compatible Object Store Support"). The access keys are not flags: they reach the host on
 * stdin and go to a root-only config drop-in (see {@link renderInstallScript}).
 */
export function etcdSnapshotArgs(config: K3sClusterConfig): string[] {
  const e = config.etcdSnapshots;
  if (e === undefined) return [];
  return [
    `--etcd-snapshot-schedule-cron=${e.schedule}`,
    `--etcd-snapshot-retention=${e.retention}`,
    "--etcd-s3",
    `--etcd-s3-endpoint=${e.s3Endpoint}`,
    `--etcd-s3-region=${e.s3Region}`,
    `--etcd-s3-bucket=${e.s3Bucket}`,
    `--etcd-s3-folder=${e.s3Folder}`,
  ];
}

/** Root-only K3s config drop-in holding the etcd S3 access keys ("Multiple Config Files", docs.k3s.io/installation/configuration). */
export const K3S_ETCD_S3_CREDENTIALS = "/etc/rancher/k3s/config.yaml.d/50-platform-etcd-s3.yaml";

/** The installer of exactly this release (get.k3s.io always serves the newest script). */
export function k3sInstallerUrl(version: string): string {
  return `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh`;
}

/**
 * Host preparation, safe to rerun: first the identity guard ({@link renderIdentityGuard}), then hostname, Longhorn/NFS packages, time sync and, on a
 * Raspberry Pi, the memory-cgroup kernel flags. A kernel-flag change needs a reboot, which an
 * SSH command cannot wait through: the script reboots the host and fails with a message, and
 * the next `pulumi up` finds the flags active and goes on.
 */
export function renderPrepareScript(config: K3sClusterConfig, host: K3sHostConfig): string {
  const name = shellQuote(host.name);
  const installed = (pkg: string) =>
    `dpkg-query -W -f='\${Status}' ${pkg} 2>/dev/null | grep -q 'install ok installed'`;
  return script(
    assertArchitecture(config.architecture),
    renderIdentityGuard(config, host),
    `if [ "$(hostname)" != ${name} ]; then $SUDO hostnamectl set-hostname ${name}; fi`,
    `if ! grep -q "^127.0.1.1[[:space:]]${host.name}\\$" /etc/hosts; then`,
    `  $SUDO sed -i '/^127\\.0\\.1\\.1[[:space:]]/d' /etc/hosts`,
    `  echo "127.0.1.1 ${host.name}" | $SUDO tee -a /etc/hosts >/dev/null`,
    "fi",
    // systemd-timesyncd conflicts with chrony; keep chrony when the image ships it.
    `TIMESYNC=systemd-timesyncd; if ${installed("chrony")}; then TIMESYNC=""; fi`,
    // The missing packages collect in "$@", so each stays one word (shellcheck SC2086).
    "set --",
    `for pkg in ${HOST_PACKAGES.join(" ")} $TIMESYNC; do`,
    `  if ! ${installed('"$pkg"')}; then set -- "$@" "$pkg"; fi`,
    "done",
    'if [ "$#" -gt 0 ]; then',
    "  $SUDO apt-get update -q",
    '  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"',
    "fi",
    "$SUDO systemctl enable --now iscsid",
    'if [ -n "$TIMESYNC" ]; then $SUDO systemctl enable --now systemd-timesyncd; fi',
    "$SUDO timedatectl set-ntp true",
    config.raspberryPi && renderPiCgroupLines(host.name),
  );
}

function renderPiCgroupLines(hostName: string): string {
  return [
    "CMDLINE=/boot/firmware/cmdline.txt; [ -f $CMDLINE ] || CMDLINE=/boot/cmdline.txt",
    `for flag in ${PI_CGROUP_FLAGS.join(" ")}; do`,
    '  case " $(cat $CMDLINE) " in *" $flag "*) ;; *) $SUDO sed -i "1 s/\\$/ $flag/" $CMDLINE ;; esac',
    "done",
    "if [ -f /sys/fs/cgroup/cgroup.controllers ] && ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then",
    // A host that already runs K3s is an etcd member: rebooting several at once loses
    // quorum, so such a host is never rebooted here; the operator reboots members one at a
    // time (operating guide, "Reboot a K3s host"). A fresh host has nothing to lose.
    `  if $SUDO test -f ${K3S_INSTALL_STAMP}; then`,
    `    echo "memory cgroup flags are in $CMDLINE but not active on ${hostName}, which already runs K3s: drain it, reboot it, uncordon it (one host at a time), then run pulumi up again" >&2`,
    "    exit 1",
    "  fi",
    `  echo "memory cgroup flags are in $CMDLINE but not active: rebooting ${hostName}; run pulumi up again once it is back" >&2`,
    "  $SUDO systemd-run --on-active=5 /bin/systemctl reboot",
    "  exit 1",
    "fi",
  ].join("\n");
}

/**
 * Fails the script when this host already runs K3s as another node or for another cluster:
 * renaming a node or moving a host between clusters in place is not supported (K3s keys the
 * node, its certificates and its etcd member on the node name), and creating the renamed
 * node's resources before the old ones are deleted would otherwise end in the old
 * `-uninstall` removing K3s from the live host. Rename in two steps instead: remove the host,
 * `pulumi up`, add it under the new name, `pulumi up`.
 */
export function renderIdentityGuard(config: K3sClusterConfig, host: K3sHostConfig): string {
  const clusters = [config.name, ...config.formerNames].join("|");
  return [
    `PREVIOUS="$($SUDO cat ${K3S_INSTALL_STAMP} 2>/dev/null || true)"`,
    'case " $PREVIOUS " in',
    `  "  "|*" --node-name=${host.name} "*) ;;`,
    "  *)",
    `    echo "this host is already K3s node $(printf '%s' "$PREVIOUS" | sed -n 's/.*--node-name=\\([^ ]*\\).*/\\1/p'), not ${host.name}: renaming a node in place is not supported; remove the host from config, run pulumi up, then add it as ${host.name}" >&2`,
    "    exit 1",
    "    ;;",
    "esac",
    `CLUSTER="$($SUDO cat ${K3S_CLUSTER_STAMP} 2>/dev/null || true)"`,
    'case "$CLUSTER" in',
    `  ""|${clusters}) ;;`,
    "  *)",
    `    echo "this host belongs to K3s cluster $CLUSTER, not ${config.name}: add $CLUSTER to formerNames of ${config.name} if the cluster was renamed" >&2`,
    "    exit 1",
    "    ;;",
    "esac",
  ].join("\n");
}

/**
 * Installs or upgrades K3s on one node, then waits until the node is Ready at the version
 * (and, on a server, until the API answers at the VIP, so the next node can join through it).
 *
 * The join token arrives on stdin and goes to a root-only file; a token that differs from the
 * one the host already has fails the script (a replaced token resource must not lock a node
 * out of its cluster). On a server, the kube-vip manifest goes to K3s's auto-deploy directory
 * and the datastore flag is chosen on the host: `--server=<API VIP>` when the host already has
 * etcd data (K3s then ignores it: "If an etcd datastore is found on disk ... the datastore
 * arguments (`--cluster-init`, `--server`, ...) are ignored", docs.k3s.io/datastore/ha-embedded)
 * or when a cluster answers at the VIP; `--cluster-init` only on the first server of a cluster
 * that does not exist yet. Rerunning with the same version and flags changes nothing; a new
 * version reruns the pinned installer, the documented manual upgrade.
 */
export function renderInstallScript(
  config: K3sClusterConfig,
  node: K3sNodePlan,
  version: string,
  kubeVipVersion: string,
): string {
  const args = k3sArgs(config, node).map(shellQuote);
  const server = node.host.role === "server";
  const stamp = shellQuote(`${version} ${args.join(" ")}`);
  const installer = server
    ? `$SUDO env INSTALL_K3S_VERSION=${shellQuote(version)} sh "$INSTALLER" server "$DATASTORE" ${args.slice(1).join(" ")}`
    : `$SUDO env INSTALL_K3S_VERSION=${shellQuote(version)} sh "$INSTALLER" ${args.join(" ")}`;
  return script(
    assertArchitecture(config.architecture),
    renderIdentityGuard(config, node.host),
    "umask 077",
    "$SUDO mkdir -p /etc/rancher/k3s",
    // stdin: the join token (the first server: the cluster secret; every other node: the
    // full K10<CA hash>::server:<secret> form, so it verifies the cluster CA), then, with
    // etcd snapshots, the S3 access key id and secret key, one per line.
    "IFS= read -r TOKEN || true",
    'if [ -z "$TOKEN" ]; then echo "no join token on stdin" >&2; exit 1; fi',
    // /etc/rancher is created by root under umask 077, so only a root test sees the file.
    // The secret after "::server:" is what must not change; its form may (short -> full).
    `if $SUDO test -f ${K3S_TOKEN_FILE}; then`,
    `  OLD="$($SUDO cat ${K3S_TOKEN_FILE})"`,
    '  if [ "${OLD##*::server:}" != "${TOKEN##*::server:}" ]; then',
    `    echo "the join token differs from the one ${node.host.name} was installed with; restore the cluster's token resource instead of replacing it" >&2`,
    "    exit 1",
    "  fi",
    "  unset OLD",
    "fi",
    `printf '%s' "$TOKEN" | $SUDO tee ${K3S_TOKEN_FILE} >/dev/null`,
    "unset TOKEN",
    `printf '%s' ${shellQuote(config.name)} | $SUDO tee ${K3S_CLUSTER_STAMP} >/dev/null`,
    server && config.etcdSnapshots !== undefined && renderEtcdS3CredentialLines(),
    server && renderKubeVipLines(config, node.host, kubeVipVersion),
    `if [ -x /usr/local/bin/k3s ] && [ "$($SUDO cat ${K3S_INSTALL_STAMP} 2>/dev/null || true)" = ${stamp} ]; then`,
    `  echo "K3s ${version} already installed with these flags"`,
    "else",
    server && indent(renderDatastoreChoice(config, node)),
    '  INSTALLER="$(mktemp)"',
    `  curl -sfL ${k3sInstallerUrl(version)} -o "$INSTALLER"`,
    config.installerSha256[version] !== undefined &&
      indent(renderInstallerCheck(config.installerSha256[version])),
    `  ${installer}`,
    '  rm -f "$INSTALLER"',
    `  printf '%s' ${stamp} | $SUDO tee ${K3S_INSTALL_STAMP} >/dev/null`,
    "fi",
    renderWaitReady(node.host.name, version),
    server && renderWaitApiVip(config),
  );
}

/**
 * Writes the etcd S3 access keys from stdin to a root-only K3s config drop-in
 * (`etcd-s3-access-key`, `etcd-s3-secret-key`: the config-file names of the flags). A
 * changed key rewrites the file; K3s reads it at its next start (the installer's restart).
 */
function renderEtcdS3CredentialLines(): string {
  return [
    "IFS= read -r S3_KEY_ID || true",
    "IFS= read -r S3_SECRET || true",
    'if [ -z "$S3_KEY_ID" ] || [ -z "$S3_SECRET" ]; then echo "etcdSnapshots is set but no S3 keys arrived on stdin (platform:k3sEtcdS3AccessKeyId, platform:k3sEtcdS3SecretAccessKey)" >&2; exit 1; fi',
    `case "$S3_KEY_ID$S3_SECRET" in *"'"*) echo "an etcd S3 key contains a single quote, which the K3s config file cannot hold here" >&2; exit 1 ;; esac`,
    "$SUDO mkdir -p /etc/rancher/k3s/config.yaml.d",
    `printf "etcd-s3-access-key: '%s'\\netcd-s3-secret-key: '%s'\\n" "$S3_KEY_ID" "$S3_SECRET" | $SUDO tee ${K3S_ETCD_S3_CREDENTIALS} >/dev/null`,
    "unset S3_KEY_ID S3_SECRET",
  ].join("\n");
}

/**
 * Refuses an installer whose sha256 is not the configured one (K3s publishes checksums for
 * its binaries, which install.sh verifies, but none for install.sh itself).
 */
function renderInstallerCheck(sha256: string): string {
  return [
    `if ! printf '%s  %s\\n' ${sha256} "$INSTALLER" | sha256sum -c - >/dev/null 2>&1; then`,
    `  echo "install.sh does not match installerSha256 (${sha256}); got $(sha256sum "$INSTALLER" | cut -d' ' -f1)" >&2`,
    '  rm -f "$INSTALLER"',
    "  exit 1",
    "fi",
  ].join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

function renderDatastoreChoice(config: K3sClusterConfig, node: K3sNodePlan): string {
  const join = k3sJoinUrl(config);
  const first = firstServer(config.hosts).name;
  return [
    `if $SUDO test -d ${K3S_ETCD_DIR} || curl -fks --max-time 5 ${join}/ping >/dev/null 2>&1; then`,
    `  DATASTORE=--server=${join}`,
    node.first
      ? ["else", "  DATASTORE=--cluster-init"].join("\n")
      : [
          "else",
          `  echo "no K3s API answers at ${join} yet; ${first} (the first server) creates the cluster and kube-vip announces ${config.apiVip}" >&2`,
          "  exit 1",
        ].join("\n"),
    "fi",
  ].join("\n");
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
    `  if [ "$STATUS" = ${want} ]; then break; fi`,
    "  i=$((i + 1)); sleep 10",
    "done",
    `if [ "$STATUS" != ${want} ]; then`,
    `  echo "node ${nodeName} not Ready at ${version} after ${READY_ATTEMPTS * 10}s (last: $STATUS); if this host was re-flashed, K3s refuses it while its old Node exists: set gone: true on it, pulumi up, then remove gone (operating guide, 'Homelab: replace a failed Pi')" >&2`,
    "  exit 1",
    "fi",
    `echo "node ${nodeName} Ready at ${version}"`,
  ].join("\n");
}

/** Waits until the K3s supervisor answers `/ping` on the API VIP (kube-vip has announced it). */
function renderWaitApiVip(config: K3sClusterConfig): string {
  const url = `${k3sJoinUrl(config)}/ping`;
  return [
    "i=0",
    `until curl -fks --max-time 5 ${url} >/dev/null 2>&1; do`,
    `  if [ $i -ge ${READY_ATTEMPTS} ]; then`,
    `    echo "the API VIP ${config.apiVip} does not answer after ${READY_ATTEMPTS * 10}s; check the kube-vip pods in kube-system and config.apiVipInterface (${config.apiVipInterface})" >&2`,
    "    exit 1",
    "  fi",
    "  i=$((i + 1)); sleep 10",
    "done",
    `echo "API answers at ${config.apiVip}"`,
  ].join("\n");
}

/** Checks the VIP interface, then writes the kube-vip manifest K3s auto-deploys. */
function renderKubeVipLines(config: K3sClusterConfig, host: K3sHostConfig, kubeVipVersion: string): string {
  const iface = shellQuote(config.apiVipInterface);
  return [
    `if ! ip -o -4 addr show dev ${iface} 2>/dev/null | grep -q " ${host.address}/"; then`,
    `  echo "interface ${config.apiVipInterface} on ${host.name} does not carry ${host.address}; set config.apiVipInterface to the interface kube-vip should announce ${config.apiVip} on" >&2`,
    "  exit 1",
    "fi",
    `$SUDO mkdir -p ${K3S_MANIFESTS_DIR}`,
    `printf '%s\\n' ${shellQuote(renderKubeVipManifest(config, kubeVipVersion))} | $SUDO tee ${KUBE_VIP_MANIFEST} >/dev/null`,
  ].join("\n");
}

/**
 * Runs on a host that leaves config, after its drain: K3s's own uninstaller. It leaves a
 * host alone that runs K3s as another node than `nodeName` (reinstalled under a new name),
 * so a stale resource can never uninstall a live node.
 */
export function renderUninstallScript(nodeName: string): string {
  return script(
    `PREVIOUS="$($SUDO cat ${K3S_INSTALL_STAMP} 2>/dev/null || true)"`,
    'case " $PREVIOUS " in',
    `  "  "|*" --node-name=${nodeName} "*) ;;`,
    "  *)",
    `    echo "this host now runs another K3s node than ${nodeName}; not uninstalling"`,
    "    exit 0",
    "    ;;",
    "esac",
    "for u in /usr/local/bin/k3s-uninstall.sh /usr/local/bin/k3s-agent-uninstall.sh; do",
    '  if [ -x "$u" ]; then $SUDO "$u"; fi',
    "done",
    `$SUDO rm -f ${K3S_TOKEN_FILE} ${K3S_INSTALL_STAMP} ${K3S_CLUSTER_STAMP}`,
  );
}

/** Prints the admin kubeconfig of a server (the command's stdout is marked secret). */
export function renderReadKubeconfigScript(): string {
  return script(`$SUDO cat ${K3S_KUBECONFIG_PATH}`);
}
