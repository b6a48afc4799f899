/** The external-secrets platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import { secretStoreLabel } from "../../../lib/namespaces";
import { type ExternalSecretsSettings, parseExternalSecretsSettings } from "./settings";
import type { Addon, Bundle, DeliveryItem, JsonValue, KubeObject, LiveSecret } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";
import { requireSecret } from "../service-secrets";
import { BITWARDEN_SDK_SERVER_CHART, EXTERNAL_SECRETS_CHART } from "./settings";

export const ESO_NAMESPACE = "external-secrets";

/**
 * The Bitwarden SDK server's name is hardcoded to `bitwarden-sdk-server` and it serves HTTPS
 * on 9998 from the `bitwarden-tls-certs` Secret (tls.crt, tls.key, ca.crt)
 * (external-secrets/bitwarden-sdk-server deploy/charts/bitwarden-sdk-server/values.yaml).
 */
const SDK_SERVER = BITWARDEN_SDK_SERVER_CHART.name;

const SDK_TLS_SECRET = "bitwarden-tls-certs";

const SDK_URL = `https://${SDK_SERVER}.${ESO_NAMESPACE}.svc.cluster.local:9998`;

/** ESO store API: external-secrets.io/v1, as 002's bitwarden-store.yaml uses with ESO 1.2.1. */
const ESO_API = "external-secrets.io/v1";

/**
 * cert-manager objects of the Bitwarden SDK server's TLS (ESO docs: "The Bitwarden SDK Server
 * _NEEDS_ to run as an HTTPS service ... use cert-manager"): a self-signed root, a CA issuer
 * and the server certificate whose `ca.crt` the store trusts.
 */
function bitwardenTlsObjects(): KubeObject[] {
  const cm = "cert-manager.io/v1";
  return [
    { apiVersion: cm, kind: "Issuer", metadata: { name: "bitwarden-selfsigned" }, spec: { selfSigned: {} } },
    {
      apiVersion: cm,
      kind: "Certificate",
      metadata: { name: "bitwarden-ca" },
      spec: {
        isCA: true,
        commonName: "bitwarden-sdk-server-ca",
        secretName: "bitwarden-ca",
        duration: "87600h",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: "bitwarden-selfsigned", kind: "Issuer", group: "cert-manager.io" },
      },
    },
    {
      apiVersion: cm,
      kind: "Issuer",
      metadata: { name: "bitwarden-ca" },
      spec: { ca: { secretName: "bitwarden-ca" } },
    },
    {
      apiVersion: cm,
      kind: "Certificate",
      metadata: { name: SDK_TLS_SECRET },
      spec: {
        secretName: SDK_TLS_SECRET,
        dnsNames: [
          SDK_SERVER,
          `${SDK_SERVER}.${ESO_NAMESPACE}`,
          `${SDK_SERVER}.${ESO_NAMESPACE}.svc`,
          `${SDK_SERVER}.${ESO_NAMESPACE}.svc.cluster.local`,
        ],
        duration: "8760h",
        renewBefore: "720h",
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: "bitwarden-ca", kind: "Issuer", group: "cert-manager.io" },
      },
    },
  ];
}

/**
 * A ClusterSecretStore usable only from the namespaces labelled {@link secretStoreLabel}:
 * without `conditions` a ClusterSecretStore "can be referenced by all ExternalSecrets from all
 * namespaces" (ESO docs, ClusterSecretStore), so any namespace able to create an ExternalSecret
 * could read every secret the store's credential reaches. `conditions` is ESO v1
 * `SecretStoreSpec.Conditions`, "used to constrain a ClusterSecretStore to specific
 * namespaces" (apis/externalsecrets/v1/secretstore_types.go, ClusterSecretStoreCondition
 * `namespaceSelector`).
 */
export function store(name: string, provider: { [key: string]: JsonValue }): KubeObject {
  return {
    apiVersion: ESO_API,
    kind: "ClusterSecretStore",
    metadata: { name },
    spec: {
      provider,
      conditions: [{ namespaceSelector: { matchLabels: { [secretStoreLabel(name)]: "true" } } }],
    },
  };
}

/**
 * Stores are created only for the settings blocks given: `bitwarden` (002 store name
 * `bitwarden-backend`), `vault` and `onepassword`.
 */
export const externalSecretsService = defineService<ExternalSecretsSettings>({
  name: "external-secrets",
  catalog: {
    description: "External Secrets Operator with the Bitwarden store",
    source: "002",
  },
  charts: { operator: EXTERNAL_SECRETS_CHART, sdkServer: BITWARDEN_SDK_SERVER_CHART },
  parse: parseExternalSecretsSettings,
  // config/rules.ts checks the stores an app reads from are configured.
  secretStores: (s) =>
    (["bitwarden", "vault", "onepassword"] as const).filter((store) => s[store] !== undefined),
  secrets: {
    bitwardenAccessToken: {
      description: "Bitwarden Secrets Manager machine-account access token",
      required: false,
    },
    vaultToken: { description: "Vault token for the vault-backend store (auth: token)", required: false },
    onePasswordConnectToken: {
      description: "1Password Connect token (onepassword-backend store and operator)",
      required: false,
    },
  },
  neededSecrets: (s) => [
    ...(s.bitwarden ? ["bitwardenAccessToken"] : []),
    ...(s.vault?.auth === "token" ? ["vaultToken"] : []),
    ...(s.onepassword ? ["onePasswordConnectToken"] : []),
  ],
  build(ctx) {
    const s = ctx.settings;
    const items: DeliveryItem[] = [];
    const liveSecrets: LiveSecret[] = [];
    const controller: Addon = {
      kind: "addon",
      name: "external-secrets",
      layer: "infrastructure-controllers",
      namespace: ESO_NAMESPACE,
      ...addonChart(EXTERNAL_SECRETS_CHART, s.version),
      includeCrds: true,
      // The SDK server is its own item below, after its certificate exists.
      values: { installCRDs: true, "bitwarden-sdk-server": { enabled: false } },
    };
    items.push(controller);
    const stores: KubeObject[] = [];
    const storeDeps = ["external-secrets"];
    if (s.bitwarden) {
      if (!ctx.cluster.capabilities.services.includes("cert-manager")) {
        throw new Error(
          `external-secrets: the Bitwarden store needs cert-manager for the SDK server's TLS; add cert-manager to platform:clusters.${ctx.cluster.name}.services or remove serviceSettings.external-secrets.bitwarden`,
        );
      }
      const token = requireSecret(
        ctx.secrets,
        "bitwardenAccessToken",
        "serviceSettings.external-secrets.bitwarden is set",
      );
      items.push({
        kind: "bundle",
        name: "bitwarden-sdk-tls",
        layer: "infrastructure-configs",
        namespace: ESO_NAMESPACE,
        dependsOn: ["cert-manager"],
        objects: bitwardenTlsObjects(),
      });
      items.push({
        kind: "addon",
        name: SDK_SERVER,
        layer: "infrastructure-configs",
        namespace: ESO_NAMESPACE,
        // ESO Chart.yaml dependency: bitwarden-sdk-server v0.5.2 from oci://ghcr.io/external-secrets/charts.
        ...addonChart(BITWARDEN_SDK_SERVER_CHART, s.bitwarden.sdkServerVersion),
        includeCrds: false,
        dependsOn: ["bitwarden-sdk-tls"],
        values: {
          securityContext: {
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
          // 002's external-secrets values.yaml `bitwarden-sdk-server.resources`.
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
        },
      });
      storeDeps.push(SDK_SERVER);
      liveSecrets.push({ name: "bitwarden-access-token", namespace: ESO_NAMESPACE, stringData: { token } });
      // ESO docs/snippets/bitwarden-secrets-manager-secret-store.yaml; 002 store name "bitwarden-backend".
      stores.push(
        store("bitwarden-backend", {
          bitwardensecretsmanager: {
            apiURL: s.bitwarden.apiUrl,
            identityURL: s.bitwarden.identityUrl,
            bitwardenServerSDKURL: SDK_URL,
            caProvider: { type: "Secret", name: SDK_TLS_SECRET, namespace: ESO_NAMESPACE, key: "ca.crt" },
            organizationID: s.bitwarden.organizationId,
            projectID: s.bitwarden.projectId,
            auth: {
              secretRef: {
                credentials: { name: "bitwarden-access-token", namespace: ESO_NAMESPACE, key: "token" },
              },
            },
          },
        }),
      );
    }
    if (s.vault) {
      const v = s.vault;
      let auth: { [key: string]: JsonValue };
      if (v.auth === "token") {
        const token = requireSecret(
          ctx.secrets,
          "vaultToken",
          "serviceSettings.external-secrets.vault.auth is token",
        );
        liveSecrets.push({ name: "vault-token", namespace: ESO_NAMESPACE, stringData: { token } });
        auth = { tokenSecretRef: { name: "vault-token", namespace: ESO_NAMESPACE, key: "token" } };
      } else {
        auth = {
          kubernetes: {
            mountPath: v.mountPath,
            role: v.role ?? "",
            serviceAccountRef: { name: "external-secrets", namespace: ESO_NAMESPACE },
          },
        };
      }
      stores.push(
        store("vault-backend", { vault: { server: v.server, path: v.path, version: v.version, auth } }),
      );
    }
    if (s.onepassword) {
      const token = requireSecret(
        ctx.secrets,
        "onePasswordConnectToken",
        "serviceSettings.external-secrets.onepassword is set",
      );
      liveSecrets.push({
        name: "onepassword-connect-token",
        namespace: ESO_NAMESPACE,
        stringData: { token },
      });
      const vaults: { [key: string]: number } = {};
      s.onepassword.vaults.forEach((vault, i) => (vaults[vault] = i + 1));
      stores.push(
        store("onepassword-backend", {
          onepassword: {
            connectHost: s.onepassword.connectHost,
            vaults,
            auth: {
              secretRef: {
                connectTokenSecretRef: {
                  name: "onepassword-connect-token",
                  namespace: ESO_NAMESPACE,
                  key: "token",
                },
              },
            },
          },
        }),
      );
      if (ctx.cluster.capabilities.services.includes("onepassword-operator"))
        storeDeps.push("onepassword-connect");
    }
    if (stores.length > 0) {
      items.push({
        kind: "bundle",
        name: "external-secrets-stores",
        layer: "infrastructure-configs",
        namespace: ESO_NAMESPACE,
        dependsOn: storeDeps,
        objects: stores,
      } satisfies Bundle);
    }
    return { items, liveSecrets };
  },
});
