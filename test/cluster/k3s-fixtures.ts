/** Config fixtures of the homelab clusters (source document 004) for the k3s/k3d tests. */
import { DEFAULT_VERSIONS } from "../../config/defaults";
import type { K3dProxmoxClusterConfig, K3sClusterConfig, K3sHostConfig, Versions } from "../../config/types";

export const VERSIONS: Versions = {
  ...DEFAULT_VERSIONS,
  k3s: "v1.33.5+k3s1",
  kubeVip: "v1.0.4",
  k3d: "v5.8.3",
  k3dK3sImage: "v1.33.5-k3s1",
  docker: "28.5.2",
};

const common = {
  engine: "flux",
  delivery: "deploy",
  domain: "ronaldlokers.nl",
  services: ["longhorn", "metallb"],
  apps: [],
} as const;

/**
 * An obviously fake but well-formed ed25519 host key line: its 32 key bytes spell
 * FAKE-HOST-KEY-<name>, padded, so nothing can present it.
 */
export function fakeHostKey(name: string): string {
  const wire = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const key = Buffer.from(`FAKE-HOST-KEY-${name}`.padEnd(32, "-").slice(0, 32), "latin1");
  return `ssh-ed25519 ${Buffer.concat([wire(Buffer.from("ssh-ed25519")), wire(key)]).toString("base64")}`;
}

export function piHost(n: number, role: K3sHostConfig["role"] = "server"): K3sHostConfig {
  return {
    name: `cm5-${n}`,
    address: `10.0.40.${100 + n}`,
    role,
    labels: {},
    taints: [],
    hostKey: fakeHostKey(`cm5-${n}`),
    gone: false,
  };
}

/** Production: three Raspberry Pi CM5 servers; ingress on the MetalLB VIP 10.0.40.100, the API on 10.0.40.99. */
export function productionConfig(overrides: Partial<K3sClusterConfig> = {}): K3sClusterConfig {
  return {
    ...common,
    name: "production",
    kind: "k3s",
    git: { url: "https://github.com/ronaldlokers/homelab", branch: "main", path: "clusters/production" },
    architecture: "arm64",
    vip: "10.0.40.100",
    loadBalancerPool: "10.0.40.100-10.0.40.120",
    apiVip: "10.0.40.99",
    apiVipInterface: "eth0",
    formerNames: [],
    sshUser: "pi",
    sshPort: 22,
    hosts: [
      { ...piHost(1), labels: { "node.longhorn.io/create-default-disk": "true" } },
      piHost(2),
      piHost(3),
    ],
    extraServerArgs: [],
    extraAgentArgs: [],
    raspberryPi: true,
    secretsEncryption: true,
    installerSha256: {},
    ...overrides,
  };
}

/** Staging: k3d with 1 server + 3 agents in a Proxmox VM at 10.0.40.52. */
export function stagingConfig(overrides: Partial<K3dProxmoxClusterConfig> = {}): K3dProxmoxClusterConfig {
  return {
    ...common,
    services: [],
    name: "staging",
    kind: "k3d-proxmox",
    git: { url: "https://github.com/ronaldlokers/homelab", branch: "main", path: "clusters/staging" },
    architecture: "amd64",
    proxmox: {
      endpoint: "https://10.0.40.50:8006/",
      insecure: true,
      node: "pve",
      templateVmId: 9000,
      vmId: 152,
      datastore: "local-lvm",
      bridge: "vmbr0",
    },
    vm: {
      name: "k3d-staging",
      cores: 4,
      memoryMiB: 16384,
      diskGiB: 100,
      address: "10.0.40.52/24",
      gateway: "10.0.40.1",
      dnsServers: ["10.0.40.1"],
      sshUser: "debian",
      sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly ops@homelab"],
    },
    k3d: { servers: 1, agents: 3, registryMirrors: {} },
    ...overrides,
  };
}

/** A kubeconfig as K3s writes it (everything named `default`, server on loopback). */
export const K3S_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EtREFUQQ==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

/** A kubeconfig as `k3d kubeconfig get` prints it. */
export const K3D_KUBECONFIG = K3S_KUBECONFIG.replace(
  "https://127.0.0.1:6443",
  "https://0.0.0.0:6443",
).replace(/default/g, "k3d-staging");
