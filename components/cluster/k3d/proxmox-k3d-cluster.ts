/**
 * ProxmoxK3dCluster: a k3d cluster inside one Proxmox VM (source document 004, staging:
 * 1 server + 3 agents at 10.0.40.52).
 */
import { publicKeyLine } from "../../../lib/ssh";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { clusterProvider, sshConnection } from "../../../providers";
import type { K3dProxmoxClusterConfig, Versions } from "../../../config/types";
import { capabilitiesOf, type ServiceProvisions } from "../capabilities";
import type { ClusterHandle } from "../contract";
import { apiServerUrl, rewriteKubeconfig } from "../k3s/kubeconfig";
import {
  K3D_API_PORT,
  k3dCreateArgs,
  renderDockerInstallScript,
  renderK3dCreateScript,
  renderK3dDeleteScript,
  renderK3dInstallScript,
  renderK3dKubeconfigScript,
  renderRegistriesYaml,
  renderVmArgs,
} from "./scripts";
import { validateK3dArgs, vmHostAddress } from "./validate";

/** Arguments of {@link ProxmoxK3dCluster}. */
export interface ProxmoxK3dClusterArgs {
  /** The validated cluster config (Proxmox placement, VM size and address, k3d topology). */
  readonly config: K3dProxmoxClusterConfig;
  /** The service definitions the stack may enable; the enabled ones' catalog entries add StorageClasses. */
  readonly services: readonly ServiceProvisions[];
  /** Pinned versions; uses `docker`, `k3d` and `k3dK3sImage`. */
  readonly versions: Versions;
  /** Provider for the Proxmox VE API that hosts the VM. */
  readonly proxmoxProvider: proxmox.Provider;
  /** SSH private key matching one of `config.vm.sshPublicKeys`; kept secret. */
  readonly sshPrivateKey: pulumi.Output<string>;
}

/**
 * The provider's `clusterIdentifier`: the cluster name and a digest of everything that
 * recreates the k3d cluster (k3d version, K3s image, topology, registries).
 */
export function k3dClusterIdentifier(name: string, clusterTriggers: readonly string[]): string {
  const digest = createHash("sha256").update(JSON.stringify(clusterTriggers)).digest("hex").slice(0, 12);
  return `k3d/${name}/${digest}`;
}

/**
 * Clones the VM from the cloud-init template (protected; cloud-init and clone-source changes
 * are ignored so they never replace it), then over SSH installs Docker and k3d, creates the
 * cluster and reads its kubeconfig back, rewritten to the VM address.
 *
 * Children: `-vm`, `-docker`, `-k3d`, `-cluster`, `-kubeconfig`, `-k8s`.
 *
 * Upgrades: a new `versions.docker` upgrades Docker in place from Docker's apt repository
 * (dockerd restarts, and the k3d node containers with it). k3d cannot upgrade a cluster in
 * place, so a new `versions.k3d`, `versions.k3dK3sImage` or topology replaces `-cluster`
 * delete-first: the staging cluster is deleted with its workloads and local-path volumes
 * (the delete says so in the update's output) and created again, empty; Flux re-syncs it.
 * The Kubernetes provider's identity changes with it, so the program's objects (the Flux
 * install, its Secrets) are created in the new cluster and dropped from state for the old.
 */
export class ProxmoxK3dCluster extends pulumi.ComponentResource {
  /** The cluster contract (ARCHITECTURE.md decision 2). */
  public readonly handle: ClusterHandle;

  constructor(name: string, args: ProxmoxK3dClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:ProxmoxK3dCluster", name, {}, opts);
    validateK3dArgs(name, args.config, args.versions);
    const config = args.config;
    const address = vmHostAddress(config);
    const apiServer = apiServerUrl(address, K3D_API_PORT);
    const vm = stagingVm(name, args, this);
    const { cluster, read, clusterTriggers } = k3dInVm(name, args, vm, this);
    const kubeconfig = pulumi.secret(
      read.stdout.apply((text) => rewriteKubeconfig(text, apiServer, config.name)),
    );

    // A rebuilt k3d cluster is a new cluster (new CA, empty): its identifier changes with
    // what rebuilds it, so the objects are created again in it, and deleteUnreachable drops
    // the old ones from state (the old cluster, and so its CA, is gone, which the old
    // provider sees as unreachable) instead of failing the update halfway. Anything that does
    // not rebuild the cluster (VM size, DNS, an SSH key) keeps the identifier: an update.
    const provider = clusterProvider(
      `${name}-k8s`,
      {
        kubeconfig,
        clusterIdentifier: k3dClusterIdentifier(config.name, clusterTriggers),
        deleteUnreachable: true,
      },
      { parent: this },
    );

    this.handle = {
      name: config.name,
      kind: config.kind,
      apiEndpoint: pulumi.output(apiServer),
      kubeconfig,
      provider,
      capabilities: capabilitiesOf(config, args.services),
      nodeAddresses: pulumi.output([address]),
      loadBalancerAddress: pulumi.output(address),
      ready: [cluster, read],
    };
    this.registerOutputs({ apiEndpoint: this.handle.apiEndpoint, kubeconfig, vmId: vm.vmId });
  }
}

/** The VM, cloned from the cloud-init template and protected. */
function stagingVm(name: string, args: ProxmoxK3dClusterArgs, parent: pulumi.Resource): proxmox.VmLegacy {
  const config = args.config;
  // The public half of the private key is public: unsecret it so the VM's key list stays
  // readable in the plan (the private key itself never leaves its secret Output).
  const derivedKeys: pulumi.Input<string[]> =
    config.vm.sshPublicKeys.length > 0
      ? []
      : pulumi.unsecret(
          pulumi.secret(args.sshPrivateKey).apply((key) => {
            try {
              return [publicKeyLine(key)];
            } catch (error) {
              throw new pulumi.RunError(
                `platform:sshPrivateKey: ${(error as Error).message}; set an OpenSSH or PEM private key, or list vm.sshPublicKeys`,
              );
            }
          }),
        );
  return new proxmox.VmLegacy(`${name}-vm`, renderVmArgs(config, derivedKeys), {
    parent,
    provider: args.proxmoxProvider,
    protect: true,
    // Cloud-init data only applies at first boot; a changed key, address or template
    // must never replace the staging VM (ARCHITECTURE.md decision 8).
    ignoreChanges: ["initialization", "clone"],
  });
}

/** Docker, k3d and the k3d cluster in the VM, over SSH, and the command reading its kubeconfig. */
function k3dInVm(
  name: string,
  args: ProxmoxK3dClusterArgs,
  vm: proxmox.VmLegacy,
  parent: pulumi.Resource,
): { cluster: command.remote.Command; read: command.remote.Command; clusterTriggers: string[] } {
  const { config, versions } = args;
  // The VM's host key is generated at its first boot, so it can only be configured once
  // known (`vm.hostKey`, from `ssh-keyscan`); until then the connection is not verified.
  const connection: command.types.input.remote.ConnectionArgs = sshConnection(
    { host: vmHostAddress(config), user: config.vm.sshUser, hostKey: config.vm.hostKey },
    args.sshPrivateKey,
  );
  const docker = new command.remote.Command(
    `${name}-docker`,
    {
      connection,
      create: renderDockerInstallScript(versions.docker, config.architecture),
      triggers: [versions.docker],
    },
    { parent, dependsOn: [vm] },
  );
  const k3d = new command.remote.Command(
    `${name}-k3d`,
    {
      connection,
      create: renderK3dInstallScript(versions.k3d, config.architecture),
      triggers: [versions.k3d, config.architecture],
    },
    { parent, dependsOn: [docker] },
  );
  // A new k3d release recreates the cluster too: its helper images (load balancer, tools)
  // are tied to the k3d version, and k3d has no in-place upgrade.
  const registries = renderRegistriesYaml(config);
  const clusterTriggers = [
    versions.k3d,
    ...k3dCreateArgs(config, versions),
    ...(registries ? [registries] : []),
  ];
  const cluster = new command.remote.Command(
    `${name}-cluster`,
    {
      connection,
      create: renderK3dCreateScript(config, versions),
      delete: renderK3dDeleteScript(config.name),
      triggers: clusterTriggers,
    },
    // Same cluster name: the old cluster must go before the new one is created. A new
    // key or address must not replace (and so delete) the cluster.
    { parent, dependsOn: [k3d], deleteBeforeReplace: true, ignoreChanges: ["connection"] },
  );
  const read = new command.remote.Command(
    `${name}-kubeconfig`,
    {
      connection,
      create: renderK3dKubeconfigScript(config.name),
      // The admin kubeconfig is on stdout: a secret output is still logged unless logging
      // is off (@pulumi/command remote.CommandArgs.logging).
      logging: "none",
      triggers: clusterTriggers,
    },
    { parent, dependsOn: [cluster], additionalSecretOutputs: ["stdout"] },
  );
  return { cluster, read, clusterTriggers };
}
