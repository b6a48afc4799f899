/**
 * K3sCluster: an HA K3s cluster on SSH-reachable hosts (source document 004, production:
 * three Raspberry Pi CM5 servers; ingress on the MetalLB VIP, the API on a kube-vip VIP).
 */
import * as command from "@pulumi/command";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { K3sClusterConfig, K3sHostConfig, Versions } from "../../../config/types";
import { clusterProvider, sshConnection } from "../../../providers";
import { capabilitiesOf, type ServiceProvisions } from "../capabilities";
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
  /** The service definitions the stack may enable; the enabled ones' catalog entries add StorageClasses. */
  readonly services: readonly ServiceProvisions[];
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
    const live = config.hosts.filter((h) => !h.gone);
    const first = firstServer(live);
    const apiServer = apiServerUrl(config.apiVip);
    const cmds = clusterCommands(name, config, pulumi.secret(args.sshPrivateKey), this);
    const steps: HostSteps = {
      ...cmds,
      config,
      version: args.versions.k3s,
      kubeVipVersion: args.versions.kubeVip,
      first,
      stdin: joinStdin(cmds, config, first, args.etcdS3Credentials, this),
    };
    const plan = planK3sNodes(config.hosts);
    const { installs, removals } = allHostCommands(steps, plan);
    // Deleted before every `-node` (it depends on them): only when the whole cluster goes.
    const teardown = cmds.remote(
      "teardown",
      {
        connection: cmds.connect(first),
        create: renderTeardownClearScript(),
        delete: renderTeardownMarkScript(),
      },
      { dependsOn: removals },
    );
    const serverInstalls = installs.filter((_, i) => plan[i].host.role === "server" && !plan[i].host.gone);
    const access = clusterAccess(steps, apiServer, serverInstalls, this);

    this.handle = {
      name: config.name,
      kind: config.kind,
      apiEndpoint: pulumi.output(apiServer),
      kubeconfig: access.kubeconfig,
      provider: access.provider,
      capabilities: capabilitiesOf(config, args.services),
      nodeAddresses: pulumi.output(live.map((h) => h.address)),
      loadBalancerAddress: pulumi.output(config.vip),
      ready: [access.read, teardown, ...removals],
    };
    this.registerOutputs({
      apiEndpoint: this.handle.apiEndpoint,
      kubeconfig: access.kubeconfig,
      nodeAddresses: this.handle.nodeAddresses,
    });
  }
}

/** How the component names, connects and registers its commands. */
interface ClusterCommands {
  /** Name and aliases of the child `<cluster>-<role>` (earlier cluster names alias it). */
  readonly child: (role: string) => { name: string; alias: { aliases?: pulumi.Alias[] } };
  /** A remote command named after `role`, parented to the component. */
  readonly remote: (
    role: string,
    args: command.remote.CommandArgs,
    options?: pulumi.CustomResourceOptions,
  ) => command.remote.Command;
  /** The SSH connection to a host, verifying its `hostKey`. */
  readonly connect: (host: K3sHostConfig) => command.types.input.remote.ConnectionArgs;
  /** Options that freeze a gone host's own commands. */
  readonly frozen: (host: K3sHostConfig) => pulumi.CustomResourceOptions;
}

/** The naming, connection and freezing rules of a cluster's commands. */
function clusterCommands(
  name: string,
  config: K3sClusterConfig,
  privateKey: pulumi.Output<string>,
  parent: pulumi.Resource,
): ClusterCommands {
  // Children are named `${name}-<role>`; earlier cluster names alias them (see the TSDoc).
  const child = (role: string): { name: string; alias: { aliases?: pulumi.Alias[] } } => ({
    name: `${name}-${role}`,
    alias: config.formerNames.length > 0 ? { aliases: k3sChildAliases(config.formerNames, role) } : {},
  });
  return {
    child,
    remote: (role, commandArgs, options = {}) => {
      const id = child(role);
      return new command.remote.Command(id.name, commandArgs, { parent, ...options, ...id.alias });
    },
    connect: (host) =>
      sshConnection(
        { host: host.address, port: config.sshPort, user: config.sshUser, hostKey: host.hostKey },
        privateKey,
      ),
    // A gone host's own commands keep their state (nothing connects to it) and are retained,
    // so removing the host afterwards drops them without running their deletes
    // (pulumi.com/docs/iac/concepts/resources/options/retainondelete/: set it, `up`, then delete).
    frozen: (host) => (host.gone ? { ignoreChanges: FROZEN_INPUTS, retainOnDelete: true } : {}),
  };
}

/**
 * The cluster token and what each install reads on stdin. The first server's install creates
 * the cluster (or rejoins it) with the plain secret; every other node gets the full token read
 * back from it, so it verifies the CA. Servers also get the etcd S3 keys (agents take no
 * snapshots and never see them).
 */
function joinStdin(
  cmds: ClusterCommands,
  config: K3sClusterConfig,
  first: K3sHostConfig,
  s3: K3sClusterArgs["etcdS3Credentials"],
  parent: pulumi.Resource,
): HostSteps["stdin"] {
  // RandomPassword marks `result` secret itself; pulumi.secret keeps it so in any runtime.
  const tokenName = cmds.child("token");
  const password = new random.RandomPassword(
    tokenName.name,
    { length: 64, special: false },
    { parent, ...tokenName.alias },
  );
  const token = pulumi.secret(password.result);
  const stdinFor = (joinToken: pulumi.Output<string>, server: boolean): pulumi.Output<string> =>
    pulumi.secret(
      s3 && config.etcdSnapshots && server
        ? pulumi.interpolate`${joinToken.apply((t) => t.trim())}\n${s3.accessKeyId}\n${s3.secretAccessKey}\n`
        : joinToken.apply((t) => `${t.trim()}\n`),
    );
  return (host, joinToken) =>
    stdinFor(
      host.name === first.name || joinToken === undefined ? token : joinToken.stdout,
      host.role === "server",
    );
}

/** Every host's commands, one host after the other in plan order (servers first). */
function allHostCommands(
  steps: HostSteps,
  plan: readonly K3sNodePlan[],
): { installs: command.remote.Command[]; removals: command.remote.Command[] } {
  const installs: command.remote.Command[] = [];
  const removals: command.remote.Command[] = [];
  let joinToken: command.remote.Command | undefined;
  let previous: command.remote.Command | undefined;
  for (const node of plan) {
    const built = hostCommands(steps, node, { previous, joinToken, lastRemoval: removals.at(-1) });
    installs.push(built.install);
    removals.push(built.removal);
    previous = built.last;
    joinToken = built.joinToken ?? joinToken;
  }
  return { installs, removals };
}

/**
 * The admin kubeconfig read back from the first server, with its server rewritten to the API
 * VIP, and the Kubernetes provider over it.
 */
function clusterAccess(
  steps: HostSteps,
  apiServer: string,
  serverInstalls: readonly command.remote.Command[],
  parent: pulumi.Resource,
): { read: command.remote.Command; kubeconfig: pulumi.Output<string>; provider: k8s.Provider } {
  const { config, first } = steps;
  const read = steps.remote(
    "kubeconfig",
    {
      connection: steps.connect(first),
      create: renderReadKubeconfigScript(),
      // The admin kubeconfig (system:masters) is on stdout: marking the output secret does
      // not keep it out of the engine's log, so logging is off ("If there might be secrets
      // in the output, you can disable logging here", @pulumi/command remote.CommandArgs.logging).
      logging: "none",
      triggers: [steps.version, first.address],
    },
    { dependsOn: [...serverInstalls], additionalSecretOutputs: ["stdout"] },
  );
  // Users, joining nodes and Pulumi itself all use the API VIP. Every server's install
  // waits until the VIP answers, and the kubeconfig is read only after the servers'
  // installs, so the VIP answers whenever this provider is first used.
  const kubeconfig = pulumi.secret(
    read.stdout.apply((text) => rewriteKubeconfig(text, apiServer, config.name)),
  );
  const providerName = steps.child("k8s");
  const provider = clusterProvider(
    providerName.name,
    // The same cluster across upgrades, host changes and a rename (its first name stays
    // its identity), so none of these replaces the provider and every object with it.
    { kubeconfig, clusterIdentifier: k3sClusterIdentifier(config) },
    { parent, ...providerName.alias },
  );
  return { read, kubeconfig, provider };
}

/** What {@link hostCommands} needs from the component. */
interface HostSteps extends ClusterCommands {
  readonly config: K3sClusterConfig;
  readonly version: string;
  readonly kubeVipVersion: string;
  /** The first live server: it reads back the join token. */
  readonly first: K3sHostConfig;
  readonly stdin: (
    host: K3sHostConfig,
    joinToken: command.remote.Command | undefined,
  ) => pulumi.Output<string>;
}

/** What runs before a host's commands: the previous node's, the join token, the last removal. */
interface HostBefore {
  readonly previous?: command.remote.Command;
  readonly joinToken?: command.remote.Command;
  readonly lastRemoval?: command.remote.Command;
}

/** The commands of one host, in order: prepare, uninstall, drain, install, uncordon, node (and evict). */
function hostCommands(
  b: HostSteps,
  node: K3sNodePlan,
  before: HostBefore,
): {
  install: command.remote.Command;
  last: command.remote.Command;
  removal: command.remote.Command;
  joinToken?: command.remote.Command;
} {
  const host = node.host;
  const prepare = b.remote(
    `${host.name}-prepare`,
    { connection: b.connect(host), create: renderPrepareScript(b.config, host) },
    b.frozen(host),
  );
  const uninstall = b.remote(
    `${host.name}-uninstall`,
    {
      connection: b.connect(host),
      create: `echo "K3s on ${host.name} is managed by Pulumi; deleting this resource uninstalls it"`,
      delete: renderUninstallScript(host.name),
    },
    // No triggers: nothing may replace this resource, as a replacement runs its delete.
    { dependsOn: [prepare], ...b.frozen(host) },
  );
  const { install, joinToken, last } = hostInstall(b, node, before, [prepare, uninstall]);
  const runner = removalRunner(b.config.hosts, host);
  if (host.gone) {
    b.remote(`${host.name}-evict`, { connection: b.connect(runner), create: renderEvictScript(host.name) });
  }
  const removal = b.remote(
    `${host.name}-node`,
    {
      connection: b.connect(runner),
      create: `echo "node ${host.name} joined the cluster"`,
      delete: renderRemoveNodeScript(host.name),
    },
    // Removals run one at a time (each waits for the next node's removal).
    { dependsOn: [install, ...(before.lastRemoval ? [before.lastRemoval] : [])] },
  );
  return { install, last, removal, joinToken };
}

/**
 * Install or upgrade of one host: the upgrade drain (on another server), the install, the
 * join-token read on the first server, and the uncordon (on another server).
 */
function hostInstall(
  b: HostSteps,
  node: K3sNodePlan,
  before: HostBefore,
  setup: readonly [command.remote.Command, command.remote.Command],
): { install: command.remote.Command; joinToken?: command.remote.Command; last: command.remote.Command } {
  const { config, version } = b;
  const host = node.host;
  const [prepare, uninstall] = setup;
  const runner = removalRunner(config.hosts, host);
  const triggers = [version, config.architecture, ...k3sArgs(config, node)];
  const order = before.previous ? [before.previous] : [];
  // Upgrade drain and uncordon exist for live hosts; they run on another server.
  const drain = host.gone
    ? undefined
    : b.remote(
        `${host.name}-drain`,
        { connection: b.connect(runner), create: renderUpgradeDrainScript(host.name, version), triggers },
        { dependsOn: [prepare, ...order] },
      );
  const install = b.remote(
    `${host.name}-install`,
    {
      connection: b.connect(host),
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
      ...b.frozen(host),
    },
  );
  const joinToken =
    host.name === b.first.name
      ? b.remote(
          "join-token",
          {
            connection: b.connect(b.first),
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
    : b.remote(
        `${host.name}-uncordon`,
        { connection: b.connect(runner), create: renderUncordonScript(host.name), triggers },
        { dependsOn: [install] },
      );
  return { install, joinToken, last: uncordon ?? install };
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
