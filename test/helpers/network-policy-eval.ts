/**
 * Decides whether one connection is allowed by a cluster's rendered NetworkPolicies and
 * CiliumNetworkPolicies, with the Kubernetes semantics
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod is
 * isolated in a direction once any policy selecting it covers that direction, and then a
 * connection needs a matching rule in that direction; a connection between two pods needs the
 * source's egress and the destination's ingress. Peers that are not pods (a node's host
 * network, the API server, the internet) are not policed on their own side.
 *
 * Cilium's entities (https://docs.cilium.io/en/stable/security/policy/language/#entities-based)
 * are modelled for the peers used here: `world`, `cluster` (pods, nodes and the API server),
 * `host` and `remote-node` (a node's host network), `kube-apiserver`, `all`. On Cilium an
 * `ipBlock` matches only addresses outside the cluster (`world`), as Cilium's CIDR rules do
 * not select cluster identities; elsewhere (kube-router) it matches any address.
 */
import { containsAddress, parseCidr, parseIpv4 } from "../../lib/net";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** One side of a connection. */
export type Peer =
  | { readonly kind: "pod"; readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
  /** A node's host network: the pod's own node (`host`) or another (`remote-node`). */
  | { readonly kind: "node"; readonly ip: string; readonly entity: "host" | "remote-node" }
  | { readonly kind: "apiserver"; readonly ip: string }
  | { readonly kind: "world"; readonly ip: string };

export interface Connection {
  readonly from: Peer;
  readonly to: Peer;
  readonly port: number;
  readonly protocol?: "TCP" | "UDP";
}

type Cni = "cilium" | "other";

function selects(selector: Loose, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
  }
  return true;
}

const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });

function inBlock(block: Loose, ip: string): boolean {
  const address = parseIpv4(ip);
  const cidr = parseCidr(block.cidr);
  if (address === undefined || !cidr) throw new Error(`bad address ${ip} or block ${block.cidr}`);
  if (!containsAddress(cidr, address)) return false;
  return !(block.except ?? []).some((e: string) => containsAddress(parseCidr(e)!, address));
}

/** A NetworkPolicy peer (`from`/`to` entry) of a policy in `policyNs` against `peer`. */
function peerMatches(entry: Loose, policyNs: string, peer: Peer, cni: Cni): boolean {
  if (entry.ipBlock) {
    if (peer.kind === "pod") return false;
    if (cni === "cilium" && peer.kind !== "world") return false;
    return inBlock(entry.ipBlock, peer.ip);
  }
  if (peer.kind !== "pod") return false;
  if (entry.namespaceSelector) {
    if (!selects(entry.namespaceSelector, namespaceLabels(peer.namespace))) return false;
  } else if (peer.namespace !== policyNs) return false;
  return selects(entry.podSelector, peer.labels);
}

function portMatches(ports: Loose[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (p) =>
      (p.protocol ?? "TCP") === protocol &&
      (p.port === undefined || (p.endPort ? port >= p.port && port <= p.endPort : Number(p.port) === port)),
  );
}

function entityMatches(entity: string, peer: Peer): boolean {
  switch (entity) {
    case "all":
      return true;
    case "world":
      return peer.kind === "world";
    case "cluster":
      return peer.kind !== "world";
    case "host":
    case "remote-node":
      return peer.kind === "node" && peer.entity === entity;
    case "kube-apiserver":
      return peer.kind === "apiserver";
    default:
      return false;
  }
}

function endpointMatches(selector: Loose, policyNs: string, peer: Peer): boolean {
  if (peer.kind !== "pod") return false;
  const labels: Record<string, string> = {};
  let ns = policyNs;
  for (const [k, v] of Object.entries<string>(selector.matchLabels ?? {})) {
    const key = k.replace(/^k8s:/, "");
    if (key === "io.kubernetes.pod.namespace") ns = v;
    else labels[key] = v;
  }
  return peer.namespace === ns && selects({ ...selector, matchLabels: labels }, peer.labels);
}

/** The rules of every policy selecting `pod` in `direction`; undefined when none selects it. */
function rulesFor(
  objects: readonly Loose[],
  pod: Extract<Peer, { kind: "pod" }>,
  direction: "ingress" | "egress",
) {
  const type = direction === "ingress" ? "Ingress" : "Egress";
  let isolated = false;
  const rules: { kind: "np" | "cnp"; rule: Loose; ns: string }[] = [];
  for (const o of objects) {
    if (o.metadata?.namespace !== pod.namespace) continue;
    if (o.kind === "NetworkPolicy") {
      const types: string[] =
        o.spec.policyTypes ?? (direction === "ingress" ? ["Ingress"] : o.spec.egress ? ["Egress"] : []);
      if (!types.includes(type) || !selects(o.spec.podSelector, pod.labels)) continue;
      isolated = true;
      for (const rule of o.spec[direction] ?? []) rules.push({ kind: "np", rule, ns: pod.namespace });
    } else if (o.kind === "CiliumNetworkPolicy") {
      if (!o.spec[direction] || !selects(o.spec.endpointSelector, pod.labels)) continue;
      isolated = true;
      for (const rule of o.spec[direction]) rules.push({ kind: "cnp", rule, ns: pod.namespace });
    }
  }
  return isolated ? rules : undefined;
}

function ruleAllows(
  r: { kind: "np" | "cnp"; rule: Loose; ns: string },
  direction: "ingress" | "egress",
  peer: Peer,
  port: number,
  protocol: string,
  cni: Cni,
): boolean {
  const { rule, ns } = r;
  if (r.kind === "np") {
    const peers = direction === "ingress" ? rule.from : rule.to;
    const peerOk = !peers || peers.length === 0 || peers.some((e: Loose) => peerMatches(e, ns, peer, cni));
    return peerOk && portMatches(rule.ports, port, protocol);
  }
  const entities: string[] | undefined = direction === "ingress" ? rule.fromEntities : rule.toEntities;
  const endpoints: Loose[] | undefined = direction === "ingress" ? rule.fromEndpoints : rule.toEndpoints;
  const cidrs: string[] | undefined = direction === "ingress" ? rule.fromCIDR : rule.toCIDR;
  const anyPeerField = entities || endpoints || cidrs;
  const peerOk =
    !anyPeerField ||
    (entities ?? []).some((e) => entityMatches(e, peer)) ||
    (endpoints ?? []).some((s) => endpointMatches(s, ns, peer)) ||
    (cidrs ?? []).some((c) => peer.kind === "world" && inBlock({ cidr: c }, peer.ip));
  const ports: Loose[] | undefined = rule.toPorts?.flatMap((tp: Loose) => tp.ports ?? []);
  return (
    peerOk &&
    portMatches(
      ports?.map((p) => ({ ...p, port: Number(p.port) })),
      port,
      protocol,
    )
  );
}

/** Whether the rendered policies let `c` through (egress of its source, ingress of its target). */
export function allowed(objects: readonly Loose[], c: Connection, cni: Cni): boolean {
  const protocol = c.protocol ?? "TCP";
  if (c.from.kind === "pod") {
    const rules = rulesFor(objects, c.from, "egress");
    if (rules && !rules.some((r) => ruleAllows(r, "egress", c.to, c.port, protocol, cni))) return false;
  }
  if (c.to.kind === "pod") {
    const rules = rulesFor(objects, c.to, "ingress");
    if (rules && !rules.some((r) => ruleAllows(r, "ingress", c.from, c.port, protocol, cni))) return false;
  }
  return true;
}
