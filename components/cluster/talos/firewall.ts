/**
 * The Hetzner Cloud firewall of a Talos cluster (source document 002): the Kubernetes and
 * Talos APIs from `apiAllowedCidrs`, nothing else. Hetzner Cloud Firewalls are stateful:
 * "If your server sends out a request to the internet, the response traffic to that request
 * is automatically allowed through the Firewall, and you don't need a separate inbound
 * rule" (Hetzner Firewalls FAQ), so replies to the nodes' own DNS, NTP and QUIC traffic (the
 * Cloudflare tunnel dials out) need no inbound rule, and nothing on a node listens for the
 * internet. Outbound stays open (no `out` rules means allow all). Traffic inside the private
 * network is not filtered by Hetzner firewalls, so node-to-node traffic needs no rule; the
 * Gateway's load balancer reaches the nodes on their private addresses.
 * @see https://docs.hetzner.com/cloud/firewalls/faq/
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** Kubernetes API server port. */
export const KUBE_API_PORT = 6443;
/** Talos API (apid) port; also where a fresh node in maintenance mode takes its config. */
export const TALOS_API_PORT = 50000;

/** One inbound rule, shaped like `hcloud.FirewallRule`. */
export interface FirewallRuleSpec {
  readonly description: string;
  readonly direction: "in";
  readonly protocol: "tcp" | "udp";
  readonly port: string;
  readonly sourceIps: string[];
}

/**
 * Endpoint answering the caller's public IPv4, the one hcloud-k8s queries for
 * `firewall_use_current_ipv4` (terraform-hcloud-kubernetes firewall.tf, `data "http" "current_ipv4"`).
 */
export const CURRENT_IPV4_URL = "https://ipv4.icanhazip.com";

/** Shell command resolving the operator's public IPv4 (retries like hcloud-k8s: 10 x 1 s). */
export const CURRENT_IPV4_COMMAND = `curl -4 -fsS --retry 10 --retry-delay 1 --max-time 30 ${CURRENT_IPV4_URL}`;

/** What a CI run with `current` as the only API source stops with. */
export const CURRENT_ONLY_IN_CI =
  "config.apiAllowedCidrs: [current] alone in a CI run (CI is set): the firewall would admit only this runner, locking every admin out until the next local run, and the next runner out of its own preview; list the fixed egress CIDRs of your CI runners and admins beside current (README: Who can reach the APIs)";

/**
 * The command that resolves `current` on the machine running Pulumi. Without a fixed CIDR
 * beside `current`, it first refuses to run in CI: CI systems set `CI` ("CI: Always set to
 * true", GitHub Actions variables reference; GitLab CI/CD sets it in every job too), and a
 * runner's address alone would lock everyone else out. It runs where `current` is resolved,
 * at every preview and up (an invoke), so the refusal comes before anything changes; the
 * offline synth answers the invoke itself and runs no command.
 * @see https://docs.github.com/en/actions/reference/variables-reference
 */
export function currentIpv4Command(entries: readonly string[]): string {
  if (entries.some((e) => e !== "current")) return CURRENT_IPV4_COMMAND;
  return `case "\${CI:-}" in ""|false|0) ;; *) echo '${CURRENT_ONLY_IN_CI}' >&2; exit 1 ;; esac; ${CURRENT_IPV4_COMMAND}`;
}

/**
 * Adds `<ip>/32` of the resolved address (stdout of CURRENT_IPV4_COMMAND) in place of the
 * entry `current`; every configured CIDR stays. Throws when the answer is not an IPv4 address.
 */
export function substituteCurrentIpv4(entries: readonly string[], stdout: string): string[] {
  const ip = stdout.trim();
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip) || ip.split(".").some((o) => Number(o) > 255))
    throw new Error(
      `config.apiAllowedCidrs: "current" could not be resolved: ${CURRENT_IPV4_URL} answered "${ip}"; list your public IPv4 CIDR instead`,
    );
  return [...new Set(entries.map((e) => (e === "current" ? `${ip}/32` : e)))];
}

/**
 * The firewall's API sources. `current` resolves at every preview and up (an invoke, not a
 * resource), as hcloud-k8s' `firewall_use_current_ipv4` does: the address of whoever runs
 * Pulumi is added to the configured CIDRs, which are always kept. With `current` alone, a
 * local run admits only its own address (validate.ts `apiSourcesWarning`) and a CI run stops
 * (`currentIpv4Command`).
 */
export function resolveApiSources(
  entries: readonly string[],
  parent: pulumi.Resource,
): pulumi.Output<string[]> {
  if (!entries.includes("current")) return pulumi.output([...entries]);
  return command.local
    .runOutput({ command: currentIpv4Command(entries), interpreter: ["/bin/sh", "-c"] }, { parent })
    .apply((r) => substituteCurrentIpv4(entries, r.stdout ?? ""));
}

/** The inbound rules; nothing else is allowed in. */
export function firewallRules(apiAllowedCidrs: readonly string[]): FirewallRuleSpec[] {
  const admins = [...apiAllowedCidrs];
  return [
    {
      description: "Kubernetes API (kubectl, the Pulumi Kubernetes provider) from allowed sources",
      direction: "in",
      protocol: "tcp",
      port: String(KUBE_API_PORT),
      sourceIps: admins,
    },
    {
      description: "Talos API (talosctl; a new node's machine config) from allowed sources",
      direction: "in",
      protocol: "tcp",
      port: String(TALOS_API_PORT),
      sourceIps: [...admins],
    },
  ];
}
