/**
 * K3sCluster: an HA K3s cluster on SSH-reachable hosts (source document 004, production:
 * three Raspberry Pi CM5 servers; ingress on the MetalLB VIP, the API on a kube-vip VIP).
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { K3sClusterConfig, Versions } from "../../../config/types";
import { capabilitiesOf } from "../capabilities";
import type { ClusterHandle } from "../contract";
import { apiServerUrl, rewriteKubeconfig } from "./kubeconfig";
import {
  firstServer,
  k3sArgs,
  planK3sNodes,
  renderDrainScript,
  renderInstallScript,
  renderPrepareScript,
  renderReadKubeconfigScript,
  renderUninstallScript,
} from "./scripts";
import { validateK3sArgs } from "./validate";

/** Arguments of {@link K3sCluster}. */
export interface K3sClusterArgs {
  /** The validated cluster config (hosts, VIP, flags). */
  readonly config: K3sClusterConfig;
  /** Pinned versions; uses `k3s` (installed on every host) and `kubeVip`. */
  readonly versions: Versions;
  /** SSH private key accepted by `config.sshUser` on every host; kept secret. */
  readonly sshPrivateKey: pulumi.Output<string>;
}

/**
 * Provisions K3s on `config.hosts` over SSH: prepares every host, initializes embedded etcd
 * on the first server, deploys kube-vip (the API VIP `config.apiVip`), joins the other
 * servers and the agents one at a time through that VIP, and reads the admin kubeconfig back
 * with its server rewritten to the VIP.
 *
 * Per host, in dependency order: `-prepare` (idempotent host setup), `-uninstall` (its
 * delete uninstalls K3s), `-install` (install/upgrade, replaced when version or flags change,
 * no delete), `-node` (on the first server; its delete drains the node and removes it).
 *
 * What config changes do (each is tested on the recorded plan):
 * - **Host removed**: its `-node` delete drains it from the first server, then its
 *   `-uninstall` delete runs K3s's uninstaller on it. No other node changes: every node joins
 *   through the API VIP, and a server's datastore flag is not part of its flags' identity, so
 *   removing or replacing the first server reruns no other installer.
 * - **Host address changed**: the same resources are updated (a connection change is an
 *   update in the command provider, and only `triggers` replace); the install reruns with the
 *   new `--node-ip`, and later deletes reach the host at its current address.
 * - **Host renamed**: Pulumi creates the renamed host's resources before deleting the old ones;
 *   the new `-prepare` refuses to touch a host that runs K3s as another node, so the update
 *   stops before anything changes (and a stale `-uninstall` never uninstalls a host that runs
 *   another node). Rename in two steps: remove the host and `pulumi up`, then add it under
 *   the new name and `pulumi up`.
 * - **Cluster renamed**: every child is named after the cluster, so list the old name in
 *   `config.formerNames`: it becomes a Pulumi alias of every child and the state moves.
 *   Without it, the new `-prepare` refuses hosts of another cluster and nothing changes.
 * - **`pulumi destroy`**: drains every node and runs K3s's uninstaller on every host.
 */
export class K3sCluster extends pulumi.ComponentResource {
  /** The cluster contract (ARCHITECTURE.md decision 2). */
  public readonly handle: ClusterHandle;

  constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:K3sCluster", name, {}, opts);
    validateK3sArgs(name, args.config, args.versions);
    const config = args.config;
    const version = args.versions.k3s;
    const privateKey = pulumi.secret(args.sshPrivateKey);
    const plan = planK3sNodes(config.hosts);
    const first = firstServer(config.hosts);
    const apiServer = apiServerUrl(config.apiVip);
    const connect = (address: string): command.types.input.remote.ConnectionArgs => ({
      host: address,
      port: config.sshPort,
      user: config.sshUser,
      privateKey,
    });
    // Children are named `${name}-<role>`; earlier cluster names alias them (see the TSDoc).
    const child = (role: string): { name: string; alias: { aliases?: pulumi.Alias[] } } => ({
      name: `${name}-${role}`,
      alias: config.formerNames.length > 0 ? { aliases: k3sChildAliases(config.formerNames, role) } : {},
    });

    // RandomPassword marks `result` secret itself; pulumi.secret keeps it so in any runtime.
    const tokenName = child("token");
    const password = new random.RandomPassword(
      tokenName.name,
      { length: 64, special: false },
      { parent: this, ...tokenName.alias },
    );
    const token = pulumi.secret(password.result);

    const installs: command.remote.Command[] = [];
    const nodes: command.remote.Command[] = [];
    for (const node of plan) {
      const host = node.host;
      const prepareName = child(`${host.name}-prepare`);
      const prepare = new command.remote.Command(
        prepareName.name,
        {
          connection: connect(host.address),
          create: renderPrepareScript(config, host),
        },
        { parent: this, ...prepareName.alias },
      );
      const uninstallName = child(`${host.name}-uninstall`);
      const uninstall = new command.remote.Command(
        uninstallName.name,
        {
          connection: connect(host.address),
          create: `echo "K3s on ${host.name} is managed by Pulumi; deleting this resource uninstalls it"`,
          delete: renderUninstallScript(host.name),
        },
        // No triggers: nothing may replace this resource, as a replacement runs its delete.
        { parent: this, dependsOn: [prepare], ...uninstallName.alias },
      );
      const previous = installs.at(-1);
      const installName = child(`${host.name}-install`);
      const install = new command.remote.Command(
        installName.name,
        {
          connection: connect(host.address),
          create: renderInstallScript(config, node, version, args.versions.kubeVip),
          stdin: token,
          // A new version or flag set replaces the command, which reruns the installer (the
          // upgrade); it has no delete, so replacing it never uninstalls anything.
          triggers: [version, config.architecture, ...k3sArgs(config, node)],
        },
        // One node at a time, servers first: each install waits for the previous node to
        // be Ready at the new version.
        {
          parent: this,
          dependsOn: [prepare, uninstall, ...(previous ? [previous] : [])],
          ...installName.alias,
        },
      );
      installs.push(install);
      const nodeName = child(`${host.name}-node`);
      nodes.push(
        new command.remote.Command(
          nodeName.name,
          {
            connection: connect(first.address),
            create: `echo "node ${host.name} joined the cluster"`,
            delete: renderDrainScript(host.name),
          },
          { parent: this, dependsOn: [install], ...nodeName.alias },
        ),
      );
    }

    const serverInstalls = installs.filter((_, i) => plan[i].host.role === "server");
    const readName = child("kubeconfig");
    const read = new command.remote.Command(
      readName.name,
      {
        connection: connect(first.address),
        create: renderReadKubeconfigScript(),
        // The admin kubeconfig (system:masters) is on stdout: marking the output secret does
        // not keep it out of the engine's log, so logging is off ("If there might be secrets
        // in the output, you can disable logging here", @pulumi/command remote.CommandArgs.logging).
        logging: "none",
        triggers: [version, first.address],
      },
      {
        parent: this,
        dependsOn: serverInstalls,
        additionalSecretOutputs: ["stdout"],
        ...readName.alias,
      },
    );
    // Users, joining nodes and Pulumi itself all use the API VIP. Every server's install
    // waits until the VIP answers, and the kubeconfig is read only after the servers'
    // installs, so the VIP answers whenever this provider is first used.
    const kubeconfig = pulumi.secret(
      read.stdout.apply((text) => rewriteKubeconfig(text, apiServer, config.name)),
    );
    const providerName = child("k8s");
    const provider = new k8s.Provider(
      providerName.name,
      { kubeconfig, enableServerSideApply: true },
      { parent: this, ...providerName.alias },
    );

    this.handle = {
      name: config.name,
      kind: config.kind,
      apiEndpoint: pulumi.output(apiServer),
      kubeconfig,
      provider,
      capabilities: capabilitiesOf(config),
      nodeAddresses: pulumi.output(config.hosts.map((h) => h.address)),
      loadBalancerAddress: pulumi.output(config.vip),
      ready: [read, ...nodes],
    };
    this.registerOutputs({
      apiEndpoint: this.handle.apiEndpoint,
      kubeconfig,
      nodeAddresses: this.handle.nodeAddresses,
    });
  }
}

/**
 * Aliases of one child (`<cluster>-<role>`) for each earlier name of the cluster. The parent
 * is left out, so each alias resolves under the current component, whose type, and so the
 * child's URN apart from its name, a rename does not change.
 */
export function k3sChildAliases(formerNames: readonly string[], role: string): pulumi.Alias[] {
  return formerNames.map((former) => ({ name: `${former}-${role}` }));
}
