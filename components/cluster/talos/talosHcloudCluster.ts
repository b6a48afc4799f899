/**
 * TalosHcloudCluster: Talos Linux on Hetzner Cloud (source document 002), replacing its
 * OpenTofu hcloud-k8s layer. Implements the cluster contract (contract.ts).
 */
import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { TalosHcloudClusterConfig, Versions } from "../../../config/types";
import { capabilitiesOf } from "../capabilities";
import type { ClusterHandle } from "../contract";
import { autoscalerSettings, type AutoscalerSettings } from "./autoscaler";
import { createHash } from "node:crypto";
import { essentialInlineManifests, extraManifestUrls } from "./essentials";
import { CURRENT_IPV4_COMMAND, firewallRules, KUBE_API_PORT, substituteCurrentIpv4 } from "./firewall";
import { certSans, installerImage, machinePatch } from "./machineConfig";
import { planNodes, type NodePlan } from "./plan";
import * as scripts from "./talosctl";
import { validateTalosHcloudArgs } from "./validate";

/** Secret inputs of the cluster (from encrypted stack config). */
export interface TalosHcloudClusterSecrets {
  /** Hetzner API token the in-cluster CCM and CSI use (the `hcloud` Secret). */
  readonly hcloudToken: pulumi.Output<string>;
  readonly etcdBackupS3AccessKeyId: pulumi.Output<string>;
  readonly etcdBackupS3SecretAccessKey: pulumi.Output<string>;
}

/** Arguments of {@link TalosHcloudCluster}. */
export interface TalosHcloudClusterArgs {
  readonly config: TalosHcloudClusterConfig;
  readonly versions: Versions;
  /** Provider every Hetzner resource is created with. */
  readonly hcloudProvider: hcloud.Provider;
  readonly secrets: TalosHcloudClusterSecrets;
}

/** Environment values of a Command; secrets stay Outputs. */
type Env = Record<string, pulumi.Input<string>>;

/** A Talos Kubernetes cluster on Hetzner Cloud with its in-cluster essentials. */
export class TalosHcloudCluster extends pulumi.ComponentResource {
  /** The cluster contract handle. */
  public readonly handle: ClusterHandle;
  /** talosctl client config (secret). */
  public readonly talosconfig: pulumi.Output<string>;
  /** Settings for the cluster autoscaler service (non-secret). */
  public readonly autoscaler: AutoscalerSettings;
  /** Worker machine config for autoscaled nodes' user data (secret); `undefined` without autoscaled pools. */
  public readonly autoscalerWorkerConfig?: pulumi.Output<string>;

  constructor(name: string, args: TalosHcloudClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:TalosHcloudCluster", name, {}, opts);
    const config = args.config;
    const versions = args.versions;
    validateTalosHcloudArgs(config, versions);

    const nodes = planNodes(config);
    const controlPlanes = nodes.filter((n) => n.role === "controlplane");
    const hc = { parent: this, provider: args.hcloudProvider };
    const me = { parent: this };
    const labels = { cluster: config.name };

    // --- Hetzner network, firewall, placement --------------------------------------------
    const network = new hcloud.Network(
      `${name}-network`,
      { name: config.name, ipRange: config.networkCidr, labels },
      hc,
    );
    const networkId = network.id.apply(Number);
    const subnet = new hcloud.NetworkSubnet(
      `${name}-subnet`,
      { networkId, type: "cloud", networkZone: config.networkZone, ipRange: config.nodeSubnetCidr },
      hc,
    );
    // `current` resolves at every preview and up (an invoke, not a resource), as hcloud-k8s'
    // firewall_use_current_ipv4 does; a new operator address updates the firewall rules.
    const apiSources: pulumi.Output<string[]> = config.apiAllowedCidrs.includes("current")
      ? command.local
          .runOutput({ command: CURRENT_IPV4_COMMAND, interpreter: ["/bin/sh", "-c"] }, { parent: this })
          .apply((r) => substituteCurrentIpv4(config.apiAllowedCidrs, r.stdout ?? ""))
      : pulumi.output([...config.apiAllowedCidrs]);
    const firewall = new hcloud.Firewall(
      `${name}-firewall`,
      { name: config.name, labels, rules: apiSources.apply(firewallRules) },
      hc,
    );
    const placement = new Map<string, hcloud.PlacementGroup>();
    for (const pool of config.nodePools) {
      placement.set(
        pool.name,
        new hcloud.PlacementGroup(
          `${name}-${pool.name}-placement`,
          { name: `${config.name}-${pool.name}`, type: "spread", labels },
          hc,
        ),
      );
    }
    // Control planes get Primary IPs up front, so the endpoint and cert SANs are known
    // before any server (and its user data) exists.
    const cpIps = controlPlanes.map(
      (n) =>
        new hcloud.PrimaryIp(
          `${name}-${suffix(config, n)}-ip`,
          {
            name: n.name,
            type: "ipv4",
            assigneeType: "server",
            autoDelete: false,
            location: config.location,
            deleteProtection: true,
            labels,
          },
          { ...hc, protect: true },
        ),
    );
    const cpAddresses = pulumi.all(cpIps.map((ip) => ip.ipAddress));
    const endpointHost = cpIps[0].ipAddress;
    const apiEndpoint = pulumi.interpolate`https://${endpointHost}:${KUBE_API_PORT}`;

    // --- Talos secrets and configs ------------------------------------------------------
    // Generated once and kept: ignoreChanges on the script means a later talos version or
    // script edit never regenerates the PKI; protect guards against an accidental delete.
    const machineSecrets = new command.local.Command(
      `${name}-secrets`,
      {
        create: scripts.genSecretsScript(),
        environment: { TALOS_VERSION: versions.talos },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, protect: true, ignoreChanges: ["create", "environment"], additionalSecretOutputs: ["stdout"] },
    );
    const secretsYaml = pulumi.secret(machineSecrets.stdout);
    const baseEnv: Env = {
      CLUSTER_NAME: config.name,
      CLUSTER_ENDPOINT: apiEndpoint,
      TALOS_VERSION: versions.talos,
      KUBERNETES_VERSION: versions.kubernetes,
      TALOS_SECRETS: secretsYaml,
    };
    // The Secrets the CCM, CSI and backups read ship inside the control-plane config (see
    // essentials.ts `secretsManifest`), so the patch of a control-plane pool is a secret.
    const luksPassphrase = new random.RandomPassword(
      `${name}-csi-luks-passphrase`,
      { length: 48, special: false },
      { ...me, protect: true },
    );
    const essentialSecrets = pulumi
      .all([
        args.secrets.hcloudToken,
        network.id,
        luksPassphrase.result,
        args.secrets.etcdBackupS3AccessKeyId,
        args.secrets.etcdBackupS3SecretAccessKey,
      ])
      .apply(([hcloudToken, networkId, luks, keyId, secretKey]) => ({
        hcloudToken,
        networkId,
        luksPassphrase: luks,
        backupAccessKeyId: keyId,
        backupSecretAccessKey: secretKey,
      }));
    const poolConfigs = new Map<string, pulumi.Output<string>>();
    for (const pool of config.nodePools) {
      const input = { role: pool.role, pool: pool.name, labels: pool.labels, taints: pool.taints };
      const patch =
        pool.role === "controlplane"
          ? pulumi.secret(
              pulumi
                .all([cpAddresses, essentialSecrets])
                .apply(([ips, secrets]) =>
                  JSON.stringify(machinePatch(config, versions, input, certSans(ips, config), secrets)),
                ),
            )
          : cpAddresses.apply((ips) =>
              JSON.stringify(machinePatch(config, versions, input, certSans(ips, config))),
            );
      const gen = new command.local.Command(
        `${name}-${pool.name}-config`,
        {
          create: scripts.genConfigScript(pool.role),
          environment: { ...baseEnv, TALOS_PATCH: patch },
          interpreter: ["/bin/bash", "-c"],
        },
        { ...me, additionalSecretOutputs: ["stdout"] },
      );
      poolConfigs.set(pool.name, pulumi.secret(gen.stdout));
    }
    const firstCp = controlPlanes[0];
    const talosconfigCmd = new command.local.Command(
      `${name}-talosconfig`,
      {
        create: scripts.talosconfigScript(),
        environment: {
          ...baseEnv,
          TALOS_ENDPOINTS: cpAddresses.apply((ips) => ips.join(" ")),
          TALOS_NODE: firstCp.privateIp,
        },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, additionalSecretOutputs: ["stdout"] },
    );
    this.talosconfig = pulumi.secret(talosconfigCmd.stdout);
    const talosEnv: Env = { TALOSCONFIG_CONTENT: this.talosconfig };

    // --- Servers ------------------------------------------------------------------------
    const image: pulumi.Input<string> =
      "snapshotId" in config.image
        ? String(config.image.snapshotId)
        : hcloud
            .getImageOutput(
              {
                withSelector: config.image.selector,
                mostRecent: true,
                withArchitecture: config.architecture === "arm64" ? "arm" : "x86",
              },
              hc,
            )
            .apply((img) => String(img.id));
    const servers = nodes.map((n) => {
      const isCp = n.role === "controlplane";
      const ip = isCp ? cpIps[controlPlanes.indexOf(n)] : undefined;
      return new hcloud.Server(
        `${name}-${suffix(config, n)}`,
        {
          name: n.name,
          serverType: n.serverType,
          image,
          location: config.location,
          placementGroupId: placement.get(n.pool)?.id.apply(Number),
          firewallIds: [firewall.id.apply(Number)],
          networks: [{ networkId, ip: n.privateIp }],
          publicNets: [{ ipv4Enabled: true, ipv4: ip?.id.apply(Number), ipv6Enabled: false }],
          userData: poolConfigs.get(n.pool),
          labels: { ...labels, nodepool: n.pool, role: n.role },
          deleteProtection: isCp,
          rebuildProtection: isCp,
        },
        {
          ...hc,
          protect: true,
          // User data is read only at first boot; later config changes go through the
          // Talos API (`-apply` commands) and image changes through `talosctl upgrade`,
          // so neither may ever replace a server (ARCHITECTURE decision 8).
          ignoreChanges: ["userData", "image"],
          dependsOn: [subnet],
        },
      );
    });

    // --- Bootstrap (once), health, kubeconfig --------------------------------------------
    const cpEnv: Env = { ...talosEnv, TALOS_NODE: firstCp.privateIp };
    const bootstrap = new command.local.Command(
      `${name}-bootstrap`,
      { create: scripts.bootstrapScript(), environment: cpEnv, interpreter: ["/bin/bash", "-c"] },
      // No update step and ignored inputs: etcd is bootstrapped exactly once per cluster.
      { ...me, dependsOn: servers, ignoreChanges: ["create", "environment"] },
    );
    const health = new command.local.Command(
      `${name}-health`,
      { create: scripts.healthScript(), environment: cpEnv, interpreter: ["/bin/bash", "-c"] },
      { ...me, dependsOn: [bootstrap], ignoreChanges: ["create", "environment"] },
    );
    const kubeconfigCmd = new command.local.Command(
      `${name}-kubeconfig`,
      {
        create: scripts.kubeconfigScript(),
        environment: { ...cpEnv, CLUSTER_ENDPOINT: apiEndpoint },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, dependsOn: [bootstrap], additionalSecretOutputs: ["stdout"] },
    );
    const kubeconfig = pulumi.secret(kubeconfigCmd.stdout);

    // --- Day 2: upgrades one node at a time (control planes first), then Kubernetes, then config
    let previous: pulumi.Resource = health;
    for (const n of nodes) {
      previous = new command.local.Command(
        `${name}-${suffix(config, n)}-upgrade`,
        {
          create: scripts.upgradeNodeScript(),
          update: scripts.upgradeNodeScript(),
          environment: {
            ...talosEnv,
            TALOS_NODE: n.privateIp,
            TALOS_HEALTH_NODE: firstCp.privateIp,
            TALOS_VERSION: versions.talos,
            TALOS_INSTALLER_IMAGE: installerImage(versions.talos),
          },
          interpreter: ["/bin/bash", "-c"],
        },
        { ...me, dependsOn: [previous] },
      );
    }
    const k8sUpgrade = new command.local.Command(
      `${name}-k8s-upgrade`,
      {
        create: scripts.NOOP,
        update: scripts.upgradeKubernetesScript(),
        environment: { ...cpEnv, KUBERNETES_VERSION: versions.kubernetes },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, dependsOn: [previous] },
    );
    previous = k8sUpgrade;
    for (const n of nodes) {
      previous = new command.local.Command(
        `${name}-${suffix(config, n)}-apply`,
        {
          // The server booted with this very config; only later changes need applying.
          create: scripts.NOOP,
          update: scripts.applyConfigScript(),
          environment: {
            ...talosEnv,
            TALOS_NODE: n.privateIp,
            MACHINE_CONFIG: poolConfigs.get(n.pool) ?? "",
          },
          interpreter: ["/bin/bash", "-c"],
        },
        { ...me, dependsOn: [previous] },
      );
    }

    // Later changes to the inline manifests (CCM, CSI, Cilium, backups) reach the cluster
    // only through `talosctl upgrade-k8s`, which syncs the bootstrap manifests from the
    // applied control-plane config: Talos itself only creates missing manifests at bootstrap
    // (Talos docs "Upgrading Kubernetes", hcloud-k8s runs the same after a config change).
    // The trigger is a hash of the non-secret manifests.
    const manifestsHash = createHash("sha256")
      .update(JSON.stringify([essentialInlineManifests(config, versions), extraManifestUrls(versions)]))
      .digest("hex");
    const manifestsSync = new command.local.Command(
      `${name}-manifests-sync`,
      {
        create: scripts.NOOP,
        update: scripts.upgradeKubernetesScript(),
        environment: { ...cpEnv, KUBERNETES_VERSION: versions.kubernetes, MANIFESTS_HASH: manifestsHash },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, dependsOn: [previous] },
    );
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig, enableServerSideApply: true }, me);

    // --- Outputs ------------------------------------------------------------------------
    this.autoscaler = autoscalerSettings(config);
    const autoscaled = config.nodePools.find((p) => p.autoscaler);
    this.autoscalerWorkerConfig = autoscaled ? poolConfigs.get(autoscaled.name) : undefined;
    const workerServers = servers.filter((_, i) => nodes[i].role === "worker");
    this.handle = {
      name: config.name,
      kind: config.kind,
      apiEndpoint,
      kubeconfig,
      provider,
      capabilities: capabilitiesOf(config),
      nodeAddresses: pulumi.all(servers.map((s) => s.ipv4Address)),
      loadBalancerAddress: (workerServers[0] ?? servers[0]).ipv4Address,
      ready: [health, k8sUpgrade, manifestsSync],
    };
    this.registerOutputs({
      apiEndpoint,
      kubeconfig,
      talosconfig: this.talosconfig,
      nodeAddresses: this.handle.nodeAddresses,
    });
  }
}

/** `<pool>-<n>` part of a node's name, used in child resource names. */
function suffix(config: TalosHcloudClusterConfig, node: NodePlan): string {
  return node.name.slice(config.name.length + 1);
}
