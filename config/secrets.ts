/**
 * Which secret config keys a stack needs, and why: the one source for the program's own
 * check (config/load.ts requires the same keys), the offline synth's fakes and its list of
 * optional secrets, `npm run secrets -- <stack>` and the README's per-stack lists (a test
 * compares them).
 */
import { CONFIG_KEYS, requiredSecretKeys, type ConfigKey, type KeySpec } from "./keys";
import { parseLeniently, serviceSecretNeeds, type RawStackConfig } from "./load";
import type { Units } from "./units";

/** A secret the stack cannot run without. */
export interface RequiredSecret {
  readonly key: ConfigKey;
  /** Who needs it: `every cloud stack`, `cert-manager on cluster prod`, ... */
  readonly why: string;
}

/** A secret the stack runs without, leaving something out. */
export interface OptionalSecret {
  readonly key: ConfigKey;
  /** Who reads it when set. */
  readonly why: string;
  /** What is left out while it is unset. */
  readonly whenUnset: string;
}

/** The secrets of one stack. */
export interface SecretPlan {
  readonly required: RequiredSecret[];
  /** Only those that something in this stack reads. */
  readonly optional: OptionalSecret[];
}

/** What a user types for each secret's value (a file redirect where the value is a file). */
export const SECRET_PLACEHOLDERS: Readonly<Record<string, string>> = {
  hcloudToken: "<hetzner-api-token>",
  etcdBackupS3AccessKeyId: "<s3-access-key-id>",
  etcdBackupS3SecretAccessKey: "<s3-secret-access-key>",
  sshPrivateKey: "< ~/.ssh/homelab_ed25519",
  proxmoxApiToken: "'user@pve!pulumi=<uuid>'",
  gitToken: "<read-only-token>",
  sopsAgeKey: "< age.key",
  cloudflareApiToken: "<zone-dns-edit-token>",
  cnpgBackupS3AccessKeyId: "<key-id>",
  cnpgBackupS3SecretAccessKey: "<secret-key>",
  k3sEtcdS3AccessKeyId: "<s3-access-key-id>",
  k3sEtcdS3SecretAccessKey: "<s3-secret-access-key>",
  longhornBackupS3AccessKeyId: "<key-id>",
  longhornBackupS3SecretAccessKey: "<secret-key>",
  bitwardenAccessToken: "<machine-account-token>",
  vaultToken: "<token>",
  onePasswordConnectToken: "<connect-token>",
  onePasswordCredentials: "< 1password-credentials.json",
  onePasswordServiceAccountToken: "<service-account-token>",
  renovateToken: "<git-platform-token>",
  steadyGhcrDockerConfigJson: "< dockerconfig.json",
  ntfyWebPushPublicKey: "<vapid-public-key>",
  ntfyWebPushPrivateKey: "<vapid-private-key>",
  kubeconfigs: `"$(jq -n --rawfile k kubeconfig '{"<cluster>": $k}')"`,
};

/** Keys in the order config/keys.ts declares them. */
const ORDER = Object.keys(CONFIG_KEYS);
const byKeyOrder = (a: { key: string }, b: { key: string }) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key);

/** The secret keys a service or app definition declares it reads. */
function declaredSecrets(definition: { secrets?: Readonly<Record<string, unknown>> } | undefined): string[] {
  return Object.keys(definition?.secrets ?? {}).filter((k) => k in CONFIG_KEYS);
}

/** Who needs a key: grouped by who, with the clusters where each does. */
class Reasons {
  private readonly byWho = new Map<string, string[]>();

  add(who: string, cluster?: string): void {
    const clusters = this.byWho.get(who) ?? [];
    if (cluster !== undefined && !clusters.includes(cluster)) clusters.push(cluster);
    this.byWho.set(who, clusters);
  }

  /** `cert-manager on clusters production, staging; renovate on cluster production`. */
  toString(): string {
    return [...this.byWho]
      .map(([who, clusters]) =>
        clusters.length === 0
          ? who
          : `${who} on cluster${clusters.length > 1 ? "s" : ""} ${clusters.join(", ")}`,
      )
      .join("; ");
  }
}

/** The secrets a stack's raw config needs and the optional ones that apply to it. */
export function secretPlan(raw: RawStackConfig, units: Units): SecretPlan {
  const { shape, clusters } = parseLeniently(raw, units);
  const required = new Map<ConfigKey, Reasons>();
  const need = (key: string, who: string, cluster?: string) => {
    if (!required.has(key as ConfigKey)) required.set(key as ConfigKey, new Reasons());
    required.get(key as ConfigKey)!.add(who, cluster);
  };
  if (shape) for (const key of requiredSecretKeys(shape, [])) need(key, `every ${shape} stack`);
  for (const c of clusters) if (c.kind === "k3d-proxmox") need("proxmoxApiToken", "k3d-proxmox", c.name);
  for (const c of clusters) if (c.kind === "existing") need("kubeconfigs", "existing", c.name);
  for (const c of clusters)
    if (c.kind === "k3s" && c.etcdSnapshots !== undefined)
      for (const key of ["k3sEtcdS3AccessKeyId", "k3sEtcdS3SecretAccessKey"])
        need(key, "k3s etcdSnapshots", c.name);
  for (const n of serviceSecretNeeds(clusters)) need(n.key, n.service, n.cluster);

  const optional = new Map<ConfigKey, Reasons>();
  const may = (key: string, who: string, cluster: string) => {
    if (required.has(key as ConfigKey)) return;
    if (!optional.has(key as ConfigKey)) optional.set(key as ConfigKey, new Reasons());
    optional.get(key as ConfigKey)!.add(who, cluster);
  };
  for (const c of clusters) {
    may("gitToken", `the ${c.engine} engine, for a private repository,`, c.name);
    if (c.engine === "flux") may("sopsAgeKey", "Flux, for SOPS-encrypted files,", c.name);
    for (const service of c.services) {
      const unit = c.serviceSettings?.[service];
      const keys = unit?.readSecrets
        ? unit.readSecrets()
        : declaredSecrets(units.services.find((s) => s.name === service));
      for (const key of keys) may(key, service, c.name);
    }
    for (const app of c.apps)
      for (const key of declaredSecrets(units.apps.find((a) => a.name === app))) may(key, app, c.name);
  }
  return {
    required: [...required].map(([key, why]) => ({ key, why: why.toString() })).sort(byKeyOrder),
    optional: [...optional]
      .map(([key, why]) => {
        const spec: KeySpec = CONFIG_KEYS[key];
        return { key, why: why.toString(), whenUnset: spec.whenUnset ?? "" };
      })
      .sort(byKeyOrder),
  };
}

/**
 * The plan as shell lines: a `pulumi config set --secret` command for each required secret
 * with who needs it, then each optional one commented out with what it leaves out.
 */
export function renderSecretPlan(stack: string, plan: SecretPlan): string[] {
  const command = (key: string) => `pulumi config set --secret platform:${key} ${SECRET_PLACEHOLDERS[key]}`;
  const lines = [
    `# ${stack}: required (pulumi stack select ${stack} first; each is encrypted into Pulumi.${stack}.yaml)`,
  ];
  for (const s of plan.required) lines.push(`${command(s.key)}  # ${s.why}`);
  if (plan.optional.length > 0) {
    lines.push(`# ${stack}: optional (read by: who; without it: what is left out)`);
    for (const s of plan.optional)
      lines.push(`#   ${command(s.key)}  # ${s.why}; without it: ${s.whenUnset}`);
  }
  return lines;
}
