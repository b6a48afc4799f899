/** Validation of ProxmoxK3dCluster args, before any resource exists. */
import { parseInterfaceAddress, parseIpv4 } from "../../../lib/net";
import type { K3dProxmoxClusterConfig, Versions } from "../../../config/types";
import { K3S_ARCHITECTURES } from "../k3s/validate";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Public key types OpenSSH accepts in `authorized_keys`. */
const SSH_PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;

/** Throws the first problem with a k3d-on-Proxmox cluster's args, naming the argument and the fix. */
export function validateK3dArgs(
  component: string,
  config: K3dProxmoxClusterConfig,
  versions: Versions,
): void {
  const fail = (message: string): never => {
    throw new Error(`ProxmoxK3dCluster "${component}": ${message}`);
  };
  const { proxmox, vm, k3d } = config;
  if (!/^v\d+\.\d+\.\d+$/.test(versions.k3d))
    fail(`versions.k3d is "${versions.k3d}"; expected a k3d release tag such as "v5.8.3"`);
  if (!/^v\d+\.\d+\.\d+-k3s\d+$/.test(versions.k3dK3sImage)) {
    fail(
      `versions.k3dK3sImage is "${versions.k3dK3sImage}"; expected a rancher/k3s image tag such as "v1.33.5-k3s1"`,
    );
  }
  if (!/^\d+\.\d+\.\d+$/.test(versions.docker))
    fail(`versions.docker is "${versions.docker}"; expected a Docker Engine version such as "28.5.2"`);
  checkK3dVersions(versions, fail);
  if (!K3S_ARCHITECTURES.includes(config.architecture)) {
    fail(
      `config.architecture is "${String(config.architecture)}"; expected one of ${K3S_ARCHITECTURES.join(", ")}`,
    );
  }
  if (!DNS_LABEL.test(config.name) || config.name.length > 32) {
    fail(
      `config.name is "${config.name}"; k3d cluster names are lowercase DNS labels of at most 32 characters`,
    );
  }
  for (const [key, id] of [
    ["templateVmId", proxmox.templateVmId],
    ["vmId", proxmox.vmId],
  ] as const) {
    if (!Number.isInteger(id) || id < 100 || id > 999_999_999)
      fail(`config.proxmox.${key} is ${id}; expected an integer VMID 100-999999999`);
  }
  if (proxmox.vmId === proxmox.templateVmId) {
    fail(`config.proxmox.vmId ${proxmox.vmId} equals config.proxmox.templateVmId; the VM needs its own VMID`);
  }
  if (!DNS_LABEL.test(vm.name))
    fail(`config.vm.name is "${vm.name}"; expected a lowercase DNS label such as "k3d-staging"`);
  const positive: readonly [string, number, number][] = [
    ["cores", vm.cores, 1],
    ["memoryMiB", vm.memoryMiB, 2048],
    ["diskGiB", vm.diskGiB, 10],
  ];
  for (const [key, value, min] of positive) {
    if (!Number.isInteger(value) || value < min)
      fail(`config.vm.${key} is ${value}; expected an integer of at least ${min}`);
  }
  if (parseInterfaceAddress(vm.address) === undefined) {
    fail(
      `config.vm.address is "${vm.address}"; expected a static address in CIDR form such as "10.0.40.52/24"`,
    );
  }
  if (parseIpv4(vm.gateway) === undefined)
    fail(`config.vm.gateway is "${vm.gateway}"; expected an IPv4 address such as "10.0.40.1"`);
  for (const [i, dns] of vm.dnsServers.entries()) {
    if (parseIpv4(dns) === undefined)
      fail(`config.vm.dnsServers[${i}] is "${dns}"; expected an IPv4 address`);
  }
  for (const [i, key] of vm.sshPublicKeys.entries()) {
    if (!SSH_PUBLIC_KEY.test(key.trim())) {
      // Only the first word: a private key pasted here by mistake must not reach the log.
      fail(
        `config.vm.sshPublicKeys[${i}] starts with "${key.trim().split(/\s+/)[0].slice(0, 24)}"; expected an OpenSSH public key line such as "ssh-ed25519 AAAA... user@host"`,
      );
    }
  }
  if (!/^[a-z_][a-z0-9_-]*$/.test(vm.sshUser))
    fail(`config.vm.sshUser is "${vm.sshUser}"; expected a Linux user name such as "debian"`);
  if (
    !Number.isInteger(k3d.servers) ||
    k3d.servers < 1 ||
    (k3d.servers !== 1 && (k3d.servers < 3 || k3d.servers % 2 === 0))
  ) {
    fail(
      `config.k3d.servers is ${k3d.servers}; embedded etcd needs an odd number: use 1 server or 3 or more (3, 5, 7)`,
    );
  }
  if (!Number.isInteger(k3d.agents) || k3d.agents < 0)
    fail(`config.k3d.agents is ${k3d.agents}; expected an integer of 0 or more`);
}

/**
 * Kubernetes minors of rancher/k3s images each k3d minor release is known to run, from
 * evidence read for this table (extend it only the same way): k3d v5.8.3 running
 * rancher/k3s v1.33.x images in public deployment records (and 004's staging), k3d v5.9.0
 * running rancher/k3s v1.33.0-k3s1. k3d itself starts any rancher/k3s tag; what breaks is a
 * K3s release newer than the k3d release knows, so the table lists what was seen working.
 */
export const K3D_K3S_MINORS: Readonly<Record<string, readonly string[]>> = {
  "v5.8": ["1.33"],
  "v5.9": ["1.33"],
};

/** `1.33` of `v1.33.5+k3s1` or `v1.33.5-k3s1`. */
export function kubernetesMinor(tag: string): string {
  return tag.replace(/^v/, "").split(".").slice(0, 2).join(".");
}

/**
 * Staging must run what production runs: `versions.k3dK3sImage` (the rancher/k3s tag k3d
 * runs) must be the same Kubernetes minor as `versions.k3s` (the release on the hosts). The
 * patch may differ, since a Kubernetes minor keeps its API, so a manifest that works on
 * staging works on production. And the k3d release must be one known to run that minor.
 */
function checkK3dVersions(versions: Versions, fail: (message: string) => never): void {
  const image = kubernetesMinor(versions.k3dK3sImage);
  const hosts = kubernetesMinor(versions.k3s);
  if (image !== hosts) {
    fail(
      `versions.k3dK3sImage is "${versions.k3dK3sImage}" (Kubernetes ${image}) but versions.k3s is "${versions.k3s}" (Kubernetes ${hosts}); staging must run production's Kubernetes minor, e.g. "${versions.k3s.replace("+", "-")}"`,
    );
  }
  const k3dMinor = versions.k3d.split(".").slice(0, 2).join(".");
  const supported = K3D_K3S_MINORS[k3dMinor];
  if (supported === undefined) {
    fail(
      `versions.k3d is "${versions.k3d}"; supported k3d releases are ${Object.keys(K3D_K3S_MINORS)
        .map((v) => `${v}.x`)
        .join(", ")} (check k3d's release notes, then extend K3D_K3S_MINORS)`,
    );
  } else if (!supported.includes(image)) {
    fail(
      `versions.k3dK3sImage is "${versions.k3dK3sImage}" (Kubernetes ${image}), which k3d ${versions.k3d} is not known to run; supported: ${supported.map((m) => `v${m}.x-k3sN`).join(", ")}`,
    );
  }
}

/** The VM's address without its prefix length (`10.0.40.52/24` -> `10.0.40.52`). */
export function vmHostAddress(config: K3dProxmoxClusterConfig): string {
  return config.vm.address.split("/")[0];
}
