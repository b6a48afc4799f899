/** The Proxmox VE provider (@muhlba91/pulumi-proxmoxve), built from typed config. */
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { K3dProxmoxClusterConfig } from "../config/types";

/** An explicit Proxmox provider for one cluster's Proxmox host. */
export function proxmoxProvider(
  name: string,
  settings: K3dProxmoxClusterConfig["proxmox"],
  apiToken: pulumi.Output<string>,
  opts?: pulumi.CustomResourceOptions,
): proxmox.Provider {
  return new proxmox.Provider(
    name,
    { endpoint: settings.endpoint, insecure: settings.insecure, apiToken: pulumi.secret(apiToken) },
    opts,
  );
}
