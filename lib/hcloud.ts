/**
 * Facts of Hetzner Cloud and the API source rule that both config parsing (config/clusters.ts)
 * and the Talos component's own checks (components/cluster/talos/validate.ts) use: pure data
 * and functions, below both layers.
 */
import { formatIpv4, overlaps, parseCidr, parseInterfaceAddress, type Cidr } from "./net";

/** Documentation address ranges (RFC 5737): never anyone's real address. */
const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

/** `current` in apiAllowedCidrs: the operator's public IPv4 at preview/up (components/cluster/talos/firewall.ts). */
export const CURRENT_IPV4 = "current";

/**
 * What is wrong with one apiAllowedCidrs entry (undefined when it is fine): `current`, or
 * an IPv4 CIDR with zero host bits that is neither 0.0.0.0/0 nor a documentation range.
 */
export function apiSourceProblem(value: string): string | undefined {
  if (value === CURRENT_IPV4) return undefined;
  const iface = parseInterfaceAddress(value);
  if (iface && !parseCidr(value)) {
    const mask = iface.prefix === 0 ? 0 : (0xffffffff << (32 - iface.prefix)) >>> 0;
    return `${value} has host bits set; did you mean ${formatIpv4((iface.address & mask) >>> 0)}/${iface.prefix}?`;
  }
  const cidr = parseCidr(value);
  if (!cidr)
    return `"${value}" is not an IPv4 CIDR (expected your public address as "<ip>/32", a block such as "198.18.0.0/15", or "current")`;
  if (cidr.prefix === 0)
    return `"${value}" opens the APIs to the whole internet; list your admin/CI addresses instead`;
  for (const doc of DOCUMENTATION_RANGES) {
    if (overlaps(parseCidr(doc) as Cidr, cidr))
      return `"${value}" is in the documentation range ${doc}, not a real address; put your admin/CI public IPv4 CIDRs there (e.g. "<your ip>/32"), or "current" for the public IPv4 you run pulumi from`;
  }
  return undefined;
}

/**
 * Hetzner Cloud locations by network zone: "all locations within a Network have to be from
 * the same network zone as the subnet" (Hetzner Networks FAQ, its table of zones).
 * @see https://docs.hetzner.com/cloud/networks/faq
 */
export const HCLOUD_NETWORK_ZONES: Readonly<Record<string, readonly string[]>> = {
  "eu-central": ["fsn1", "nbg1", "hel1"],
  "us-east": ["ash"],
  "us-west": ["hil"],
  "ap-southeast": ["sin"],
};

/** Every Hetzner Cloud location. */
export const HCLOUD_LOCATIONS: readonly string[] = Object.values(HCLOUD_NETWORK_ZONES).flat();
