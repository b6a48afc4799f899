/**
 * K3sCluster: an HA K3s cluster on SSH-reachable hosts (source document 004, production:
 * three Raspberry Pi CM5 servers behind the MetalLB VIP).
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
  /** Pinned versions; `versions.k3s` is the K3s release installed on every host. */
  readonly versions: Versions;
  /** SSH private key accepted by `config.sshUser` on every host; kept secret. */
  readonly sshPrivateKey: pulumi.Output<string>;
}

/**
 * Provisions K3s on `config.hosts` over SSH: prepares every host, initializes embedded etcd
 * on the first server, joins the other servers and the agents one at a time, and reads the
 * admin kubeconfig back with its server rewritten to the VIP.
 *
 * Per host, in dependency order: `-prepare` (idempotent host setup), `-uninstall` (its
 * delete uninstalls K3s), `-install` (install/upgrade, replaced when version or flags change,
 * no delete), `-node` (on the first server; its delete drains the node and removes it).
 * Removing a host from config therefore drains it first and uninstalls K3s after. The two
 * lifecycle resources ignore `connection` changes, so a new SSH key or address can never
 * replace them and so run their destructive delete.
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
    const connect = (address: string): command.types.input.remote.ConnectionArgs => ({
      host: address,
      port: config.sshPort,
      user: config.sshUser,
      privateKey,
    });

    // RandomPassword marks `result` secret itself; pulumi.secret keeps it so in any runtime.
    const password = new random.RandomPassword(
      `${name}-token`,
      { length: 64, special: false },
      { parent: this },
    );
    const token = pulumi.secret(password.result);

    const installs: command.remote.Command[] = [];
    const nodes: command.remote.Command[] = [];
    for (const node of plan) {
      const host = node.host;
      const prepare = new command.remote.Command(
        `${name}-${hostKey(host)}-prepare`,
        {
          connection: connect(host.address),
          create: renderPrepareScript(host, config.architecture, config.raspberryPi),
        },
        { parent: this },
      );
      const uninstall = new command.remote.Command(
        `${name}-${hostKey(host)}-uninstall`,
        {
          connection: connect(host.address),
          create: `echo "K3s on ${host.name} is managed by Pulumi; deleting this resource uninstalls it"`,
          delete: renderUninstallScript(),
        },
        { parent: this, dependsOn: [prepare], ignoreChanges: ["connection"] },
      );
      const previous = installs.at(-1);
      const install = new command.remote.Command(
        `${name}-${hostKey(host)}-install`,
        {
          connection: connect(host.address),
          create: renderInstallScript(config, node, version),
          stdin: token,
          // A new version or flag set replaces the command, which reruns the installer (the
          // upgrade); it has no delete, so replacing it never uninstalls anything.
          triggers: [version, config.architecture, ...k3sArgs(config, node)],
        },
        // One node at a time, servers first: each install waits for the previous node to
        // be Ready at the new version.
        { parent: this, dependsOn: [prepare, uninstall, ...(previous ? [previous] : [])] },
      );
      installs.push(install);
      nodes.push(
        new command.remote.Command(
          `${name}-${hostKey(host)}-node`,
          {
            connection: connect(first.address),
            create: `echo "node ${host.name} joined the cluster"`,
            delete: renderDrainScript(host.name),
          },
          { parent: this, dependsOn: [install], ignoreChanges: ["connection"] },
        ),
      );
    }

    const serverInstalls = installs.filter((_, i) => plan[i].host.role === "server");
    const read = new command.remote.Command(
      `${name}-kubeconfig`,
      {
        connection: connect(first.address),
        create: renderReadKubeconfigScript(),
        triggers: [version, first.address],
      },
      { parent: this, dependsOn: serverInstalls, additionalSecretOutputs: ["stdout"] },
    );
    // The API answers on every server, not on the VIP: MetalLB announces the VIP for
    // LoadBalancer Services (Traefik's ingress, 004), and nothing forwards 6443 there. So the
    // exported kubeconfig, the API endpoint and Pulumi's own provider name the first server,
    // which is in every server's --tls-san (as is the VIP, for a later API VIP).
    const apiServer = apiServerUrl(first.address);
    const kubeconfig = pulumi.secret(
      read.stdout.apply((text) => rewriteKubeconfig(text, apiServer, config.name)),
    );
    const provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig, enableServerSideApply: true },
      { parent: this },
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
 * The stable part of a host's child resource names: its address, not its name. Pulumi
 * performs a rename as a delete plus a create, and the delete of `-uninstall` runs
 * k3s-uninstall.sh; keyed by address, renaming a host updates its resources in place (its
 * installer reruns with the new --node-name) instead of uninstalling K3s from a live node.
 * A new address is a different machine to this component: the old one is drained and
 * uninstalled, the new one installed.
 */
export function hostKey(host: { readonly address: string }): string {
  return host.address.replace(/\./g, "-");
}
