/** The cloudnative-pg platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import {
  CLOUDNATIVE_PG_DEFAULTS as D,
  type CloudnativePgSettings,
  parseCloudnativePgSettings,
} from "./settings";
import { type Addon } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";

/** Item names other items depend on. */
export const CNPG_OPERATOR_ITEM = "cloudnative-pg";

export const CNPG_PLUGIN_ITEM = "plugin-barman-cloud";

/** The plugin's name in `Cluster.spec.plugins` (plugin docs, "Using the Barman Cloud Plugin"). */
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

/** Secret config keys of the backup object store (Backblaze B2 application key, 004). */
export const CNPG_BACKUP_KEY_ID = "cnpgBackupS3AccessKeyId";

export const CNPG_BACKUP_SECRET_KEY = "cnpgBackupS3SecretAccessKey";

/** The CNPG operator and the Barman Cloud plugin (CNPG >= 1.26, cert-manager required). */
export const cloudnativePgService = defineService<CloudnativePgSettings>({
  name: "cloudnative-pg",
  catalog: {
    description: "PostgreSQL operator with the Barman Cloud backup plugin",
    source: "000, 002, 004",
    // The Barman Cloud plugin's TLS certificates come from cert-manager (plugin docs).
    needsServices: ["cert-manager"],
  },
  charts: { operator: D.operatorChart, plugin: D.pluginChart },
  parse: parseCloudnativePgSettings,
  secrets: {
    [CNPG_BACKUP_KEY_ID]: { description: "S3 (Backblaze B2) key id for database backups", required: false },
    [CNPG_BACKUP_SECRET_KEY]: {
      description: "S3 (Backblaze B2) secret key for database backups",
      required: false,
    },
  },
  neededSecrets: (s) => (s.backup ? [CNPG_BACKUP_KEY_ID, CNPG_BACKUP_SECRET_KEY] : []),
  build(ctx) {
    if (ctx.settings.backup && (!ctx.secrets[CNPG_BACKUP_KEY_ID] || !ctx.secrets[CNPG_BACKUP_SECRET_KEY])) {
      throw new Error(
        `cloudnative-pg on cluster "${ctx.cluster.name}": serviceSettings.cloudnative-pg.backup is set, so secret config platform:${CNPG_BACKUP_KEY_ID} and platform:${CNPG_BACKUP_SECRET_KEY} are required; set them with pulumi config set --secret`,
      );
    }
    const operator: Addon = {
      kind: "addon",
      name: CNPG_OPERATOR_ITEM,
      layer: "infrastructure-controllers",
      namespace: D.namespace,
      ...addonChart(D.operatorChart),
      includeCrds: true,
      values: { crds: { create: true } },
      // The operator writes its own CA into its webhooks (chart templates, 4 mutating and
      // 5 validating webhooks at the chart's main branch; re-check on a chart bump).
      ignoreDifferences: [
        {
          group: "admissionregistration.k8s.io",
          kind: "MutatingWebhookConfiguration",
          name: "cnpg-mutating-webhook-configuration",
          jsonPointers: [0, 1, 2, 3].map((i) => `/webhooks/${i}/clientConfig/caBundle`),
        },
        {
          group: "admissionregistration.k8s.io",
          kind: "ValidatingWebhookConfiguration",
          name: "cnpg-validating-webhook-configuration",
          jsonPointers: [0, 1, 2, 3, 4].map((i) => `/webhooks/${i}/clientConfig/caBundle`),
        },
      ],
    };
    const plugin: Addon = {
      kind: "addon",
      name: CNPG_PLUGIN_ITEM,
      layer: "infrastructure-controllers",
      namespace: D.namespace,
      ...addonChart(D.pluginChart),
      includeCrds: true,
      values: { crds: { create: true } },
      // Its Issuer and Certificates are cert-manager CRs; it talks to the operator.
      dependsOn: [CNPG_OPERATOR_ITEM, "cert-manager"],
    };
    return { items: [operator, plugin], liveSecrets: [] };
  },
});
