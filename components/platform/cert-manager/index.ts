/** The cert-manager platform service: its definition (catalog entry, chart, settings, secrets) and builder. */

import {
  CERT_MANAGER_DEFAULTS as CM,
  ISSUERS,
  type CertManagerSettings,
  parseCertManagerSettings,
} from "./settings";
import type { Addon, Bundle } from "../../gitops/delivery";
import { addonChart, defineService } from "../types";

export const CERT_MANAGER_ITEM = "cert-manager";

export const CERT_MANAGER_ISSUERS_ITEM = "cert-manager-issuers";

export const CLOUDFLARE_TOKEN_KEY = "cloudflareApiToken";

/** cert-manager with a staging and a production Let's Encrypt ClusterIssuer (DNS-01 via Cloudflare). */
export const certManagerService = defineService<CertManagerSettings>({
  name: "cert-manager",
  catalog: {
    description: "TLS certificates (Let's Encrypt DNS-01 via Cloudflare)",
    source: "002, 004",
  },
  charts: { controller: CM.chart },
  parse: parseCertManagerSettings,
  secrets: {
    [CLOUDFLARE_TOKEN_KEY]: {
      description: "Cloudflare API token with Zone:DNS:Edit for the ACME DNS-01 challenges",
      required: true,
    },
  },
  build(ctx) {
    const token = ctx.secrets[CLOUDFLARE_TOKEN_KEY];
    if (!token) {
      throw new Error(
        `cert-manager on cluster "${ctx.cluster.name}": secret config platform:${CLOUDFLARE_TOKEN_KEY} is required for the DNS-01 issuers; set it with pulumi config set --secret platform:${CLOUDFLARE_TOKEN_KEY} <token>`,
      );
    }
    const chart: Addon = {
      kind: "addon",
      name: CERT_MANAGER_ITEM,
      layer: "infrastructure-controllers",
      namespace: CM.namespace,
      ...addonChart(CM.chart),
      includeCrds: true,
      values: { crds: { enabled: true, keep: true } },
      // cainjector writes the webhook's CA (one webhook in each configuration).
      ignoreDifferences: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map((kind) => ({
        group: "admissionregistration.k8s.io",
        kind,
        name: "cert-manager-webhook",
        jsonPointers: ["/webhooks/0/clientConfig/caBundle"],
      })),
    };
    const issuer = (name: (typeof ISSUERS)[number]) => ({
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name },
      spec: {
        acme: {
          server: name === "letsencrypt-staging" ? CM.acme.staging : CM.acme.production,
          ...(ctx.settings.acmeEmail ? { email: ctx.settings.acmeEmail } : {}),
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers: [
            {
              selector: { dnsZones: [...ctx.settings.dnsZones] },
              dns01: {
                cloudflare: {
                  apiTokenSecretRef: { name: CM.cloudflareSecret.name, key: CM.cloudflareSecret.key },
                },
              },
            },
          ],
        },
      },
    });
    const issuers: Bundle = {
      kind: "bundle",
      name: CERT_MANAGER_ISSUERS_ITEM,
      layer: "infrastructure-configs",
      namespace: CM.namespace,
      dependsOn: [CERT_MANAGER_ITEM],
      objects: ISSUERS.map(issuer),
    };
    return {
      items: [chart, issuers],
      // ClusterIssuer secrets are read from the cluster resource namespace, cert-manager's own.
      liveSecrets: [
        {
          name: CM.cloudflareSecret.name,
          namespace: CM.namespace,
          stringData: { [CM.cloudflareSecret.key]: token },
        },
      ],
    };
  },
});
