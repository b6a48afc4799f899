/**
 * Parses `platform:clusters` into typed cluster configs, applying defaults and checking
 * each field on its own. Rules that span fields or clusters live in `rules.ts`.
 */
import {
  DEFAULT_AUTOSCALER,
  DEFAULT_ETCD_BACKUP_SCHEDULE,
  DEFAULT_HCLOUD_NETWORK,
  DEFAULT_K3D_TOPOLOGY,
  DEFAULT_K3D_VM,
  DEFAULT_K3S_API_VIP_INTERFACE,
  DEFAULT_K3S_ETCD_SNAPSHOT,
} from "./defaults";
import { ConfigError, ErrorCollector, Reader } from "./reader";
import { apiSourceProblem, HCLOUD_LOCATIONS, HCLOUD_NETWORK_ZONES } from "../lib/hcloud";
import * as fs from "node:fs";
import * as path from "node:path";
import type {
  ClusterCommonConfig,
  ClusterConfig,
  ExistingClusterConfig,
  HcloudNodePoolConfig,
  K3dProxmoxClusterConfig,
  K3sClusterConfig,
  K3sEtcdSnapshotConfig,
  K3sHostConfig,
  Taint,
  TalosHcloudClusterConfig,
} from "./types";
import { parseCidr, parseInterfaceAddress, parseIpv4, parseRange } from "../lib/net";
import { publicKeyProblem } from "../lib/ssh";
import { cronProblem } from "../lib/cron";

/** A DNS-1123 label: what cluster, pool and host names must be. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const DURATION = /^\d+(s|m|h)$/;
const TAINT = /^([A-Za-z0-9./-]+)=([A-Za-z0-9._-]*):(NoSchedule|PreferNoSchedule|NoExecute)$/;
const LABEL = "a DNS label (lowercase letters, digits and '-', at most 63 characters)";

const COMMON_KEYS = [
  "kind",
  "engine",
  "delivery",
  "domain",
  "git",
  "services",
  "apps",
  "architecture",
  "serviceSettings",
  "appSettings",
  "handover",
  "engineInstallFrom",
];

function ipv4(r: Reader, field: string, fallback?: string): string {
  const value = r.string(field, { expected: "an IPv4 address such as 10.0.40.100" }, fallback);
  if (parseIpv4(value) === undefined) {
    throw new ConfigError(r.key(field), value, "expected an IPv4 address such as 10.0.40.100");
  }
  return value;
}

/** Reads a CIDR block field; exported for the rules that compare blocks. */
export function cidr(r: Reader, field: string, fallback?: string): string {
  const value = r.string(field, { expected: "an IPv4 CIDR block such as 10.0.0.0/16" }, fallback);
  if (!parseCidr(value)) {
    throw new ConfigError(
      r.key(field),
      value,
      "expected an IPv4 CIDR block with zero host bits, such as 10.0.0.0/16",
    );
  }
  return value;
}

function taints(r: Reader, field: string): Taint[] {
  return r
    .stringList(field, {
      pattern: TAINT,
      expected: "a taint as key=value:Effect, e.g. autoscaler-node=true:NoSchedule",
    })
    .map((text) => {
      const m = TAINT.exec(text)!;
      return { key: m[1], value: m[2], effect: m[3] as Taint["effect"] };
    });
}

function common(name: string, r: Reader, stack: string): Omit<ClusterCommonConfig, "kind"> {
  if (!DNS_LABEL.test(name)) throw new ConfigError(r.path, name, `cluster names must be ${LABEL}`);
  const git = r.object("git").only(["url", "branch", "path", "verify"]);
  const engine = r.string("engine", { oneOf: ["flux", "argocd"] });
  const delivery = r.string("delivery", { oneOf: ["deploy", "emit"] }, "deploy");
  return {
    name,
    engine,
    delivery,
    domain: r.string("domain", { pattern: DNS_NAME, expected: "a DNS domain such as example.org" }),
    git: {
      url: git.string("url", {
        pattern: /^(https|ssh):\/\/[^\s]+$/,
        expected: "an https:// or ssh:// repository URL",
      }),
      branch: git.string("branch", { pattern: /^[A-Za-z0-9._/-]+$/, expected: "a git branch name" }),
      path: git.string(
        "path",
        { pattern: /^[A-Za-z0-9._/-]+$/, expected: "a repository-relative directory" },
        `gitops/${stack}/${name}`,
      ),
      ...gitVerify(git, engine),
    },
    ...handover(r, engine, delivery),
    ...engineInstallFrom(r, engine),
    services: r.stringList("services"),
    apps: r.stringList("apps"),
  };
}

/** `git.verify`: commit signature verification of the synced repository (Flux only). */
function gitVerify(
  git: Reader,
  engine: "flux" | "argocd",
): { verify?: { mode: "HEAD" | "Tag" | "TagAndHEAD"; publicKeys: string } } {
  if (!git.has("verify")) return {};
  const verify = git.object("verify").only(["mode", "publicKeys"]);
  if (engine !== "flux") {
    throw new ConfigError(
      verify.path,
      "(set)",
      "commit verification is a Flux GitRepository feature; remove it on an Argo CD cluster (Argo CD verifies signatures through its projects' signatureKeys)",
    );
  }
  const mode = verify.string("mode", { oneOf: ["HEAD", "Tag", "TagAndHEAD"] as const }, "HEAD");
  const publicKeys = verify.string("publicKeys", {
    pattern: /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----/,
    expected: "ASCII-armored PGP public keys",
  });
  return { verify: { mode, publicKeys } };
}

/**
 * `handover: { release: { engine, delivery }, next: { engine, delivery } }`: `release` must name
 * the current engine and delivery, `next` what step 2 switches to.
 */
function handover(
  r: Reader,
  engine: "flux" | "argocd",
  delivery: "deploy" | "emit",
): { handover?: ClusterCommonConfig["handover"] } {
  if (!r.has("handover")) return {};
  const h = r.object("handover").only(["release", "next"]);
  const release = h.object("release").only(["engine", "delivery"]);
  const from = release.string("engine", { oneOf: ["flux", "argocd"] as const });
  const mode = release.string("delivery", { oneOf: ["deploy", "emit"] as const });
  if (from !== engine || mode !== delivery) {
    throw new ConfigError(
      release.path,
      { engine: from, delivery: mode },
      `a handover releases the cluster's current engine and delivery (${engine}, ${delivery}); step 1 keeps them, step 2 changes them and removes handover`,
    );
  }
  if (!h.has("next")) {
    throw new ConfigError(
      `${h.path}.next`,
      undefined,
      "name what step 2 switches to, e.g. next: { engine: argocd, delivery: deploy } (a switch away from an engine deletes its released units in step 2; a delivery switch keeps them)",
    );
  }
  const next = h.object("next").only(["engine", "delivery"]);
  const to = next.string("engine", { oneOf: ["flux", "argocd"] as const });
  const toMode = next.string("delivery", { oneOf: ["deploy", "emit"] as const });
  if (to === from && toMode === mode) {
    throw new ConfigError(
      next.path,
      { engine: to, delivery: toMode },
      `the engine and delivery step 2 sets must differ from the released ones (${from}, ${mode}): name the engine and/or delivery the cluster switches to`,
    );
  }
  return { handover: { release: { engine: from, delivery: mode }, next: { engine: to, delivery: toMode } } };
}

/**
 * `engineInstallFrom`: the local file or chart the engine is installed from (air-gapped
 * clusters). Checked here, so a typo fails before anything is registered.
 */
function engineInstallFrom(r: Reader, engine: "flux" | "argocd"): { engineInstallFrom?: string } {
  if (!r.has("engineInstallFrom")) return {};
  const expected =
    engine === "flux"
      ? "a local path to Flux's install manifest (install.yaml of the pinned release)"
      : "a local path to the argo-cd chart at versions.argocdChart (a chart directory or .tgz)";
  const value = r.string("engineInstallFrom", { expected });
  const resolved = path.resolve(value);
  const stat = fs.statSync(resolved, { throwIfNoEntry: false });
  if (!stat)
    throw new ConfigError(
      r.key("engineInstallFrom"),
      value,
      `no such file or directory; expected ${expected}`,
    );
  if (engine === "flux" && !stat.isFile())
    throw new ConfigError(r.key("engineInstallFrom"), value, `not a file; expected ${expected}`);
  if (engine === "argocd") {
    const chart = stat.isDirectory()
      ? fs.existsSync(path.join(resolved, "Chart.yaml"))
      : /\.tgz$/.test(resolved);
    if (!chart)
      throw new ConfigError(
        r.key("engineInstallFrom"),
        value,
        `not a chart (no Chart.yaml, not a .tgz); expected ${expected}`,
      );
  }
  return { engineInstallFrom: resolved };
}

function architecture(r: Reader): "amd64" | "arm64" {
  return r.string("architecture", { oneOf: ["amd64", "arm64"] }, "amd64");
}

function nodePool(r: Reader): HcloudNodePoolConfig {
  r.only(["name", "role", "serverType", "count", "autoscaler", "labels", "taints"]);
  const name = r.string("name", { pattern: DNS_LABEL, expected: LABEL });
  const role = r.string("role", { oneOf: ["controlplane", "worker"] as const });
  const autoscaler = r.has("autoscaler")
    ? { max: r.object("autoscaler").only(["max"]).integer("max", { min: 1, max: 100 }) }
    : undefined;
  const count = r.integer("count", { min: autoscaler ? 0 : 1, max: 100 });
  if (autoscaler && autoscaler.max < count) {
    throw new ConfigError(r.key("autoscaler.max"), autoscaler.max, `must be at least count (${count})`);
  }
  if (autoscaler && role === "controlplane") {
    throw new ConfigError(
      r.key("autoscaler"),
      { max: autoscaler.max },
      "only worker pools can be autoscaled; remove it",
    );
  }
  return {
    name,
    role,
    serverType: r.string("serverType", {
      pattern: /^[a-z0-9-]+$/,
      expected: "a Hetzner server type such as cx22",
    }),
    count,
    autoscaler,
    labels: r.stringMap("labels"),
    taints: taints(r, "taints"),
  };
}

function talosHcloud(name: string, r: Reader, stack: string): TalosHcloudClusterConfig {
  r.only([
    ...COMMON_KEYS,
    ...Object.keys(DEFAULT_HCLOUD_NETWORK),
    "apiAllowedCidrs",
    "image",
    "nodePools",
    "autoscaler",
    "etcdBackup",
  ]);
  const image = r.object("image").only(["snapshotId", "selector"]);
  if (image.has("snapshotId") === image.has("selector")) {
    throw new ConfigError(image.path, image.value, "set exactly one of snapshotId or selector");
  }
  const autoscaler = r.optionalObject("autoscaler").only(Object.keys(DEFAULT_AUTOSCALER));
  const backup = r
    .object("etcdBackup")
    .only(["schedule", "s3Endpoint", "s3Region", "s3Bucket", "ageRecipient"]);
  const duration = { pattern: DURATION, expected: "a duration such as 10m" };
  return {
    ...common(name, r, stack),
    kind: "talos-hcloud",
    architecture: architecture(r),
    // Whether the location lies in the zone is a cross-field rule (validate.ts checkLocation).
    location: r.string("location", { oneOf: HCLOUD_LOCATIONS }, DEFAULT_HCLOUD_NETWORK.location),
    networkZone: r.string(
      "networkZone",
      { oneOf: Object.keys(HCLOUD_NETWORK_ZONES) },
      DEFAULT_HCLOUD_NETWORK.networkZone,
    ),
    networkCidr: cidr(r, "networkCidr", DEFAULT_HCLOUD_NETWORK.networkCidr),
    nodeSubnetCidr: cidr(r, "nodeSubnetCidr", DEFAULT_HCLOUD_NETWORK.nodeSubnetCidr),
    podCidr: cidr(r, "podCidr", DEFAULT_HCLOUD_NETWORK.podCidr),
    serviceCidr: cidr(r, "serviceCidr", DEFAULT_HCLOUD_NETWORK.serviceCidr),
    apiAllowedCidrs: apiSources(r, "apiAllowedCidrs"),
    image: image.has("snapshotId")
      ? { snapshotId: image.integer("snapshotId", { min: 1 }) }
      : {
          selector: image.string("selector", {
            pattern: /^\S+$/,
            expected: "a label selector such as os=talos",
          }),
        },
    nodePools: r.list("nodePools").map(nodePool),
    autoscaler: {
      scaleDownDelayAfterAdd: autoscaler.string(
        "scaleDownDelayAfterAdd",
        duration,
        DEFAULT_AUTOSCALER.scaleDownDelayAfterAdd,
      ),
      scaleDownDelayAfterDelete: autoscaler.string(
        "scaleDownDelayAfterDelete",
        duration,
        DEFAULT_AUTOSCALER.scaleDownDelayAfterDelete,
      ),
      scaleDownUnneededTime: autoscaler.string(
        "scaleDownUnneededTime",
        duration,
        DEFAULT_AUTOSCALER.scaleDownUnneededTime,
      ),
      expander: autoscaler.string(
        "expander",
        { oneOf: ["least-waste", "random", "most-pods", "price", "priority"] },
        DEFAULT_AUTOSCALER.expander,
      ),
    },
    etcdBackup: {
      schedule: cronSchedule(backup, "schedule", DEFAULT_ETCD_BACKUP_SCHEDULE),
      s3Endpoint: backup.string("s3Endpoint", {
        pattern: /^https:\/\/\S+$/,
        expected: "an https:// S3 endpoint",
      }),
      s3Region: backup.string("s3Region"),
      s3Bucket: backup.string("s3Bucket", {
        pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        expected: "an S3 bucket name",
      }),
      // talos-backup encrypts each snapshot to this age recipient (AGE_X25519_PUBLIC_KEY,
      // siderolabs/talos-backup pkg/config/service.go); a public key, so plain config.
      ageRecipient: backup.optionalString("ageRecipient", {
        pattern: /^age1[02-9ac-hj-np-z]{58}$/,
        expected: "an age X25519 recipient (age1... from age-keygen -y)",
      }),
    },
  };
}

/** A CronJob schedule, parsed (lib/cron.ts) rather than pattern-matched. */
function cronSchedule(r: Reader, field: string, fallback: string): string {
  const value = r.string(field, { expected: "a five-field cron schedule such as 0 * * * *" }, fallback);
  const problem = cronProblem(value);
  if (problem) throw new ConfigError(r.key(field), value, `not a CronJob schedule: ${problem}`);
  return value;
}

/** API sources: CIDRs, at least one (an empty list would lock everyone out). */
function apiSources(r: Reader, field: string): string[] {
  const value = r.stringList(field);
  if (value.length === 0) {
    throw new ConfigError(
      r.key(field),
      value,
      "list the CIDRs allowed to reach the Kubernetes and Talos APIs, e.g. [current] or [<your public ip>/32]",
    );
  }
  value.forEach((item, i) => {
    // `current` = the operator's public IPv4 at preview/up; see TalosHcloudCluster.
    const problem = apiSourceProblem(item);
    if (problem) throw new ConfigError(`${r.key(field)}[${i}]`, item, problem);
  });
  return value;
}

function ipv4List(r: Reader, field: string, fallback: readonly string[]): string[] {
  const value = r.stringList(field, {}, fallback);
  value.forEach((item, i) => {
    if (parseIpv4(item) === undefined)
      throw new ConfigError(`${r.key(field)}[${i}]`, item, "expected an IPv4 address");
  });
  return value;
}

/**
 * A label key as Kubernetes validates it (`IsQualifiedName`, k8s.io/apimachinery
 * pkg/util/validation): an optional DNS-subdomain prefix of at most 253 characters and `/`,
 * then a name of at most 63 characters, alphanumeric at both ends, `-`, `_`, `.` inside.
 */
const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with a label key, as Kubernetes's `IsQualifiedName` checks it, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a label key has at most one '/' (prefix/name)";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return "the prefix before '/' must be a DNS subdomain (lowercase, e.g. node.longhorn.io)";
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "the name must be 1-63 characters, [A-Za-z0-9] at both ends and only '-', '_', '.' inside";
  }
  return undefined;
}

/** What is wrong with a label value (`IsValidLabelValue`): empty, or a name as above. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  return value.length <= 63 && QUALIFIED_NAME.test(value)
    ? undefined
    : "a label value is empty or 1-63 characters, [A-Za-z0-9] at both ends and only '-', '_', '.' inside";
}

/** Node labels, each key and value checked as Kubernetes does, every problem reported. */
function nodeLabels(r: Reader, errors: ErrorCollector): Record<string, string> {
  const labels = r.stringMap("labels");
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) {
      errors.add(new ConfigError(`${r.key("labels")}`, key, `invalid label key: ${keyProblem}`));
    }
    const valueProblem = labelValueProblem(value);
    if (valueProblem) errors.add(new ConfigError(`${r.key("labels")}.${key}`, value, valueProblem));
  }
  return labels;
}

/** A host's SSH host key line (`ssh-keyscan` output without the address column). */
function hostKey(r: Reader, field: string, required: boolean): string | undefined {
  const expected = `the host's public SSH host key: run \`ssh-keyscan -t ed25519 <address>\` and paste the line without its first column, e.g. "ssh-ed25519 AAAAC3Nza..."`;
  const value = required ? r.string(field, { expected }) : r.optionalString(field, { expected });
  if (value === undefined) return undefined;
  const problem = publicKeyProblem(value);
  if (problem)
    throw new ConfigError(
      r.key(field),
      `${value.trim().split(/\s+/)[0]} ...`,
      `${problem}; expected ${expected}`,
    );
  return value.trim();
}

function k3sHost(r: Reader): K3sHostConfig {
  r.only(["name", "address", "role", "labels", "taints", "hostKey", "gone"]);
  // Every problem of this host at once (a bad label must not hide a bad address).
  const errors = new ErrorCollector();
  const host = {
    name: errors.attempt(() => r.string("name", { pattern: DNS_LABEL, expected: LABEL })),
    address: errors.attempt(() => ipv4(r, "address")),
    role: errors.attempt(() => r.string("role", { oneOf: ["server", "agent"] as const })),
    labels: errors.attempt(() => nodeLabels(r, errors)),
    taints: errors.attempt(() => taints(r, "taints")),
    hostKey: errors.attempt(() => hostKey(r, "hostKey", true)),
    gone: errors.attempt(() => r.boolean("gone", false)),
  };
  errors.throwIfAny();
  return host as K3sHostConfig;
}

/** `etcdSnapshots`: K3s's scheduled snapshots, copied to S3-compatible storage. */
function etcdSnapshots(r: Reader): K3sEtcdSnapshotConfig | undefined {
  if (!r.has("etcdSnapshots")) return undefined;
  const e = r
    .object("etcdSnapshots")
    .only(["schedule", "retention", "s3Endpoint", "s3Region", "s3Bucket", "s3Folder"]);
  return {
    schedule: cronSchedule(e, "schedule", DEFAULT_K3S_ETCD_SNAPSHOT.schedule),
    retention: e.integer("retention", { min: 1, max: 1000 }, DEFAULT_K3S_ETCD_SNAPSHOT.retention),
    s3Endpoint: e.string("s3Endpoint", {
      pattern: /^[A-Za-z0-9.-]+(:\d+)?$/,
      expected: "an S3 endpoint host without scheme, e.g. s3.eu-central-003.backblazeb2.com",
    }),
    s3Region: e.string("s3Region", {
      pattern: /^[a-z0-9-]+$/,
      expected: "an S3 region such as eu-central-003",
    }),
    s3Bucket: e.string("s3Bucket", {
      pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      expected: "an S3 bucket name",
    }),
    s3Folder: e.string(
      "s3Folder",
      { pattern: /^[A-Za-z0-9._/-]+$/, expected: "a folder in the bucket such as k3s/production" },
      DEFAULT_K3S_ETCD_SNAPSHOT.s3Folder,
    ),
  };
}

function k3s(name: string, r: Reader, stack: string): K3sClusterConfig {
  r.only([
    ...COMMON_KEYS,
    "vip",
    "loadBalancerPool",
    "apiVip",
    "apiVipInterface",
    "formerNames",
    "sshUser",
    "sshPort",
    "hosts",
    "extraServerArgs",
    "extraAgentArgs",
    "raspberryPi",
    "secretsEncryption",
    "etcdSnapshots",
    "installerSha256",
  ]);
  const pool = r.string("loadBalancerPool", {
    expected: "an address range such as 10.0.40.100-10.0.40.120 or a CIDR",
  });
  if (!parseRange(pool)) {
    throw new ConfigError(
      r.key("loadBalancerPool"),
      pool,
      "expected an address range such as 10.0.40.100-10.0.40.120 or a CIDR",
    );
  }
  return {
    ...common(name, r, stack),
    kind: "k3s",
    architecture: architecture(r),
    vip: ipv4(r, "vip"),
    loadBalancerPool: pool,
    apiVip: ipv4(r, "apiVip"),
    apiVipInterface: r.string(
      "apiVipInterface",
      { pattern: /^[A-Za-z0-9._-]{1,15}$/, expected: "a network interface name such as eth0" },
      DEFAULT_K3S_API_VIP_INTERFACE,
    ),
    formerNames: r.stringList("formerNames", { pattern: DNS_LABEL, expected: LABEL }),
    sshUser: r.string("sshUser", { pattern: /^[a-z_][a-z0-9_-]*$/, expected: "a Unix user name" }),
    sshPort: r.integer("sshPort", { min: 1, max: 65535 }, 22),
    hosts: k3sHosts(r),
    extraServerArgs: r.stringList("extraServerArgs", {
      pattern: /^--[a-z0-9-]+(=.*)?$/,
      expected: "a flag such as --flag=value",
    }),
    extraAgentArgs: r.stringList("extraAgentArgs", {
      pattern: /^--[a-z0-9-]+(=.*)?$/,
      expected: "a flag such as --flag=value",
    }),
    raspberryPi: r.boolean("raspberryPi", false),
    secretsEncryption: r.boolean("secretsEncryption", true),
    installerSha256: installerSha256(r),
    etcdSnapshots: etcdSnapshots(r),
  };
}

/** `installerSha256`: K3s release -> sha256 of its install.sh. */
function installerSha256(r: Reader): Record<string, string> {
  if (!r.has("installerSha256")) return {};
  const map = r.object("installerSha256");
  const out: Record<string, string> = {};
  for (const version of Object.keys(map.value)) {
    if (!/^v\d+\.\d+\.\d+\+k3s\d+$/.test(version)) {
      throw new ConfigError(map.key(version), version, "keys are K3s releases such as v1.33.5+k3s1");
    }
    out[version] = map.string(version, {
      pattern: /^[0-9a-f]{64}$/,
      expected:
        "a sha256 in hex: curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/<release>/install.sh | sha256sum",
    });
  }
  return out;
}

/** Every host, each parsed on its own so that one host's errors never hide another's. */
function k3sHosts(r: Reader): K3sHostConfig[] {
  const errors = new ErrorCollector();
  const hosts = r.list("hosts").flatMap((h) => {
    const host = errors.attempt(() => k3sHost(h));
    return host ? [host] : [];
  });
  errors.throwIfAny();
  return hosts;
}

/**
 * The VM's authorized keys: optional (the public half of platform:sshPrivateKey is used
 * when empty); each entry must be a real OpenSSH public key, so a placeholder such as
 * `ssh-ed25519 AAAA...ReplaceMe` cannot lock the operator out of the VM.
 */
function sshPublicKeys(vm: Reader): string[] {
  const keys = vm.stringList("sshPublicKeys", {}, []);
  keys.forEach((key, i) => {
    const problem = publicKeyProblem(key);
    if (problem) {
      throw new ConfigError(
        `${vm.key("sshPublicKeys")}[${i}]`,
        `${key.trim().split(/\s+/)[0]} ...`,
        `not a usable OpenSSH public key (${problem}); put your key's public line there, or remove the list to use the public half of platform:sshPrivateKey`,
      );
    }
  });
  return keys;
}

function k3dProxmox(name: string, r: Reader, stack: string): K3dProxmoxClusterConfig {
  r.only([...COMMON_KEYS, "proxmox", "vm", "k3d"]);
  const px = r
    .object("proxmox")
    .only(["endpoint", "insecure", "node", "templateVmId", "vmId", "datastore", "bridge"]);
  const vm = r
    .object("vm")
    .only([
      "name",
      "cores",
      "memoryMiB",
      "diskGiB",
      "address",
      "gateway",
      "dnsServers",
      "sshUser",
      "sshPublicKeys",
      "hostKey",
    ]);
  const k3d = r.optionalObject("k3d").only(["servers", "agents", "registryMirrors"]);
  const address = vm.string("address", {
    expected: "the VM's static address in CIDR form, e.g. 10.0.40.52/24",
  });
  if (!parseInterfaceAddress(address)) {
    throw new ConfigError(
      vm.key("address"),
      address,
      "expected the VM's static address in CIDR form, e.g. 10.0.40.52/24",
    );
  }
  const gateway = ipv4(vm, "gateway");
  return {
    ...common(name, r, stack),
    kind: "k3d-proxmox",
    architecture: architecture(r),
    proxmox: {
      endpoint: px.string("endpoint", {
        pattern: /^https:\/\/[^\s/]+(:\d+)?\/?$/,
        expected: "the API URL, e.g. https://10.0.40.50:8006/",
      }),
      insecure: px.boolean("insecure", false),
      node: px.string("node", { pattern: /^[A-Za-z0-9-]+$/, expected: "a Proxmox node name" }),
      templateVmId: px.integer("templateVmId", { min: 100, max: 999999999 }),
      vmId: px.integer("vmId", { min: 100, max: 999999999 }),
      datastore: px.string("datastore", {}, DEFAULT_K3D_VM.datastore),
      bridge: px.string("bridge", {}, DEFAULT_K3D_VM.bridge),
    },
    vm: {
      name: vm.string("name", { pattern: DNS_LABEL, expected: LABEL }, name),
      cores: vm.integer("cores", { min: 1, max: 128 }, DEFAULT_K3D_VM.cores),
      memoryMiB: vm.integer("memoryMiB", { min: 2048 }, DEFAULT_K3D_VM.memoryMiB),
      diskGiB: vm.integer("diskGiB", { min: 20 }, DEFAULT_K3D_VM.diskGiB),
      address,
      gateway,
      dnsServers: ipv4List(vm, "dnsServers", [gateway]),
      sshUser: vm.string("sshUser", { pattern: /^[a-z_][a-z0-9_-]*$/, expected: "a Unix user name" }),
      sshPublicKeys: sshPublicKeys(vm),
      hostKey: hostKey(vm, "hostKey", false),
    },
    k3d: {
      servers: k3d.integer("servers", { min: 1, max: 7 }, DEFAULT_K3D_TOPOLOGY.servers),
      agents: k3d.integer("agents", { min: 0, max: 20 }, DEFAULT_K3D_TOPOLOGY.agents),
      registryMirrors: registryMirrors(k3d),
    },
  };
}

/** `k3d.registryMirrors`: registry host -> mirror endpoints (https:// or http:// URLs). */
function registryMirrors(k3d: Reader): Record<string, string[]> {
  if (!k3d.has("registryMirrors")) return {};
  const mirrors = k3d.object("registryMirrors");
  const out: Record<string, string[]> = {};
  for (const registry of Object.keys(mirrors.value)) {
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(registry)) {
      throw new ConfigError(
        mirrors.key(registry),
        registry,
        "expected a registry host such as docker.io or ghcr.io",
      );
    }
    out[registry] = mirrors.stringList(registry, {
      pattern: /^https?:\/\/[^\s"]+$/,
      expected: "a mirror endpoint URL such as https://registry-mirror.home.arpa:5000",
    });
    if (out[registry].length === 0) {
      throw new ConfigError(mirrors.key(registry), [], "list at least one endpoint, or remove the registry");
    }
  }
  return out;
}

/** An `existing` cluster: made elsewhere, reached with its kubeconfig. */
function existing(name: string, r: Reader, stack: string): ExistingClusterConfig {
  r.only([
    ...COMMON_KEYS,
    "ingress",
    "loadBalancer",
    "storageClasses",
    "defaultStorageClass",
    "loadBalancerAddress",
  ]);
  const storageClasses = r.stringList("storageClasses", {
    pattern: /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/,
    expected: "a StorageClass name",
  });
  if (storageClasses.length === 0) {
    throw new ConfigError(
      r.key("storageClasses"),
      storageClasses,
      "list the StorageClasses the cluster has (kubectl get storageclass), e.g. [local-path]",
    );
  }
  const defaultStorageClass = r.string("defaultStorageClass", {}, storageClasses[0]);
  if (!storageClasses.includes(defaultStorageClass)) {
    throw new ConfigError(
      r.key("defaultStorageClass"),
      defaultStorageClass,
      `must be one of storageClasses (${storageClasses.join(", ")})`,
    );
  }
  const address = r.string("loadBalancerAddress", {}, "");
  if (address !== "" && parseIpv4(address) === undefined) {
    throw new ConfigError(
      r.key("loadBalancerAddress"),
      address,
      "expected an IPv4 address such as 10.0.40.100",
    );
  }
  return {
    ...common(name, r, stack),
    kind: "existing",
    architecture: architecture(r),
    ingress: r.string("ingress", { oneOf: ["traefik", "gateway-api"] as const }, "traefik"),
    loadBalancer: r.string(
      "loadBalancer",
      { oneOf: ["metallb", "cilium-lb-ipam", "k3d"] as const },
      "metallb",
    ),
    storageClasses,
    defaultStorageClass,
    loadBalancerAddress: address,
  };
}

const PARSERS: Record<ClusterConfig["kind"], (name: string, r: Reader, stack: string) => ClusterConfig> = {
  "talos-hcloud": talosHcloud,
  k3s,
  "k3d-proxmox": k3dProxmox,
  existing,
};

/**
 * Parses the `platform:clusters` mapping (cluster name -> settings). Each cluster is parsed
 * on its own, so every broken cluster is reported in one run; a cluster with an error is
 * left out of the result.
 */
export function parseClusters(raw: unknown, stack: string, errors: ErrorCollector): ClusterConfig[] {
  const all = errors.attempt(() => Reader.object("platform:clusters", raw));
  if (!all) return [];
  const names = Object.keys(all.value);
  if (names.length === 0) {
    errors.add(new ConfigError("platform:clusters", raw, "define at least one cluster"));
    return [];
  }
  return names.flatMap((name) => {
    const parsed = errors.attempt(() => {
      const r = all.object(name);
      const kind = r.string("kind", { oneOf: Object.keys(PARSERS) as ClusterConfig["kind"][] });
      return PARSERS[kind](name, r, stack);
    });
    return parsed ? [parsed] : [];
  });
}
