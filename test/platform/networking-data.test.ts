import {
  NETWORKING_DATA_SECRETS,
  NETWORKING_DATA_SERVICES,
  NETWORKING_DATA_SETTINGS,
  checkNetworkingDataPlacement,
} from "../../components/platform/networking-data";
import { SERVICES } from "../../config/catalog";
import { clusterOf } from "./networking-data-fixtures";

describe("networking-data group", () => {
  it("registers a builder and a parser per service, keyed by its name", () => {
    expect(Object.keys(NETWORKING_DATA_SERVICES)).toEqual(Object.keys(NETWORKING_DATA_SETTINGS));
    for (const [name, def] of Object.entries(NETWORKING_DATA_SERVICES)) expect(def.name).toBe(name);
  });

  it("names only two services the catalog does not know yet", () => {
    expect(Object.keys(NETWORKING_DATA_SERVICES).filter((n) => !SERVICES[n])).toEqual([
      "traefik",
      "cilium-gateway",
    ]);
  });

  it("declares its secret config keys", () => {
    expect(Object.entries(NETWORKING_DATA_SECRETS).map(([k, v]) => [k, v.required, v.services])).toEqual([
      ["cloudflareApiToken", true, ["cert-manager"]],
      ["cnpgBackupS3AccessKeyId", false, ["cloudnative-pg"]],
      ["cnpgBackupS3SecretAccessKey", false, ["cloudnative-pg"]],
    ]);
  });

  it("accepts the homelab and cloud placements", () => {
    const home = clusterOf("k3s", [
      "cert-manager",
      "cloudnative-pg",
      "longhorn",
      "metallb",
      "synology-nfs",
      "traefik",
    ]);
    expect(checkNetworkingDataPlacement(home)).toEqual([]);
    const prod = clusterOf(
      "talos-hcloud",
      ["cert-manager", "cloudnative-pg", "cilium-gateway", "istio"],
      "prod",
    );
    expect(checkNetworkingDataPlacement(prod)).toEqual([]);
  });

  it("rejects services a cluster cannot run, one message each", () => {
    const prod = clusterOf("talos-hcloud", ["longhorn", "metallb", "synology-nfs", "cert-manager"], "prod");
    expect(checkNetworkingDataPlacement(prod)).toEqual([
      "longhorn runs only on k3s, not talos-hcloud; remove it from platform:clusters.prod.services",
      "metallb runs only on k3s, not talos-hcloud; remove it from platform:clusters.prod.services",
      "synology-nfs runs only on k3s, k3d-proxmox, not talos-hcloud; remove it from platform:clusters.prod.services",
    ]);
    const staging = clusterOf("k3d-proxmox", ["longhorn", "cilium-gateway", "cert-manager"], "staging");
    expect(checkNetworkingDataPlacement(staging)).toEqual([
      "longhorn runs only on k3s, not k3d-proxmox; remove it from platform:clusters.staging.services",
      "cilium-gateway runs only on talos-hcloud, not k3d-proxmox; remove it from platform:clusters.staging.services",
    ]);
  });

  it("requires cert-manager next to CloudNativePG (Barman Cloud plugin) and the gateway", () => {
    const prod = clusterOf("talos-hcloud", ["cloudnative-pg", "cilium-gateway"], "prod");
    expect(checkNetworkingDataPlacement(prod)).toEqual([
      "cloudnative-pg needs cert-manager on the same cluster (the Barman Cloud plugin's TLS certificates); add cert-manager to platform:clusters.prod.services",
      "cilium-gateway needs cert-manager on the same cluster (the gateway's wildcard certificate); add cert-manager to platform:clusters.prod.services",
    ]);
  });
});
