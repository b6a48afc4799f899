/**
 * Every config key the program reads: the one list that Pulumi.yaml's `config:` block,
 * the README's reference and `load.ts` are checked against.
 */
import type { StackShape } from "./types";

/** The namespace of the program's own keys (the project name). */
export const NAMESPACE = "platform";

/** How one key is declared. */
export interface KeySpec {
  readonly type: "string" | "object";
  readonly secret: boolean;
  readonly description: string;
  /** Shapes that must set it. @default none (optional everywhere) */
  readonly requiredFor?: readonly StackShape[];
  /** For an optional secret: what the program leaves out when it is not set. @default none */
  readonly whenUnset?: string;
}

/** The program's config keys, without the namespace. */
export const CONFIG_KEYS = {
  shape: {
    type: "string",
    secret: false,
    description: "Which composition the stack runs: cloud (Talos on Hetzner Cloud) or homelab (K3s and k3d).",
    requiredFor: ["cloud", "homelab"],
  },
  clusters: {
    type: "object",
    secret: false,
    description: "The stack's clusters, keyed by cluster name; see the README's config reference.",
    requiredFor: ["cloud", "homelab"],
  },
  versions: {
    type: "object",
    secret: false,
    description:
      "Overrides of pinned versions (talos, kubernetes, k3s, k3d, flux, argocdChart, ...); defaults in config/defaults.ts.",
  },
  appModules: {
    type: "object",
    secret: false,
    description:
      'Custom apps: app name -> module path relative to the repository, compiled by npm run build; see the README\'s "Add your own app".',
  },
  hcloudToken: {
    type: "string",
    secret: true,
    description: "Hetzner Cloud API token (read/write) for the project the clusters live in.",
    requiredFor: ["cloud"],
  },
  etcdBackupS3AccessKeyId: {
    type: "string",
    secret: true,
    description: "S3 access key id for the hourly etcd backups.",
    requiredFor: ["cloud"],
  },
  etcdBackupS3SecretAccessKey: {
    type: "string",
    secret: true,
    description: "S3 secret access key for the hourly etcd backups.",
    requiredFor: ["cloud"],
  },
  sshPrivateKey: {
    type: "string",
    secret: true,
    description: "OpenSSH private key that reaches the homelab hosts and the Proxmox VM.",
    requiredFor: ["homelab"],
  },
  k3sEtcdS3AccessKeyId: {
    type: "string",
    secret: true,
    description: "S3 access key id for K3s's etcd snapshots (a k3s cluster with etcdSnapshots).",
    whenUnset: "no k3s cluster may set etcdSnapshots (the program refuses one that does)",
  },
  k3sEtcdS3SecretAccessKey: {
    type: "string",
    secret: true,
    description: "S3 secret access key for K3s's etcd snapshots (a k3s cluster with etcdSnapshots).",
    whenUnset: "no k3s cluster may set etcdSnapshots (the program refuses one that does)",
  },
  proxmoxApiToken: {
    type: "string",
    secret: true,
    description: "Proxmox API token as user@realm!tokenid=uuid (needed when a k3d-proxmox cluster exists).",
    whenUnset: "no k3d-proxmox cluster can be built (the program refuses a stack that has one)",
  },
  gitToken: {
    type: "string",
    secret: true,
    description: "Token the GitOps engine reads the repository with; leave unset for a public repository.",
    whenUnset:
      "no git credentials Secret; the engines read the repository anonymously (public repositories only)",
  },
  sopsAgeKey: {
    type: "string",
    secret: true,
    description:
      "age private key Flux decrypts SOPS files with (the sops-age Secret); leave unset without SOPS files.",
    whenUnset: "no sops-age Secret; Flux applies no SOPS decryption",
  },
  kubeconfigs: {
    type: "object",
    secret: true,
    description:
      "Kubeconfigs of the existing clusters, keyed by cluster name (pulumi config set --secret --path 'platform:kubeconfigs.<cluster>' \"$(cat kubeconfig)\").",
    whenUnset: "no existing cluster can be used (the program refuses a stack that has one)",
  },
  // Secrets of the platform services (each service's definition says when it needs one;
  // config validation requires them before anything is registered).
  cloudflareApiToken: {
    type: "string",
    secret: true,
    description: "Cloudflare API token with Zone:DNS:Edit, for cert-manager's ACME DNS-01 challenges.",
    whenUnset: "needed by cert-manager; without cert-manager nothing uses it",
  },
  cnpgBackupS3AccessKeyId: {
    type: "string",
    secret: true,
    description: "S3 (Backblaze B2) key id for CloudNativePG base backups and WAL archives.",
    whenUnset:
      "needed when serviceSettings.cloudnative-pg.backup is set; otherwise databases are not backed up",
  },
  cnpgBackupS3SecretAccessKey: {
    type: "string",
    secret: true,
    description: "S3 (Backblaze B2) secret key for CloudNativePG base backups and WAL archives.",
    whenUnset:
      "needed when serviceSettings.cloudnative-pg.backup is set; otherwise databases are not backed up",
  },
  longhornBackupS3AccessKeyId: {
    type: "string",
    secret: true,
    description: "S3 (Backblaze B2) key id of the Longhorn volume backup target.",
    whenUnset: "needed when serviceSettings.longhorn.backup is set; otherwise volumes are not backed up",
  },
  longhornBackupS3SecretAccessKey: {
    type: "string",
    secret: true,
    description: "S3 (Backblaze B2) secret key of the Longhorn volume backup target.",
    whenUnset: "needed when serviceSettings.longhorn.backup is set; otherwise volumes are not backed up",
  },
  bitwardenAccessToken: {
    type: "string",
    secret: true,
    description:
      "Bitwarden Secrets Manager machine-account token for the External Secrets bitwarden-backend store.",
    whenUnset: "needed when serviceSettings.external-secrets.bitwarden is set; otherwise no Bitwarden store",
  },
  vaultToken: {
    type: "string",
    secret: true,
    description: "Vault token for the External Secrets vault-backend store (auth: token).",
    whenUnset: "needed when serviceSettings.external-secrets.vault.auth is token; otherwise no Vault token",
  },
  onePasswordConnectToken: {
    type: "string",
    secret: true,
    description: "1Password Connect token for the 1Password operator and the onepassword-backend store.",
    whenUnset: "needed by onepassword-operator and the onepassword-backend store",
  },
  onePasswordCredentials: {
    type: "string",
    secret: true,
    description: "1password-credentials.json of the 1Password Connect server.",
    whenUnset: "needed by onepassword-operator",
  },
  onePasswordServiceAccountToken: {
    type: "string",
    secret: true,
    description:
      "1Password service-account token for the 1Password operator (serviceSettings.onepassword-operator.auth service-account).",
    whenUnset: "needed by onepassword-operator with auth service-account",
  },
  renovateToken: {
    type: "string",
    secret: true,
    description: "Token Renovate uses on the git platform.",
    whenUnset: "needed by renovate",
  },
  // Secrets of the application stacks.
  steadyGhcrDockerConfigJson: {
    type: "string",
    secret: true,
    description:
      "`.dockerconfigjson` (JSON with registry auths) of the ghcr.io pull secret for the private Steady images (000).",
    whenUnset: "needed by steady; without it nothing uses it",
  },
  ntfyWebPushPublicKey: {
    type: "string",
    secret: true,
    description: "VAPID public key of ntfy's web push (`ntfy webpush keys`, 004).",
    whenUnset: "ntfy runs without web push",
  },
  ntfyWebPushPrivateKey: {
    type: "string",
    secret: true,
    description: "VAPID private key of ntfy's web push (`ntfy webpush keys`, 004).",
    whenUnset: "ntfy runs without web push",
  },
} as const satisfies Record<string, KeySpec>;

/** A key of {@link CONFIG_KEYS}. */
export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * The secret keys a stack must set, from its shape and the kinds of its clusters: the one
 * rule `config/load.ts` enforces and the offline synth fakes.
 */
export function requiredSecretKeys(
  shape: StackShape,
  clusterKinds: readonly string[],
  k3sEtcdSnapshots = false,
): ConfigKey[] {
  const keys = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((key) => {
    const spec: KeySpec = CONFIG_KEYS[key];
    return spec.secret && (spec.requiredFor ?? []).includes(shape);
  });
  if (clusterKinds.includes("k3d-proxmox")) keys.push("proxmoxApiToken");
  if (k3sEtcdSnapshots) keys.push("k3sEtcdS3AccessKeyId", "k3sEtcdS3SecretAccessKey");
  if (clusterKinds.includes("existing")) keys.push("kubeconfigs");
  return keys;
}

/**
 * Whether Pulumi.yaml declares a key. The CLI refuses a stack that lacks a declared key
 * with no `default` ("Stack 'x' is missing configuration value ..."; pulumi/pulumi
 * sdk/go/common/workspace/config.go `mergeConfig`), and a declared `secret: true` key with
 * a default fails its own check that the value be encrypted (`validateStackConfigValue`),
 * so a key one shape needs and another lacks cannot be declared at all. Pulumi.yaml
 * therefore declares the keys every stack has (and optional plain keys with a default);
 * the secrets are documented here, in the README and in each stack file's header.
 */
export function isDeclaredInProject(key: ConfigKey): boolean {
  return !CONFIG_KEYS[key].secret;
}
