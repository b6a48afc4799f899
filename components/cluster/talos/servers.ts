/**
 * The servers of the static pools and the command that gives each its machine config through
 * the Talos API: servers boot with no user data, in Talos maintenance mode.
 */
import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import type * as pulumi from "@pulumi/pulumi";
import type { TalosConfigs } from "./configs";
import type { ControlPlaneAddresses, HcloudInfrastructure } from "./infrastructure";
import { hcloudOpts, nodeSuffix, type TalosStepContext } from "./steps";
import * as scripts from "./talosctl";

/** One server per planned node, and the command that configured it. */
export interface ClusterServers {
  /** In node-plan order (control planes first). */
  readonly servers: readonly hcloud.Server[];
  /** `<node>-init` of each server, in the same order. */
  readonly inits: readonly command.local.Command[];
}

/** The image every server boots: the configured snapshot, or the newest matching the selector. */
function serverImage(ctx: TalosStepContext): pulumi.Input<string> {
  const { config } = ctx;
  if ("snapshotId" in config.image) return String(config.image.snapshotId);
  return hcloud
    .getImageOutput(
      {
        withSelector: config.image.selector,
        mostRecent: true,
        withArchitecture: config.architecture === "arm64" ? "arm" : "x86",
      },
      hcloudOpts(ctx),
    )
    .apply((img) => String(img.id));
}

/** Creates the servers and gives each its pool's machine config. */
export function clusterServers(
  ctx: TalosStepContext,
  infra: HcloudInfrastructure,
  cp: ControlPlaneAddresses,
  configs: TalosConfigs,
): ClusterServers {
  const { name, config, nodes } = ctx;
  const image = serverImage(ctx);
  const servers = nodes.map((n) => {
    const ip = n.role === "controlplane" ? cp.ips[ctx.controlPlanes.indexOf(n)] : undefined;
    return new hcloud.Server(
      `${name}-${nodeSuffix(config, n)}`,
      {
        name: n.name,
        serverType: n.serverType,
        image,
        location: config.location,
        placementGroupId: infra.placement.get(n.pool)?.id.apply(Number),
        firewallIds: [infra.firewall.id.apply(Number)],
        networks: [{ networkId: infra.networkId, ip: n.privateIp }],
        publicNets: [{ ipv4Enabled: true, ipv4: ip?.id.apply(Number), ipv6Enabled: false }],
        // No user data: the server boots Talos in maintenance mode and gets its machine
        // config through the Talos API (`-init` below). Hetzner limits user data to
        // 32 KiB and serves it to every process on the node from its metadata service.
        sshKeys: [infra.sshKey.id],
        labels: { ...ctx.labels, nodepool: n.pool, role: n.role },
      },
      {
        ...hcloudOpts(ctx),
        // Not protected: a lower pool count must delete the server (after `-leave` took
        // the node out of the cluster). What protection guards here is the machine
        // secrets, the LUKS passphrase and the endpoint's Primary IP.
        // Image changes go through `talosctl upgrade`, so they never replace a server.
        ignoreChanges: ["image", "sshKeys"],
        dependsOn: [infra.subnet],
      },
    );
  });
  const inits = nodes.map(
    (n, i) =>
      new command.local.Command(
        `${name}-${nodeSuffix(config, n)}-init`,
        {
          create: scripts.initConfigScript(),
          environment: {
            TALOSCONFIG_CONTENT: configs.talosconfig,
            NODE_ADDRESS: servers[i].ipv4Address,
            MACHINE_CONFIG: configs.poolConfigs.get(n.pool) ?? "",
          },
          interpreter: ["/bin/bash", "-c"],
          // A replaced server is a new machine in maintenance mode: run again for it.
          triggers: [servers[i].id],
        },
        { parent: ctx.parent, dependsOn: [servers[i]] },
      ),
  );
  return { servers, inits };
}
