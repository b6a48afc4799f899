/**
 * Rules that span fields, clusters or the catalog. Each violation is one ConfigError
 * naming the key, the value and the fix.
 */
import { capabilitiesOf } from "../components/cluster/capabilities";
import { APPS, SERVICES } from "./catalog";
import { ConfigError } from "./reader";
import type {
  ClusterConfig,
  K3dProxmoxClusterConfig,
  K3sClusterConfig,
  StackShape,
  TalosHcloudClusterConfig,
  Versions,
} from "./types";
import { contains, overlaps, parseCidr, parseInterfaceAddress, parseIpv4, parseRange } from "../lib/net";

const SHAPE_KINDS: Record<StackShape, readonly ClusterConfig["kind"][]> = {
  cloud: ["talos-hcloud"],
  homelab: ["k3s", "k3d-proxmox"],
};

/** Patterns of every pinned version; `latest` and ranges never match. */
export const VERSION_PATTERNS: Readonly<Record<keyof Versions, { pattern: RegExp; example: string }>> = {
  talos: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.11.3" },
  kubernetes: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.34.1" },
  k3s: { pattern: /^v\d+\.\d+\.\d+\+k3s\d+$/, example: "v1.33.5+k3s1" },
  k3d: { pattern: /^v\d+\.\d+\.\d+$/, example: "v5.8.3" },
  k3dK3sImage: { pattern: /^v\d+\.\d+\.\d+-k3s\d+$/, example: "v1.33.5-k3s1" },
  docker: { pattern: /^\d+\.\d+\.\d+$/, example: "28.5.1" },
  flux: { pattern: /^v\d+\.\d+\.\d+$/, example: "v2.7.5" },
  argocdChart: { pattern: /^\d+\.\d+\.\d+$/, example: "8.5.7" },
  gatewayApi: { pattern: /^v\d+\.\d+\.\d+$/, example: "v1.3.0" },
  cilium: { pattern: /^\d+\.\d+\.\d+$/, example: "1.18.2" },
  hcloudCcm: { pattern: /^\d+\.\d+\.\d+$/, example: "1.26.0" },
  hcloudCsi: { pattern: /^\d+\.\d+\.\d+$/, example: "2.16.0" },
  talosBackup: { pattern: /^v\d+\.\d+\.\d+(-[a-z0-9.]+)?$/, example: "v0.1.0-beta.3" },
};

function clusterKey(cluster: ClusterConfig, field?: string): string {
  return `platform:clusters.${cluster.name}${field ? `.${field}` : ""}`;
}

function checkOdd(key: string, count: number, what: string): void {
  if (count === 0 || count % 2 === 0) {
    throw new ConfigError(
      key,
      count,
      `etcd needs an odd number of ${what} (1, 3 or 5) to keep quorum; ${count === 0 ? "add one" : "add or remove one"}`,
    );
  }
}

function checkTalos(c: TalosHcloudClusterConfig): void {
  const controlPlanes = c.nodePools.filter((p) => p.role === "controlplane").reduce((n, p) => n + p.count, 0);
  checkOdd(clusterKey(c, "nodePools"), controlPlanes, "control-plane nodes");
  const poolNames = new Set<string>();
  c.nodePools.forEach((p, i) => {
    if (poolNames.has(p.name)) {
      throw new ConfigError(
        clusterKey(c, `nodePools[${i}].name`),
        p.name,
        "pool names must be unique; rename one",
      );
    }
    poolNames.add(p.name);
  });
  const network = parseCidr(c.networkCidr)!;
  const blocks = [
    ["nodeSubnetCidr", c.nodeSubnetCidr],
    ["podCidr", c.podCidr],
    ["serviceCidr", c.serviceCidr],
  ] as const;
  for (const [field, value] of blocks) {
    if (!contains(network, parseCidr(value)!)) {
      throw new ConfigError(clusterKey(c, field), value, `must lie inside networkCidr ${c.networkCidr}`);
    }
  }
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      if (overlaps(parseCidr(blocks[i][1])!, parseCidr(blocks[j][1])!)) {
        throw new ConfigError(
          clusterKey(c, blocks[j][0]),
          blocks[j][1],
          `overlaps ${blocks[i][0]} ${blocks[i][1]}; choose disjoint blocks`,
        );
      }
    }
  }
}

function checkK3s(c: K3sClusterConfig): void {
  const servers = c.hosts.filter((h) => h.role === "server");
  checkOdd(clusterKey(c, "hosts"), servers.length, "servers");
  if (c.hosts[0]?.role !== "server") {
    throw new ConfigError(
      clusterKey(c, "hosts[0].role"),
      c.hosts[0]?.role,
      "the first host initialises the cluster and must be a server",
    );
  }
  const seenNames = new Map<string, number>();
  const seenAddresses = new Map<string, number>();
  c.hosts.forEach((h, i) => {
    if (seenNames.has(h.name))
      throw new ConfigError(
        clusterKey(c, `hosts[${i}].name`),
        h.name,
        `duplicates hosts[${seenNames.get(h.name)}]; host names must be unique`,
      );
    if (seenAddresses.has(h.address)) {
      throw new ConfigError(
        clusterKey(c, `hosts[${i}].address`),
        h.address,
        `duplicates hosts[${seenAddresses.get(h.address)}]; host addresses must be unique`,
      );
    }
    if (h.address === c.vip)
      throw new ConfigError(
        clusterKey(c, `hosts[${i}].address`),
        h.address,
        "is the VIP; the VIP must be a free address",
      );
    seenNames.set(h.name, i);
    seenAddresses.set(h.address, i);
  });
  const pool = parseRange(c.loadBalancerPool)!;
  const vip = parseIpv4(c.vip)!;
  if (vip < pool.first || vip > pool.last) {
    throw new ConfigError(
      clusterKey(c, "vip"),
      c.vip,
      `must lie inside loadBalancerPool ${c.loadBalancerPool} so MetalLB can serve it`,
    );
  }
}

function checkK3d(c: K3dProxmoxClusterConfig): void {
  if (c.proxmox.vmId === c.proxmox.templateVmId) {
    throw new ConfigError(
      clusterKey(c, "proxmox.vmId"),
      c.proxmox.vmId,
      "must differ from templateVmId; pick a free VMID",
    );
  }
  const iface = parseInterfaceAddress(c.vm.address)!;
  const mask = iface.prefix === 0 ? 0 : (0xffffffff << (32 - iface.prefix)) >>> 0;
  if ((parseIpv4(c.vm.gateway)! & mask) >>> 0 !== (iface.address & mask) >>> 0) {
    throw new ConfigError(
      clusterKey(c, "vm.gateway"),
      c.vm.gateway,
      `must be inside the VM's subnet ${c.vm.address}`,
    );
  }
}

function checkCatalog(c: ClusterConfig): void {
  const caps = capabilitiesOf(c);
  c.services.forEach((name, i) => {
    const key = clusterKey(c, `services[${i}]`);
    const entry = SERVICES[name];
    if (!entry)
      throw new ConfigError(
        key,
        name,
        `unknown platform service; known: ${Object.keys(SERVICES).join(", ")}`,
      );
    if (c.services.indexOf(name) !== i)
      throw new ConfigError(key, name, "listed twice; remove the duplicate");
    if (entry.kinds && !entry.kinds.includes(c.kind)) {
      throw new ConfigError(
        key,
        name,
        `runs only on ${entry.kinds.join(", ")} clusters, not ${c.kind}; remove it from this cluster`,
      );
    }
    for (const needed of entry.needsServices ?? []) {
      if (!c.services.includes(needed))
        throw new ConfigError(
          key,
          name,
          `needs the ${needed} service on the same cluster; add it to services`,
        );
    }
  });
  c.apps.forEach((name, i) => {
    const key = clusterKey(c, `apps[${i}]`);
    const entry = APPS[name];
    if (!entry)
      throw new ConfigError(key, name, `unknown application; known: ${Object.keys(APPS).join(", ")}`);
    if (c.apps.indexOf(name) !== i) throw new ConfigError(key, name, "listed twice; remove the duplicate");
    for (const needed of entry.needsServices ?? []) {
      if (!c.services.includes(needed))
        throw new ConfigError(
          key,
          name,
          `needs the ${needed} service on this cluster; add ${needed} to services or remove ${name}`,
        );
    }
    for (const needed of entry.needsApps ?? []) {
      if (!c.apps.includes(needed))
        throw new ConfigError(
          key,
          name,
          `needs the ${needed} app on this cluster; add ${needed} to apps or remove ${name}`,
        );
    }
    if (entry.needsIngress && caps.ingress !== entry.needsIngress) {
      throw new ConfigError(
        key,
        name,
        `needs ${entry.needsIngress} ingress, but ${c.kind} clusters route through ${caps.ingress}; run it on a cluster with ${entry.needsIngress}`,
      );
    }
    if (entry.needsStorageClass && !caps.storageClasses.includes(entry.needsStorageClass)) {
      throw new ConfigError(
        key,
        name,
        `needs the ${entry.needsStorageClass} StorageClass, which this cluster lacks (has: ${caps.storageClasses.join(", ")}); enable the service that provides it`,
      );
    }
  });
}

function checkDelivery(c: ClusterConfig, stack: string): void {
  const emitPath = `gitops/${stack}/${c.name}`;
  if (c.delivery === "emit" && c.git.path.replace(/^\.\//, "").replace(/\/$/, "") !== emitPath) {
    throw new ConfigError(
      clusterKey(c, "git.path"),
      c.git.path,
      `in emit mode the engine must sync the emitted tree; set it to ${emitPath} (or leave it unset)`,
    );
  }
}

/** Applies every cross-field rule to the parsed clusters of a stack. */
export function checkClusters(shape: StackShape, clusters: readonly ClusterConfig[], stack: string): void {
  for (const c of clusters) {
    if (!SHAPE_KINDS[shape].includes(c.kind)) {
      throw new ConfigError(
        clusterKey(c, "kind"),
        c.kind,
        `a ${shape} stack holds only ${SHAPE_KINDS[shape].join(" or ")} clusters; change platform:shape or the cluster kind`,
      );
    }
    if (c.kind === "talos-hcloud") checkTalos(c);
    if (c.kind === "k3s") checkK3s(c);
    if (c.kind === "k3d-proxmox") checkK3d(c);
    checkCatalog(c);
    checkDelivery(c, stack);
  }
}
