/**
 * From configured servers to a working cluster: etcd bootstrapped once, the kubeconfig and
 * Kubernetes provider, the cluster's own Secrets through the Kubernetes API, the health
 * check, the restarts a rotated Secret needs, and the policy that keeps pods off the Hetzner
 * metadata service.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { metadataDenyPolicy } from "./cilium";
import type { TalosConfigs } from "./configs";
import type { ControlPlaneAddresses, HcloudInfrastructure } from "./infrastructure";
import { clusterSecrets, type TalosHcloudClusterSecrets } from "./secrets";
import type { ClusterServers } from "./servers";
import type { Env, TalosStepContext } from "./steps";
import * as scripts from "./talosctl";

/** The running cluster: its access, and what day-2 steps and `ready` wait for. */
export interface BootstrappedCluster {
  /** Environment of talosctl commands against the first control plane. */
  readonly cpEnv: Env;
  /** Admin kubeconfig (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  /** The command that waits for a healthy cluster. */
  readonly health: command.local.Command;
  /** Restarts of the workloads that read a rotated Secret. */
  readonly restarts: readonly pulumi.Resource[];
  readonly metadataPolicy: k8s.apiextensions.CustomResource;
}

/** Bootstraps etcd, applies the cluster's Secrets and waits for a healthy cluster. */
export function bootstrapCluster(
  ctx: TalosStepContext,
  infra: HcloudInfrastructure,
  cp: ControlPlaneAddresses,
  configs: TalosConfigs,
  nodes: ClusterServers,
  stackSecrets: TalosHcloudClusterSecrets,
): BootstrappedCluster {
  const { name } = ctx;
  const me = { parent: ctx.parent };
  const cpEnv: Env = { TALOSCONFIG_CONTENT: configs.talosconfig, TALOS_NODE: ctx.firstCp.privateIp };
  const bootstrap = new command.local.Command(
    `${name}-bootstrap`,
    { create: scripts.bootstrapScript(), environment: cpEnv, interpreter: ["/bin/bash", "-c"] },
    // No update step and ignored inputs: etcd is bootstrapped exactly once per cluster.
    {
      ...me,
      dependsOn: nodes.inits.filter((_, i) => ctx.nodes[i].role === "controlplane"),
      ignoreChanges: ["create", "environment"],
    },
  );
  const kubeconfigCmd = new command.local.Command(
    `${name}-kubeconfig`,
    {
      create: scripts.kubeconfigScript(),
      environment: { ...cpEnv, CLUSTER_ENDPOINT: cp.apiEndpoint },
      interpreter: ["/bin/bash", "-c"],
    },
    { ...me, dependsOn: [bootstrap], additionalSecretOutputs: ["stdout"] },
  );
  const kubeconfig = pulumi.secret(kubeconfigCmd.stdout);
  const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig, enableServerSideApply: true }, me);
  // The CSI LUKS passphrase: never rotated (volumes formatted with it would not open again).
  const luksPassphrase = new random.RandomPassword(
    `${name}-csi-luks-passphrase`,
    { length: 48, special: false },
    { ...me, protect: true },
  );
  const secrets = clusterSecrets(name, {
    parent: ctx.parent,
    provider,
    dependsOn: [kubeconfigCmd],
    networkId: infra.network.id,
    secrets: stackSecrets,
    luksPassphrase: luksPassphrase.result,
  });
  const health = new command.local.Command(
    `${name}-health`,
    { create: scripts.healthScript(), environment: cpEnv, interpreter: ["/bin/bash", "-c"] },
    // The CCM needs its Secret to initialise the nodes health waits for.
    {
      ...me,
      dependsOn: [bootstrap, ...nodes.inits, ...secrets.secrets],
      ignoreChanges: ["create", "environment"],
    },
  );
  const restarts = secrets.restartReaders({ dependsOn: [health], kubeconfig });
  const metadataPolicy = new k8s.apiextensions.CustomResource(
    `${name}-deny-hcloud-metadata`,
    metadataDenyPolicy() as unknown as k8s.apiextensions.CustomResourceArgs,
    // Cilium registers its CRDs when it starts, which health waits for.
    { ...me, provider, dependsOn: [health] },
  );
  return { cpEnv, kubeconfig, provider, health, restarts, metadataPolicy };
}
