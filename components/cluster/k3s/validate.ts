/** Validation of K3sCluster args, before any resource exists. */
import { parseIpv4, parseRange } from "../../../lib/net";
import type { Architecture, K3sClusterConfig, K3sHostConfig, Versions } from "../../../config/types";

/** Architectures the K3s release binaries and the Pi host preparation support. */
export const K3S_ARCHITECTURES: readonly Architecture[] = ["amd64", "arm64"];

/** Flags the component owns; setting them through extra args would break bootstrap or the VIP. */
export const K3S_MANAGED_FLAGS: readonly string[] = [
  "--cluster-init",
  "--server",
  "--token",
  "--token-file",
  "--agent-token",
  "--node-name",
  "--node-ip",
];

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const K3S_VERSION = /^v\d+\.\d+\.\d+\+k3s\d+$/;
const KUBE_VIP_VERSION = /^v\d+\.\d+\.\d+$/;
/** Linux interface names: at most 15 characters (IFNAMSIZ - 1), no slash or space. */
const INTERFACE_NAME = /^[A-Za-z0-9._-]{1,15}$/;

/**
 * Throws every problem with a K3s cluster's args at once (one line each), naming the
 * argument and the fix.
 */
export function validateK3sArgs(component: string, config: K3sClusterConfig, versions: Versions): void {
  const problems = k3sArgProblems(config, versions);
  if (problems.length > 0) {
    throw new Error(problems.map((p) => `K3sCluster "${component}": ${p}`).join("\n"));
  }
}

/** Every problem with a K3s cluster's args, each naming the argument, the value and the fix. */
export function k3sArgProblems(config: K3sClusterConfig, versions: Versions): string[] {
  const problems: string[] = [];
  const fail = (message: string): void => {
    problems.push(message);
  };
  if (!K3S_VERSION.test(versions.k3s)) {
    fail(`versions.k3s is "${versions.k3s}"; expected a K3s release tag such as "v1.33.5+k3s1"`);
  }
  if (!K3S_ARCHITECTURES.includes(config.architecture)) {
    fail(
      `config.architecture is "${String(config.architecture)}"; expected one of ${K3S_ARCHITECTURES.join(", ")}`,
    );
  }
  if (config.raspberryPi && config.architecture !== "arm64") {
    fail(
      `config.raspberryPi is true but config.architecture is "${config.architecture}"; Raspberry Pi CM5 hosts are arm64`,
    );
  }
  if (!KUBE_VIP_VERSION.test(versions.kubeVip)) {
    fail(`versions.kubeVip is "${versions.kubeVip}"; expected a kube-vip release tag such as "v1.0.4"`);
  }
  if (parseIpv4(config.vip) === undefined) {
    fail(`config.vip is "${config.vip}"; expected an IPv4 address such as "10.0.40.100"`);
  }
  if (parseIpv4(config.apiVip) === undefined) {
    fail(`config.apiVip is "${config.apiVip}"; expected an IPv4 address such as "10.0.40.99"`);
  }
  if (!INTERFACE_NAME.test(config.apiVipInterface)) {
    fail(
      `config.apiVipInterface is "${config.apiVipInterface}"; expected a network interface name such as "eth0"`,
    );
  }
  const pool = parseRange(config.loadBalancerPool);
  if (pool === undefined) {
    fail(`config.loadBalancerPool is "${config.loadBalancerPool}"; expected "first-last" or a CIDR`);
  } else {
    const vip = parseIpv4(config.vip) ?? 0;
    if (vip < pool.first || vip > pool.last) {
      fail(
        `config.vip "${config.vip}" is outside config.loadBalancerPool "${config.loadBalancerPool}"; MetalLB can only announce a VIP from its pool`,
      );
    }
    const apiVip = parseIpv4(config.apiVip) ?? 0;
    if (apiVip >= pool.first && apiVip <= pool.last) {
      fail(
        `config.apiVip "${config.apiVip}" is inside config.loadBalancerPool "${config.loadBalancerPool}"; kube-vip announces the API VIP itself, so pick a free address outside MetalLB's pool`,
      );
    }
  }
  if (!config.services.includes("metallb")) {
    fail(
      `config.services lacks "metallb"; K3sCluster disables K3s's ServiceLB, so only MetalLB can serve config.vip "${config.vip}" (Traefik); add metallb to config.services`,
    );
  }
  for (const former of config.formerNames) {
    if (!DNS_LABEL.test(former) || former === config.name) {
      fail(
        `config.formerNames has "${former}"; list earlier names of this cluster (DNS labels other than "${config.name}")`,
      );
    }
  }
  if (!Number.isInteger(config.sshPort) || config.sshPort < 1 || config.sshPort > 65535) {
    fail(`config.sshPort is ${config.sshPort}; expected an integer port 1-65535`);
  }
  validateHosts(config, fail);
  const pinned = Object.keys(config.installerSha256);
  if (pinned.length > 0 && config.installerSha256[versions.k3s] === undefined) {
    fail(
      `config.installerSha256 pins ${pinned.join(", ")} but not versions.k3s "${versions.k3s}"; add "${versions.k3s}": the output of curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/${versions.k3s}/install.sh | sha256sum`,
    );
  }
  for (const [key, flags] of [
    ["extraServerArgs", config.extraServerArgs],
    ["extraAgentArgs", config.extraAgentArgs],
  ] as const) {
    for (const flag of flags) {
      if (!flag.startsWith("--"))
        fail(
          `config.${key} has "${flag}"; each entry is one flag starting with "--", e.g. "--flannel-backend=wireguard-native"`,
        );
      const bare = flag.split("=")[0];
      if (K3S_MANAGED_FLAGS.includes(bare)) {
        fail(`config.${key} sets "${bare}", which K3sCluster manages itself; remove it from config.${key}`);
      }
    }
  }
  return problems;
}

function validateHosts(config: K3sClusterConfig, fail: (message: string) => void): void {
  const hosts = config.hosts;
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const [i, host] of hosts.entries()) {
    const at = `config.hosts[${i}]`;
    if (!DNS_LABEL.test(host.name))
      fail(`${at}.name is "${host.name}"; expected a lowercase DNS label such as "pi-1"`);
    if (parseIpv4(host.address) === undefined) {
      fail(
        `${at}.address is "${host.address}" (host "${host.name}"); expected an IPv4 address such as "10.0.40.101"`,
      );
    }
    if (host.role !== "server" && host.role !== "agent") {
      fail(`${at}.role is "${String(host.role)}"; expected "server" or "agent"`);
    }
    if (names.has(host.name))
      fail(`${at}.name "${host.name}" is used by another host; host names must be unique`);
    if (addresses.has(host.address)) {
      fail(`${at}.address "${host.address}" is used by another host; host addresses must be unique`);
    }
    if (host.address === config.vip) {
      fail(`${at}.address "${host.address}" equals config.vip; the VIP must be an address no host owns`);
    }
    if (host.address === config.apiVip) {
      fail(
        `${at}.address "${host.address}" equals config.apiVip; the API VIP must be an address no host owns`,
      );
    }
    names.add(host.name);
    addresses.add(host.address);
  }
  const servers = hosts.filter((h) => h.role === "server");
  // A gone server still counts: it stays listed until its replacement is added (removing it
  // alone would leave an even number of etcd members).
  if (servers.length === 0 || (servers.length !== 1 && (servers.length < 3 || servers.length % 2 === 0))) {
    fail(
      `config.hosts has ${servers.length} server(s) (${serverList(servers)}); embedded etcd needs an odd number: ` +
        `use 1 server or 3 or more (3, 5, 7)`,
    );
  } else if (servers.every((h) => h.gone)) {
    fail(
      `config.hosts marks every server gone (${serverList(servers)}); at least one live server must run the cluster (restore it from an etcd snapshot otherwise)`,
    );
  } else if (servers.filter((h) => h.gone).length * 2 >= servers.length) {
    fail(
      `config.hosts marks ${servers.filter((h) => h.gone).length} of ${servers.length} servers gone; etcd has lost its quorum, so no node can be removed through the API: restore the cluster from an etcd snapshot (operating guide, "Homelab: restore K3s etcd from a snapshot")`,
    );
  }
}

function serverList(servers: readonly K3sHostConfig[]): string {
  return servers.length === 0 ? "none" : servers.map((s) => s.name).join(", ");
}
