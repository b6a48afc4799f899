/** The sealed-secrets platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type SealedSecretsSettings, parseSealedSecretsSettings } from "./settings";
import type { Addon } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { SEALED_SECRETS_CHART } from "./settings";

/**
 * SealedSecrets controller (000). Named `sealed-secrets-controller` in kube-system, what
 * `kubeseal` looks for by default. Its sealing keys are Secrets the controller creates, not
 * chart objects: an uninstall or `destroy` keeps them, so re-installing decrypts old files.
 */
export const sealedSecretsService = defineService<SealedSecretsSettings>({
  name: "sealed-secrets",
  catalog: { description: "Bitnami SealedSecrets controller", source: "000" },
  charts: { controller: SEALED_SECRETS_CHART },
  parse: parseSealedSecretsSettings,
  build(ctx) {
    const addon: Addon = {
      kind: "addon",
      name: "sealed-secrets",
      layer: "infrastructure-controllers",
      namespace: "kube-system",
      ...addonChart(SEALED_SECRETS_CHART, ctx.settings.version),
      includeCrds: true,
      values: { fullnameOverride: "sealed-secrets-controller" },
    };
    return { items: [addon], liveSecrets: [] };
  },
});
