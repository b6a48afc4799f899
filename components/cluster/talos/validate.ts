/**
 * Validation of a Talos-on-Hetzner cluster's own args, run before any resource exists.
 * Every error names the argument, the bad value and what is expected (STYLE.md).
 */
import type { HcloudNodePoolConfig, TalosHcloudClusterConfig, Versions } from "../../../config/types";
import { contains, overlaps, parseCidr, type Cidr } from "../../../lib/net";
import { apiSourceProblem, CURRENT_IPV4, HCLOUD_LOCATIONS, HCLOUD_NETWORK_ZONES } from "../../../lib/hcloud";
import { kubernetesCompatibility } from "./compat";
import { csiRelease } from "./csi";
import { ciliumCliImage } from "./essentials";

export { apiSourceProblem, CURRENT_IPV4, HCLOUD_LOCATIONS, HCLOUD_NETWORK_ZONES } from "../../../lib/hcloud";

/**
 * Hetzner Cloud server types the component accepts (shared vCPU Intel/AMD `cx`/`cpx`,
 * Ampere `cax`, dedicated `ccx`). A typo otherwise surfaces only as an API error at `up`.
 * @see https://docs.hetzner.com/cloud/servers/overview
 */
export const KNOWN_SERVER_TYPES: readonly string[] = [
  "cx22",
  "cx23",
  "cx32",
  "cx33",
  "cx42",
  "cx43",
  "cx52",
  "cx53",
  "cpx11",
  "cpx21",
  "cpx22",
  "cpx31",
  "cpx32",
  "cpx41",
  "cpx42",
  "cpx51",
  "cpx52",
  "cpx62",
  "cax11",
  "cax21",
  "cax31",
  "cax41",
  "ccx13",
  "ccx23",
  "ccx33",
  "ccx43",
  "ccx53",
  "ccx63",
];

/** Server type families per CPU architecture (`cax` is Arm64). */
function architectureOf(serverType: string): "amd64" | "arm64" {
  return serverType.startsWith("cax") ? "arm64" : "amd64";
}

/** Addresses per static pool block in the node subnet (see `plan.ts`). */
export const POOL_BLOCK_SIZE = 32;
/** Most static nodes one pool may have (block minus network and reserved addresses). */
export const MAX_NODES_PER_POOL = POOL_BLOCK_SIZE - 2;

/** Expanders the cluster autoscaler knows. @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md */
export const KNOWN_EXPANDERS: readonly string[] = [
  "random",
  "most-pods",
  "least-waste",
  "price",
  "priority",
  "grpc",
];

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** Throws `<arg>: <problem>` for a bad apiAllowedCidrs entry. */
export function checkApiSource(arg: string, value: string): void {
  const problem = apiSourceProblem(value);
  if (problem) throw new Error(`${arg}: ${problem}`);
}

const SEMVER = /^v?\d+\.\d+\.\d+$/;

function requireCidr(arg: string, value: string): Cidr {
  const cidr = parseCidr(value);
  if (!cidr)
    throw new Error(
      `${arg}: "${value}" is not an IPv4 CIDR with zero host bits (expected e.g. "10.0.0.0/16")`,
    );
  return cidr;
}

function checkPool(
  clusterName: string,
  pool: HcloudNodePoolConfig,
  i: number,
  arch: "amd64" | "arm64",
): void {
  const arg = `config.nodePools[${i}]`;
  if (!DNS_LABEL.test(pool.name))
    throw new Error(
      `${arg}.name: "${pool.name}" must be a DNS label of at most 32 lowercase letters, digits and hyphens`,
    );
  if (`${clusterName}-${pool.name}`.length > 56)
    throw new Error(
      `${arg}.name: "${clusterName}-${pool.name}" is longer than 56 characters; shorten the cluster or pool name`,
    );
  if (!KNOWN_SERVER_TYPES.includes(pool.serverType)) {
    throw new Error(
      `${arg}.serverType: unknown Hetzner server type "${pool.serverType}"; expected one of ${KNOWN_SERVER_TYPES.join(", ")}`,
    );
  }
  if (architectureOf(pool.serverType) !== arch) {
    throw new Error(
      `${arg}.serverType: "${pool.serverType}" is ${architectureOf(pool.serverType)} but config.architecture is "${arch}"; pick a matching server type`,
    );
  }
  if (!Number.isInteger(pool.count) || pool.count < 0)
    throw new Error(`${arg}.count: ${pool.count} must be a non-negative integer`);
  if (pool.count > MAX_NODES_PER_POOL)
    throw new Error(
      `${arg}.count: ${pool.count} exceeds ${MAX_NODES_PER_POOL} nodes per pool; split the pool`,
    );
  if (pool.autoscaler) {
    if (pool.role !== "worker")
      throw new Error(
        `${arg}.autoscaler: only worker pools can be autoscaled, "${pool.name}" has role "${pool.role}"`,
      );
    if (
      !Number.isInteger(pool.autoscaler.max) ||
      pool.autoscaler.max < pool.count ||
      pool.autoscaler.max < 1
    ) {
      throw new Error(
        `${arg}.autoscaler.max: ${pool.autoscaler.max} must be an integer >= count (${pool.count}) and >= 1`,
      );
    }
  }
}

/** Private, shared and loopback ranges: never the source of a packet to a public address. */
const NON_PUBLIC_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8"];

/**
 * What would lock every operator out of the APIs, beyond a bad entry: only private ranges.
 * The firewall filters the servers' public addresses, which no packet from a private,
 * shared or loopback address reaches.
 */
export function apiSourcesLockout(entries: readonly string[]): string | undefined {
  const fixed = entries.filter((e) => e !== CURRENT_IPV4);
  const parsed = fixed.map((e) => parseCidr(e)).filter((c): c is Cidr => c !== undefined);
  const isPrivate = (c: Cidr) => NON_PUBLIC_RANGES.some((r) => contains(parseCidr(r) as Cidr, c));
  if (!entries.includes(CURRENT_IPV4) && parsed.length > 0 && parsed.every(isPrivate))
    return `${JSON.stringify(fixed)} are private ranges only: the firewall filters the servers' public addresses, where no packet from a private address arrives, so nobody could reach the Kubernetes and Talos APIs; list public egress CIDRs`;
  return undefined;
}

/**
 * Why `[current]` alone is fragile, or undefined: it admits only whoever ran Pulumi last, so
 * an up from another machine (a colleague) replaces that address. Not an error for a local
 * run: a single operator who always deploys from one place is served by it. A CI run refuses
 * it where `current` is resolved (firewall.ts `currentIpv4Command`).
 */
export function apiSourcesWarning(entries: readonly string[]): string | undefined {
  return entries.length > 0 && entries.every((e) => e === CURRENT_IPV4)
    ? `apiAllowedCidrs is [current] alone: the firewall admits only whoever ran pulumi last, and an up from any other machine (a colleague) replaces that address; a run in CI (CI set) stops with an error; list your admins' and CI runners' fixed egress CIDRs beside current (README "Who can reach the APIs")`
    : undefined;
}

/**
 * Every problem with the args of a TalosHcloudCluster, each naming the argument, the bad
 * value and what is expected; empty when they are valid.
 * @param config the cluster's config (validated again here: the component must not trust callers)
 * @param versions pinned versions (Talos and Kubernetes must be `vX.Y.Z`/`X.Y.Z`)
 */
export function talosHcloudProblems(config: TalosHcloudClusterConfig, versions: Versions): string[] {
  const problems: string[] = [];
  const run = (check: () => void) => {
    try {
      check();
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  };
  run(() => {
    if (!DNS_LABEL.test(config.name))
      throw new Error(
        `config.name: "${config.name}" must be a DNS label of at most 32 lowercase letters, digits and hyphens`,
      );
  });
  run(() => checkVersions(versions));
  run(() => checkLocation(config));
  run(() => checkNetworks(config));
  run(() => {
    if (config.apiAllowedCidrs.length === 0)
      throw new Error(
        `config.apiAllowedCidrs: empty; list the CIDRs allowed to reach the Kubernetes API (6443) and Talos API (50000)`,
      );
    config.apiAllowedCidrs.forEach((c, i) => checkApiSource(`config.apiAllowedCidrs[${i}]`, c));
    const lockout = apiSourcesLockout(config.apiAllowedCidrs);
    if (lockout) throw new Error(`config.apiAllowedCidrs: ${lockout}`);
  });
  const names = new Set<string>();
  config.nodePools.forEach((pool, i) =>
    run(() => {
      checkPool(config.name, pool, i, config.architecture);
      if (names.has(pool.name))
        throw new Error(`config.nodePools[${i}].name: duplicate pool name "${pool.name}"`);
      names.add(pool.name);
    }),
  );
  run(() => checkQuorum(config));
  run(() => checkSubnetSize(config));
  run(() => checkAutoscaler(config));
  return problems;
}

/** Throws one error listing every problem {@link talosHcloudProblems} finds. */
export function validateTalosHcloudArgs(config: TalosHcloudClusterConfig, versions: Versions): void {
  const problems = talosHcloudProblems(config, versions);
  if (problems.length === 1) throw new Error(problems[0]);
  if (problems.length > 1)
    throw new Error(`${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

function checkVersions(versions: Versions): void {
  for (const key of ["talos", "kubernetes", "gatewayApi", "cilium", "hcloudCcm", "hcloudCsi"] as const) {
    if (!SEMVER.test(versions[key]))
      throw new Error(
        `versions.${key}: "${versions[key]}" is not a pinned version (expected e.g. "v1.11.3" or "1.34.1")`,
      );
  }
  const incompatible = kubernetesCompatibility(versions);
  if (incompatible.length > 0) throw new Error(incompatible[0]);
  // The install Job installs the chart the cilium-cli image embeds (essentials.ts).
  ciliumCliImage(versions.cilium);
  // The CSI manifest is rendered for releases whose sidecars csi.ts knows.
  csiRelease(versions.hcloudCsi);
  if (!/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(versions.talosBackup)) {
    throw new Error(
      `versions.talosBackup: "${versions.talosBackup}" is not a pinned version (expected e.g. "v0.1.0-beta.3")`,
    );
  }
}

/** The location must exist and lie in the network zone (Hetzner Networks FAQ). */
function checkLocation(config: TalosHcloudClusterConfig): void {
  const zone = Object.entries(HCLOUD_NETWORK_ZONES).find(([, locations]) =>
    locations.includes(config.location),
  )?.[0];
  if (!zone)
    throw new Error(
      `config.location: "${config.location}" is not a Hetzner Cloud location; expected one of ${HCLOUD_LOCATIONS.join(", ")}`,
    );
  if (!HCLOUD_NETWORK_ZONES[config.networkZone])
    throw new Error(
      `config.networkZone: "${config.networkZone}" is not a Hetzner network zone; expected one of ${Object.keys(HCLOUD_NETWORK_ZONES).join(", ")}`,
    );
  if (zone !== config.networkZone)
    throw new Error(
      `config.networkZone: "${config.networkZone}" does not hold location "${config.location}" (it is in ${zone}); set networkZone to ${zone} or pick a location of ${config.networkZone} (${HCLOUD_NETWORK_ZONES[config.networkZone].join(", ")})`,
    );
}

/**
 * etcd keeps working while a majority of its members (quorum) do. The control planes live in
 * one pool with an odd count: each `-leave` removes one member at a time, and a change that
 * moved control planes between pools would add and remove members in the same run.
 */
function checkQuorum(config: TalosHcloudClusterConfig): void {
  const pools = config.nodePools.filter((p) => p.role === "controlplane");
  if (pools.length !== 1)
    throw new Error(
      `config.nodePools: ${pools.length} control-plane pools (${pools.map((p) => p.name).join(", ") || "none"}); keep the control planes in exactly one pool: moving them between pools adds and removes etcd members in the same run, which can lose quorum`,
    );
  const count = pools[0].count;
  if (count < 1 || count % 2 === 0) {
    throw new Error(
      `config.nodePools: ${count} control-plane nodes in total; etcd needs an odd number (1, 3 or 5): it needs a majority of members up (quorum), and ${count === 0 ? "no member leaves no cluster" : `${count} members survive no more failures than ${count - 1}`}`,
    );
  }
}

/**
 * What is wrong with changing the control plane from `deployed` servers (those Hetzner lists
 * with this cluster's `role=controlplane` label) to `planned` nodes, or undefined.
 *
 * Growing is safe: Talos adds new etcd members as learners, one at a time, and "learner
 * members are not counted in quorum calculations" (siderolabs/talos commit eefe1c21c, "add
 * new etcd members in learner mode"). Shrinking removes members one at a time (each
 * `-leave`), which keeps quorum while the remaining members are healthy, except the last
 * removal on the way to one node: "It is unsafe to remove a member from a two member
 * cluster. The majority of a two member cluster is also two. If there is a failure during the
 * removal process, the cluster might not be able to make progress" (etcd operations guide,
 * "Runtime reconfiguration"). So a change that shrinks to fewer than 3 is refused.
 * @see https://etcd.io/docs/v3.5/op-guide/runtime-configuration/
 */
export function controlPlaneShrinkProblem(deployed: number, planned: number): string | undefined {
  if (planned >= deployed || planned >= 3) return undefined;
  return `config.nodePools: the control plane would shrink from the ${deployed} control-plane servers deployed now to ${planned}; the nodes leave etcd one at a time, and the last removal takes a member from a two-member etcd cluster, which etcd's runtime reconfiguration guide calls unsafe (its majority is both members: a failure during the removal leaves etcd without quorum); keep at least 3 control planes, or build a one-node cluster anew and restore an etcd snapshot into it (docs/operating.md "Restore etcd (Talos)")`;
}

/** Throws {@link controlPlaneShrinkProblem}'s problem, if any. */
export function checkControlPlaneChange(deployed: number, planned: number): void {
  const problem = controlPlaneShrinkProblem(deployed, planned);
  if (problem) throw new Error(problem);
}

function checkSubnetSize(config: TalosHcloudClusterConfig): void {
  const nodes = parseCidr(config.nodeSubnetCidr);
  if (!nodes) return;
  const staticPools = config.nodePools.filter((p) => !p.autoscaler).length;
  // The static pools live in the lower half (plan.ts `nodeSubnets`).
  const available = 2 ** (32 - nodes.prefix) / 2;
  if (staticPools * POOL_BLOCK_SIZE > available) {
    throw new Error(
      `config.nodeSubnetCidr: "${config.nodeSubnetCidr}" leaves ${available} addresses (its lower half; the upper half is the autoscaler's) but ${staticPools} static pools need ${staticPools * POOL_BLOCK_SIZE}; use a larger subnet`,
    );
  }
}

function checkAutoscaler(config: TalosHcloudClusterConfig): void {
  for (const [key, value] of Object.entries(config.autoscaler)) {
    if (key !== "expander" && !/^\d+[smh]$/.test(value))
      throw new Error(`config.autoscaler.${key}: "${value}" is not a duration (expected e.g. "10m")`);
  }
  if (!KNOWN_EXPANDERS.includes(config.autoscaler.expander)) {
    throw new Error(
      `config.autoscaler.expander: unknown expander "${config.autoscaler.expander}"; expected one of ${KNOWN_EXPANDERS.join(", ")}`,
    );
  }
}

/** The CIDR layout: hcloud-k8s' (pods and services inside the network, disjoint from the nodes). */
function checkNetworks(config: TalosHcloudClusterConfig): void {
  const network = requireCidr("config.networkCidr", config.networkCidr);
  const nodes = requireCidr("config.nodeSubnetCidr", config.nodeSubnetCidr);
  const pods = requireCidr("config.podCidr", config.podCidr);
  const services = requireCidr("config.serviceCidr", config.serviceCidr);
  if (!contains(network, nodes))
    throw new Error(
      `config.nodeSubnetCidr: "${config.nodeSubnetCidr}" must lie inside config.networkCidr "${config.networkCidr}"`,
    );
  // hcloud-k8s layout: pods and services are carved from the private network (Cilium
  // native routing over Hetzner routes), disjoint from the node subnet and each other.
  if (!contains(network, pods))
    throw new Error(
      `config.podCidr: "${config.podCidr}" must lie inside config.networkCidr "${config.networkCidr}"`,
    );
  if (!contains(network, services))
    throw new Error(
      `config.serviceCidr: "${config.serviceCidr}" must lie inside config.networkCidr "${config.networkCidr}"`,
    );
  if (overlaps(nodes, pods))
    throw new Error(
      `config.podCidr: "${config.podCidr}" overlaps config.nodeSubnetCidr "${config.nodeSubnetCidr}"; choose disjoint ranges`,
    );
  if (overlaps(nodes, services))
    throw new Error(
      `config.serviceCidr: "${config.serviceCidr}" overlaps config.nodeSubnetCidr "${config.nodeSubnetCidr}"; choose disjoint ranges`,
    );
  if (overlaps(pods, services))
    throw new Error(
      `config.serviceCidr: "${config.serviceCidr}" overlaps config.podCidr "${config.podCidr}"; choose disjoint ranges`,
    );
}
