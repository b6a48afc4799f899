/** Small IPv4 helpers for config validation; pure and property-tested. */

/** A parsed IPv4 CIDR block. */
export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 address to an unsigned 32-bit number, or `undefined`. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

/** Formats an unsigned 32-bit number as a dotted IPv4 address. */
export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** Parses `a.b.c.d/n` whose host bits are zero, or returns `undefined`. */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, prefixText, ...rest] = text.split("/");
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const network = parseIpv4(ip);
  const prefix = Number(prefixText);
  if (network === undefined || prefix > 32) return undefined;
  if ((network & hostMask(prefix)) !== 0) return undefined;
  return { network, prefix };
}

/** Parses `a.b.c.d/n` where the address may have host bits (an interface address). */
export function parseInterfaceAddress(text: string): { address: number; prefix: number } | undefined {
  const [ip, prefixText, ...rest] = text.split("/");
  if (rest.length > 0 || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const address = parseIpv4(ip);
  const prefix = Number(prefixText);
  if (address === undefined || prefix > 32) return undefined;
  return { address, prefix };
}

function hostMask(prefix: number): number {
  return prefix === 0 ? 0xffffffff : (2 ** (32 - prefix) - 1) >>> 0;
}

/** Last address of a block. */
export function lastAddress(cidr: Cidr): number {
  return (cidr.network + hostMask(cidr.prefix)) >>> 0;
}

/** Whether two blocks share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/** Whether `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.network >= outer.network && lastAddress(inner) <= lastAddress(outer);
}

/** Whether an address lies inside a block. */
export function containsAddress(block: Cidr, address: number): boolean {
  return address >= block.network && address <= lastAddress(block);
}

/** Parses a MetalLB-style pool, `first-last` or a CIDR, to an inclusive address range. */
export function parseRange(text: string): { first: number; last: number } | undefined {
  if (text.includes("-")) {
    const [a, b, ...rest] = text.split("-");
    const first = parseIpv4(a.trim());
    const last = parseIpv4((b ?? "").trim());
    if (rest.length > 0 || first === undefined || last === undefined || first > last) return undefined;
    return { first, last };
  }
  const cidr = parseCidr(text);
  return cidr && { first: cidr.network, last: lastAddress(cidr) };
}
