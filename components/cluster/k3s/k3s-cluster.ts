/**
 * K3sCluster: an HA K3s cluster on SSH-reachable hosts (source document 004, production:
 * three Raspberry Pi CM5 servers; ingress on the MetalLB VIP, the API on a kube-vip VIP).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { K3sClusterConfig, K3sHostConfig, Versions } from "../../../config/types";
import { clusterProvider, sshConnection } from "../../../providers";
import { capabilitiesOf } from "../capabilities";
import type { ClusterHandle } from "../contract";
import { apiServerUrl, rewriteKubeconfig } from "./kubeconfig";
import {
  removalRunner,
  renderEvictScript,
  renderReadJoinTokenScript,
  renderRemoveNodeScript,
  renderTeardownClearScript,
  renderTeardownMarkScript,
  renderUncordonScript,
  renderUpgradeDrainScript,
} from "./lifecycle";
import {
  firstServer,
  k3sArgs,
  planK3sNodes,
  renderInstallScript,
  renderPrepareScript,
  renderReadKubeconfigScript,
  renderUninstallScript,
  type K3sNodePlan,
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
  /**
   * S3 access key id and secret key for `config.etcdSnapshots`; required with it.
   * @default none (no off-host snapshots)
   */
  readonly etcdS3Credentials?: {
    readonly accessKeyId: pulumi.Output<string>;
    readonly secretAccessKey: pulumi.Output<string>;
  };
}

/** Inputs of a host's own commands that a `gone` host keeps as they are in state. */
const FROZEN_INPUTS = ["connection", "create", "delete", "update", "stdin", "triggers", "logging"];

/**
 * Provisions K3s on `config.hosts` over SSH: prepares every host, initializes embedded etcd
 * on the first server, deploys kube-vip (the API VIP `config.apiVip`), joins the other
 * servers and the agents one at a time through that VIP, and reads the admin kubeconfig back
 * with its server rewritten to the VIP.
 *
 * Per host, in dependency order: `-prepare` (idempotent host setup), `-uninstall` (its
 * delete uninstalls K3s), `-drain` (on another server: refuses a skipped minor, drains the
 * node before an upgrade), `-install` (install/upgrade, replaced when version or flags
 * change, no delete), `-uncordon` (on another server, after the install), `-node` (on another
 * server; its delete removes the node). Per cluster: `-token`, `-join-token` (the full token
 * read from the first server), `-kubeconfig`, `-teardown` (see `pulumi destroy` below) and
 * `-k8s`. Every SSH connection verifies the host's `hostKey`.
 *
 * What config changes do (each is tested on the recorded plan):
 * - **Host removed**: its `-node` delete drains it from another server and deletes its Node
 *   (K3s then removes its etcd member), then its `-uninstall` delete runs K3s's uninstaller
 *   on it. Removals run one at a time. No other node changes: every node joins through the
 *   API VIP, and a server's datastore flag is not part of its flags' identity, so removing or
 *   replacing the first server reruns no other installer.
 * - **Host gone** (`gone: true`): nothing connects to it; `-evict` deletes its Node (without a
 *   drain) through another server, and its own commands are frozen and retained, so removing
 *   it from config afterwards drops them from state without reaching for it, and bringing it
 *   back re-flashed (a new `hostKey`) reruns its preparation and install.
 * - **Version bump**: node by node, servers first: drain (a skipped minor fails here, before
 *   anything changed), install, wait Ready, uncordon. The Kubernetes provider keeps its
 *   `clusterIdentifier`, so every Kubernetes object is updated in place, never replaced.
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
 * - **`pulumi destroy`**: `-teardown` goes first and marks the cluster as going, so no node is
 *   drained or deleted (the last etcd member could not be); K3s's uninstaller runs on every
 *   host. Data on the hosts (etcd, local volumes) is gone; off-host backups remain.
 */
export class K3sCluster extends pulumi.ComponentResource {
  /** The cluster contract (ARCHITECTURE.md decision 2). */
  public readonly handle: ClusterHandle;

  constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:K3sCluster", name, {}, opts);
    validateK3sArgs(name, args.config, args.versions);
    if (args.config.etcdSnapshots !== undefined && args.etcdS3Credentials === undefined) {
      throw new Error(
        `K3sCluster "${name}": config.etcdSnapshots is set but no etcdS3Credentials were given; set platform:k3sEtcdS3AccessKeyId and platform:k3sEtcdS3SecretAccessKey`,
      );
    }
    const config = args.config;
    const version = args.versions.k3s;
    const privateKey = pulumi.secret(args.sshPrivateKey);
    const plan = planK3sNodes(config.hosts);
    const live = config.hosts.filter((h) => !h.gone);
    const first = firstServer(live);
    const apiServer = apiServerUrl(config.apiVip);
    const connect = (host: K3sHostConfig): command.types.input.remote.ConnectionArgs =>
      sshConnection(
        { host: host.address, port: config.sshPort, user: config.sshUser, hostKey: host.hostKey },
        privateKey,
      );
    // Children are named `${name}-<role>`; earlier cluster names alias them (see the TSDoc).
    const child = (role: string): { name: string; alias: { aliases?: pulumi.Alias[] } } => ({
      name: `${name}-${role}`,
      alias: config.formerNames.length > 0 ? { aliases: k3sChildAliases(config.formerNames, role) } : {},
    });
    const remote = (
      role: string,
      commandArgs: command.remote.CommandArgs,
      options: pulumi.CustomResourceOptions = {},
    ): command.remote.Command => {
      const id = child(role);
      return new command.remote.Command(id.name, commandArgs, { parent: this, ...options, ...id.alias });
    };
    // A gone host's own commands keep their state (nothing connects to it) and are retained,
    // so removing the host afterwards drops them without running their deletes
    // (pulumi.com/docs/iac/concepts/resources/options/retainondelete/: set it, `up`, then delete).
    const frozen = (host: K3sHostConfig): pulumi.CustomResourceOptions =>
      host.gone ? { ignoreChanges: FROZEN_INPUTS, retainOnDelete: true } : {};

    // RandomPassword marks `result` secret itself; pulumi.secret keeps it so in any runtime.
    const tokenName = child("token");
    const password = new random.RandomPassword(
      tokenName.name,
      { length: 64, special: false },
      { parent: this, ...tokenName.alias },
    );
    const token = pulumi.secret(password.result);
    const s3 = args.etcdS3Credentials;
    // The first server's install creates the cluster (or rejoins it) with the plain secret;
    // every other node gets the full token read back from it, so it verifies the CA.
    // Servers also get the etcd S3 keys (agents take no snapshots and never see them).
    const stdinFor = (joinToken: pulumi.Output<string>, server: boolean): pulumi.Output<string> =>
      pulumi.secret(
        s3 && config.etcdSnapshots && server
          ? pulumi.interpolate`${joinToken.apply((t) => t.trim())}\n${s3.accessKeyId}\n${s3.secretAccessKey}\n`
          : joinToken.apply((t) => `${t.trim()}\n`),
      );

    const steps: HostSteps = {
      config,
      version,
      kubeVipVersion: args.versions.kubeVip,
      first,
      remote,
      connect,
      frozen,
      stdin: (host, joinToken) =>
        stdinFor(
          host.name === first.name || joinToken === undefined ? token : joinToken.stdout,
          host.role === "server",
        ),
    };
    const installs: command.remote.Command[] = [];
    const nodes: command.remote.Command[] = [];
    let joinToken: command.remote.Command | undefined;
    let previous: command.remote.Command | undefined;
    for (const node of plan) {
      const built = hostCommands(steps, node, { previous, joinToken, lastRemoval: nodes.at(-1) });
      installs.push(built.install);
      nodes.push(built.removal);
      previous = built.last;
      joinToken = built.joinToken ?? joinToken;
    }

    // Deleted before every `-node` (it depends on them): only when the whole cluster goes.
    const teardown = remote(
      "teardown",
      {
        connection: connect(first),
        create: renderTeardownClearScript(),
        delete: renderTeardownMarkScript(),
      },
      { dependsOn: nodes },
    );

    const serverInstalls = installs.filter((_, i) => plan[i].host.role === "server" && !plan[i].host.gone);
    const read = remote(
      "kubeconfig",
      {
        connection: connect(first),
        create: renderReadKubeconfigScript(),
        // The admin kubeconfig (system:masters) is on stdout: marking the output secret does
        // not keep it out of the engine's log, so logging is off ("If there might be secrets
        // in the output, you can disable logging here", @pulumi/command remote.CommandArgs.logging).
        logging: "none",
        triggers: [version, first.address],
      },
      { dependsOn: serverInstalls, additionalSecretOutputs: ["stdout"] },
    );
    // Users, joining nodes and Pulumi itself all use the API VIP. Every server's install
    // waits until the VIP answers, and the kubeconfig is read only after the servers'
    // installs, so the VIP answers whenever this provider is first used.
    const kubeconfig = pulumi.secret(
      read.stdout.apply((text) => rewriteKubeconfig(text, apiServer, config.name)),
    );
    const providerName = child("k8s");
    const provider = clusterProvider(
      providerName.name,
      // The same cluster across upgrades, host changes and a rename (its first name stays
      // its identity), so none of these replaces the provider and every object with it.
      { kubeconfig, clusterIdentifier: k3sClusterIdentifier(config) },
      { parent: this, ...providerName.alias },
    );

    this.handle = {
      name: config.name,
      kind: config.kind,
      apiEndpoint: pulumi.output(apiServer),
      kubeconfig,
      provider,
      capabilities: capabilitiesOf(config),
      nodeAddresses: pulumi.output(live.map((h) => h.address)),
      loadBalancerAddress: pulumi.output(config.vip),
      ready: [read, teardown, ...nodes],
    };
    this.registerOutputs({
      apiEndpoint: this.handle.apiEndpoint,
      kubeconfig,
      nodeAddresses: this.handle.nodeAddresses,
    });
  }
}

/** What {@link hostCommands} needs from the component. */
interface HostSteps {
  readonly config: K3sClusterConfig;
  readonly version: string;
  readonly kubeVipVersion: string;
  /** The first live server: it reads back the join token. */
  readonly first: K3sHostConfig;
  readonly remote: (
    role: string,
    args: command.remote.CommandArgs,
    options?: pulumi.CustomResourceOptions,
  ) => command.remote.Command;
  readonly connect: (host: K3sHostConfig) => command.types.input.remote.ConnectionArgs;
  readonly frozen: (host: K3sHostConfig) => pulumi.CustomResourceOptions;
  readonly stdin: (
    host: K3sHostConfig,
    joinToken: command.remote.Command | undefined,
  ) => pulumi.Output<string>;
}

/** The commands of one host, in order: prepare, uninstall, drain, install, uncordon, node (and evict). */
function hostCommands(
  b: HostSteps,
  node: K3sNodePlan,
  before: {
    readonly previous?: command.remote.Command;
    readonly joinToken?: command.remote.Command;
    readonly lastRemoval?: command.remote.Command;
  },
): {
  install: command.remote.Command;
  last: command.remote.Command;
  removal: command.remote.Command;
  joinToken?: command.remote.Command;
} {
  const { config, version, remote, connect, frozen } = b;
  const host = node.host;
  const runner = removalRunner(config.hosts, host);
  const prepare = remote(
    `${host.name}-prepare`,
    { connection: connect(host), create: renderPrepareScript(config, host) },
    frozen(host),
  );
  const uninstall = remote(
    `${host.name}-uninstall`,
    {
      connection: connect(host),
      create: `echo "K3s on ${host.name} is managed by Pulumi; deleting this resource uninstalls it"`,
      delete: renderUninstallScript(host.name),
    },
    // No triggers: nothing may replace this resource, as a replacement runs its delete.
    { dependsOn: [prepare], ...frozen(host) },
  );
  const triggers = [version, config.architecture, ...k3sArgs(config, node)];
  const order = before.previous ? [before.previous] : [];
  // Upgrade drain and uncordon exist for live hosts; they run on another server.
  const drain = host.gone
    ? undefined
    : remote(
        `${host.name}-drain`,
        { connection: connect(runner), create: renderUpgradeDrainScript(host.name, version), triggers },
        { dependsOn: [prepare, ...order] },
      );
  const install = remote(
    `${host.name}-install`,
    {
      connection: connect(host),
      create: renderInstallScript(config, node, version, b.kubeVipVersion),
      stdin: b.stdin(host, before.joinToken),
      // A new version or flag set replaces the command, which reruns the installer (the
      // upgrade); it has no delete, so replacing it never uninstalls anything.
      triggers,
    },
    // One node at a time, servers first: each install waits for the previous node to be
    // Ready at the new version and uncordoned.
    {
      dependsOn: [
        prepare,
        uninstall,
        ...(drain ? [drain] : []),
        ...order,
        ...(before.joinToken ? [before.joinToken] : []),
      ],
      ...frozen(host),
    },
  );
  const joinToken =
    host.name === b.first.name
      ? remote(
          "join-token",
          {
            connection: connect(b.first),
            create: renderReadJoinTokenScript(),
            // The join token is a credential: secret output and nothing in the log.
            logging: "none",
            triggers: [b.first.address],
          },
          { dependsOn: [install], additionalSecretOutputs: ["stdout"] },
        )
      : undefined;
  const uncordon = host.gone
    ? undefined
    : remote(
        `${host.name}-uncordon`,
        { connection: connect(runner), create: renderUncordonScript(host.name), triggers },
        { dependsOn: [install] },
      );
  if (host.gone) {
    remote(`${host.name}-evict`, { connection: connect(runner), create: renderEvictScript(host.name) });
  }
  const removal = remote(
    `${host.name}-node`,
    {
      connection: connect(runner),
      create: `echo "node ${host.name} joined the cluster"`,
      delete: renderRemoveNodeScript(host.name),
    },
    // Removals run one at a time (each waits for the next node's removal).
    { dependsOn: [install, ...(before.lastRemoval ? [before.lastRemoval] : [])] },
  );
  return { install, last: uncordon ?? install, removal, joinToken };
}

/**
 * The provider's `clusterIdentifier`: `k3s/<name>`, with the cluster's earliest name when it
 * was renamed (`formerNames[0]`), so a rename does not replace the provider either.
 */
export function k3sClusterIdentifier(config: K3sClusterConfig): string {
  return `k3s/${config.formerNames[0] ?? config.name}`;
}

/**
 * Aliases of one child (`<cluster>-<role>`) for each earlier name of the cluster. The parent
 * is left out, so each alias resolves under the current component, whose type, and so the
 * child's URN apart from its name, a rename does not change.
 */
export function k3sChildAliases(formerNames: readonly string[], role: string): pulumi.Alias[] {
  return formerNames.map((former) => ({ name: `${former}-${role}` }));
}
