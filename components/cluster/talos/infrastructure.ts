/**
 * The Hetzner side of a Talos cluster that exists before any server: the private network and
 * its subnets, the firewall, placement groups, the no-login SSH key and the control planes'
 * Primary IPs (so the endpoint and certificate SANs are known before any server exists).
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { firewallRules, KUBE_API_PORT, resolveApiSources, type FirewallRuleSpec } from "./firewall";
import { autoscaledPools, nodeSubnets } from "./plan";
import { ed25519PublicKeyLine } from "./ssh-key";
import { checkControlPlaneChange } from "./validate";
import { hcloudOpts, nodeSuffix, type TalosStepContext } from "./steps";

/** The network, firewall, placement groups and SSH key of a cluster. */
export interface HcloudInfrastructure {
  readonly network: hcloud.Network;
  /** The network's id as the number server and subnet arguments take. */
  readonly networkId: pulumi.Output<number>;
  /** The subnet of the servers the component creates. */
  readonly subnet: hcloud.NetworkSubnet;
  /**
   * The cluster autoscaler's own subnet (the upper half of the node subnet).
   * @default undefined: no autoscaled pool, no subnet
   */
  readonly autoscalerSubnet?: hcloud.NetworkSubnet;
  readonly firewall: hcloud.Firewall;
  /** Spread placement group of each static pool, by pool name. */
  readonly placement: ReadonlyMap<string, hcloud.PlacementGroup>;
  readonly sshKey: hcloud.SshKey;
}

/** The control planes' Primary IPs and the endpoints derived from them. */
export interface ControlPlaneAddresses {
  /** One Primary IP per control plane, in node-plan order. */
  readonly ips: readonly hcloud.PrimaryIp[];
  /** Their public IPv4 addresses. */
  readonly addresses: pulumi.Output<string[]>;
  /** `https://<first control plane's public IPv4>:6443`: what operators and the outputs use. */
  readonly apiEndpoint: pulumi.Output<string>;
  /** `https://<first control plane's private IPv4>:6443`: what the nodes use. */
  readonly internalEndpoint: string;
}

/** Creates the network, its subnets, the firewall, placement groups and the SSH key. */
export function hcloudInfrastructure(ctx: TalosStepContext): HcloudInfrastructure {
  const { name, config, labels } = ctx;
  const hc = hcloudOpts(ctx);
  const network = new hcloud.Network(
    `${name}-network`,
    { name: config.name, ipRange: config.networkCidr, labels },
    hc,
  );
  const networkId = network.id.apply(Number);
  const ranges = nodeSubnets(config);
  const subnet = new hcloud.NetworkSubnet(
    `${name}-subnet`,
    { networkId, type: "cloud", networkZone: config.networkZone, ipRange: ranges.static },
    hc,
  );
  // The autoscaler's servers get their own range, so none takes an address a static pool
  // plans to use (plan.ts `nodeSubnets`).
  const autoscalerSubnet = autoscaledPools(config).length
    ? new hcloud.NetworkSubnet(
        `${name}-autoscaler-subnet`,
        { networkId, type: "cloud", networkZone: config.networkZone, ipRange: ranges.autoscaled },
        { ...hc, dependsOn: [subnet] },
      )
    : undefined;
  const firewall = new hcloud.Firewall(
    `${name}-firewall`,
    {
      name: config.name,
      labels,
      // Gated on the control-plane change check: every server needs the firewall, so none is
      // created or changed before the check passed.
      rules: pulumi
        .all([resolveApiSources(config.apiAllowedCidrs, ctx.parent), deployedControlPlanes(ctx)])
        .apply(([sources, deployed]) => checkedFirewallRules(sources, deployed, ctx.controlPlanes.length)),
    },
    hc,
  );
  return {
    network,
    networkId,
    subnet,
    autoscalerSubnet,
    firewall,
    placement: placementGroups(ctx),
    sshKey: noLoginSshKey(ctx),
  };
}

/**
 * How many control-plane servers the cluster has now: those Hetzner lists with this cluster's
 * `cluster` and `role=controlplane` labels (servers.ts sets them), asked at every preview and
 * up (an invoke, `hcloud.getServers` with a label selector; 0 in an empty project). The
 * firewall's rules check the planned count against it (validate.ts
 * `controlPlaneShrinkProblem`): a refusal fails the program, and `pulumi up` previews first
 * and stops there. Without the preview (`--skip-preview`) no server waits on a firewall whose
 * rules failed, and the engine deletes what the program no longer declares only at the end of
 * a successful update ("Pulumi by design deletes resources at the end of an update",
 * pulumi/pulumi#14740; pulumi/pulumi#9979), so no node leaves and no server goes.
 */
/** The firewall's rules, once the control-plane change from `deployed` to `planned` passed its check. */
export function checkedFirewallRules(
  sources: readonly string[],
  deployed: number,
  planned: number,
): FirewallRuleSpec[] {
  checkControlPlaneChange(deployed, planned);
  return firewallRules(sources);
}

function deployedControlPlanes(ctx: TalosStepContext): pulumi.Output<number> {
  return hcloud
    .getServersOutput({ withSelector: `cluster=${ctx.config.name},role=controlplane` }, hcloudOpts(ctx))
    .apply((result) => result.servers.length);
}

/**
 * Spread placement for the pools whose servers this component creates. The autoscaler's
 * settings (autoscaler.ts) name no placement group, so a group for its pools held nothing.
 */
function placementGroups(ctx: TalosStepContext): Map<string, hcloud.PlacementGroup> {
  const placement = new Map<string, hcloud.PlacementGroup>();
  for (const pool of ctx.config.nodePools.filter((p) => !p.autoscaler)) {
    placement.set(
      pool.name,
      new hcloud.PlacementGroup(
        `${ctx.name}-${pool.name}-placement`,
        { name: `${ctx.config.name}-${pool.name}`, type: "spread", labels: ctx.labels },
        hcloudOpts(ctx),
      ),
    );
  }
  return placement;
}

/**
 * An SSH key nobody holds the private half of (random bytes as an Ed25519 public key), so
 * Hetzner sets no root password and e-mails none for each server; Talos runs no SSH server.
 */
function noLoginSshKey(ctx: TalosStepContext): hcloud.SshKey {
  const { name, config } = ctx;
  const bytes = new random.RandomId(`${name}-ssh-key-bytes`, { byteLength: 32 }, { parent: ctx.parent });
  return new hcloud.SshKey(
    `${name}-ssh-key`,
    {
      name: `${config.name}-no-login`,
      publicKey: bytes.hex.apply((hex) =>
        ed25519PublicKeyLine(Buffer.from(hex, "hex"), `${config.name}-no-login`),
      ),
      labels: ctx.labels,
    },
    hcloudOpts(ctx),
  );
}

/**
 * Control planes get Primary IPs up front, so the endpoint and cert SANs are known before any
 * server exists. Only the first is protected: it is the Kubernetes and Talos API endpoint
 * operators and the outputs contract use; the others go with their servers when the control
 * plane is scaled down. Protected in Pulumi only, not with Hetzner's delete protection, which
 * `pulumi destroy` could not lift after `pulumi state unprotect`.
 */
export function controlPlaneAddresses(ctx: TalosStepContext): ControlPlaneAddresses {
  const { name, config, labels } = ctx;
  const ips = ctx.controlPlanes.map(
    (n, i) =>
      new hcloud.PrimaryIp(
        `${name}-${nodeSuffix(config, n)}-ip`,
        {
          name: n.name,
          type: "ipv4",
          assigneeType: "server",
          autoDelete: false,
          location: config.location,
          labels,
        },
        { ...hcloudOpts(ctx), protect: i === 0 },
      ),
  );
  return {
    ips,
    addresses: pulumi.all(ips.map((ip) => ip.ipAddress)),
    // Operators (and the outputs contract) reach the API on the first control plane's public
    // address; the nodes reach it on its private one: the firewall does not open the nodes'
    // public addresses to each other, and private traffic is not filtered.
    apiEndpoint: pulumi.interpolate`https://${ips[0].ipAddress}:${KUBE_API_PORT}`,
    internalEndpoint: `https://${ctx.firstCp.privateIp}:${KUBE_API_PORT}`,
  };
}
