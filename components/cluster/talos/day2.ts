/**
 * Day-2 changes of a running cluster, in order: a Talos upgrade one node at a time (control
 * planes first), then Kubernetes, then changed machine configs, then changed bootstrap
 * manifests.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { BootstrappedCluster } from "./bootstrap";
import { withRecipient, type TalosConfigs } from "./configs";
import { essentialInlineManifests, extraManifestUrls } from "./essentials";
import { installerImage } from "./machine-config";
import { nodeSuffix, type TalosStepContext } from "./steps";
import * as scripts from "./talosctl";

/** The day-2 commands `ready` waits for. */
export interface Day2Operations {
  /** `talosctl upgrade-k8s` when `versions.kubernetes` changes. */
  readonly k8sUpgrade: command.local.Command;
  /** `talosctl upgrade-k8s` when the bootstrap manifests change. */
  readonly manifestsSync: command.local.Command;
}

/** Registers the upgrade, apply and manifest-sync commands, each after the previous. */
export function day2Operations(
  ctx: TalosStepContext,
  configs: TalosConfigs,
  cluster: BootstrappedCluster,
): Day2Operations {
  const { name, config, versions } = ctx;
  const me = { parent: ctx.parent };
  const talosEnv = { TALOSCONFIG_CONTENT: configs.talosconfig };
  let previous: pulumi.Resource = cluster.health;
  for (const n of ctx.nodes) {
    previous = new command.local.Command(
      `${name}-${nodeSuffix(config, n)}-upgrade`,
      {
        create: scripts.upgradeNodeScript(),
        update: scripts.upgradeNodeScript(),
        environment: {
          ...talosEnv,
          TALOS_NODE: n.privateIp,
          TALOS_HEALTH_NODE: ctx.firstCp.privateIp,
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
      environment: { ...cluster.cpEnv, KUBERNETES_VERSION: versions.kubernetes },
      interpreter: ["/bin/bash", "-c"],
    },
    { ...me, dependsOn: [previous] },
  );
  previous = k8sUpgrade;
  for (const n of ctx.nodes) {
    previous = new command.local.Command(
      `${name}-${nodeSuffix(config, n)}-apply`,
      {
        // The node got this very config at `-init`; only later changes need applying.
        create: scripts.NOOP,
        update: scripts.applyConfigScript(),
        environment: {
          ...talosEnv,
          TALOS_NODE: n.privateIp,
          MACHINE_CONFIG: configs.poolConfigs.get(n.pool) ?? "",
        },
        interpreter: ["/bin/bash", "-c"],
      },
      { ...me, dependsOn: [previous] },
    );
  }
  return { k8sUpgrade, manifestsSync: manifestsSync(ctx, configs, cluster, previous) };
}

/**
 * Later changes to the inline manifests (CCM, CSI, the Cilium bootstrap Job, backups) reach
 * the cluster only through `talosctl upgrade-k8s`, which syncs the bootstrap manifests from
 * the applied control-plane config: Talos itself only creates missing manifests at bootstrap
 * (Talos docs "Upgrading Kubernetes"; hcloud-k8s runs the same after a config change). The
 * trigger is a hash of the manifests, which hold no secret; the Secrets they read are
 * Kubernetes objects of their own (secrets.ts).
 */
function manifestsSync(
  ctx: TalosStepContext,
  configs: TalosConfigs,
  cluster: BootstrappedCluster,
  after: pulumi.Resource,
): command.local.Command {
  const { config, versions } = ctx;
  const manifestsHash = pulumi
    .all([configs.bootstrapCilium, configs.backupRecipient])
    .apply(([cilium, recipient]) =>
      createHash("sha256")
        .update(
          JSON.stringify([
            essentialInlineManifests(withRecipient(config, recipient), versions, cilium),
            extraManifestUrls(versions),
          ]),
        )
        .digest("hex"),
    );
  return new command.local.Command(
    `${ctx.name}-manifests-sync`,
    {
      create: scripts.NOOP,
      update: scripts.upgradeKubernetesScript(),
      environment: {
        ...cluster.cpEnv,
        KUBERNETES_VERSION: versions.kubernetes,
        MANIFESTS_HASH: manifestsHash,
      },
      interpreter: ["/bin/bash", "-c"],
    },
    { parent: ctx.parent, dependsOn: [after] },
  );
}
