/**
 * The Talos side generated before any server: the machine secrets (once), the Cilium version
 * the cluster is bootstrapped with, the etcd snapshots' age recipient, one machine config per
 * pool and the talosconfig, each by `talosctl` in a local Command (talosctl.ts).
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import type { TalosHcloudClusterConfig } from "../../../config/types";
import { ageIdentity, ageRecipient } from "./age";
import type { ControlPlaneAddresses } from "./infrastructure";
import { certSans, machinePatch } from "./machine-config";
import type { Env, TalosStepContext } from "./steps";
import * as scripts from "./talosctl";

/** What the servers and day-2 steps need from the generated Talos configuration. */
export interface TalosConfigs {
  /** The Cilium version the cluster was bootstrapped with (kept in state). */
  readonly bootstrapCilium: pulumi.Output<string>;
  /** The age public key etcd snapshots are encrypted to. */
  readonly backupRecipient: pulumi.Output<string>;
  /** The machine config of each pool (secret), by pool name. */
  readonly poolConfigs: ReadonlyMap<string, pulumi.Output<string>>;
  /** talosctl client config (secret). */
  readonly talosconfig: pulumi.Output<string>;
}

/** Generates the machine secrets, the pool configs and the talosconfig. */
export function talosConfigs(ctx: TalosStepContext, cp: ControlPlaneAddresses): TalosConfigs {
  const { name, config, versions } = ctx;
  const me = { parent: ctx.parent };
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
    : generatedBackupRecipient(name, ctx.parent);
  const poolConfigs = machineConfigs(ctx, cp, secretsYaml, bootstrapCilium, backupRecipient);
  // No version in its inputs: a new talosconfig (a new client certificate) would re-run
  // every command that carries it (talosctl.ts `talosconfigScript`).
  const talosconfigCmd = new command.local.Command(
    `${name}-talosconfig`,
    {
      create: scripts.talosconfigScript(),
      environment: {
        CLUSTER_NAME: config.name,
        CLUSTER_ENDPOINT: cp.internalEndpoint,
        TALOS_SECRETS: secretsYaml,
        TALOS_ENDPOINTS: cp.addresses.apply((ips) => ips.join(" ")),
        TALOS_NODE: ctx.firstCp.privateIp,
      },
      interpreter: ["/bin/bash", "-c"],
    },
    { ...me, additionalSecretOutputs: ["stdout"] },
  );
  return { bootstrapCilium, backupRecipient, poolConfigs, talosconfig: pulumi.secret(talosconfigCmd.stdout) };
}

/** One `talosctl gen config` per pool, with the pool's patch (machine-config.ts). */
function machineConfigs(
  ctx: TalosStepContext,
  cp: ControlPlaneAddresses,
  secretsYaml: pulumi.Output<string>,
  bootstrapCilium: pulumi.Output<string>,
  backupRecipient: pulumi.Output<string>,
): Map<string, pulumi.Output<string>> {
  const { name, config, versions } = ctx;
  const genEnv: Env = {
    CLUSTER_NAME: config.name,
    CLUSTER_ENDPOINT: cp.internalEndpoint,
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
      .all([cp.addresses, bootstrapCilium, backupRecipient])
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
      { parent: ctx.parent, additionalSecretOutputs: ["stdout"] },
    );
    poolConfigs.set(pool.name, pulumi.secret(gen.stdout));
  }
  return poolConfigs;
}

/** The config with the etcd snapshots' effective age recipient. */
export function withRecipient(config: TalosHcloudClusterConfig, recipient: string): TalosHcloudClusterConfig {
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
