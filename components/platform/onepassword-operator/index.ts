/** The onepassword-operator platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { type OnePasswordOperatorSettings, parseOnePasswordOperatorSettings } from "./settings";
import type { Addon, LiveSecret } from "../../gitops/delivery";
import { addonChart, defineService, type ServiceBuild, type ServiceContext } from "../types";
import { requireSecret } from "../service-secrets";
import { CONNECT_CHART, isInClusterConnect } from "./settings";
import { ConfigError } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { externalSecretsService } from "../external-secrets";

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
      description: "1password-credentials.json of the Connect server (auth connect)",
      required: false,
    },
    onePasswordConnectToken: {
      description: "1Password Connect token (onepassword-backend store and operator; auth connect)",
      required: false,
    },
    onePasswordServiceAccountToken: {
      description: "1Password service-account token of the operator (auth service-account)",
      required: false,
    },
  },
  neededSecrets: (s) =>
    s.auth === "service-account"
      ? ["onePasswordServiceAccountToken"]
      : ["onePasswordCredentials", "onePasswordConnectToken"],
  // Each mode reads only its own keys (so the secrets plan lists no optional key of the other).
  readSecrets: (s) =>
    s.auth === "service-account"
      ? ["onePasswordServiceAccountToken"]
      : ["onePasswordCredentials", "onePasswordConnectToken"],
  build(ctx) {
    const { items, liveSecrets } =
      ctx.settings.auth === "service-account" ? serviceAccountMode(ctx) : connectMode(ctx);
    return { items, liveSecrets };
  },
});

type OnePasswordContext = ServiceContext<OnePasswordOperatorSettings>;

/** The connect chart as an addon with the given values. */
function connectChart(ctx: OnePasswordContext, values: Addon["values"]): Addon {
  return {
    kind: "addon",
    name: "onepassword-connect",
    layer: "infrastructure-controllers",
    namespace: ONEPASSWORD_NAMESPACE,
    ...addonChart(CONNECT_CHART, ctx.settings.version),
    includeCrds: true,
    values,
  };
}

/** A Connect server beside the operator, which reads 1Password through it. */
function connectMode(ctx: OnePasswordContext): ServiceBuild {
  const credentials = requireSecret(ctx.secrets, "onePasswordCredentials", "onepassword-operator is enabled");
  const token = requireSecret(ctx.secrets, "onePasswordConnectToken", "onepassword-operator is enabled");
  // connect-helm-charts charts/connect/values.yaml: connect.credentialsName/Key, operator.token.name/key.
  const addon = connectChart(ctx, {
    connect: {
      serviceType: "ClusterIP",
      credentialsName: "op-credentials",
      credentialsKey: "1password-credentials.json",
    },
    // `authMethod: connect` (chart 2.x operator-deployment.yaml) reads OP_CONNECT_TOKEN from operator.token.
    operator: { create: true, authMethod: "connect", token: { name: "onepassword-token", key: "token" } },
  });
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
}

/** Name and key of the Secret holding the service-account token (the operator's USAGEGUIDE names it so). */
export const ONEPASSWORD_SERVICE_ACCOUNT_SECRET = {
  name: "onepassword-service-account-token",
  key: "token",
} as const;

/**
 * The operator alone, reading 1Password with a service-account token, as document 001 runs it.
 * The chart's CI values for this mode (charts/connect/ci/with-service-account-values.yaml) are
 * `connect.create: false`, `operator.create: true`, `operator.authMethod: service-account`; the
 * operator Deployment then sets OP_SERVICE_ACCOUNT_TOKEN from
 * `operator.serviceAccountToken.name`/`.key` (templates/operator-deployment.yaml). Chart 2.0.x
 * writes its own token Secret's key from `operator.token.key` (fixed in 2.3.0, CHANGELOG #266),
 * so both keys are set alike; the token is applied live, never as a chart value.
 */
function serviceAccountMode(ctx: OnePasswordContext): ServiceBuild {
  const token = requireSecret(
    ctx.secrets,
    "onePasswordServiceAccountToken",
    "onepassword-operator is enabled with auth service-account",
  );
  const { name, key } = ONEPASSWORD_SERVICE_ACCOUNT_SECRET;
  const addon = connectChart(ctx, {
    connect: { create: false },
    operator: {
      create: true,
      authMethod: "service-account",
      serviceAccountToken: { name, key },
      token: { key },
    },
  });
  return {
    items: [addon],
    liveSecrets: [{ name, namespace: ONEPASSWORD_NAMESPACE, stringData: { [key]: token } }],
  };
}

/**
 * In `service-account` mode no Connect server runs, so an External Secrets `onepassword`
 * store whose `connectHost` names the in-cluster Connect Service reaches nothing: refused,
 * naming both settings. A Connect server elsewhere (another host) is the user's to run.
 */
export function onePasswordStoreProblems(cluster: ClusterConfig): ConfigError[] {
  const operator = onePasswordOperatorService.settingsOn(cluster);
  const store = externalSecretsService.settingsOn(cluster)?.onepassword;
  if (operator?.auth !== "service-account" || !store) return [];
  if (!isInClusterConnect(store.connectHost, ONEPASSWORD_NAMESPACE)) return [];
  const at = `platform:clusters.${cluster.name}.serviceSettings`;
  return [
    new ConfigError(
      `${at}.external-secrets.onepassword.connectHost`,
      store.connectHost,
      `names the in-cluster 1Password Connect Service, but ${at}.onepassword-operator.auth is service-account, which runs no Connect server; set onepassword-operator auth to connect (a Connect server beside the operator), point connectHost at a Connect server you run elsewhere, or remove serviceSettings.external-secrets.onepassword`,
    ),
  ];
}
