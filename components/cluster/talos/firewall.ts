/**
 * The Hetzner Cloud firewall of a Talos cluster (source document 002): the Kubernetes
 * and Talos APIs only from `apiAllowedCidrs`, the Cloudflare tunnel's UDP 8443, and UDP
 * responses on the ephemeral range. Hetzner firewalls drop every other inbound packet;
 * outbound stays open (no `out` rules means allow all). Traffic inside the private
 * network is not filtered by Hetzner firewalls, so node-to-node traffic needs no rule.
 * @see https://docs.hetzner.com/cloud/firewalls/overview
 */

/** Kubernetes API server port. */
export const KUBE_API_PORT = 6443;
/** Talos API (apid) port. */
export const TALOS_API_PORT = 50000;
/** UDP port the Cloudflare tunnel (QUIC) uses (source document 002). */
export const CLOUDFLARE_TUNNEL_UDP_PORT = 8443;
/** Linux ephemeral port range, on which replies to outbound UDP (DNS, NTP, QUIC) arrive. */
export const EPHEMERAL_UDP_RANGE = "32768-65535";

/** One inbound rule, shaped like `hcloud.FirewallRule`. */
export interface FirewallRuleSpec {
  readonly description: string;
  readonly direction: "in";
  readonly protocol: "tcp" | "udp";
  readonly port: string;
  readonly sourceIps: string[];
}

const ANYWHERE = ["0.0.0.0/0", "::/0"];

/**
 * Endpoint answering the caller's public IPv4, the one hcloud-k8s queries for
 * `firewall_use_current_ipv4` (terraform-hcloud-kubernetes firewall.tf, `data "http" "current_ipv4"`).
 */
export const CURRENT_IPV4_URL = "https://ipv4.icanhazip.com";

/** Shell command resolving the operator's public IPv4 (retries like hcloud-k8s: 10 x 1 s). */
export const CURRENT_IPV4_COMMAND = `curl -4 -fsS --retry 10 --retry-delay 1 --max-time 30 ${CURRENT_IPV4_URL}`;

/**
 * Replaces the entry \`current\` of apiAllowedCidrs with \`<ip>/32\` of the resolved address
 * (stdout of CURRENT_IPV4_COMMAND); throws when the answer is not an IPv4 address.
 */
export function substituteCurrentIpv4(entries: readonly string[], stdout: string): string[] {
  const ip = stdout.trim();
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip) || ip.split(".").some((o) => Number(o) > 255))
    throw new Error(
      `config.apiAllowedCidrs: "current" could not be resolved: ${CURRENT_IPV4_URL} answered "${ip}"; list your public IPv4 CIDR instead`,
    );
  return [...new Set(entries.map((e) => (e === "current" ? `${ip}/32` : e)))];
}

/** The inbound rules; nothing else is allowed in. */
export function firewallRules(apiAllowedCidrs: readonly string[]): FirewallRuleSpec[] {
  const admins = [...apiAllowedCidrs];
  return [
    {
      description: "Kubernetes API from allowed sources",
      direction: "in",
      protocol: "tcp",
      port: String(KUBE_API_PORT),
      sourceIps: admins,
    },
    {
      description: "Talos API from allowed sources",
      direction: "in",
      protocol: "tcp",
      port: String(TALOS_API_PORT),
      sourceIps: [...admins],
    },
    {
      description: "Cloudflare tunnel (QUIC)",
      direction: "in",
      protocol: "udp",
      port: String(CLOUDFLARE_TUNNEL_UDP_PORT),
      sourceIps: [...ANYWHERE],
    },
    {
      description: "UDP responses on the ephemeral range",
      direction: "in",
      protocol: "udp",
      port: EPHEMERAL_UDP_RANGE,
      sourceIps: [...ANYWHERE],
    },
  ];
}
