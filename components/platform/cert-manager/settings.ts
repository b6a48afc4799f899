/**
 * Settings of the cert-manager platform service (`serviceSettings.cert-manager` of a cluster): their type,
 * their defaults with the source of each, and the parser its definition runs.
 */

import { type Reader } from "../../../config/reader";
import type { ClusterConfig } from "../../../config/types";
import { DNS_NAME, EMAIL } from "../settings-patterns";

/** cert-manager (sources 002 "cert-manager with Cloudflare DNS-01", 004 "Let's Encrypt DNS-01 via Cloudflare"). */
export const CERT_MANAGER_DEFAULTS = {
  // jetstack chart v1.19.1 (cert-manager release v1.19.1, Oct 2025); `crds.enabled` replaced
  // `installCRDs` (cert-manager v1.15 release notes), `crds.keep` keeps CRDs (and so every
  // Certificate) on uninstall.
  chart: {
    repository: "https://charts.jetstack.io",
    name: "cert-manager",
    // renovate: datasource=helm depName=cert-manager registryUrl=https://charts.jetstack.io
    version: "v1.19.1",
  },
  namespace: "cert-manager",
  // Let's Encrypt ACME directories (letsencrypt.org/docs/staging-environment, /getting-started).
  acme: {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
  },
  /** Live Secret holding the Cloudflare API token, in the cert-manager namespace (ClusterIssuer secrets live there). */
  cloudflareSecret: { name: "cloudflare-api-token", key: "api-token" },
} as const;

export type IssuerName = "letsencrypt-staging" | "letsencrypt-production";

export const ISSUERS: readonly IssuerName[] = ["letsencrypt-staging", "letsencrypt-production"];

export interface CertManagerSettings {
  /**
   * ACME account email. Optional in cert-manager's ACMEIssuer ("optional, but strongly
   * recommended"); the documents name none, so it is left out unless set.
   * @default none
   * @see https://cert-manager.io/docs/reference/api-docs/#acme.cert-manager.io/v1.ACMEIssuer
   */
  readonly acmeEmail?: string;
  /** DNS zones the Cloudflare DNS-01 solver answers for (default: the cluster domain). */
  readonly dnsZones: readonly string[];
}

export function parseCertManagerSettings(r: Reader, cluster: ClusterConfig): CertManagerSettings {
  r.only(["acmeEmail", "dnsZones"]);
  return {
    acmeEmail: r.optionalString("acmeEmail", {
      pattern: EMAIL,
      expected: "the ACME account email, e.g. admin@example.org",
    }),
    dnsZones: r.stringList("dnsZones", { pattern: DNS_NAME, expected: "a DNS zone such as example.org" }, [
      cluster.domain,
    ]),
  };
}
