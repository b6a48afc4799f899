/**
 * Secrets by mechanism; no value ever reaches an item, a file or a plan in plaintext:
 * - generated: `@pulumi/random` RandomPassword per key, named `<cluster>-<app>-<secret>-<key>`
 *   (stable across runs: the name is the identity, the value stays in state as a secret),
 *   applied live as a LiveSecret; with `bcrypt`, its `bcryptHash` as `<key>Bcrypt` too;
 * - config: values from encrypted stack config, applied live;
 * - external: an ExternalSecret (external-secrets.io/v1) against a named ClusterSecretStore
 *   (https://external-secrets.io/latest/api/externalsecret/);
 * - onepassword: a OnePasswordItem (onepassword.com/v1, spec.itemPath
 *   `vaults/<vault>/items/<item>`, https://github.com/1Password/onepassword-operator).
 * The Kubernetes Secret is always named `<app>-<secret>`.
 */
import { generatedPassword } from "../../../lib/generated-password";
import * as pulumi from "@pulumi/pulumi";
import type { KubeObject, LiveSecret } from "../../gitops/delivery";
import type { AppSpec, SecretSource, WorkloadContext } from "./types";

export function secretObjectName(app: string, secret: string): string {
  return `${app}-${secret}`;
}

export interface SecretBuild {
  readonly objects: KubeObject[];
  readonly liveSecrets: LiveSecret[];
}

/**
 * A generated Secret: one RandomPassword per key (with its bcrypt hash when asked), applied
 * live; a `kubernetes.io/basic-auth` Secret with `basicAuthUser`.
 */
function generatedSecret(
  app: AppSpec,
  secret: string,
  source: Extract<SecretSource, { type: "generated" }>,
  ctx: WorkloadContext,
): LiveSecret {
  const name = secretObjectName(app.name, secret);
  const where = `app "${app.name}" secrets.${secret}`;
  const stringData: Record<string, pulumi.Output<string>> = {};
  for (const [key, { length, prefix, bcrypt }] of Object.entries(source.keys)) {
    if (length < 16) throw new Error(`${where}.keys.${key}: length ${length} is too short; use at least 16`);
    // bcrypt hashes at most 72 bytes (RandomPassword bcryptHash docs), and a prefix
    // would make the value differ from what was hashed.
    if (bcrypt && (prefix || length > 72))
      throw new Error(
        `${where}.keys.${key}: bcrypt needs a value of at most 72 characters without a prefix (length ${length}${prefix ? `, prefix "${prefix}"` : ""})`,
      );
    if (bcrypt && source.keys[`${key}Bcrypt`])
      throw new Error(`${where}.keys.${key}: bcrypt publishes ${key}Bcrypt, which is also a key`);
    // special: false keeps values URL- and shell-safe (they end up in URIs and env).
    const password = generatedPassword(
      `${ctx.cluster}-${app.name}-${secret}-${key}`,
      { length, special: false },
      ctx.parent,
    );
    const value = password.result;
    stringData[key] = prefix ? value.apply((v) => `${prefix}${v}`) : value;
    if (bcrypt) stringData[`${key}Bcrypt`] = password.bcryptHash;
  }
  if (source.basicAuthUser !== undefined) {
    if (Object.keys(source.keys).join() !== "password")
      throw new Error(
        `${where}.basicAuthUser: a basic-auth Secret has exactly the generated key "password", found ${Object.keys(source.keys).join(", ")}`,
      );
    // Kubernetes "Basic authentication Secret": type kubernetes.io/basic-auth with
    // `username` and `password`.
    stringData["username"] = pulumi.output(source.basicAuthUser);
    return { name, namespace: ctx.namespace, type: "kubernetes.io/basic-auth", stringData };
  }
  return { name, namespace: ctx.namespace, stringData };
}

export function secrets(app: AppSpec, ctx: WorkloadContext): SecretBuild {
  const objects: KubeObject[] = [];
  const liveSecrets: LiveSecret[] = [];
  for (const [secret, source] of Object.entries(app.secrets ?? {})) {
    const name = secretObjectName(app.name, secret);
    const where = `app "${app.name}" secrets.${secret}`;
    switch (source.type) {
      case "generated":
        liveSecrets.push(generatedSecret(app, secret, source, ctx));
        break;
      case "config": {
        const stringData: Record<string, pulumi.Output<string>> = {};
        for (const [key, configKey] of Object.entries(source.keys)) {
          const value = ctx.secrets[configKey];
          if (value === undefined) {
            throw new Error(
              `${where}.keys.${key}: secret config "${configKey}" is not set; run \`pulumi config set --secret ${configKey} <value>\``,
            );
          }
          stringData[key] = value;
        }
        liveSecrets.push({ name, namespace: ctx.namespace, stringData });
        break;
      }
      case "external":
        objects.push({
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: { name },
          spec: {
            refreshInterval: source.refreshInterval ?? "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: source.store },
            target: { name, creationPolicy: "Owner" },
            data: Object.entries(source.keys).map(([secretKey, ref]) => ({
              secretKey,
              remoteRef: { key: ref.remoteKey, ...(ref.property ? { property: ref.property } : {}) },
            })),
          },
        });
        break;
      case "onepassword":
        if (!/^vaults\/[^/]+\/items\/[^/]+$/.test(source.itemPath)) {
          throw new Error(
            `${where}.itemPath: "${source.itemPath}" must look like vaults/<vault>/items/<item>`,
          );
        }
        objects.push({
          apiVersion: "onepassword.com/v1",
          kind: "OnePasswordItem",
          metadata: { name },
          spec: { itemPath: source.itemPath },
        });
        break;
    }
  }
  return { objects, liveSecrets };
}
