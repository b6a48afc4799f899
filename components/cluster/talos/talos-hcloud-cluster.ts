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
import { ageIdentity, ageRecipient } from "./age";
import { metadataDenyPolicy } from "./cilium";
import { createHash } from "node:crypto";
import { essentialInlineManifests, extraManifestUrls } from "./essentials";
import { firewallRules, KUBE_API_PORT, resolveApiSources } from "./firewall";
import { certSans, installerImage, machinePatch } from "./machine-config";
import { autoscaledPools, nodeSubnets, planNodes, type NodePlan } from "./plan";
import { clusterSecrets, type TalosHcloudClusterSecrets } from "./secrets";
import { ed25519PublicKeyLine } from "./ssh-key";
import * as scripts from "./talosctl";
import { apiSourcesWarning, validateTalosHcloudArgs } from "./validate";

export type { TalosHcloudClusterSecrets } from "./secrets";

/** Arguments of {@link TalosHcloudCluster}. */
export interface TalosHcloudClusterArgs {
  readonly config: TalosHcloudClusterConfig;
  readonly versions: Versions;
  /** Provider every Hetzner resource is created with. */
  readonly hcloudProvider: hcloud.Provider;
  readonly secrets: TalosHcloudClusterSecrets;
  /**
   * Where the Gateway's traffic enters: a Hetzner Load Balancer the component creates (which
   * the hcloud CCM then adopts for the Gateway's Service), or the fixed Cilium LB IPAM
   * address; the cluster's `loadBalancerAddress` either way.
   * @default no Gateway: the address of the first worker
   */
  readonly gateway?:
    | { readonly mode: "hcloud"; readonly location: string; readonly type: string }
    | { readonly mode: "lb-ipam"; readonly address: string };
}

/** Environment values of a Command; secrets stay Outputs. */
type Env = Record<string, pulumi.Input<string>>;

/** Name of the Gateway's load balancer the hcloud CCM creates (components/platform/networking.ts). */
export function gatewayLoadBalancerName(cluster: string): string {
  return `${cluster}-gateway`;
}

/** The Hetzner Load Balancer the hcloud CCM creates for the Istio ingress gateway (istio service). */
export function istioIngressLoadBalancerName(cluster: string): string {
  return `${cluster}-istio-ingress`;
}

/** A Talos Kubernetes cluster on Hetzner Cloud with its in-cluster essentials. */
export class TalosHcloudCluster extends pulumi.ComponentResource {
  /** The cluster contract handle. */
  public readonly handle: ClusterHandle;
  /** talosctl client config (secret). */
  public readonly talosconfig: pulumi.Output<string>;
  /** Settings for the cluster autoscaler service (non-secret). */
  public readonly autoscaler: AutoscalerSettings;
  /**
   * Worker machine config the cluster autoscaler gives its new servers as user data
   * (secret); `undefined` without autoscaled pools. It holds the Talos join credentials and
   * no stack secret (the worker patch carries none).
   */
  public readonly autoscalerWorkerConfig?: pulumi.Output<string>;

  constructor(name: string, args: TalosHcloudClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:TalosHcloudCluster", name, {}, opts);
    const config = args.config;
    const versions = args.versions;
    validateTalosHcloudArgs(config, versions);
    const sourcesWarning = apiSourcesWarning(config.apiAllowedCidrs);
    if (sourcesWarning) void pulumi.log.warn(`${config.name}: ${sourcesWarning}`, this);

    const nodes = planNodes(config);
    const controlPlanes = nodes.filter((n) => n.role === "controlplane");
    const firstCp = controlPlanes[0];
    const hc = { parent: this, provider: args.hcloudProvider };
    const me = { parent: this };
    const labels = { cluster: config.name };

    // --- Hetzner network, firewall, placement, SSH key ---------------------------------
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
        rules: resolveApiSources(config.apiAllowedCidrs, this).apply(firewallRules),
      },
      hc,
    );
    // Spread placement for the pools whose servers this component creates. The autoscaler's
    // settings (autoscaler.ts) name no placement group, so a group for its pools held nothing.
    const placement = new Map<string, hcloud.PlacementGroup>();
    for (const pool of config.nodePools.filter((p) => !p.autoscaler)) {
      placement.set(
        pool.name,
        new hcloud.PlacementGroup(
          `${name}-${pool.name}-placement`,
          { name: `${config.name}-${pool.name}`, type: "spread", labels },
          hc,
        ),
      );
    }
    const sshKeyBytes = new random.RandomId(`${name}-ssh-key-bytes`, { byteLength: 32 }, me);
    const sshKey = new hcloud.SshKey(
      `${name}-ssh-key`,
      {
        name: `${config.name}-no-login`,
        publicKey: sshKeyBytes.hex.apply((hex) =>
          ed25519PublicKeyLine(Buffer.from(hex, "hex"), `${config.name}-no-login`),
        ),
        labels,
      },
      hc,
    );
    // Control planes get Primary IPs up front, so the endpoint and cert SANs are known
    // before any server exists. Only the first is protected: it is the Kubernetes and Talos
    // API endpoint operators and the outputs contract use; the others go with their servers
    // when the control plane is scaled down. Protected in Pulumi only, not with Hetzner's
    // delete protection, which `pulumi destroy` could not lift after `pulumi state unprotect`.
    const cpIps = controlPlanes.map(
      (n, i) =>
        new hcloud.PrimaryIp(
          `${name}-${suffix(config, n)}-ip`,
          {
            name: n.name,
            type: "ipv4",
            assigneeType: "server",
            autoDelete: false,
            location: config.location,
            labels,
          },
          { ...hc, protect: i === 0 },
        ),
    );
    const cpAddresses = pulumi.all(cpIps.map((ip) => ip.ipAddress));
    // Operators (and the outputs contract) reach the API on the first control plane's
    // public address; the nodes reach it on its private one: the firewall does not open
    // the nodes' public addresses to each other, and private traffic is not filtered.
    const apiEndpoint = pulumi.interpolate`https://${cpIps[0].ipAddress}:${KUBE_API_PORT}`;
    const internalEndpoint = `https://${firstCp.privateIp}:${KUBE_API_PORT}`;

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
    // The Cilium version the cluster was bootstrapped with, kept in this resource's state
    // (ignoreChanges): the bootstrap Job must never change (essentials.ts `ciliumManifest`).
    const ciliumPin = new command.local.Command(
      `${name}-cilium-bootstrap`,
      {
        create: scripts.NOOP,
        environment: { CILIUM_VERSION: versions.cilium },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, ignoreChanges: ["environment"] },
    );
    const bootstrapCilium = ciliumPin.environment.apply((e) => e?.CILIUM_VERSION ?? versions.cilium);
    // etcd snapshots hold every Secret of the cluster: they are encrypted to
    // etcdBackup.ageRecipient, or, without one, to an age identity the program generates and
    // keeps in `<cluster>-etcd-backup-age-identity` (the operating guide's "Restore etcd").
    const backupRecipient: pulumi.Output<string> = config.etcdBackup.ageRecipient
      ? pulumi.output(config.etcdBackup.ageRecipient)
      : generatedBackupRecipient(name, this);
    const genEnv: Env = {
      CLUSTER_NAME: config.name,
      CLUSTER_ENDPOINT: internalEndpoint,
      TALOS_VERSION: versions.talos,
      KUBERNETES_VERSION: versions.kubernetes,
      TALOS_SECRETS: secretsYaml,
    };
    const poolConfigs = new Map<string, pulumi.Output<string>>();
    for (const pool of config.nodePools) {
      const input = { role: pool.role, pool: pool.name, labels: pool.labels, taints: pool.taints };
      // No stack secret in any patch (secrets.ts): the configs are secret for the Talos PKI
      // that `gen config` adds.
      const patch = pulumi
        .all([cpAddresses, bootstrapCilium, backupRecipient])
        .apply(([ips, cilium, recipient]) =>
          JSON.stringify(
            machinePatch(withRecipient(config, recipient), versions, input, certSans(ips, config), cilium),
          ),
        );
      const gen = new command.local.Command(
        `${name}-${pool.name}-config`,
        {
          create: scripts.genConfigScript(pool.role),
          environment: { ...genEnv, TALOS_PATCH: patch },
          interpreter: ["/bin/bash", "-c"],
        },
        { ...me, additionalSecretOutputs: ["stdout"] },
      );
      poolConfigs.set(pool.name, pulumi.secret(gen.stdout));
    }
    // No version in its inputs: a new talosconfig (a new client certificate) would re-run
    // every command that carries it (talosctl.ts `talosconfigScript`).
    const talosconfigCmd = new command.local.Command(
      `${name}-talosconfig`,
      {
        create: scripts.talosconfigScript(),
        environment: {
          CLUSTER_NAME: config.name,
          CLUSTER_ENDPOINT: internalEndpoint,
          TALOS_SECRETS: secretsYaml,
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
      const ip = n.role === "controlplane" ? cpIps[controlPlanes.indexOf(n)] : undefined;
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
          // No user data: the server boots Talos in maintenance mode and gets its machine
          // config through the Talos API (`-init` below). Hetzner limits user data to
          // 32 KiB and serves it to every process on the node from its metadata service.
          sshKeys: [sshKey.id],
          labels: { ...labels, nodepool: n.pool, role: n.role },
        },
        {
          ...hc,
          // Not protected: a lower pool count must delete the server (after `-leave` took
          // the node out of the cluster). What protection guards here is the machine
          // secrets, the LUKS passphrase and the endpoint's Primary IP.
          // Image changes go through `talosctl upgrade`, so they never replace a server.
          ignoreChanges: ["image", "sshKeys"],
          dependsOn: [subnet],
        },
      );
    });
    const inits = nodes.map(
      (n, i) =>
        new command.local.Command(
          `${name}-${suffix(config, n)}-init`,
          {
            create: scripts.initConfigScript(),
            environment: {
              ...talosEnv,
              NODE_ADDRESS: servers[i].ipv4Address,
              MACHINE_CONFIG: poolConfigs.get(n.pool) ?? "",
            },
            interpreter: ["/bin/bash", "-c"],
            // A replaced server is a new machine in maintenance mode: run again for it.
            triggers: [servers[i].id],
          },
          { ...me, dependsOn: [servers[i]] },
        ),
    );

    // --- Bootstrap (once), Kubernetes API, the cluster's Secrets, health -----------------
    const cpEnv: Env = { ...talosEnv, TALOS_NODE: firstCp.privateIp };
    const bootstrap = new command.local.Command(
      `${name}-bootstrap`,
      { create: scripts.bootstrapScript(), environment: cpEnv, interpreter: ["/bin/bash", "-c"] },
      // No update step and ignored inputs: etcd is bootstrapped exactly once per cluster.
      {
        ...me,
        dependsOn: inits.filter((_, i) => nodes[i].role === "controlplane"),
        ignoreChanges: ["create", "environment"],
      },
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
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig, enableServerSideApply: true }, me);
    // The CSI LUKS passphrase: never rotated (volumes formatted with it would not open again).
    const luksPassphrase = new random.RandomPassword(
      `${name}-csi-luks-passphrase`,
      { length: 48, special: false },
      { ...me, protect: true },
    );
    const secrets = clusterSecrets(name, {
      parent: this,
      provider,
      dependsOn: [kubeconfigCmd],
      networkId: network.id,
      secrets: args.secrets,
      luksPassphrase: luksPassphrase.result,
    });
    const health = new command.local.Command(
      `${name}-health`,
      { create: scripts.healthScript(), environment: cpEnv, interpreter: ["/bin/bash", "-c"] },
      // The CCM needs its Secret to initialise the nodes health waits for.
      {
        ...me,
        dependsOn: [bootstrap, ...inits, ...secrets.secrets],
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
          // The node got this very config at `-init`; only later changes need applying.
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

    // Later changes to the inline manifests (CCM, CSI, the Cilium bootstrap Job, backups)
    // reach the cluster only through `talosctl upgrade-k8s`, which syncs the bootstrap
    // manifests from the applied control-plane config: Talos itself only creates missing
    // manifests at bootstrap (Talos docs "Upgrading Kubernetes"; hcloud-k8s runs the same
    // after a config change). The trigger is a hash of the manifests, which hold no secret;
    // the Secrets they read are Kubernetes objects of their own (secrets.ts).
    const manifestsHash = pulumi.all([bootstrapCilium, backupRecipient]).apply(([cilium, recipient]) =>
      createHash("sha256")
        .update(
          JSON.stringify([
            essentialInlineManifests(withRecipient(config, recipient), versions, cilium),
            extraManifestUrls(versions),
          ]),
        )
        .digest("hex"),
    );
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

    // --- Scale down and destroy ------------------------------------------------------------
    // Each node leaves the cluster before its server is deleted (`delete` of `-leave` runs
    // first: it depends on the server). Each depends on the previous node's, so removals run
    // one at a time in reverse (workers first, then control planes one by one): etcd keeps
    // quorum through every member removal.
    let leavePrevious: pulumi.Resource | undefined;
    nodes.forEach((n, i) => {
      leavePrevious = new command.local.Command(
        `${name}-${suffix(config, n)}-leave`,
        {
          create: scripts.NOOP,
          delete: scripts.leaveScript(n.role),
          environment: {
            ...talosEnv,
            KUBECONFIG_CONTENT: kubeconfig,
            TALOS_NODE: n.privateIp,
            NODE_NAME: n.name,
          },
          interpreter: ["/bin/bash", "-c"],
        },
        { ...me, dependsOn: [servers[i], inits[i], ...(leavePrevious ? [leavePrevious] : [])] },
      );
    });
    // Deleted before the network and firewall: stops a destroy that would fail on what the
    // cluster itself created in the project (talosctl.ts `destroyGuardScript`).
    const destroyGuard = new command.local.Command(
      `${name}-destroy-guard`,
      {
        create: scripts.NOOP,
        delete: scripts.destroyGuardScript(),
        environment: {
          HCLOUD_TOKEN: args.secrets.hcloudToken,
          NODE_GROUPS: autoscalerSettings(config)
            .nodeGroups.map((g) => g.name)
            .join(" "),
          LOAD_BALANCERS: [
            gatewayLoadBalancerName(config.name),
            istioIngressLoadBalancerName(config.name),
          ].join(" "),
          VOLUME_SELECTOR: `cluster=${config.name}`,
        },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, dependsOn: [network, subnet, firewall, ...(autoscalerSubnet ? [autoscalerSubnet] : [])] },
    );

    // The Gateway's load balancer, made here so the program knows its address and removes
    // it on destroy. The hcloud CCM looks a Service's load balancer up by the name annotation
    // when none carries the Service's UID label: "Import of load balancers which were created
    // by other means but should be re-used by the cloud controller manager"
    // (hcloud-cloud-controller-manager hcloud/load_balancers.go, EnsureLoadBalancer); it then
    // adds that label, attaches the private network and manages services and targets.
    const gatewayLb =
      args.gateway?.mode === "hcloud"
        ? new hcloud.LoadBalancer(
            `${name}-gateway-lb`,
            {
              name: gatewayLoadBalancerName(config.name),
              loadBalancerType: args.gateway.type,
              location: args.gateway.location,
              labels,
            },
            // Deleted before the network it is attached to, and after the destroy guard ran.
            { ...hc, ignoreChanges: ["labels"], dependsOn: [network, subnet, destroyGuard] },
          )
        : undefined;

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
      loadBalancerAddress: gatewayLb
        ? gatewayLb.ipv4
        : args.gateway?.mode === "lb-ipam"
          ? pulumi.output(args.gateway.address)
          : (workerServers[0] ?? servers[0]).ipv4Address,
      ready: [health, k8sUpgrade, manifestsSync, metadataPolicy, ...restarts, destroyGuard],
    };
    this.registerOutputs({
      apiEndpoint,
      kubeconfig,
      talosconfig: this.talosconfig,
      nodeAddresses: this.handle.nodeAddresses,
    });
  }
}

/** The config with the etcd snapshots' effective age recipient. */
function withRecipient(config: TalosHcloudClusterConfig, recipient: string): TalosHcloudClusterConfig {
  return { ...config, etcdBackup: { ...config.etcdBackup, ageRecipient: recipient } };
}

/**
 * An age X25519 identity for the etcd snapshots, generated once and protected (backups
 * encrypted to it cannot be read without it); its identity line is kept as the secret
 * stdout of `<name>-etcd-backup-age-identity`, where the restore procedure reads it. The
 * 32-byte secret is the SHA-256 of random bytes, so any input length gives a valid key.
 */
function generatedBackupRecipient(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const bytes = new random.RandomBytes(
    `${name}-etcd-backup-age-key`,
    { length: 32 },
    { parent, protect: true },
  );
  const secret = bytes.base64.apply((b64) =>
    createHash("sha256").update(Buffer.from(b64, "base64")).digest(),
  );
  new command.local.Command(
    `${name}-etcd-backup-age-identity`,
    {
      create: `printf '%s\\n' "$AGE_IDENTITY"`,
      environment: { AGE_IDENTITY: pulumi.secret(secret.apply(ageIdentity)) },
      interpreter: ["/bin/bash", "-c"],
    },
    { parent, additionalSecretOutputs: ["stdout"] },
  );
  // A public key: not secret, and plain in the backup CronJob's environment.
  return pulumi.unsecret(secret.apply(ageRecipient));
}

/** `<pool>-<n>` part of a node's name, used in child resource names. */
function suffix(config: TalosHcloudClusterConfig, node: NodePlan): string {
  return node.name.slice(config.name.length + 1);
}
