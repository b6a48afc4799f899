import type { Addon, Bundle, DeliveryItem } from "../../components/gitops/delivery";
import { validateItems, withNamespace } from "../../components/gitops/delivery";
import { platformPriorityClasses } from "../../components/platform/cluster-helpers";
import { renovateService } from "../../components/platform/renovate";
import { validateSchemas } from "../../tools/schemas";
import { externalSecretsService } from "../../components/platform/external-secrets";
import { onePasswordOperatorService } from "../../components/platform/onepassword-operator";
import { sealedSecretsService } from "../../components/platform/sealed-secrets";
import type { ServiceBuild } from "../../components/platform/types";
import {
  EXTERNAL_SECRETS_DEFAULTS,
  type ExternalSecretsSettings,
} from "../../components/platform/external-secrets/settings";
import {
  ONEPASSWORD_OPERATOR_DEFAULTS,
  parseOnePasswordOperatorSettings,
} from "../../components/platform/onepassword-operator/settings";
import { RENOVATE_DEFAULTS } from "../../components/platform/renovate/settings";
import { SEALED_SECRETS_DEFAULTS } from "../../components/platform/sealed-secrets/settings";
import { runProgram, valueOf } from "../../lib/mock-runtime";
import { Reader } from "../../config/reader";
import { cluster, context, FAKE, type Loose } from "./fixtures";

const ORG = "4a014e57-f197-4852-9831-b287013e47b6";
const PROJECT = "c3db446d-ed3c-4713-82d1-b34000c4a2cf";

const FULL: ExternalSecretsSettings = {
  version: EXTERNAL_SECRETS_DEFAULTS.version,
  bitwarden: {
    sdkServerVersion: "v0.5.2",
    organizationId: ORG,
    projectId: PROJECT,
    apiUrl: EXTERNAL_SECRETS_DEFAULTS.apiUrl,
    identityUrl: EXTERNAL_SECRETS_DEFAULTS.identityUrl,
  },
  vault: {
    server: "https://vault.example.org",
    path: "secret",
    version: "v2",
    auth: "token",
    mountPath: "kubernetes",
  },
  onepassword: {
    connectHost: "http://onepassword-connect.onepassword-system.svc:8080",
    vaults: ["Development"],
  },
};
const SECRETS = ["bitwardenAccessToken", "vaultToken", "onePasswordConnectToken"];

function item(items: readonly DeliveryItem[], name: string): DeliveryItem {
  const found = items.find((i) => i.name === name);
  if (!found) throw new Error(`no item ${name}`);
  return found;
}

describe("external-secrets", () => {
  it("installs only the controller when no store is configured", () => {
    const b = externalSecretsService.spec.build(
      context(cluster("talos-hcloud", ["external-secrets"]), { version: EXTERNAL_SECRETS_DEFAULTS.version }),
    );
    validateItems(b.items, { complete: false });
    expect(b.items.map((i) => i.name)).toEqual(["external-secrets"]);
    expect((b.items[0] as Addon).values).toEqual({
      installCRDs: true,
      "bitwarden-sdk-server": { enabled: false },
    });
    expect(b.liveSecrets).toEqual([]);
  });

  it("orders certificate, SDK server and stores after their controllers", () => {
    const b = externalSecretsService.spec.build(
      context(
        cluster("talos-hcloud", ["external-secrets", "cert-manager", "onepassword-operator"]),
        FULL,
        SECRETS,
      ),
    );
    validateItems(b.items, { complete: false });
    expect(b.items.map((i) => `${i.layer}/${i.name}`)).toEqual([
      "infrastructure-controllers/external-secrets",
      "infrastructure-configs/bitwarden-sdk-tls",
      "infrastructure-configs/bitwarden-sdk-server",
      "infrastructure-configs/external-secrets-stores",
    ]);
    expect(item(b.items, "bitwarden-sdk-tls").dependsOn).toEqual(["cert-manager"]);
    expect(item(b.items, "bitwarden-sdk-server")).toMatchObject({
      repository: "oci://ghcr.io/external-secrets/charts",
      version: "v0.5.2",
      dependsOn: ["bitwarden-sdk-tls"],
    });
    const stores = item(b.items, "external-secrets-stores") as Bundle;
    expect(stores.dependsOn).toEqual(["external-secrets", "bitwarden-sdk-server", "onepassword-connect"]);
    expect(stores.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ClusterSecretStore/bitwarden-backend",
      "ClusterSecretStore/vault-backend",
      "ClusterSecretStore/onepassword-backend",
    ]);
    const bitwarden = (stores.objects[0].spec as Loose).provider.bitwardensecretsmanager;
    expect(bitwarden.bitwardenServerSDKURL).toBe(
      "https://bitwarden-sdk-server.external-secrets.svc.cluster.local:9998",
    );
    expect(bitwarden.caProvider).toEqual({
      type: "Secret",
      name: "bitwarden-tls-certs",
      namespace: "external-secrets",
      key: "ca.crt",
    });
    expect(bitwarden.organizationID).toBe(ORG);
    const tls = (item(b.items, "bitwarden-sdk-tls") as Bundle).objects.find(
      (o) => o.metadata.name === "bitwarden-tls-certs",
    )!;
    expect((tls.spec as Loose).dnsNames).toContain("bitwarden-sdk-server.external-secrets.svc.cluster.local");
    expect(b.liveSecrets.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      "external-secrets/bitwarden-access-token",
      "external-secrets/vault-token",
      "external-secrets/onepassword-connect-token",
    ]);
    const text = JSON.stringify(b.items);
    for (const key of SECRETS) expect(text).not.toContain(FAKE(key));
  });

  it("uses Kubernetes auth for Vault without a token", () => {
    const settings: ExternalSecretsSettings = {
      version: "1.2.1",
      vault: {
        server: "https://vault.example.org",
        path: "secret",
        version: "v2",
        auth: "kubernetes",
        role: "eso",
        mountPath: "kubernetes",
      },
    };
    const b = externalSecretsService.spec.build(
      context(cluster("talos-hcloud", ["external-secrets"]), settings),
    );
    const store = (item(b.items, "external-secrets-stores") as Bundle).objects[0];
    expect((store.spec as Loose).provider.vault.auth).toEqual({
      kubernetes: {
        mountPath: "kubernetes",
        role: "eso",
        serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" },
      },
    });
    expect(b.liveSecrets).toEqual([]);
  });

  it("fails clearly without cert-manager or the token", () => {
    expect(() =>
      externalSecretsService.spec.build(
        context(cluster("talos-hcloud", ["external-secrets"]), FULL, SECRETS),
      ),
    ).toThrow(
      "external-secrets: the Bitwarden store needs cert-manager for the SDK server's TLS; add cert-manager to platform:clusters.prod.services or remove serviceSettings.external-secrets.bitwarden",
    );
    expect(() =>
      externalSecretsService.spec.build(
        context(cluster("talos-hcloud", ["external-secrets", "cert-manager"]), FULL),
      ),
    ).toThrow(
      "Missing secret config platform:bitwardenAccessToken: serviceSettings.external-secrets.bitwarden is set; set it with `pulumi config set --secret platform:bitwardenAccessToken <value>`",
    );
  });
});

describe("onepassword-operator", () => {
  it("installs Connect with the operator and stores the credentials base64-encoded as the chart does", async () => {
    let build: ServiceBuild | undefined;
    const { outputs } = await runProgram(() => {
      build = onePasswordOperatorService.spec.build(
        context(
          cluster("k3s", ["onepassword-operator"]),
          ONEPASSWORD_OPERATOR_DEFAULTS,
          ["onePasswordCredentials", "onePasswordConnectToken"],
          true,
        ),
      );
      return valueOf(
        (build.liveSecrets[0].stringData as Record<string, Loose>)["1password-credentials.json"],
      );
    });
    const b = build!;
    validateItems(b.items, { complete: false });
    expect(b.items[0]).toMatchObject({
      name: "onepassword-connect",
      namespace: "onepassword-system",
      chart: "connect",
      version: "2.0.5",
    });
    expect(((b.items[0] as Addon).values as Loose).operator).toEqual({
      create: true,
      authMethod: "connect",
      token: { name: "onepassword-token", key: "token" },
    });
    expect(outputs).toBe(Buffer.from(FAKE("onePasswordCredentials")).toString("base64"));
    expect(b.liveSecrets.map((s) => s.name)).toEqual(["op-credentials", "onepassword-token"]);
  });

  it("runs the operator alone with a service-account token in 001's mode, the token applied live", async () => {
    const settings = { ...ONEPASSWORD_OPERATOR_DEFAULTS, auth: "service-account" as const };
    let build: ServiceBuild | undefined;
    const { outputs } = await runProgram(() => {
      build = onePasswordOperatorService.spec.build(
        context(
          cluster("k3d-proxmox", ["onepassword-operator"]),
          settings,
          ["onePasswordServiceAccountToken"],
          true,
        ),
      );
      return valueOf((build.liveSecrets[0].stringData as Record<string, Loose>).token);
    });
    const b = build!;
    validateItems(b.items, { complete: false });
    const values = (b.items[0] as Addon).values as Loose;
    // charts/connect/ci/with-service-account-values.yaml; operator-deployment.yaml reads
    // OP_SERVICE_ACCOUNT_TOKEN from operator.serviceAccountToken.
    expect(values).toEqual({
      connect: { create: false },
      operator: {
        create: true,
        authMethod: "service-account",
        serviceAccountToken: { name: "onepassword-service-account-token", key: "token" },
        token: { key: "token" },
      },
    });
    expect(JSON.stringify(values)).not.toContain("fake-");
    expect(b.liveSecrets.map((s) => [s.namespace, s.name])).toEqual([
      ["onepassword-system", "onepassword-service-account-token"],
    ]);
    expect(outputs).toBe(FAKE("onePasswordServiceAccountToken"));
    // Each mode needs, and reads, only its own secrets.
    const spec = onePasswordOperatorService.spec;
    expect(spec.neededSecrets!(settings)).toEqual(["onePasswordServiceAccountToken"]);
    expect(spec.neededSecrets!(ONEPASSWORD_OPERATOR_DEFAULTS)).toEqual([
      "onePasswordCredentials",
      "onePasswordConnectToken",
    ]);
    expect(spec.readSecrets!(settings)).toEqual(["onePasswordServiceAccountToken"]);
    expect(() =>
      spec.build(context(cluster("k3d-proxmox", ["onepassword-operator"]), settings, [], false)),
    ).toThrow("Missing secret config platform:onePasswordServiceAccountToken");
  });

  it("refuses an auth mode it does not know, naming the key", () => {
    expect(() =>
      parseOnePasswordOperatorSettings(
        new Reader("serviceSettings.onepassword-operator", { auth: "token" }),
        undefined as never,
      ),
    ).toThrow("serviceSettings.onepassword-operator.auth");
  });
});

describe("sealed-secrets", () => {
  it("names the controller as kubeseal expects", () => {
    const b = sealedSecretsService.spec.build(
      context(cluster("talos-hcloud", ["sealed-secrets"]), SEALED_SECRETS_DEFAULTS),
    );
    validateItems(b.items, { complete: false });
    expect(b.items[0]).toMatchObject({
      namespace: "kube-system",
      version: "2.17.9",
      values: { fullnameOverride: "sealed-secrets-controller" },
    });
  });
});

describe("schemas of the group's own objects", () => {
  it("validates every store, certificate, policy and CronJob against the upstream models", () => {
    const stores = externalSecretsService.spec.build(
      context(
        cluster("talos-hcloud", ["external-secrets", "cert-manager", "onepassword-operator"]),
        FULL,
        SECRETS,
      ),
    );
    const renovate = renovateService.spec.build(
      context(cluster("k3s", ["renovate"]), { ...RENOVATE_DEFAULTS, repositories: ["a/b"] }, [
        "renovateToken",
      ]),
    );
    const objects = [...stores.items, ...renovate.items, platformPriorityClasses()].flatMap((i) =>
      i.kind === "bundle" ? i.objects.map((o) => withNamespace(o, i.namespace)) : [],
    );
    const results = validateSchemas(objects);
    expect(results.filter((r) => r.status !== "valid")).toEqual([]);
    expect(results).toHaveLength(15);
  });
});
