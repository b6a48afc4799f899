/**
 * The day-2 scripts of a K3s cluster: draining around an upgrade, removing a node (a live
 * one, a dead one, or none at all when the whole cluster is destroyed), and reading the
 * join token. Each runs on a *server other than the node it acts on* (see
 * {@link removalRunner}), through K3s's bundled kubectl and the admin kubeconfig K3s
 * writes on servers, so no node ever deletes its own Node and etcd member.
 *
 * @see https://docs.k3s.io/upgrades/manual
 * @see https://docs.k3s.io/datastore/ha-embedded
 */
import type { K3sHostConfig } from "../../../config/types";
import { script, shellQuote } from "./shell";

/** K3s's kubectl as root: it reads /etc/rancher/k3s/k3s.yaml, the admin kubeconfig. */
const KUBECTL = "$SUDO /usr/local/bin/k3s kubectl";
/** The ConfigMap whose presence tells node deletes that the whole cluster is going. */
export const TEARDOWN_CONFIGMAP = "platform-teardown";
/** Annotation the upgrade drain sets, so only a node this program cordoned is uncordoned. */
export const DRAINED_ANNOTATION = "platform.k3s/drained-for-upgrade";
/** The full join token K3s writes on servers: `K10<sha256 of the cluster CA>::server:<secret>`. */
export const K3S_SERVER_TOKEN_FILE = "/var/lib/rancher/k3s/server/token";
/** How long a drain may take before the step fails (and nothing else changes). */
const DRAIN_TIMEOUT = "600s";
/** How long a Node delete may wait for K3s's finalizer (etcd member removal). */
const DELETE_TIMEOUT = "300s";

/**
 * The server that runs the removal, drain and uncordon of `host`: the first server in config
 * order that is neither `host` nor gone. Only a cluster whose single live server is `host`
 * runs them on `host` itself.
 */
export function removalRunner(hosts: readonly K3sHostConfig[], host: K3sHostConfig): K3sHostConfig {
  const live = hosts.filter((h) => h.role === "server" && !h.gone);
  return live.find((h) => h.name !== host.name) ?? live[0] ?? host;
}

/** Exits the script when this host has no K3s to talk to (a fresh cluster's first `up`). */
function requireLocalK3s(what: string): string {
  return `if ! $SUDO test -x /usr/local/bin/k3s; then echo "K3s is not installed on this server yet; ${what}"; exit 0; fi`;
}

/** `True`, `False`, `Unknown` or empty: the Ready condition of a Node. */
function readyOf(node: string): string {
  const path = shellQuote('jsonpath={.status.conditions[?(@.type=="Ready")].status}');
  return `$(${KUBECTL} get node ${node} -o ${path} 2>/dev/null || true)`;
}

/**
 * Runs when a host leaves config (its `-node` resource is deleted), on another server:
 * - when the whole cluster is being destroyed (the {@link TEARDOWN_CONFIGMAP} exists), nothing:
 *   removing members one by one would end at the last etcd member, which cannot be removed;
 * - a Ready node is drained, then its Node deleted;
 * - a node that is not Ready (its kubelet is gone: a dead or re-flashed host) is not drained,
 *   whose pods could never terminate; its Node is deleted and its pods go with it.
 * Deleting the Node lets K3s remove the server's etcd member and the node-password Secret
 * (docs.k3s.io/architecture, "How Agent Node Registration Works": "the node should be deleted from the cluster. This
 * will clean up both the old node entry, and the node password secret"). It is never
 * force-deleted, which would skip the finalizer that removes the etcd member.
 */
export function renderRemoveNodeScript(nodeName: string): string {
  const node = shellQuote(nodeName);
  return script(
    requireLocalK3s(`nothing to remove for ${nodeName}`),
    `if ${KUBECTL} -n kube-system get configmap ${TEARDOWN_CONFIGMAP} >/dev/null 2>&1; then`,
    `  echo "the whole cluster is being destroyed: not draining or deleting node ${nodeName}"`,
    "  exit 0",
    "fi",
    `if ! ${KUBECTL} get node ${node} >/dev/null 2>&1; then`,
    `  echo "node ${nodeName} is not in the cluster; nothing to remove"`,
    "  exit 0",
    "fi",
    `READY="${readyOf(node)}"`,
    'if [ "$READY" = True ]; then',
    `  ${KUBECTL} drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=${DRAIN_TIMEOUT}`,
    "else",
    `  echo "node ${nodeName} is not Ready (${"$"}{READY:-no status}): its kubelet is gone, so it is deleted without a drain"`,
    "fi",
    `${KUBECTL} delete node ${node} --wait=true --timeout=${DELETE_TIMEOUT}`,
  );
}

/**
 * Runs while a host is marked `gone`, on another server: deletes its Node without a drain,
 * so K3s removes its etcd member and node-password Secret and a re-flashed host can join
 * again under the same name.
 */
export function renderEvictScript(nodeName: string): string {
  const node = shellQuote(nodeName);
  return script(
    requireLocalK3s(`cannot evict ${nodeName}`),
    `if ${KUBECTL} get node ${node} >/dev/null 2>&1; then`,
    `  echo "node ${nodeName} is marked gone: deleting its Node, etcd member and node-password Secret"`,
    `  ${KUBECTL} delete node ${node} --wait=true --timeout=${DELETE_TIMEOUT}`,
    "else",
    `  echo "node ${nodeName} is not in the cluster"`,
    "fi",
  );
}

/** `33` of `v1.33.5+k3s1`. */
export function k3sMinor(version: string): number {
  return Number(version.replace(/^v/, "").split(".")[1]);
}

/**
 * Runs before a node's install is rerun, on another server. On an upgrade (the node runs
 * another Kubernetes version than `version`) it refuses a skipped minor version (K3s, like
 * Kubernetes, upgrades one minor at a time: docs.k3s.io/upgrades) before anything changes,
 * then cordons and drains a Ready node and marks it with {@link DRAINED_ANNOTATION}. A new
 * node, a flag-only change (K3s restarts, its pods keep running) or a node that is not Ready
 * is not drained.
 */
export function renderUpgradeDrainScript(nodeName: string, version: string): string {
  const node = shellQuote(nodeName);
  const kubelet = shellQuote("jsonpath={.status.nodeInfo.kubeletVersion}");
  const want = k3sMinor(version);
  return script(
    requireLocalK3s(`nothing to drain for ${nodeName}`),
    `CURRENT="$(${KUBECTL} get node ${node} -o ${kubelet} 2>/dev/null || true)"`,
    'if [ -z "$CURRENT" ]; then',
    `  echo "node ${nodeName} is not in the cluster yet; nothing to drain"`,
    "  exit 0",
    "fi",
    `if [ "$CURRENT" = ${shellQuote(version)} ]; then`,
    `  echo "node ${nodeName} already runs ${version}; nothing to drain"`,
    "  exit 0",
    "fi",
    'MINOR="$(printf \'%s\' "$CURRENT" | cut -d. -f2)"',
    `if [ "$MINOR" -lt ${want - 1} ]; then`,
    `  echo "node ${nodeName} runs $CURRENT; K3s upgrades one minor version at a time, so set platform:versions.k3s to a v1.$((MINOR + 1)) release first, then to ${version}" >&2`,
    "  exit 1",
    "fi",
    `if [ "$MINOR" -gt ${want} ]; then`,
    `  echo "node ${nodeName} runs $CURRENT, newer than ${version}; K3s does not support downgrades" >&2`,
    "  exit 1",
    "fi",
    `if [ "${readyOf(node)}" != True ]; then`,
    `  echo "node ${nodeName} is not Ready; upgrading it without a drain"`,
    "  exit 0",
    "fi",
    `${KUBECTL} annotate node ${node} ${DRAINED_ANNOTATION}=${shellQuote(version)} --overwrite`,
    `${KUBECTL} drain ${node} --ignore-daemonsets --delete-emptydir-data --timeout=${DRAIN_TIMEOUT}`,
  );
}

/** Runs after a node's install, on another server: uncordons a node the upgrade drain cordoned. */
export function renderUncordonScript(nodeName: string): string {
  const node = shellQuote(nodeName);
  const annotation = shellQuote(
    `jsonpath={.metadata.annotations.${DRAINED_ANNOTATION.replace(/\./g, "\\.")}}`,
  );
  return script(
    requireLocalK3s(`nothing to uncordon for ${nodeName}`),
    `if [ -n "$(${KUBECTL} get node ${node} -o ${annotation} 2>/dev/null || true)" ]; then`,
    `  ${KUBECTL} uncordon ${node}`,
    `  ${KUBECTL} annotate node ${node} ${DRAINED_ANNOTATION}-`,
    "else",
    `  echo "node ${nodeName} was not drained for an upgrade; leaving its scheduling as it is"`,
    "fi",
  );
}

/**
 * The teardown marker's create: on every `up`, clears a marker a failed destroy may have left,
 * so later host removals drain again.
 */
export function renderTeardownClearScript(): string {
  return script(`${KUBECTL} -n kube-system delete configmap ${TEARDOWN_CONFIGMAP} --ignore-not-found`);
}

/**
 * The teardown marker's delete. It runs only when the whole cluster goes (`pulumi destroy`,
 * or the cluster removed from config): the marker depends on every node's `-node` resource,
 * so Pulumi deletes it first, and the node deletes that follow see it and skip draining and
 * deleting Nodes; each host's `-uninstall` then runs K3s's uninstaller directly.
 */
export function renderTeardownMarkScript(): string {
  return script(
    requireLocalK3s("nothing to mark"),
    `${KUBECTL} -n kube-system create configmap ${TEARDOWN_CONFIGMAP} --from-literal=reason=destroy >/dev/null 2>&1 || true`,
    'echo "the whole cluster is being destroyed: nodes are not drained; K3s is uninstalled from every host"',
  );
}

/**
 * Prints the full join token of a server (`K10<CA hash>::server:<secret>`), which K3s writes
 * to `<data-dir>/server/token` from the cluster secret and the CA. Joining nodes given this
 * form check the cluster CA's hash before they trust the server ("Token Format",
 * docs.k3s.io/cli/token); servers reduce either form to the same secret (k3s-io/k3s
 * `NormalizeToken`: "K10<CA-HASH>::<USERNAME>:<PASSWORD> or <PASSWORD>"), so the first server
 * keeps the plain secret and the bootstrap data stays keyed the same. The command's stdout is
 * secret and logging is off.
 */
export function renderReadJoinTokenScript(): string {
  return script(`$SUDO cat ${K3S_SERVER_TOKEN_FILE}`);
}
