/** The Proxmox VE provider (@muhlba91/pulumi-proxmoxve), built from typed config. */
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { K3dProxmoxClusterConfig } from "../config/types";

/**
 * An explicit Proxmox provider for one cluster's Proxmox host. TLS is verified unless the
 * stack sets `proxmox.insecure` (the provider's "Whether to skip the TLS verification step"),
 * because every request carries the API token; the provider trusts the deploying machine's
 * CA store, which Go reads from SSL_CERT_FILE / SSL_CERT_DIR too (crypto/x509 on Linux), so
 * Proxmox's own CA (`/etc/pve/pve-root-ca.pem`) can be trusted without turning checks off.
 */
export function proxmoxProvider(
  name: string,
  settings: K3dProxmoxClusterConfig["proxmox"],
  apiToken: pulumi.Output<string>,
  opts?: pulumi.CustomResourceOptions,
): proxmox.Provider {
  if (settings.insecure) {
    void pulumi.log.warn(
      `${name}: proxmox.insecure is true, so the Proxmox API's certificate is not verified while it receives the API token; trust Proxmox's CA instead (operating guide, "Proxmox API certificate")`,
    );
  }
  return new proxmox.Provider(
    name,
    { endpoint: settings.endpoint, insecure: settings.insecure, apiToken: pulumi.secret(apiToken) },
    opts,
  );
}
