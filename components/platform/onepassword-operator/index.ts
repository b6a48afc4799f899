/** The onepassword-operator platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type OnePasswordOperatorSettings, parseOnePasswordOperatorSettings } from "./settings";
import type { Addon, LiveSecret } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { requireSecret } from "../service-secrets";
import { CONNECT_CHART } from "./settings";

/** 001: "kubectl get pods -n onepassword-system". */
export const ONEPASSWORD_NAMESPACE = "onepassword-system";

/** 1Password Connect and its operator (1password/connect chart, `operator.create`). */
export const onePasswordOperatorService = defineService<OnePasswordOperatorSettings>({
  name: "onepassword-operator",
  catalog: {
    description: "1Password operator for external API keys",
    source: "001",
  },
  charts: { connect: CONNECT_CHART },
  parse: parseOnePasswordOperatorSettings,
  secrets: {
    onePasswordCredentials: {
      description: "1password-credentials.json of the Connect server",
      required: true,
    },
    onePasswordConnectToken: {
      description: "1Password Connect token (onepassword-backend store and operator)",
      required: true,
    },
  },
  build(ctx) {
    const credentials = requireSecret(
      ctx.secrets,
      "onePasswordCredentials",
      "onepassword-operator is enabled",
    );
    const token = requireSecret(ctx.secrets, "onePasswordConnectToken", "onepassword-operator is enabled");
    const addon: Addon = {
      kind: "addon",
      name: "onepassword-connect",
      layer: "infrastructure-controllers",
      namespace: ONEPASSWORD_NAMESPACE,
      ...addonChart(CONNECT_CHART, ctx.settings.version),
      includeCrds: true,
      // connect-helm-charts charts/connect/values.yaml: connect.credentialsName/Key, operator.token.name/key.
      values: {
        connect: {
          serviceType: "ClusterIP",
          credentialsName: "op-credentials",
          credentialsKey: "1password-credentials.json",
        },
        // `authMethod: connect` (chart 2.x operator-deployment.yaml) reads OP_CONNECT_TOKEN from operator.token.
        operator: { create: true, authMethod: "connect", token: { name: "onepassword-token", key: "token" } },
      },
    };
    const liveSecrets: LiveSecret[] = [
      // The Connect server reads the credentials file base64-encoded (the chart's own
      // Secret template encodes `connect.credentials` that way); stored encoded here too.
      {
        name: "op-credentials",
        namespace: ONEPASSWORD_NAMESPACE,
        stringData: {
          "1password-credentials.json": credentials.apply((c) => Buffer.from(c, "utf8").toString("base64")),
        },
      },
      { name: "onepassword-token", namespace: ONEPASSWORD_NAMESPACE, stringData: { token } },
    ];
    return { items: [addon], liveSecrets };
  },
});
